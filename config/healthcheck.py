"""docker-compose's health check of the web container: GET /healthz on the local gunicorn.

    python config/healthcheck.py http://127.0.0.1:8000/healthz

Exit 0 when it answers 200. The request names a host the app accepts (the first of
DJANGO_ALLOWED_HOSTS) and says it came over https, as the reverse proxy would."""

import os
import sys
import urllib.error
import urllib.request


def main(url):
    host = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",")[0].strip().lstrip(".")
    if host in ("", "*"):
        host = "localhost"
    request = urllib.request.Request(url, headers={"Host": host, "X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=4) as response:
            print(response.read().decode())
            return 0 if response.status == 200 else 1
    except urllib.error.HTTPError as error:
        print(error.code, error.read().decode())
    except OSError as error:
        print(error)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/healthz"))
