"""抄送: send an instance to people or posts for information, and mark read.

The holder of an open task copies the case to people (accounts, ids) and/or
posts (every holder of the post). Someone who already has an unread copy of
the instance is not copied twice. Each copy is a `Cc` row (抄送我的) and a site
message; reading a copy marks it read once.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from egov.audit.actions import record
from egov.core.actions import audited
from egov.core.errors import ActionError, PermissionDenied
from egov.identity.models import Post, User
from egov.workflow import assignment, runtime
from egov.workflow.models import Cc, TaskEvent
from egov.workflow.operations import common, notify

MAX_POSTS = 10


def _posts(values) -> list[Post]:
    if values is None:
        return []
    if isinstance(values, str | int):
        values = [values]
    if not isinstance(values, list | tuple) or len(values) > MAX_POSTS:
        raise ActionError(
            _("一次最多选择 %(n)s 个岗位") % {"n": MAX_POSTS},
            code="bad_posts",
            fields={"posts": _("岗位格式不正确")},
        )
    found, missing = [], []
    for value in values:
        post = None
        if isinstance(value, int) and not isinstance(value, bool):
            post = Post.objects.filter(pk=value, is_active=True).first()
        elif isinstance(value, str) and value.strip().isdigit():
            post = Post.objects.filter(pk=int(value), is_active=True).first()
        elif isinstance(value, str):
            post = assignment.find_post(value.strip())
        if post is None:
            missing.append(str(value)[:50])
        elif post not in found:
            found.append(post)
    if missing:
        raise ActionError(
            _("找不到岗位：%(posts)s") % {"posts": "、".join(missing)},
            code="post_missing",
            fields={"posts": _("找不到岗位")},
        )
    return found


@audited("workflow.cc_instance")
def cc_instance(*, actor, task, users=None, posts=None, note: str = "") -> list[Cc]:
    """抄送 the instance of the actor's open task; returns the new Cc rows."""
    row, instance = common.locked_task(task)
    common.require_holder(actor, row, "cc")
    common.require_allowed(runtime.compiled_for(instance.definition), row, "cc")
    note = common.text(note, field="note", label_text=_("附言"), limit=200)
    chosen = common.people(users, required=False)
    post_rows = _posts(posts)
    holders = assignment.post_holders([p.pk for p in post_rows])
    by_post = list(User.objects.filter(pk__in=holders, is_active=True))
    everyone = [u for u in dict.fromkeys(chosen + by_post) if u.pk != actor.pk]
    if not everyone:
        raise ActionError(
            _("请选择抄送的人员或岗位（不能只抄送给自己）"),
            code="cc_nobody",
            fields={"users": _("请选择抄送对象")},
        )
    unread = set(
        Cc.objects.filter(
            instance=instance, user__in=everyone, read_at__isnull=True
        ).values_list("user_id", flat=True)
    )
    fresh = [u for u in everyone if u.pk not in unread]
    rows = Cc.objects.bulk_create(
        [
            Cc(instance=instance, task=row, user=u, sender=actor, note=note)
            for u in fresh
        ]
    )
    if fresh:
        notify.send(
            users=fresh,
            kind="cc",
            title=_("抄送：%(subject)s") % {"subject": instance.subject},
            body=note
            or _("%(who)s抄送给您「%(node)s」环节的办理情况。")
            % {"who": actor.real_name or actor.username, "node": row.node_name},
            url=common.instance_url(instance),
            instance=instance,
            sender=actor,
        )
    common.event(
        instance,
        TaskEvent.Kind.CC,
        actor,
        task=row,
        opinion=note,
        detail={
            "users": [u.username for u in fresh],
            "posts": [f"{p.organization.code}/{p.code}" for p in post_rows],
        },
    )
    record(
        actor=actor,
        action="workflow.cc_instance",
        target=row,
        detail={
            "instance": instance.pk,
            "node": row.node_id,
            "users": [u.username for u in fresh],
            "already_copied": sorted(u.username for u in everyone if u.pk in unread),
            "posts": [f"{p.organization.code}/{p.code}" for p in post_rows],
        },
    )
    return rows


@audited("workflow.read_cc")
def read_cc(*, actor, cc) -> Cc:
    """Mark a copy sent to the actor read; reading it again changes nothing."""
    pk = cc.pk if isinstance(cc, Cc) else cc
    try:
        row = Cc.objects.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        row = None
    if row is None:
        raise ActionError(_("抄送不存在"), code="cc_missing")
    if row.user_id != actor.pk:
        raise PermissionDenied(target=row)
    if row.read_at is None:
        row.read_at = timezone.now()
        row.save(update_fields=["read_at"])
        record(
            actor=actor,
            action="workflow.read_cc",
            target=row,
            detail={"instance": row.instance_id},
        )
    return row
