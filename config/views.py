"""The error pages Django shows with DEBUG off (wired in config/urls.py): Chinese, in the app's
layout, and for a request body over DATA_UPLOAD_MAX_MEMORY_SIZE (a huge paste) a 413 that
says what happened — as JSON for the editor's autosave, as a page for a form post."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import render

TOO_BIG_MESSAGE = (
    "提交的内容超过 {limit} MB 的上限，未能保存。您输入的文字没有丢失：请删减内容（例如分几部分、分几次提交）后再试。"
)


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "") or request.headers.get("X-Requested-With") == "XMLHttpRequest"


def too_big_message():
    return TOO_BIG_MESSAGE.format(limit=f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024:g}")


def bad_request(request, exception=None):
    """400 for malformed input (a non-numeric id, a broken form); 413 for a body over the limit."""
    if isinstance(exception, RequestDataTooBig):
        message = too_big_message()
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": "too_big", "message": message}, status=413)
        return render(request, "413.html", {"message": message}, status=413)
    if _wants_json(request):
        return JsonResponse({"ok": False, "error": "bad_request", "message": "请求无效，请刷新页面后重试。"}, status=400)
    return render(request, "400.html", status=400)
