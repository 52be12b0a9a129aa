"""Messages to an applicant about their case: a site message always, a text
message when the case has a contact phone, an e-mail when it has an address.

Call `notify_applicant` inside the action's transaction: the site message is
written with the action (and vanishes with it if the action is refused); the
SMS and e-mail go out only after the commit.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from egov.core import sms
from egov.workflow.models import Notification

logger = logging.getLogger("egov.servicehall")


def _case_url(case) -> str:
    try:
        return reverse("hall:my_case", args=[case.number])
    except NoReverseMatch:
        return ""


def notify_applicant(case, event: str, *, title: str, body: str = "") -> None:
    """Tell the applicant of `case` that `event` happened (`title` is the
    one-line message, `body` the details)."""
    if case.applicant_id is not None:
        Notification.objects.create(
            user_id=case.applicant_id,
            kind=Notification.Kind.CASE,
            title=title[:200],
            body=body,
            url=_case_url(case)[:300],
        )
    phone = case.contact_phone
    email = case.contact_email
    text = _("【%(site)s】%(title)s（办件编号%(number)s）") % {
        "site": settings.EGOV_SITE_NAME,
        "title": title,
        "number": case.number or "",
    }

    def deliver():
        if phone:
            try:
                sms.send_sms(phone, text)
            except Exception:
                logger.exception("SMS for case %s (%s) failed", case.number, event)
        if email:
            try:
                send_mail(title, f"{text}\n\n{body}".strip(), None, [email])
            except Exception:
                logger.exception("E-mail for case %s (%s) failed", case.number, event)

    transaction.on_commit(deliver)
