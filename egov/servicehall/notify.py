"""Messages to an applicant about their case: a site message always (when
the case has an account), a text message when there is a phone number, an
e-mail when there is an address.

Call `notify_applicant` inside the action's transaction: the site message is
written with the action (and vanishes with it if the action is refused); the
SMS and e-mail go out only after the commit, and a failing gateway or mail
server is logged without undoing anything.

The texts come from egov.servicehall.notify_messages (one entry per event,
gettext strings rendered with the case's data); see there for the events and
the values each one uses.
"""

import logging

from django.core.mail import EmailMultiAlternatives
from django.db import transaction

from egov.core import sms
from egov.core.face_urls import face_reverse, public_link
from egov.servicehall.notify_messages import EVENTS, render
from egov.workflow.models import Notification

logger = logging.getLogger("egov.servicehall")

__all__ = ["EVENTS", "notify_applicant", "case_path"]


def case_path(case) -> str:
    """The case's page in the applicant's 我的办件, on the public face."""
    if not case.number:
        return ""
    return face_reverse("public", "hall:my_case", args=[case.number])


def _phone(case) -> str:
    phone = case.contact_phone
    if not phone and case.applicant_id is not None:
        phone = case.applicant.phone
    return phone


def _email(case) -> str:
    address = case.contact_email
    if not address and case.applicant_id is not None:
        address = case.applicant.email
    return address


def notify_applicant(
    case,
    event: str,
    *,
    title: str | None = None,
    body: str | None = None,
    language: str | None = None,
    **context,
) -> Notification | None:
    """Tell the applicant of `case` that `event` happened.

    The event's template gives the title, body, SMS and e-mail, filled with
    the case's data and `context` (reason=, deadline=, materials=…; see
    notify_messages.EVENTS). An explicit `title` or `body` replaces the
    template's; events without a template need a `title`. Returns the site
    message, or None when the applicant has no account.
    """
    path = case_path(case)
    message = render(
        case,
        event,
        language=language,
        title=title,
        body=body,
        url=public_link(path),
        **context,
    )
    row = None
    if case.applicant_id is not None:
        row = Notification.objects.create(
            user_id=case.applicant_id,
            kind=Notification.Kind.CASE,
            title=message.title[:200],
            body=message.body,
            url=path[:300],
        )
    phone = _phone(case)
    address = _email(case)
    number = case.number

    def deliver():
        if phone:
            try:
                sms.send_sms(phone, message.sms)
            except Exception:
                logger.exception("SMS for case %s (%s) failed", number, event)
        if address:
            try:
                mail = EmailMultiAlternatives(
                    message.subject, message.text, to=[address]
                )
                mail.attach_alternative(message.html, "text/html")
                mail.send()
            except Exception:
                logger.exception("E-mail for case %s (%s) failed", number, event)

    transaction.on_commit(deliver)
    return row
