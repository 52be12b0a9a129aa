"""Keeps the current request's IP and user agent at hand for the audit log."""

import contextvars
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class RequestContext:
    ip: str = ""
    user_agent: str = ""


# RequestContext is a frozen dataclass, so sharing the default is safe.
_current = contextvars.ContextVar(
    "egov_request_context",
    default=RequestContext(),  # noqa: B039
)


def current_request_context() -> RequestContext:
    return _current.get()


def client_ip(request) -> str:
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 0
    if proxies:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(
            RequestContext(
                ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
            )
        )
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
