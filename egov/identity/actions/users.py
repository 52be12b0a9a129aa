"""Writes to user accounts: create, edit, posts held, enable/disable, passwords,
and the audited reveal of personal data."""

from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.audit.actions import record
from egov.core.actions import audited
from egov.core.crypto import blind_index
from egov.core.errors import ActionError, PermissionDenied
from egov.core.validators import (
    normalize_id_number,
    normalize_uscc,
    validate_id_number,
    validate_mobile,
    validate_uscc,
)
from egov.identity.actions._common import (
    changes,
    choice,
    max_length,
    required_text,
    run_validator,
)
from egov.identity.models import (
    Organization,
    PasswordHistory,
    PostAssignment,
    Role,
    User,
)
from egov.identity.passwords import password_age_limit_days
from egov.identity.permissions import identity_policy
from egov.identity.queries import data_scope_of, visible


def clean_username(username: str, *, instance=None) -> str:
    username = max_length(
        required_text(username, "username", _("请填写账号")),
        "username",
        150,
        _("账号"),
    )
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        message = _("账号只能包含字母、数字、汉字和 @ . + - _ 字符")
        raise ActionError(
            message, code="username_invalid", fields={"username": message}
        ) from None
    taken = User.objects.filter(username__iexact=username)
    if instance is not None:
        taken = taken.exclude(pk=instance.pk)
    if taken.exists():
        message = _("账号 %(name)s 已被使用") % {"name": username}
        raise ActionError(message, code="username_taken", fields={"username": message})
    return username


def clean_user_fields(
    *, kind, real_name, id_number="", phone="", uscc="", email="", instance=None
) -> dict:
    """Checked and normalised personal fields, or ActionError naming the field.

    ID numbers, phone numbers and (for legal entities) USCCs must be unique;
    the encrypted values are compared through their blind indexes.
    """
    kind = choice(kind, User.Kind.choices, "kind", _("请选择有效的用户类型"))
    real_name = max_length(
        required_text(real_name, "real_name", _("请填写姓名或名称")),
        "real_name",
        100,
        _("姓名/名称"),
    )
    others = User.objects.all()
    if instance is not None:
        others = others.exclude(pk=instance.pk)
    id_number = normalize_id_number(id_number)
    if id_number:
        run_validator(validate_id_number, id_number, "id_number")
        if others.filter(id_number_index=blind_index(id_number)).exists():
            message = _("该身份证号已被其他用户使用")
            raise ActionError(
                message, code="id_number_taken", fields={"id_number": message}
            )
    elif kind == User.Kind.CITIZEN:
        message = _("自然人用户须填写身份证号")
        raise ActionError(
            message, code="id_number_required", fields={"id_number": message}
        )
    phone = (phone or "").strip()
    if phone:
        run_validator(validate_mobile, phone, "phone")
        if others.filter(phone_index=blind_index(phone)).exists():
            message = _("该手机号已被其他用户使用")
            raise ActionError(message, code="phone_taken", fields={"phone": message})
    uscc = normalize_uscc(uscc)
    if uscc:
        run_validator(validate_uscc, uscc, "uscc")
        if (
            kind == User.Kind.ENTITY
            and others.filter(kind=User.Kind.ENTITY, uscc=uscc).exists()
        ):
            message = _("该统一社会信用代码已有法人用户")
            raise ActionError(message, code="uscc_taken", fields={"uscc": message})
    elif kind == User.Kind.ENTITY:
        message = _("法人用户须填写统一社会信用代码")
        raise ActionError(message, code="uscc_required", fields={"uscc": message})
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            message = _("请输入有效的电子邮箱地址")
            raise ActionError(
                message, code="email_invalid", fields={"email": message}
            ) from None
    return {
        "kind": kind,
        "real_name": real_name,
        "id_number": id_number,
        "phone": phone,
        "uscc": uscc,
        "email": email,
    }


def _must_change_password(user: User) -> None:
    """A password set by an administrator counts as expired, so its owner is
    asked to choose their own at the next sign-in (when passwords expire)."""
    days = password_age_limit_days()
    user.password_changed_at = timezone.now() - timedelta(days=days)


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        message = "；".join(exc.messages)
        raise ActionError(
            message, code="password_invalid", fields={"password": message}
        ) from None


