"""Reads that know the viewer: data scopes, and the identity lists built on them.

Every app narrows what a person sees with `visible(viewer, queryset)`. A model
says how its rows relate to a scope with a class attribute::

    class Case(models.Model):
        data_scope_fields = {
            "organization": "handling_organization",  # FK to Organization
            "owner": "created_by",                    # FK to User
            "region": "handling_organization__region",  # optional
        }

or, for a model it cannot edit, with `register_scope(Model, organization=...)`.
Any key may be left out; a scope that needs a missing key shows no rows.
Paths may cross many-valued relations (a user's organizations are those of the
posts held); the filter then becomes a `pk IN (subquery)` so rows never repeat.
"""

import operator
from dataclasses import dataclass
from functools import lru_cache, reduce

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.lookups import StartsWith
from django.http import Http404

from egov.identity.models import Organization, Post, PostAssignment, Region, Role, User

SCOPE_ORDER = [
    Role.DataScope.SELF,
    Role.DataScope.ORGANIZATION,
    Role.DataScope.ORGANIZATION_SUBTREE,
    Role.DataScope.REGION_SUBTREE,
    Role.DataScope.ALL,
]
SCOPE_RANK = {scope: rank for rank, scope in enumerate(SCOPE_ORDER)}


@dataclass(frozen=True)
class ScopeFields:
    organization: str | None = None
    owner: str | None = None
    region: str | None = None


_registry: dict[type, ScopeFields] = {}


def register_scope(model, *, organization=None, owner=None, region=None) -> None:
    """Declare how `model` relates to data scopes (instead of data_scope_fields)."""
    _registry[model] = ScopeFields(organization, owner, region)


def scope_fields(model) -> ScopeFields:
    if model in _registry:
        return _registry[model]
    declared = getattr(model, "data_scope_fields", None)
    if declared is None:
        raise ImproperlyConfigured(
            f"{model._meta.label} declares no data_scope_fields; "
            "visible() cannot tell which rows a viewer may see"
        )
    unknown = set(declared) - {"organization", "owner", "region"}
    if unknown:
        raise ImproperlyConfigured(
            f"{model._meta.label}.data_scope_fields has unknown keys {sorted(unknown)}"
        )
    return ScopeFields(**declared)


@lru_cache(maxsize=256)
def _is_multi_valued(model, path: str) -> bool:
    """Whether following `path` from `model` may reach several rows."""
    current = model
    for name in path.split("__"):
        try:
            field = current._meta.get_field(name)
        except FieldDoesNotExist:
            raise ImproperlyConfigured(
                f"{model._meta.label}: data scope path {path!r} does not exist"
            ) from None
        if field.many_to_many or field.one_to_many:
            return True
        if field.related_model is None:
            break
        current = field.related_model
    return False


def _filter(queryset: QuerySet, path: str, lookup: str, value) -> QuerySet:
    condition = Q(**{f"{path}{lookup}": value})
    model = queryset.model
    if _is_multi_valued(model, path):
        ids = model._default_manager.filter(condition).values("pk")
        return queryset.filter(pk__in=ids)
    return queryset.filter(condition)


def data_scope_of(viewer, *, perm: str | None = None) -> str | None:
    """The widest data scope among the viewer's active roles (granting `perm`).

    None when the viewer has no such role: they see nothing. Superusers: ALL.
    """
    if viewer is None or not viewer.is_authenticated or not viewer.is_active:
        return None
    if viewer.is_superuser:
        return Role.DataScope.ALL
    roles = viewer.roles.filter(is_active=True)
    if perm is not None:
        app_label, _, codename = perm.partition(".")
        roles = roles.filter(
            permissions__content_type__app_label=app_label,
            permissions__codename=codename,
        )
    scopes = set(roles.values_list("data_scope", flat=True))
    if not scopes:
        return None
    return max(scopes, key=lambda scope: SCOPE_RANK.get(scope, -1))


@dataclass(frozen=True)
class Anchor:
    """Where a viewer's scope starts: an organization where they hold a post."""

    pk: int
    path: str
    region_id: int


def anchor_organizations(viewer) -> list[Anchor]:
    """The organizations a viewer's scope starts from: those of every post held."""
    rows = _held_organizations(viewer).values_list("pk", "path", "region_id").distinct()
    return [Anchor(*row) for row in rows]


def _subtree_q(paths) -> Q:
    """Rows whose materialized path starts with any of `paths` (not empty)."""
    return reduce(operator.or_, (Q(path__startswith=path) for path in paths))


def _held_organizations(viewer):
    return Organization.objects.filter(
        posts__holders__user=viewer, posts__is_active=True
    )


def scope_organization_ids(viewer, scope: str) -> list[int]:
    """Ids of the organizations inside an ORGANIZATION/…SUBTREE/REGION scope.

    The organization and subtree scopes take one query each: the subtree is
    every organization whose path starts with the path of one where the viewer
    holds a post.
    """
    if scope == Role.DataScope.ORGANIZATION:
        rows = _held_organizations(viewer).values_list("pk", flat=True).distinct()
        return list(rows)
    if scope == Role.DataScope.ORGANIZATION_SUBTREE:
        below_a_held_one = _held_organizations(viewer).filter(
            StartsWith(OuterRef("path"), F("path"))
        )
        rows = Organization.objects.filter(Exists(below_a_held_one))
        return list(rows.values_list("pk", flat=True))
    anchors = anchor_organizations(viewer)
    if not anchors:
        return []
    region_ids = scope_region_ids(viewer, anchors)
    return list(
        Organization.objects.filter(region_id__in=region_ids).values_list(
            "pk", flat=True
        )
    )


