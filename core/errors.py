"""Error pages: a database that is down or restarting answers 503 with a clear message, not a bare 500.

Django converts an exception raised anywhere in the middleware stack into a response
before an outer middleware could catch it, so the distinction is made in the 500 handler,
which still runs inside the `except` block that caught the error.
"""
import sys

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

DATABASE_DOWN = (OperationalError, InterfaceError)


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def server_error(request):
    """handler500: 503 + Retry-After when the database is unreachable, else a plain 500 page."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_DOWN):
        message = _("数据库暂时不可用（可能正在重启），您的操作未保存。请稍后重试。")
        status = 503
    else:
        message = _("服务器内部错误，已记录。请稍后重试，或联系管理员。")
        status = 500
    if _wants_json(request):
        response = JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})
    else:
        response = render(request, "error.html", {"message": message, "status": status}, status=status)
    if status == 503:
        response["Retry-After"] = "10"
    return response