def _posts_summary(user: User) -> list[str]:
    rows = user.post_assignments.select_related("post__organization").order_by(
        "-is_primary", "post__organization__path", "post__code"
    )
    return [
        f"{a.post.organization.code}/{a.post.code}{'*' if a.is_primary else ''}"
        for a in rows
    ]


def _apply_posts(actor, user: User, posts, primary) -> None:
    """Make `posts` (plus any the actor cannot see) the user's posts, with
    `primary` as the one primary post."""
    posts = list(dict.fromkeys(posts))
    if posts and user.kind != User.Kind.STAFF:
        message = _("只有工作人员可以任职岗位")
        raise ActionError(message, code="not_staff", fields={"posts": message})
    for post in posts:
        identity_policy.require(actor, "change_user", post.organization)
        if not post.is_active or not post.organization.is_active:
            message = _("岗位“%(post)s”已停用") % {"post": post}
            raise ActionError(message, code="post_inactive", fields={"posts": message})
    held = list(user.post_assignments.select_related("post__organization"))
    in_scope = set(
        visible(
            actor,
            Organization.objects.filter(pk__in={a.post.organization_id for a in held}),
            perm="identity.change_user",
        ).values_list("pk", flat=True)
    )
    kept = [a.post for a in held if a.post.organization_id not in in_scope]
    final = list(dict.fromkeys(kept + posts))
    if final and primary is None:
        message = _("请指定一个主岗")
        raise ActionError(message, code="primary_required", fields={"primary": message})
    if primary is not None and primary not in final:
        message = _("主岗必须是该用户任职的岗位之一")
        raise ActionError(message, code="primary_not_held", fields={"primary": message})
    final_ids = {p.pk for p in final}
    user.post_assignments.exclude(post_id__in=final_ids).delete()
    user.post_assignments.update(is_primary=False)
    existing = set(user.post_assignments.values_list("post_id", flat=True))
    PostAssignment.objects.bulk_create(
        PostAssignment(user=user, post=p) for p in final if p.pk not in existing
    )
    if primary is not None:
        user.post_assignments.filter(post=primary).update(is_primary=True)
    user.__dict__.pop("primary_assignment", None)


@audited("identity.create_user")
def create_user(
    *,
    actor,
    username: str,
    real_name: str,
    kind: str,
    id_number: str = "",
    phone: str = "",
    uscc: str = "",
    email: str = "",
    password: str = "",
    posts=(),
    primary_post=None,
) -> User:
    """A new account. With `posts`, the user holds them (`primary_post` among
    them); an actor whose data scope is not everything must place the user in a
    post inside that scope. Without a password the account cannot sign in until
    one is set (reset_password)."""
    identity_policy.require(actor, "add_user")
    posts = list(posts)
    if not posts and data_scope_of(actor, perm="identity.add_user") != (
        Role.DataScope.ALL
    ):
        message = _("请为用户指定本机构范围内的岗位")
        raise ActionError(message, code="post_required", fields={"posts": message})
    for post in posts:
        identity_policy.require(actor, "add_user", post.organization)
    username = clean_username(username)
    fields = clean_user_fields(
        kind=kind,
        real_name=real_name,
        id_number=id_number,
        phone=phone,
        uscc=uscc,
        email=email,
    )
    user = User(username=username, is_staff=fields["kind"] == User.Kind.STAFF)
    for key, value in fields.items():
        setattr(user, key, value)
    if password:
        _check_password(password, user)
        user.set_password(password)
        _must_change_password(user)
    else:
        user.set_unusable_password()
    user.save()
    if posts:
        _apply_posts(actor, user, posts, primary_post)
    record(
        actor=actor,
        action="identity.create_user",
        target=user,
        detail={
            "username": username,
            "kind": user.kind,
            "posts": _posts_summary(user),
        },
    )
    return user


def _personal_snapshot(user: User) -> dict:
    return {
        "kind": user.kind,
        "real_name": user.real_name,
        "email": user.email,
        "uscc": user.uscc,
        # Only whether they changed, never the values, goes to the log.
        "id_number": user.id_number_index,
        "phone": user.phone_index,
    }


