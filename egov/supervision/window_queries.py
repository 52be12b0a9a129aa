"""服务窗口 reads that know the viewer: the windows they may run or take, the
organizations they may open windows for, the people who may be put on duty,
and where the viewer is on duty now."""

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from egov.identity.models import Organization, PostAssignment, User
from egov.supervision.models import ServiceWindow
from egov.supervision.permissions import supervision_policy

# More than a county's hall holds; the pages list at most this many.
LIST_LIMIT = 500


def _windows():
    return ServiceWindow.objects.select_related(
        "organization", "organization__region", "staff"
    )


def window_ids_for(viewer, action: str) -> set[int]:
    """Ids of the windows the viewer may do `action` to (e.g. change_window,
    take_window)."""
    rows = supervision_policy.visible(viewer, ServiceWindow.objects.all(), action)
    return set(rows.values_list("pk", flat=True)[:LIST_LIMIT])


def get_window_for(viewer, code: str, action: str = "view_windows") -> ServiceWindow:
    """The window `code` if the viewer may do `action` to it; Http404
    otherwise, whether it is missing or out of reach."""
    window = (
        supervision_policy.visible(viewer, _windows(), action).filter(code=code).first()
    )
    if window is None:
        raise Http404
    return window


def get_window_by_code(code: str) -> ServiceWindow:
    """Any window by its public code, enabled or not (the public rating page
    tells a visitor that a window is closed); Http404 for an unknown code."""
    window = _windows().filter(code=code).first()
    if window is None:
        raise Http404
    return window


def organizations_for_windows(viewer, action: str = "create_window"):
    """Active organizations the viewer may run windows for, in tree order."""
    rows = Organization.objects.filter(is_active=True).select_related("region")
    return supervision_policy.visible(viewer, rows, action).order_by(
        "path", "sort_order"
    )


def staff_candidates(organization):
    """Active staff who may be put on duty at a window of `organization`:
    holders of an active post in its region or a region below it, by name;
    each with `post_organization`, the name of where they hold it."""
    posts = PostAssignment.objects.filter(
        user=OuterRef("pk"),
        post__is_active=True,
        post__organization__is_active=True,
        post__organization__region__path__startswith=organization.region.path,
    )
    people = list(
        User.objects.filter(kind=User.Kind.STAFF, is_active=True)
        .filter(Exists(posts))
        .order_by("real_name", "username")[:LIST_LIMIT]
    )
    homes = {}
    for user_id, name in (
        PostAssignment.objects.filter(user__in=people)
        .order_by("-is_primary", "id")
        .values_list("user_id", "post__organization__name")
    ):
        homes.setdefault(user_id, name)
    for person in people:
        person.post_organization = homes.get(person.pk, "")
    return people


def duty_of(viewer) -> ServiceWindow | None:
    """The window where the viewer is on duty now, if any."""
    if viewer is None or not viewer.is_authenticated:
        return None
    return _windows().filter(staff=viewer).first()


def windows_to_take(viewer):
    """Enabled windows the viewer may take for a shift, the viewer's own
    first excluded."""
    rows = _windows().filter(is_active=True).filter(~Q(staff=viewer))
    return supervision_policy.visible(viewer, rows, "take_window")
