"""Reads of the item catalog: the administration's lists (they know the
viewer and their data scope) and the public catalog (published versions only).

A record a viewer may not see raises Http404, exactly like a missing one.
"""

import unicodedata
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.http import Http404

from egov.identity.models import Organization
from egov.servicehall.models import (
    Audience,
    RequiredMaterial,
    ServiceItem,
    ServiceItemVersion,
    Theme,
)
from egov.servicehall.permissions import servicehall_policy

Status = ServiceItemVersion.Status
SEARCH_MAX = 100


def clean_search(text) -> str:
    """Search text as typed, without control characters (PostgreSQL refuses
    NUL in text) and cut to SEARCH_MAX characters."""
    text = "".join(c for c in str(text or "") if unicodedata.category(c)[0] != "C")
    return text.strip()[:SEARCH_MAX]


def with_details(versions, *, people: bool = False):
    """Versions with their item, organization, themes and materials (and the
    materials' files) loaded in a fixed number of queries; `people` adds the
    staff who drafted, submitted, reviewed and retired them."""
    if people:
        versions = versions.select_related(
            "created_by", "updated_by", "submitted_by", "reviewed_by", "retired_by"
        )
    return versions.select_related("item__organization").prefetch_related(
        "themes",
        Prefetch(
            "materials",
            queryset=RequiredMaterial.objects.select_related(
                "template_file", "example_file"
            ),
        ),
    )


# --- administration ------------------------------------------------------------


def items_for(
    viewer,
    *,
    organization: Organization | None = None,
    kind: str = "",
    status: str = "",
    search: str = "",
):
    """The newest version of each item in the viewer's scope, filtered like the
    catalog list: `organization` keeps that organization and those below it,
    `status` the newest version's status, `search` a name or code fragment.
    Each row carries `published_number`, the number of the version in force."""
    rows = servicehall_policy.visible(
        viewer, ServiceItemVersion.objects.filter(is_latest=True)
    )
    if organization is not None:
        rows = rows.filter(item__organization__path__startswith=organization.path)
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    search = clean_search(search)
    if search:
        rows = rows.filter(Q(name__icontains=search) | Q(item__code__icontains=search))
    published = ServiceItemVersion.objects.filter(
        item_id=OuterRef("item_id"), status=Status.PUBLISHED
    ).values("number")[:1]
    return (
        rows.select_related("item__organization", "updated_by")
        .annotate(published_number=Subquery(published))
        .order_by("item__organization__path", "item__code")
    )


def get_item_for(viewer, code: str) -> ServiceItem:
    """The item `code` if the viewer may see it; Http404 otherwise."""
    rows = servicehall_policy.visible(
        viewer, ServiceItem.objects.select_related("organization")
    )
    item = rows.filter(code=str(code).upper()).first()
    if item is None:
        raise Http404
    return item


def versions_of(item: ServiceItem) -> list[ServiceItemVersion]:
    """Every version of an item the caller got through get_item_for, newest first."""
    return list(
        item.versions.select_related(
            "created_by", "updated_by", "submitted_by", "reviewed_by", "retired_by"
        ).order_by("-number")
    )


def get_version_for(viewer, code: str, number: int) -> ServiceItemVersion:
    item = get_item_for(viewer, code)
    version = with_details(item.versions.filter(number=number), people=True).first()
    if version is None:
        raise Http404
    return version


def latest_version(item: ServiceItem) -> ServiceItemVersion:
    return with_details(item.versions.filter(is_latest=True), people=True).get()


def review_queue_for(viewer):
    """Versions waiting for review that the viewer may review (their scope for
    review_serviceitem), oldest submission first. The viewer's own work is
    listed too, marked by the page, since someone else must review it."""
    rows = servicehall_policy.visible(
        viewer,
        ServiceItemVersion.objects.filter(status=Status.IN_REVIEW),
        "review_item",
    )
    return rows.select_related("item__organization", "submitted_by").order_by(
        "submitted_at", "pk"
    )


def organizations_for_items(viewer, action: str = "create_item"):
    """Active organizations where the viewer may create (or, with another
    action, act on) items, in tree order."""
    rows = Organization.objects.filter(is_active=True).order_by("path", "sort_order")
    return servicehall_policy.visible(viewer, rows, action)


def filter_organizations_for(viewer):
    """Organizations offered by the list's department filter: those in scope."""
    return organizations_for_items(viewer, "view_item")


def all_themes():
    """Every theme and life event, for 主题管理 (themes are platform-wide)."""
    return Theme.objects.annotate(
        n=Count("versions", filter=Q(versions__status=Status.PUBLISHED))
    ).order_by("kind", "sort_order", "code")