@audited("identity.update_user", target_kwarg="user")
def update_user(
    *,
    actor,
    user: User,
    real_name: str,
    kind: str,
    id_number: str = "",
    phone: str = "",
    uscc: str = "",
    email: str = "",
) -> User:
    """Change a user's personal fields (the account name never changes)."""
    identity_policy.require(actor, "change_user", user)
    fields = clean_user_fields(
        kind=kind,
        real_name=real_name,
        id_number=id_number,
        phone=phone,
        uscc=uscc,
        email=email,
        instance=user,
    )
    before = _personal_snapshot(user)
    for key, value in fields.items():
        setattr(user, key, value)
    user.is_staff = user.kind == User.Kind.STAFF
    user.save()
    diff = changes(before, _personal_snapshot(user))
    for key in ("id_number", "phone"):
        if key in diff:
            diff[key] = ["***", "***"]
    record(
        actor=actor,
        action="identity.update_user",
        target=user,
        detail={"changes": diff},
    )
    return user


@audited("identity.set_user_posts", target_kwarg="user")
def set_user_posts(*, actor, user: User, posts, primary=None) -> User:
    """The posts a user holds, exactly one of them primary.

    Posts in organizations outside the actor's scope stay as they are; the
    actor can only add or remove posts inside it.
    """
    identity_policy.require(actor, "change_user", user)
    before = _posts_summary(user)
    _apply_posts(actor, user, list(posts), primary)
    after = _posts_summary(user)
    record(
        actor=actor,
        action="identity.set_user_posts",
        target=user,
        detail={"posts": [before, after]},
    )
    return user


def _revoke_tokens(user: User) -> int:
    from oauth2_provider.models import (
        get_access_token_model,
        get_id_token_model,
        get_refresh_token_model,
    )

    count = 0
    for model in (
        get_refresh_token_model(),
        get_access_token_model(),
        get_id_token_model(),
    ):
        count += model.objects.filter(user=user).delete()[0]
    return count


@audited("identity.disable_user", target_kwarg="user")
def disable_user(*, actor, user: User, reason: str = "") -> User:
    """Disable an account: it can no longer sign in, and every session and
    single sign-on token it holds ends now."""
    from egov.identity.sessions import end_sessions_of

    identity_policy.require(actor, "change_user", user)
    if user.pk == actor.pk:
        raise ActionError(_("不能停用自己的账号"), code="disable_self")
    if not user.is_active:
        raise ActionError(_("该账号已停用"), code="already_inactive")
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = end_sessions_of(user)
    revoked = _revoke_tokens(user)
    record(
        actor=actor,
        action="identity.disable_user",
        target=user,
        detail={
            "reason": (reason or "").strip()[:500],
            "sessions_ended": ended,
            "tokens_revoked": revoked,
        },
    )
    return user


@audited("identity.enable_user", target_kwarg="user")
def enable_user(*, actor, user: User) -> User:
    identity_policy.require(actor, "change_user", user)
    if user.is_active:
        raise ActionError(_("该账号已启用"), code="already_active")
    user.is_active = True
    user.save(update_fields=["is_active"])
    record(actor=actor, action="identity.enable_user", target=user)
    return user


@audited("identity.reset_password", target_kwarg="user")
def reset_password(*, actor, user: User, password: str) -> User:
    """An administrator sets a new password for someone else. The user's
    sessions end, and the owner must choose a new password at the next sign-in."""
    from egov.identity.sessions import end_sessions_of

    identity_policy.require(actor, "change_user", user)
    if user.pk == actor.pk:
        raise ActionError(_("请在个人设置中修改自己的密码"), code="reset_own_password")
    _check_password(password or "", user)
    if user.has_usable_password():
        PasswordHistory.objects.create(user=user, password=user.password)
    user.set_password(password)
    _must_change_password(user)
    user.save(update_fields=["password", "password_changed_at"])
    ended = end_sessions_of(user)
    record(
        actor=actor,
        action="identity.reset_password",
        target=user,
        detail={"sessions_ended": ended},
    )
    return user


@audited("identity.view_personal_data", target_kwarg="user")
def reveal_personal_data(*, actor, user: User) -> dict:
    """The user's full ID number and phone for someone allowed to see them;
    every reveal is written to the audit log."""
    if not identity_policy.can(actor, "view_personal_data", user):
        raise PermissionDenied(_("您没有查看完整个人信息的权限"), target=user)
    record(
        actor=actor,
        action="identity.view_personal_data",
        target=user,
        detail={"fields": ["id_number", "phone"]},
    )
    return {"id_number": user.id_number, "phone": user.phone}


def _kind_from(value: str) -> str | None:
    value = (value or "").strip()
    for kind, label in User.Kind.choices:
        if value in (kind, str(label)):
            return kind
    return None


