"""Who handles a user task: the assignment rules a diagram names.

A node's ``egov:assignment`` (see egov.workflow.bpmn) gives a rule:

- ``user``: named users (``users="wangwu,zhaoliu"``, account names);
- ``post``: the holders of a post (``post="139921-104/section_chief"``,
  organization code / post code);
- ``role``: the users with a role who hold a post in an organization
  (``role="approver"``, ``organization="139921-104"``; without an
  organization, the instance's own organization);
- ``org_head``: the holders of the head post (Post.is_head) of the
  initiator's organization, or of the nearest parent organization that has
  one;
- ``initiator``: the person who started the instance;
- ``previous_handler``: whoever last completed the node named by ``node``;
- ``choice``: the previous handler picks (``next_assignees``) among the
  candidates the designer listed (users, post and/or role);
- ``variable``: the accounts listed in a process variable (a form field).

For a single task, one person gets the task directly; several people (or a
post or role with several holders) make a pooled task that one of them claims
(抢办). A multi-instance node gets one instance per person. Standing
delegations (委托) are applied when the task is created.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.errors import ActionError
from egov.core.prepared import Prepared, Slot
from egov.identity.models import Organization, Post, PostAssignment, Role, User
from egov.workflow.bpmn import split_list


@dataclass
class Candidate:
    user_id: int | None = None
    post_id: int | None = None
    role_id: int | None = None
    organization_id: int | None = None


@dataclass
class Resolution:
    """Either a list of people, or pool candidates (a post, a role in an org)."""

    user_ids: list[int] = field(default_factory=list)
    pools: list[Candidate] = field(default_factory=list)


@dataclass
class AssignmentContext:
    """What the rules need to know about the instance being worked on."""

    instance: object
    process_key: str
    data: dict
    next_assignees: list | None = None


def _no_one(node_name: str):
    return ActionError(
        _("环节「%(node)s」找不到办理人，请联系流程管理员检查办理人设置")
        % {"node": node_name},
        code="no_assignee",
    )


def _active_users(ids) -> list[int]:
    ids = list(dict.fromkeys(ids))
    found = set(
        User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True)
    )
    return [pk for pk in ids if pk in found]


_NAME = Slot(str)
_user_named = Prepared(
    lambda name: User.objects.filter(username=name, is_active=True).only("pk"),
    _NAME,
)


def _users_by_name(usernames) -> list[int]:
    if len(usernames) == 1:
        # The common case (one named handler) as a prepared lookup.
        return [user.pk for user in _user_named(usernames[0])]
    rows = dict(
        User.objects.filter(username__in=usernames, is_active=True).values_list(
            "username", "pk"
        )
    )
    return [rows[name] for name in usernames if name in rows]


def find_post(reference: str) -> Post | None:
    org_code, _sep, post_code = (reference or "").partition("/")
    if not org_code or not post_code:
        return None
    return (
        Post.objects.filter(organization__code=org_code, code=post_code, is_active=True)
        .select_related("organization")
        .first()
    )


def post_holders(post_ids) -> list[int]:
    return list(
        PostAssignment.objects.filter(post_id__in=post_ids, user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )


def role_members(role_id: int, organization_id: int) -> list[int]:
    return list(
        User.objects.filter(
            is_active=True,
            roles__pk=role_id,
            post_assignments__post__organization_id=organization_id,
            post_assignments__post__is_active=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


def _role_pool(assignment, context) -> Candidate | None:
    role = Role.objects.filter(code=assignment.get("role"), is_active=True).first()
    if role is None:
        return None
    org_code = assignment.get("organization")
    if org_code:
        org = Organization.objects.filter(code=org_code, is_active=True).first()
        org_id = org.pk if org else None
    else:
        org_id = context.instance.organization_id
    if org_id is None:
        return None
    return Candidate(role_id=role.pk, organization_id=org_id)


def _head_posts(context) -> list[int]:
    initiator = context.instance.initiator
    org = initiator.primary_organization if initiator else None
    if org is None and context.instance.organization_id:
        org = context.instance.organization
    while org is not None:
        posts = list(
            Post.objects.filter(
                organization=org, is_head=True, is_active=True
            ).values_list("pk", flat=True)
        )
        if posts and post_holders(posts):
            return posts
        org = org.parent
    return []


def _previous_handler(node_id, context) -> list[int]:
    from egov.workflow.models import Task

    last = (
        Task.objects.filter(
            instance=context.instance,
            node_id=node_id,
            state=Task.State.COMPLETED,
            completed_by__isnull=False,
        )
        .order_by("-completed_at", "-id")
        .values_list("completed_by_id", flat=True)
        .first()
    )
    return [last] if last else []


def _identify(values) -> list[int]:
    """User ids from a list of ids or account names (as a form may give)."""
    if isinstance(values, str | int):
        values = [values]
    if not isinstance(values, list | tuple):
        return []
    ids = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    names = [v for v in values if isinstance(v, str) and v]
    digits = [int(v) for v in names if v.isdigit()]
    return _active_users(ids + digits) + _users_by_name(
        [n for n in names if not n.isdigit()]
    )


def choice_candidates(assignment) -> Resolution:
    """The people (and pools) a previous handler may choose from."""
    users = _users_by_name(split_list(assignment.get("users")))
    post = find_post(assignment.get("post", "")) if assignment.get("post") else None
    if post is not None:
        users += post_holders([post.pk])
    role_code = assignment.get("role")
    if role_code:
        role = Role.objects.filter(code=role_code, is_active=True).first()
        org = Organization.objects.filter(
            code=assignment.get("organization", ""), is_active=True
        ).first()
        if role is not None and org is not None:
            users += role_members(role.pk, org.pk)
    return Resolution(user_ids=list(dict.fromkeys(users)))


def resolve(assignment: dict, context: AssignmentContext, *, node_name: str):
    """The people or pools a node's assignment names, for a single task.

    Raises ActionError (no_assignee, or a problem with next_assignees) when
    the rule names nobody.
    """
    rule = assignment.get("rule")
    if rule == "user":
        result = Resolution(
            user_ids=_users_by_name(split_list(assignment.get("users")))
        )
    elif rule == "post":
        post = find_post(assignment.get("post", ""))
        holders = post_holders([post.pk]) if post else []
        if len(holders) == 1:
            result = Resolution(user_ids=holders)
        else:
            result = Resolution(
                pools=[Candidate(post_id=post.pk)] if post and holders else []
            )
    elif rule == "role":
        pool = _role_pool(assignment, context)
        members = role_members(pool.role_id, pool.organization_id) if pool else []
        if len(members) == 1:
            result = Resolution(user_ids=members)
        else:
            result = Resolution(pools=[pool] if pool and members else [])
    elif rule == "org_head":
        posts = _head_posts(context)
        holders = post_holders(posts)
        if len(holders) == 1:
            result = Resolution(user_ids=holders)
        else:
            result = Resolution(pools=[Candidate(post_id=pk) for pk in posts])
    elif rule == "initiator":
        initiator = context.instance.initiator_id
        result = Resolution(user_ids=_active_users([initiator] if initiator else []))
    elif rule == "previous_handler":
        result = Resolution(
            user_ids=_active_users(_previous_handler(assignment.get("node"), context))
        )
    elif rule == "choice":
        result = Resolution(user_ids=_chosen(assignment, context, node_name))
    elif rule == "variable":
        result = Resolution(
            user_ids=_identify(context.data.get(assignment.get("variable", "")))
        )
    else:
        result = Resolution()
    if not result.user_ids and not result.pools:
        raise _no_one(node_name)
    return result


def resolve_people(assignment: dict, context: AssignmentContext, *, node_name: str):
    """Everyone the rule names, one entry per person: multi-instance nodes."""
    result = resolve(assignment, context, node_name=node_name)
    people = list(result.user_ids)
    for pool in result.pools:
        if pool.post_id:
            people += post_holders([pool.post_id])
        elif pool.role_id:
            people += role_members(pool.role_id, pool.organization_id)
    people = list(dict.fromkeys(people))
    if not people:
        raise _no_one(node_name)
    return people


def _chosen(assignment, context, node_name) -> list[int]:
    chosen = context.next_assignees
    if not chosen:
        raise ActionError(
            _("请为下一环节「%(node)s」选择办理人") % {"node": node_name},
            code="next_assignee_required",
            fields={"next_assignees": _("请选择下一环节办理人")},
        )
    allowed = set(choice_candidates(assignment).user_ids)
    picked = _identify(list(chosen))
    if len(picked) != len(list(dict.fromkeys(chosen))) or not set(picked) <= allowed:
        raise ActionError(
            _("所选办理人不在环节「%(node)s」的候选范围内") % {"node": node_name},
            code="next_assignee_not_allowed",
            fields={"next_assignees": _("所选办理人不在候选范围内")},
        )
    return picked


def delegate_of(user_id: int, process_key: str, at=None) -> int | None:
    """The person a standing delegation (委托) sends `user_id`'s tasks to, if any.

    One hop only: a delegate's own delegation is not followed, so chains and
    loops cannot arise.
    """
    from egov.workflow.models import Delegation

    at = at or timezone.now()
    rows = Delegation.objects.filter(
        from_user_id=user_id,
        is_active=True,
        start_at__lte=at,
        end_at__gt=at,
        to_user__is_active=True,
    ).order_by("-start_at", "-id")
    for row in rows:
        if not row.process_keys or process_key in row.process_keys:
            return row.to_user_id
    return None


def delegates_of(user_ids, process_key: str, at=None) -> dict[int, int]:
    """`delegate_of` for several people in one lookup: {user id: delegate id}.

    Only people with a delegation in force appear in the result.
    """
    from egov.workflow.models import Delegation

    user_ids = list(user_ids)
    if not user_ids:
        return {}
    at = at or timezone.now()
    if len(user_ids) == 1:
        rows = _delegations_of_one(user_ids[0], at)
    else:
        rows = _delegations(Delegation, user_ids, at)
    found: dict[int, int] = {}
    for row in rows:
        if row.from_user_id in found:
            continue
        if not row.process_keys or process_key in row.process_keys:
            found[row.from_user_id] = row.to_user_id
    return found


def _delegations(model, user_ids, at):
    """Delegations in force at `at` from these people, the latest first."""
    return (
        model.objects.filter(
            from_user_id__in=user_ids,
            is_active=True,
            start_at__lte=at,
            end_at__gt=at,
            to_user__is_active=True,
        )
        .order_by("-start_at", "-id")
        .only("from_user_id", "to_user_id", "process_keys")
    )


def _build_active_delegations_of(user_id):
    from egov.workflow.models import Delegation

    return (
        Delegation.objects.filter(
            from_user_id=user_id, is_active=True, to_user__is_active=True
        )
        .order_by("-start_at", "-id")
        .only("from_user_id", "to_user_id", "process_keys", "start_at", "end_at")
    )


_active_delegations_of = Prepared(_build_active_delegations_of, Slot())


def _delegations_of_one(user_id, at):
    # A person has few active delegations; the period is checked here so the
    # lookup keeps one key (see egov.workflow.prepared).
    return [
        row
        for row in _active_delegations_of(user_id)
        if row.start_at <= at < row.end_at
    ]


class DirectoryLookups:
    """Existence checks for deploy-time validation of assignment settings."""

    def missing_users(self, usernames) -> list[str]:
        usernames = list(usernames)
        found = set(
            User.objects.filter(username__in=usernames).values_list(
                "username", flat=True
            )
        )
        return [name for name in usernames if name not in found]

    def post_exists(self, reference: str) -> bool:
        return find_post(reference) is not None

    def role_exists(self, code: str) -> bool:
        return Role.objects.filter(code=code, is_active=True).exists()

    def organization_exists(self, code: str) -> bool:
        return Organization.objects.filter(code=code, is_active=True).exists()


def candidate_keys(user) -> tuple[list[int], list[int], list[int]]:
    """The ids a user is a candidate by: (posts held, their organizations, roles).

    `user` is a User or a user id.
    """
    user_id = getattr(user, "pk", user)
    held = PostAssignment.objects.filter(
        user_id=user_id, post__is_active=True
    ).values_list("post_id", "post__organization_id")
    post_ids = [post_id for post_id, _org in held]
    org_ids = sorted({org_id for _post, org_id in held})
    role_ids = list(
        Role.objects.filter(users__pk=user_id, is_active=True).values_list(
            "pk", flat=True
        )
    )
    return post_ids, org_ids, role_ids


def delegators_of(user_id: int, at=None) -> list[tuple[int, list[str]]]:
    """Who has a standing delegation (委托) to `user_id` running at `at`.

    Each entry is (delegator id, process keys it covers, [] for all).
    """
    from egov.workflow.models import Delegation

    at = at or timezone.now()
    rows = Delegation.objects.filter(
        to_user_id=user_id,
        is_active=True,
        start_at__lte=at,
        end_at__gt=at,
        from_user__is_active=True,
    ).values_list("from_user_id", "process_keys")
    return [(from_id, list(keys or [])) for from_id, keys in rows]


def _named_by(user_id, post_ids, org_ids, role_ids) -> Q:
    condition = Q(user_id=user_id)
    if post_ids:
        condition |= Q(post_id__in=post_ids)
    if role_ids and org_ids:
        condition |= Q(role_id__in=role_ids, organization_id__in=org_ids)
    return condition


def candidate_filter(user, delegators=None) -> Q:
    """Q on TaskCandidate rows that name `user`: as a person, by post, by role.

    While someone's standing delegation to `user` runs, the rows naming that
    delegator (within the delegated processes) count as well, so the delegate
    may see and claim the pooled tasks the delegator could. `delegators`
    (from `delegators_of`) saves the lookup when the caller has it.
    """
    condition = _named_by(user.pk, *candidate_keys(user))
    if delegators is None:
        delegators = delegators_of(user.pk)
    for from_id, keys in delegators:
        theirs = _named_by(from_id, *candidate_keys(from_id))
        if keys:
            theirs &= Q(task__instance__definition__key__in=keys)
        condition |= theirs
    return condition
