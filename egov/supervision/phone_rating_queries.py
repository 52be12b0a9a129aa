"""电话回访 reads that know the viewer: concluded cases in their scope still
waiting for a rating (待回访), whether or not the applicant has an account,
and the ratings recorded by phone with who recorded them and when the
applicant was called."""

from django.http import Http404

from egov.supervision.models import ServiceRating
from egov.supervision.permissions import supervision_policy


def _cases():
    from egov.servicehall.models import Case

    return Case.objects.select_related(
        "item_version", "organization", "accepted_by", "applicant"
    )


def cases_awaiting_rating(viewer, *, number: str = ""):
    """Concluded cases in the viewer's scope for phone ratings that have no
    rating yet, the most recently concluded first: those of applicants with
    an account who did not rate online, and those a window entered for
    applicants without one (they can only be rated by phone). `number`
    narrows to case numbers containing it."""
    from egov.servicehall.models import Case

    rows = supervision_policy.visible(viewer, _cases(), "record_phone_rating")
    rows = rows.filter(state__in=Case.CONCLUDED, rating__isnull=True)
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
    """Ratings recorded by phone in the viewer's scope, newest first, with
    who recorded each (`recorded_by`) and the call time (`called_at`)."""
    rows = ServiceRating.objects.filter(
        channel=ServiceRating.Channel.PHONE
    ).select_related("case", "organization", "rater", "recorded_by", "rectification")
    return supervision_policy.visible(viewer, rows, "record_phone_rating")