def get_theme(code: str) -> Theme:
    theme = Theme.objects.filter(code=clean_search(code)).first()
    if theme is None:
        raise Http404
    return theme


def active_themes():
    return Theme.objects.filter(is_active=True).order_by("kind", "sort_order", "code")


def admin_material_file(viewer, code: str, number: int, pk: int, which: str):
    """A material's template or example file of any version the viewer may see."""
    version = get_version_for(viewer, code, number)
    return _material_file(version, pk, which)


def _material_file(version, pk, which):
    if which not in ("template", "example"):
        raise Http404
    material = next((m for m in version.materials.all() if m.pk == pk), None)
    stored = getattr(material, f"{which}_file", None) if material else None
    if stored is None:
        raise Http404
    return stored


# --- the public catalog --------------------------------------------------------


def _published():
    return ServiceItemVersion.objects.filter(status=Status.PUBLISHED)


def _audience_q(audience: str, prefix: str = "") -> Q:
    if audience == Audience.ENTITY:
        return Q(**{f"{prefix}for_entities": True})
    if audience == Audience.INDIVIDUAL:
        return Q(**{f"{prefix}for_individuals": True})
    return Q()


def public_items(
    *,
    audience: str = "",
    theme: Theme | None = None,
    organization: Organization | None = None,
    search: str = "",
):
    """Published versions, filtered by audience, theme, department and a name
    or code fragment, ordered by department and name."""
    rows = _published().filter(_audience_q(audience))
    if theme is not None:
        rows = rows.filter(themes=theme)
    if organization is not None:
        rows = rows.filter(item__organization=organization)
    search = clean_search(search)
    if search:
        rows = rows.filter(Q(name__icontains=search) | Q(item__code__icontains=search))
    return rows.select_related("item__organization").order_by(
        "item__organization__sort_order", "item__organization__path", "name"
    )


@dataclass(frozen=True)
class Facet:
    obj: object
    count: int


def public_themes(audience: str = "") -> dict[str, list[Facet]]:
    """Active themes with published items for the audience, with their counts,
    grouped by kind: {"theme": [...], "life_event": [...]}."""
    published = Q(versions__status=Status.PUBLISHED) & _audience_q(
        audience, "versions__"
    )
    rows = (
        Theme.objects.filter(is_active=True)
        .filter(_audience_q(audience))
        .annotate(n=Count("versions", filter=published, distinct=True))
        .filter(n__gt=0)
        .order_by("sort_order", "code")
    )
    grouped: dict[str, list[Facet]] = {kind: [] for kind in Theme.Kind.values}
    for theme in rows:
        grouped[theme.kind].append(Facet(theme, theme.n))
    return grouped


def public_departments(audience: str = "") -> list[Facet]:
    """Organizations with published items for the audience, with counts."""
    published = Q(service_items__versions__status=Status.PUBLISHED) & _audience_q(
        audience, "service_items__versions__"
    )
    rows = (
        Organization.objects.filter(is_active=True)
        .annotate(n=Count("service_items__versions", filter=published, distinct=True))
        .filter(n__gt=0)
        .order_by("sort_order", "path")
    )
    return [Facet(org, org.n) for org in rows]


def get_public_theme(code: str) -> Theme:
    theme = Theme.objects.filter(code=clean_search(code), is_active=True).first()
    if theme is None:
        raise Http404
    return theme


def get_public_department(code: str) -> Organization:
    org = Organization.objects.filter(
        code=clean_search(code),
        is_active=True,
        service_items__versions__status=Status.PUBLISHED,
    ).first()
    if org is None:
        raise Http404
    return org


def get_published_version(code: str) -> ServiceItemVersion:
    """The version in force of item `code`; Http404 when there is none (a
    draft-only, retired or unknown item alike)."""
    version = (
        with_details(_published().filter(item__code=str(code).upper()))
        .select_related("item__organization__region")
        .first()
    )
    if version is None:
        raise Http404
    return version


def public_material_file(code: str, pk: int, which: str):
    """A template or example file of a material of the published version of
    `code`; Http404 for anything else."""
    return _material_file(get_published_version(code), pk, which)


def version_in_force(item: ServiceItem, at) -> ServiceItemVersion | None:
    """The version of `item` that was in force at instant `at`, if any: the
    version an application made then falls under."""
    return (
        item.versions.filter(
            status__in=ServiceItemVersion.EFFECTIVE_STATUSES, effective_from__lte=at
        )
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=at))
        .order_by("-effective_from")
        .first()
    )
