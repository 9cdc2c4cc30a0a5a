# Production image of Shuping. Built and run by docker-compose.yml (README 部署).
# The official image's CPython is built with PGO and LTO, like Debian's python3.11 that the
# Makefile uses: PDF layout is pure Python and an unoptimized build is ~20% slower.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    XDG_CACHE_HOME=/tmp/.cache

# CJK fonts and HarfBuzz's subsetter for PDF export, Pango for WeasyPrint (the Makefile's
# SYSTEM_PACKAGES), a prebuilt font cache so the first PDF does not scan every font, and
# PostgreSQL 15's client for `manage.py backup`/`restore` (pg_dump, pg_restore).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      fonts-noto-cjk fonts-arphic-ukai fonts-arphic-uming \
      libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 fontconfig postgresql-client \
 && fc-cache -f \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files are collected into the image; WhiteNoise serves them. The build needs no secret.
RUN python manage.py collectstatic --noinput -v 0

RUN useradd --system --uid 10001 --no-create-home --home-dir /app shuping \
 && mkdir -p /app/media \
 && chown shuping /app/media
USER shuping

EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.conf.py"]
