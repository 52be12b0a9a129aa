"""Writes to posts (岗位), the seats of an organization."""

import re

from django.utils.translation import gettext as _

from egov.audit.actions import record
from egov.core.actions import audited
from egov.core.errors import ActionError
from egov.identity.actions._common import changes, max_length, required_text
from egov.identity.models import Post
from egov.identity.permissions import identity_policy

_CODE_RE = re.compile(r"^[A-Za-z0-9_.-]+$")


def _clean(*, organization, code, name, instance=None):
    code = max_length(
        required_text(code, "code", _("请填写岗位代码")), "code", 64, _("岗位代码")
    )
    if not _CODE_RE.match(code):
        message = _("岗位代码只能包含字母、数字、点、下划线和连字符")
        raise ActionError(message, code="code_invalid", fields={"code": message})
    taken = Post.objects.filter(organization=organization, code=code)
    if instance is not None:
        taken = taken.exclude(pk=instance.pk)
    if taken.exists():
        message = _("本机构已有岗位代码 %(code)s") % {"code": code}
        raise ActionError(message, code="code_taken", fields={"code": message})
    name = max_length(
        required_text(name, "name", _("请填写岗位名称")), "name", 100, _("岗位名称")
    )
    return code, name


@audited("identity.create_post")
def create_post(
    *,
    actor,
    organization,
    code: str,
    name: str,
    is_head: bool = False,
    sort_order: int = 0,
) -> Post:
    """A new post in `organization` (which must be active and in the actor's scope)."""
    identity_policy.require(actor, "add_post", organization)
    if not organization.is_active:
        raise ActionError(_("该机构已停用，不能新增岗位"), code="organization_inactive")
    code, name = _clean(organization=organization, code=code, name=name)
    post = Post.objects.create(
        organization=organization,
        code=code,
        name=name,
        is_head=bool(is_head),
        sort_order=int(sort_order or 0),
    )
    record(
        actor=actor,
        action="identity.create_post",
        target=post,
        detail={"organization": organization.code, "code": code, "name": name},
    )
    return post


@audited("identity.update_post", target_kwarg="post")
def update_post(
    *, actor, post: Post, code: str, name: str, is_head: bool = False, sort_order=0
) -> Post:
    identity_policy.require(actor, "change_post", post)
    code, name = _clean(
        organization=post.organization, code=code, name=name, instance=post
    )
    before = {"code": post.code, "name": post.name, "is_head": post.is_head}
    post.code, post.name, post.is_head = code, name, bool(is_head)
    post.sort_order = int(sort_order or 0)
    post.save()
    after = {"code": post.code, "name": post.name, "is_head": post.is_head}
    record(
        actor=actor,
        action="identity.update_post",
        target=post,
        detail={"changes": changes(before, after)},
    )
    return post


@audited("identity.deactivate_post", target_kwarg="post")
def deactivate_post(*, actor, post: Post) -> Post:
    """Stop using a post; refused while someone holds it."""
    identity_policy.require(actor, "change_post", post)
    if not post.is_active:
        raise ActionError(_("该岗位已停用"), code="already_inactive")
    if post.holders.exists():
        raise ActionError(
            _("该岗位仍有人员任职，请先调整其岗位"), code="post_has_holders"
        )
    post.is_active = False
    post.save(update_fields=["is_active"])
    record(actor=actor, action="identity.deactivate_post", target=post)
    return post


@audited("identity.activate_post", target_kwarg="post")
def activate_post(*, actor, post: Post) -> Post:
    identity_policy.require(actor, "change_post", post)
    if post.is_active:
        raise ActionError(_("该岗位已启用"), code="already_active")
    if not post.organization.is_active:
        raise ActionError(
            _("所属机构已停用，请先启用机构"), code="organization_inactive"
        )
    post.is_active = True
    post.save(update_fields=["is_active"])
    record(actor=actor, action="identity.activate_post", target=post)
    return post
