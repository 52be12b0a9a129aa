"""REST API helpers: ActionError becomes a 400 (or 403) with its code and message."""

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from egov.core.errors import ActionError


def exception_handler(exc, context):
    if isinstance(exc, ActionError):
        body = {"code": exc.code, "detail": str(exc.message)}
        if exc.fields:
            body["fields"] = {k: str(v) for k, v in exc.fields.items()}
        return Response(body, status=exc.status)
    return drf_exception_handler(exc, context)
