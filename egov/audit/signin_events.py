"""Sign-in, sign-out and failed sign-in attempts go to the audit log.

Django announces these through its auth signals; they are the one place where the
log listens rather than being called, since the events come from Django itself.
"""

from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.dispatch import receiver

from egov.audit.actions import record


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    record(actor=user, action="identity.sign_in", target=user)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(actor=user, action="identity.sign_out", target=user)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    identifier = str(
        credentials.get("identifier") or credentials.get("username") or ""
    )[:150]
    reason = (getattr(request, "egov_signin_failure", None) if request else None) or (
        "bad_credentials"
    )
    record(
        action="identity.sign_in",
        outcome="failed",
        username=identifier,
        detail={"reason": reason},
    )
