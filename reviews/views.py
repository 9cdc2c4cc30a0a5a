from django.http import Http404


def placeholder(request, *args, **kwargs):
    # Replaced by the review workflow (issue 3).
    raise Http404
