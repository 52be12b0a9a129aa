"""我的消息: the messages an applicant reads on the public face — those
about their cases (kind "case"); staff messages stay on the internal face."""

from django.http import Http404

from egov.workflow.models import Notification

KIND = Notification.Kind.CASE


def messages_for(viewer, *, unread_only=False):
    rows = Notification.objects.filter(user=viewer, kind=KIND)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")


def unread_count(viewer) -> int:
    if not getattr(viewer, "is_authenticated", False):
        return 0
    return Notification.objects.filter(
        user=viewer, kind=KIND, read_at__isnull=True
    ).count()


def get_message_for(viewer, pk) -> Notification:
    """One of the viewer's messages; 404 for anyone else's."""
    try:
        return Notification.objects.get(pk=int(pk), user=viewer, kind=KIND)
    except (Notification.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