@audited("identity.import_users")
def import_users(*, actor, rows: list[dict]) -> list[User]:
    """Create the users of an import file, all or nothing.

    Each row (keys of spreadsheets.USER_COLUMNS plus "row") is checked like
    create_user; a staff row may name an organization code and post code, which
    must lie within the actor's scope and become the user's primary post.
    Accounts, ID numbers, phones and USCCs must be new, in the database and in
    the file. Any bad row: ImportRejected listing every error, nothing written.
    Imported accounts have no password until one is set (reset_password).
    """
    from egov.identity.actions._common import ImportRejected
    from egov.identity.queries import posts_for

    identity_policy.require(actor, "import_user")
    identity_policy.require(actor, "add_user")
    everywhere = data_scope_of(actor, perm="identity.add_user") == Role.DataScope.ALL
    posts = {
        (p.organization.code, p.code): p
        for p in posts_for(actor, perm="identity.add_user").filter(
            is_active=True, organization__is_active=True
        )
    }
    errors: list[tuple[int, str]] = []
    seen: dict[tuple[str, str], int] = {}
    plans = []
    for row in rows:
        number, before = row["row"], len(errors)
        kind = _kind_from(row.get("kind"))
        if kind is None:
            errors.append((number, _("用户类型应为：工作人员、自然人或法人")))
            continue
        fields = None
        try:
            username = clean_username(row.get("username"))
        except ActionError as exc:
            errors.append((number, str(exc.message)))
            username = ""
        try:
            fields = clean_user_fields(
                kind=kind,
                real_name=row.get("real_name"),
                id_number=row.get("id_number"),
                phone=row.get("phone"),
                uscc=row.get("uscc"),
                email=row.get("email"),
            )
        except ActionError as exc:
            errors.append((number, str(exc.message)))
        keys = [("username", username.lower())]
        if fields:
            keys += [("id_number", fields["id_number"]), ("phone", fields["phone"])]
            if kind == User.Kind.ENTITY:
                keys.append(("uscc", fields["uscc"]))
        labels = {
            "username": _("账号"),
            "id_number": _("身份证号"),
            "phone": _("手机号"),
            "uscc": _("统一社会信用代码"),
        }
        for key in keys:
            if not key[1]:
                continue
            if key in seen:
                errors.append(
                    (
                        number,
                        _("%(field)s与第%(row)d行重复")
                        % {"field": labels[key[0]], "row": seen[key]},
                    )
                )
            else:
                seen[key] = number
        org_code = (row.get("organization_code") or "").strip()
        post_code = (row.get("post_code") or "").strip()
        post = None
        if org_code or post_code:
            post = posts.get((org_code, post_code))
            if not org_code or not post_code:
                errors.append((number, _("机构代码和岗位代码须同时填写")))
            elif kind != User.Kind.STAFF:
                errors.append((number, _("只有工作人员可以任职岗位")))
            elif post is None:
                errors.append(
                    (
                        number,
                        _("机构 %(org)s 下没有岗位 %(post)s，或不在您的管理范围内")
                        % {"org": org_code, "post": post_code},
                    )
                )
        elif not everywhere:
            errors.append((number, _("请填写本机构范围内的机构代码和岗位代码")))
        if len(errors) == before and fields is not None:
            plans.append((username, fields, post))
    if errors:
        raise ImportRejected(errors)
    created = []
    for username, fields, post in plans:
        user = User(username=username, is_staff=fields["kind"] == User.Kind.STAFF)
        for key, value in fields.items():
            setattr(user, key, value)
        user.set_unusable_password()
        user.save()
        if post is not None:
            PostAssignment.objects.create(user=user, post=post, is_primary=True)
        record(
            actor=actor,
            action="identity.create_user",
            target=user,
            detail={"username": username, "kind": user.kind, "source": "import"},
        )
        created.append(user)
    record(
        actor=actor, action="identity.import_users", detail={"created": len(created)}
    )
    return created


@audited("identity.export_users")
def export_users(*, actor) -> list[User]:
    """The users the actor may export (their data scope), for a spreadsheet;
    the export itself is logged. Personal data stays masked in the file."""
    from egov.identity.queries import users_for

    identity_policy.require(actor, "export_user")
    rows = list(
        users_for(actor, perm="identity.export_user").prefetch_related(
            "roles", "post_assignments__post__organization"
        )
    )
    record(actor=actor, action="identity.export_users", detail={"rows": len(rows)})
    return rows
