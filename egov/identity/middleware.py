"""Session policy: idle timeout and absolute lifetime of a signed-in session."""

import time

from django.conf import settings
from django.contrib.auth import logout

_STARTED = "egov_started"
_SEEN = "egov_seen"


class SessionPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            started = request.session.get(_STARTED, now)
            seen = request.session.get(_SEEN, now)
            idle = settings.EGOV_SESSION_IDLE_MINUTES * 60
            absolute = settings.EGOV_SESSION_ABSOLUTE_HOURS * 3600
            if now - seen > idle or now - started > absolute:
                logout(request)
                request.egov_session_expired = True
            else:
                request.session[_STARTED] = started
                if now - seen >= 30 or _SEEN not in request.session:
                    request.session[_SEEN] = now
        return self.get_response(request)
