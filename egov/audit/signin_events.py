"""Sign-in, sign-out and failed sign-in attempts go to the audit log.

Django announces these through its auth signals; they are the one place where the
log listens rather than being called, since the events come from Django itself.

A failed attempt is logged with the reason the sign-in view put in
`request.egov_signin_failure` (a code such as "otp_failed"), "bad_credentials"
when it set none. People may sign in with a mobile or ID number; such an
identifier is logged as the account it names, or masked when it names none,
so the log never holds personal numbers in clear.
"""

from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.dispatch import receiver

from egov.audit.actions import record
from egov.core.validators import mask_id_number, mask_phone

SIGN_IN = "identity.sign_in"
SIGN_OUT = "identity.sign_out"


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    record(actor=user, action=SIGN_IN, target=user)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(actor=user, action=SIGN_OUT, target=user)


def _loggable_identifier(identifier: str) -> tuple[str, object]:
    """The account name to log for a typed identifier, and its user if known."""
    from egov.identity.backends import find_user

    user = find_user(identifier)
    if user is not None:
        return user.get_username(), user
    compact = identifier.strip()
    if compact.isdigit() and len(compact) == 11:
        return mask_phone(compact), None
    if len(compact) == 18 and compact[:17].isdigit():
        return mask_id_number(compact), None
    return compact, None


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    identifier = str(
        credentials.get("identifier") or credentials.get("username") or ""
    ).replace("\x00", "")[:150]
    reason = (getattr(request, "egov_signin_failure", None) if request else None) or (
        "bad_credentials"
    )
    username, account = _loggable_identifier(identifier)
    record(
        action=SIGN_IN,
        outcome="failed",
        username=username,
        target=account,
        detail={"reason": reason},
    )