def scope_region_ids(viewer, anchors=None) -> list[int]:
    """Ids of the regions under the regions of the viewer's organizations."""
    anchors = anchor_organizations(viewer) if anchors is None else anchors
    paths = set(
        Region.objects.filter(pk__in={o.region_id for o in anchors}).values_list(
            "path", flat=True
        )
    )
    if not paths:
        return []
    return list(Region.objects.filter(_subtree_q(paths)).values_list("pk", flat=True))


def visible(viewer, queryset: QuerySet, *, perm: str | None = None) -> QuerySet:
    """Only the rows of `queryset` inside the viewer's data scope.

    The scope is the widest among the viewer's active roles (those granting
    `perm` when given): SELF the rows the viewer owns, ORGANIZATION the rows of
    the organizations where the viewer holds a post, ORGANIZATION_SUBTREE those
    and everything below them, REGION_SUBTREE every organization in their
    regions and below, ALL everything. The organization ids are computed once
    (a small set), so the filter is a plain `organization_id IN (...)`.
    """
    scope = data_scope_of(viewer, perm=perm)
    if scope is None:
        return queryset.none()
    if scope == Role.DataScope.ALL:
        return queryset
    fields = scope_fields(queryset.model)
    if scope == Role.DataScope.SELF:
        if fields.owner is None:
            return queryset.none()
        return _filter(queryset, fields.owner, "", viewer.pk)
    if scope == Role.DataScope.REGION_SUBTREE and fields.region is not None:
        return _filter(queryset, fields.region, "__in", scope_region_ids(viewer))
    if fields.organization is None:
        return queryset.none()
    return _filter(
        queryset, fields.organization, "__in", scope_organization_ids(viewer, scope)
    )


# --- identity lists -------------------------------------------------------


def organizations_for(viewer, *, perm: str = "identity.view_organization"):
    """Organizations the viewer may see, in tree order."""
    if not viewer.has_perm(perm):
        return Organization.objects.none()
    return visible(viewer, Organization.objects.select_related("region"), perm=perm)


def get_organization_for(viewer, pk, *, perm: str = "identity.view_organization"):
    """The organization `pk` if the viewer may see it; Http404 otherwise."""
    org = organizations_for(viewer, perm=perm).filter(pk=_int_or_404(pk)).first()
    if org is None:
        raise Http404
    return org


def posts_for(viewer, *, organization=None, perm: str = "identity.view_post"):
    """Posts in the organizations the viewer may see (optionally one of them)."""
    if not viewer.has_perm(perm):
        return Post.objects.none()
    rows = visible(viewer, Post.objects.select_related("organization"), perm=perm)
    if organization is not None:
        rows = rows.filter(organization=organization)
    return rows


def get_post_for(viewer, pk, *, perm: str = "identity.view_post"):
    post = posts_for(viewer, perm=perm).filter(pk=_int_or_404(pk)).first()
    if post is None:
        raise Http404
    return post


def users_for(
    viewer,
    *,
    search: str = "",
    organization=None,
    kind: str = "",
    active: bool | None = None,
    perm: str = "identity.view_user",
):
    """Users the viewer may see, filtered like the user list page.

    `organization` keeps users holding a post in it or anywhere below it;
    `search` matches account or name (ID numbers and phones are encrypted, so
    they are found through their blind index on an exact match).
    """
    if not viewer.has_perm(perm):
        return User.objects.none()
    rows = visible(viewer, User.objects.all(), perm=perm)
    search = (search or "").strip()
    if search:
        from egov.core.crypto import blind_index

        index = blind_index(search)
        rows = rows.filter(
            Q(username__icontains=search)
            | Q(real_name__icontains=search)
            | Q(id_number_index=index)
            | Q(phone_index=index)
        )
    if organization is not None:
        holders = PostAssignment.objects.filter(
            post__organization__path__startswith=organization.path
        ).values("user_id")
        rows = rows.filter(pk__in=holders)
    if kind:
        rows = rows.filter(kind=kind)
    if active is not None:
        rows = rows.filter(is_active=active)
    return rows.order_by("username")


def get_user_for(viewer, pk, *, perm: str = "identity.view_user") -> User:
    """The user `pk` if the viewer may see them; Http404 when missing or out of
    scope, so a guessed URL tells nothing."""
    user = users_for(viewer, perm=perm).filter(pk=_int_or_404(pk)).first()
    if user is None:
        raise Http404
    return user


def roles_for(viewer):
    """Roles are platform-wide: anyone allowed to view roles sees them all."""
    if not viewer.has_perm("identity.view_role"):
        return Role.objects.none()
    return Role.objects.all()


def get_role_for(viewer, pk) -> Role:
    role = roles_for(viewer).filter(pk=_int_or_404(pk)).first()
    if role is None:
        raise Http404
    return role


def regions_for(viewer):
    if not viewer.has_perm("identity.view_region"):
        return Region.objects.none()
    return Region.objects.all()


def get_region_for(viewer, pk) -> Region:
    region = regions_for(viewer).filter(pk=_int_or_404(pk)).first()
    if region is None:
        raise Http404
    return region


def _int_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def build_tree(nodes):
    """Nest rows that have `pk`, `parent_id` into [{"node", "children"}] roots.

    A node whose parent is not among `nodes` becomes a root, so a viewer who
    sees only a subtree gets that subtree as the tree.
    """
    entries = {node.pk: {"node": node, "children": []} for node in nodes}
    roots = []
    for node in nodes:
        parent = entries.get(node.parent_id)
        (parent["children"] if parent else roots).append(entries[node.pk])
    return roots
