"""Site messages (站内消息) for people, and SMS for the urgent ones.

`send` writes one Notification row per person inside the caller's
transaction; text messages go out only after the transaction commits, so a
refused operation never texts anybody.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.audit.actions import record
from egov.core import sms
from egov.core.actions import audited
from egov.core.errors import ActionError, PermissionDenied
from egov.workflow.models import Notification

logger = logging.getLogger("egov.workflow")


def send(
    *,
    users,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    instance=None,
    sender=None,
    urgent: bool = False,
) -> list[Notification]:
    """One site message per person; urgent ones are also texted after commit."""
    people = [u for u in dict.fromkeys(users) if u is not None]
    rows = Notification.objects.bulk_create(
        [
            Notification(
                user=person,
                kind=kind,
                title=title[:200],
                body=body,
                url=url[:300],
                instance=instance,
                sender=sender,
                is_urgent=urgent,
            )
            for person in people
        ]
    )
    if urgent:
        text = _("【%(site)s】%(title)s。请登录政务办公平台办理。") % {
            "site": settings.EGOV_SITE_NAME,
            "title": title,
        }
        phones = [p.phone for p in people if p.phone]
        transaction.on_commit(lambda: _text_all(phones, text))
    return rows


def _text_all(phones, text) -> None:
    for phone in phones:
        try:
            sms.send_sms(phone, text)
        except Exception:
            # A gateway failure must not undo a committed operation; the site
            # message is there either way.
            logger.exception("SMS to %s failed", phone[-4:])


def _pk(value) -> int:
    pk = value.pk if isinstance(value, Notification) else value
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise ActionError(_("消息不存在"), code="notification_missing") from None


@audited("workflow.read_notification")
def read_notification(*, actor, notification) -> Notification:
    """Mark one of the actor's messages read; reading twice changes nothing."""
    row = Notification.objects.filter(pk=_pk(notification)).first()
    if row is None:
        raise ActionError(_("消息不存在"), code="notification_missing")
    if row.user_id != actor.pk:
        raise PermissionDenied(target=row)
    if row.read_at is None:
        row.read_at = timezone.now()
        row.save(update_fields=["read_at"])
        record(
            actor=actor,
            action="workflow.read_notification",
            target=row,
            detail={"kind": row.kind},
        )
    return row


@audited("workflow.read_all_notifications")
def read_all_notifications(*, actor, kinds=None) -> int:
    """Mark all the actor's unread messages read, or only those of `kinds`
    (a page that lists some kinds marks only what it shows); returns how many."""
    rows = Notification.objects.filter(user=actor, read_at__isnull=True)
    if kinds is not None:
        rows = rows.filter(kind__in=list(kinds))
    count = rows.update(read_at=timezone.now())
    if count:
        record(
            actor=actor,
            action="workflow.read_all_notifications",
            target=None,
            detail={"count": count, "kinds": sorted(kinds) if kinds else []},
        )
    return count
