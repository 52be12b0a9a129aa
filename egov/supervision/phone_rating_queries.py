"""电话回访 reads that know the viewer: concluded cases in their scope still
waiting for a rating (待回访), the ratings recorded by phone, and the details
of a phone rating for the people who read it later."""

from datetime import datetime

from django.http import Http404

from egov.supervision.models import ServiceRating
from egov.supervision.permissions import supervision_policy


def _cases():
    from egov.servicehall.models import Case

    return Case.objects.select_related(
        "item_version", "organization", "accepted_by", "applicant"
    )


def cases_awaiting_rating(viewer, *, number: str = ""):
    """Concluded cases in the viewer's scope for phone ratings that have an
    applicant account and no rating yet, the most recently concluded first;
    `number` narrows to case numbers containing it."""
    from egov.servicehall.models import Case

    rows = supervision_policy.visible(viewer, _cases(), "record_phone_rating")
    rows = rows.filter(
        state__in=Case.CONCLUDED, applicant__isnull=False, rating__isnull=True
    )
    number = (number or "").strip()
    if number:
        rows = rows.filter(number__icontains=number[:32])
    return rows.order_by("-concluded_at", "-id")


def get_case_for_phone_rating(viewer, number: str):
    """The concluded case `number` in the viewer's scope for phone ratings,
    rated or not; Http404 when it is missing, out of scope or not concluded."""
    from egov.servicehall.models import Case

    case = (
        supervision_policy.visible(viewer, _cases(), "record_phone_rating")
        .filter(number=number, state__in=Case.CONCLUDED)
        .first()
    )
    if case is None:
        raise Http404
    return case


def phone_ratings_for(viewer):
    """Ratings recorded by phone in the viewer's scope, newest first."""
    rows = ServiceRating.objects.filter(
        channel=ServiceRating.Channel.PHONE
    ).select_related("case", "organization", "rater", "rectification")
    return supervision_policy.visible(viewer, rows, "record_phone_rating")


def phone_record(rating) -> dict | None:
    """For a rating given by phone: who recorded it, when the applicant was
    called and that they consented (from the case's timeline); None for
    other ratings."""
    from egov.servicehall.models import CaseEvent

    if rating.channel != ServiceRating.Channel.PHONE or rating.case_id is None:
        return None
    event = (
        CaseEvent.objects.filter(case_id=rating.case_id, kind=CaseEvent.Kind.RATED)
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    if event is None:
        return None
    try:
        called_at = datetime.fromisoformat(event.detail.get("called_at", ""))
    except (TypeError, ValueError):
        called_at = None
    return {
        "recorded_by": event.actor,
        "called_at": called_at,
        "consented": bool(event.detail.get("consented")),
        "note": event.note,
    }
