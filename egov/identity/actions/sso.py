"""Single sign-on: registering the systems that sign in through the platform
(系统管理 → 接入应用), and the audit entries of the sign-on endpoints.

An application is a django-oauth-toolkit Application using the authorization
code flow with PKCE and RS256-signed ID tokens. Its client secret is stored
hashed, so the plain secret exists only in the return value of
`register_application` and `rotate_client_secret`: the caller shows it once.

What django-oauth-toolkit's Application cannot hold lives in the application's
ApplicationPolicy: whether it is enabled, the scopes it may ask for, a
description and the organization in charge of it. The OAuth2 validator
(egov.identity.oidc) asks `is_application_active` and `allowed_scopes_of`.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_access_token_model, get_application_model
from oauth2_provider.scopes import get_scopes_backend

from egov.audit.actions import record
from egov.core.actions import audited
from egov.core.errors import ActionError
from egov.core.policy import Policy
from egov.identity.models import ApplicationPolicy, Organization

Application = get_application_model()

# Chinese names of this module's audit action codes and refusal reasons, for
# egov.audit.labels (register them from the identity AppConfig.ready()).
ACTION_LABELS = {
    "identity.register_application": _lazy("登记接入应用"),
    "identity.change_application": _lazy("修改接入应用"),
    "identity.rotate_client_secret": _lazy("重置接入应用密钥"),
    "identity.delete_application": _lazy("删除接入应用"),
    "identity.enable_application": _lazy("启用接入应用"),
    "identity.disable_application": _lazy("停用接入应用"),
    "identity.sso_use_token": _lazy("使用单点登录令牌"),
    "identity.sso_authorize": _lazy("单点登录授权"),
    "identity.sso_issue_token": _lazy("单点登录签发令牌"),
    "identity.sso_logout": _lazy("单点登录退出"),
}
REASON_LABELS = {
    "unknown_client": _lazy("未登记的接入应用"),
    "missing_client_id": _lazy("缺少应用标识"),
    "redirect_uri_mismatch": _lazy("回调地址未登记"),
    "invalid_redirect_uri": _lazy("回调地址无效"),
    "missing_redirect_uri": _lazy("缺少回调地址"),
    "post_logout_redirect_uri_not_registered": _lazy("退出返回地址未登记"),
    "client_id_mismatch": _lazy("登录凭据与应用不一致"),
    "invalid_id_token": _lazy("登录凭据无效"),
    "incomplete_form": _lazy("授权确认内容不完整"),
    "access_denied": _lazy("用户拒绝授权"),
    "invalid_request": _lazy("请求无效"),
    "invalid_grant": _lazy("授权码无效或已使用"),
    "invalid_client": _lazy("应用身份验证失败"),
    "application_disabled": _lazy("接入应用已停用"),
    "invalid_scope": _lazy("申请的授权范围不被允许"),
}

PERMISSIONS = {
    "view": "oauth2_provider.view_application",
    "add": "oauth2_provider.add_application",
    "change": "oauth2_provider.change_application",
    "delete": "oauth2_provider.delete_application",
}

# Plain http is accepted only for a system running on the same machine.
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
MAX_URIS = 20
MAX_URI_LENGTH = 2000
MAX_NAME_LENGTH = 100
MAX_DESCRIPTION_LENGTH = 500
# Every application may ask for this one: without it there is no sign-in.
REQUIRED_SCOPE = "openid"


class SsoPolicy(Policy):
    """Who may see and manage integrated applications: the model permissions."""

    app = "sso"

    def can(self, user, action: str, obj=None) -> bool:
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        return user.has_perm(PERMISSIONS[action])


sso_policy = SsoPolicy()


# Reads ---------------------------------------------------------------------


def applications_for(viewer):
    """The applications `viewer` may see, by name; none without view permission."""
    if not sso_policy.can(viewer, "view"):
        return Application.objects.none()
    return Application.objects.order_by("name", "pk")


def get_application_for(viewer, pk) -> "Application":
    """One application, or Http404 when it is missing or `viewer` may not see it."""
    try:
        return applications_for(viewer).get(pk=int(pk))
    except (Application.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def find_application(client_id) -> "Application | None":
    """The application with this client id, or None for any unknown value."""
    if not client_id or not isinstance(client_id, str) or "\x00" in client_id:
        return None
    return Application.objects.filter(client_id=client_id).first()


def scope_choices() -> list[tuple[str, str]]:
    """(name, description) of every scope the platform offers, as configured."""
    return [(str(k), str(v)) for k, v in get_scopes_backend().get_all_scopes().items()]


def organization_choices():
    """Organizations an application can be placed under: the active ones."""
    return Organization.objects.filter(is_active=True).order_by("path", "sort_order")


def policy_of(application) -> "ApplicationPolicy | None":
    """The application's policy row, or None for one registered without it."""
    try:
        return application.egov_policy
    except ApplicationPolicy.DoesNotExist:
        return None


def is_application_active(application) -> bool:
    """Whether people may sign in through the application and it may use its
    tokens. One without a policy row is active."""
    policy = policy_of(application)
    return policy is None or policy.is_active


def allowed_scopes_of(application) -> list[str]:
    """The scopes the application may ask for and receive claims of, in the
    platform's order. One without a policy row may have every scope."""
    offered = [name for name, _description in scope_choices()]
    policy = policy_of(application)
    if policy is None:
        return offered
    allowed = {*policy.allowed_scopes, REQUIRED_SCOPE}
    return [name for name in offered if name in allowed]


# Input rules ---------------------------------------------------------------


def parse_uris(text: str, *, required: bool) -> tuple[list[str], list[str]]:
    """Split URIs given one per line (or by spaces); return (uris, problems).

    An address must be absolute, use https (http only for localhost, 127.0.0.1
    or ::1), and carry no fragment, wildcard or user name.
    """
    uris = list(dict.fromkeys((text or "").split()))
    problems = []
    if required and not uris:
        problems.append(_("请至少填写一个回调地址"))
    if len(uris) > MAX_URIS:
        problems.append(_("最多填写 %(count)s 个地址") % {"count": MAX_URIS})
    for uri in uris:
        problem = _uri_problem(uri)
        if problem:
            problems.append(problem)
    return uris, problems


def _uri_problem(uri: str) -> str:
    if len(uri) > MAX_URI_LENGTH:
        return _("地址“%(uri)s…”过长") % {"uri": uri[:60]}
    try:
        parts = urlsplit(uri)
        # An out-of-range port only raises when it is read.
        host, _port = parts.hostname, parts.port
    except ValueError:
        return _("“%(uri)s”不是有效的网址") % {"uri": uri}
    if parts.scheme not in ("http", "https") or not host:
        return _("“%(uri)s”不是有效的网址，应以 https:// 开头") % {"uri": uri}
    if parts.scheme == "http" and host not in LOOPBACK_HOSTS:
        return _(
            "“%(uri)s”必须使用 https（仅本机 localhost、127.0.0.1 可使用 http）"
        ) % {"uri": uri}
    if parts.fragment or uri.endswith("#"):
        return _("“%(uri)s”不能包含 # 片段") % {"uri": uri}
    if "*" in uri:
        return _("“%(uri)s”不能包含通配符 *") % {"uri": uri}
    if parts.username or parts.password:
        return _("“%(uri)s”不能包含用户名或密码") % {"uri": uri}
    return ""


def _checked_fields(*, name, redirect_uris, post_logout_redirect_uris, exclude_pk):
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("请填写应用名称")
    elif len(name) > MAX_NAME_LENGTH:
        errors["name"] = _("应用名称不能超过 %(count)s 个字") % {
            "count": MAX_NAME_LENGTH
        }
    elif Application.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        errors["name"] = _("已有同名的接入应用")
    redirects, problems = parse_uris(redirect_uris, required=True)
    if problems:
        errors["redirect_uris"] = "；".join(problems)
    logouts, problems = parse_uris(post_logout_redirect_uris, required=False)
    if problems:
        errors["post_logout_redirect_uris"] = "；".join(problems)
    if errors:
        raise ActionError(
            _("请检查填写的内容"), code="invalid_application", fields=errors
        )
    return name, redirects, logouts


def _checked_policy(*, allowed_scopes, description, organization):
    offered = [name for name, _description in scope_choices()]
    chosen = {str(s) for s in (allowed_scopes or ())} | {REQUIRED_SCOPE}
    errors = {}
    unknown = sorted(chosen - set(offered))
    if unknown:
        errors["allowed_scopes"] = _("未知的授权范围：%(scopes)s") % {
            "scopes": "、".join(unknown)
        }
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION_LENGTH:
        errors["description"] = _("说明不能超过 %(count)s 个字") % {
            "count": MAX_DESCRIPTION_LENGTH
        }
    if organization is not None and not (
        isinstance(organization, Organization)
        and organization_choices().filter(pk=organization.pk).exists()
    ):
        errors["organization"] = _("请选择启用中的机构")
    if errors:
        raise ActionError(
            _("请检查填写的内容"), code="invalid_application", fields=errors
        )
    return [name for name in offered if name in chosen], description, organization


def _full_clean(application) -> None:
    """django-oauth-toolkit's own rules, reported on our form fields."""
    try:
        application.full_clean(exclude=["user"])
    except ValidationError as exc:
        fields = {
            field: "；".join(str(m) for m in messages)
            for field, messages in exc.message_dict.items()
        }
        raise ActionError(
            _("请检查填写的内容"), code="invalid_application", fields=fields
        ) from exc


def _summary(application) -> dict:
    policy = policy_of(application)
    organization = policy.organization if policy else None
    return {
        "name": application.name,
        "client_id": application.client_id,
        "client_type": application.client_type,
        "redirect_uris": application.redirect_uris.split(),
        "post_logout_redirect_uris": application.post_logout_redirect_uris.split(),
        "skip_authorization": application.skip_authorization,
        "is_active": is_application_active(application),
        "allowed_scopes": allowed_scopes_of(application),
        "description": policy.description if policy else "",
        "organization": organization.code if organization else "",
    }


# Writes --------------------------------------------------------------------


@dataclass(frozen=True)
class Registered:
    application: "Application"
    client_secret: str  # plain; empty for a public client, which has none


@audited("identity.register_application")
def register_application(
    *,
    actor,
    name: str,
    client_type: str,
    redirect_uris: str,
    post_logout_redirect_uris: str = "",
    skip_authorization: bool = False,
    allowed_scopes=(REQUIRED_SCOPE,),
    description: str = "",
    organization=None,
) -> Registered:
    """Register a system for single sign-on; returns it with its plain secret.

    Confidential clients (server-side systems) get a secret to show once;
    public clients (browser or mobile apps) have none and rely on PKCE alone.
    The application starts enabled and may ask only for `allowed_scopes`
    (openid is always among them).
    """
    sso_policy.require(actor, "add")
    if client_type not in (Application.CLIENT_CONFIDENTIAL, Application.CLIENT_PUBLIC):
        raise ActionError(
            _("请选择客户端类型"),
            code="invalid_application",
            fields={"client_type": _("请选择客户端类型")},
        )
    name, redirects, logouts = _checked_fields(
        name=name,
        redirect_uris=redirect_uris,
        post_logout_redirect_uris=post_logout_redirect_uris,
        exclude_pk=None,
    )
    scopes, description, organization = _checked_policy(
        allowed_scopes=allowed_scopes,
        description=description,
        organization=organization,
    )
    secret = generate_client_secret()
    application = Application(
        name=name,
        client_type=client_type,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(redirects),
        post_logout_redirect_uris=" ".join(logouts),
        skip_authorization=bool(skip_authorization),
        algorithm=Application.RS256_ALGORITHM,
        client_secret=secret,
        hash_client_secret=True,
    )
    _full_clean(application)
    application.save()
    ApplicationPolicy.objects.create(
        application=application,
        allowed_scopes=scopes,
        description=description,
        organization=organization,
    )
    record(
        actor=actor,
        action="identity.register_application",
        target=application,
        detail=_summary(application),
    )
    confidential = client_type == Application.CLIENT_CONFIDENTIAL
    return Registered(application, secret if confidential else "")


@audited("identity.change_application", target_kwarg="application")
def update_application(
    *,
    actor,
    application,
    name: str,
    redirect_uris: str,
    post_logout_redirect_uris: str = "",
    skip_authorization: bool = False,
    allowed_scopes=(REQUIRED_SCOPE,),
    description: str = "",
    organization=None,
):
    """Change an application's name, addresses, whether it skips consent, the
    scopes it may ask for, its description and organization.

    The client type and the client id never change; a system that moves from
    public to confidential is registered anew. Withdrawing a scope takes
    effect at once: its claims are no longer given, even for tokens issued
    before, and refreshed tokens lose it.
    """
    sso_policy.require(actor, "change", application)
    before = _summary(application)
    name, redirects, logouts = _checked_fields(
        name=name,
        redirect_uris=redirect_uris,
        post_logout_redirect_uris=post_logout_redirect_uris,
        exclude_pk=application.pk,
    )
    scopes, description, organization = _checked_policy(
        allowed_scopes=allowed_scopes,
        description=description,
        organization=organization,
    )
    application.name = name
    application.redirect_uris = " ".join(redirects)
    application.post_logout_redirect_uris = " ".join(logouts)
    application.skip_authorization = bool(skip_authorization)
    _full_clean(application)
    application.save(
        update_fields=[
            "name",
            "redirect_uris",
            "post_logout_redirect_uris",
            "skip_authorization",
            "updated",
        ]
    )
    policy = _policy_for_update(application)
    policy.allowed_scopes = scopes
    policy.description = description
    policy.organization = organization
    policy.save(update_fields=["allowed_scopes", "description", "organization"])
    after = _summary(application)
    record(
        actor=actor,
        action="identity.change_application",
        target=application,
        detail={
            "before": {k: v for k, v in before.items() if after[k] != v},
            "after": {k: v for k, v in after.items() if before[k] != v},
        },
    )
    return application


def _policy_for_update(application) -> ApplicationPolicy:
    """The application's policy row, locked; made (active, every scope) for
    an application registered without one."""
    policy, _created = ApplicationPolicy.objects.select_for_update().get_or_create(
        application=application,
        defaults={"allowed_scopes": allowed_scopes_of(application)},
    )
    application.egov_policy = policy
    return policy


@audited("identity.disable_application", target_kwarg="application")
def disable_application(*, actor, application):
    """Stop an application: nobody can sign in through it, it cannot obtain or
    refresh tokens, and the tokens it holds are refused until it is enabled
    again (they are kept, so enabling restores it as it was)."""
    sso_policy.require(actor, "change", application)
    policy = _policy_for_update(application)
    if not policy.is_active:
        raise ActionError(
            _("接入应用“%(name)s”已是停用状态") % {"name": application.name},
            code="application_already_disabled",
        )
    policy.is_active = False
    policy.disabled_at = timezone.now()
    policy.save(update_fields=["is_active", "disabled_at"])
    record(
        actor=actor,
        action="identity.disable_application",
        target=application,
        detail={"client_id": application.client_id},
    )
    return application


@audited("identity.enable_application", target_kwarg="application")
def enable_application(*, actor, application):
    """Let a disabled application sign people in and use its tokens again."""
    sso_policy.require(actor, "change", application)
    policy = _policy_for_update(application)
    if policy.is_active:
        raise ActionError(
            _("接入应用“%(name)s”已是启用状态") % {"name": application.name},
            code="application_already_enabled",
        )
    disabled_at = policy.disabled_at
    policy.is_active = True
    policy.disabled_at = None
    policy.save(update_fields=["is_active", "disabled_at"])
    record(
        actor=actor,
        action="identity.enable_application",
        target=application,
        detail={
            "client_id": application.client_id,
            "disabled_at": disabled_at.isoformat() if disabled_at else "",
        },
    )
    return application


@audited("identity.rotate_client_secret", target_kwarg="application")
def rotate_client_secret(*, actor, application) -> str:
    """Give a confidential application a new secret; the old one stops working.

    Returns the plain new secret, which is not stored and must be shown once.
    """
    sso_policy.require(actor, "change", application)
    if application.client_type != Application.CLIENT_CONFIDENTIAL:
        raise ActionError(
            _("公开客户端不使用密钥，无需重置"), code="public_client_has_no_secret"
        )
    secret = generate_client_secret()
    application.client_secret = secret
    application.hash_client_secret = True
    application.save(update_fields=["client_secret", "hash_client_secret", "updated"])
    record(
        actor=actor,
        action="identity.rotate_client_secret",
        target=application,
        detail={"client_id": application.client_id},
    )
    return secret


@audited("identity.delete_application", target_kwarg="application")
def delete_application(*, actor, application) -> None:
    """Remove an application; its grants and tokens go with it, so its users
    are signed out of it at their next request."""
    sso_policy.require(actor, "delete", application)
    tokens = get_access_token_model().objects.filter(application=application).count()
    record(
        actor=actor,
        action="identity.delete_application",
        target=application,
        detail={**_summary(application), "revoked_access_tokens": tokens},
    )
    application.delete()


ACTION_CODES = {
    "add": "identity.register_application",
    "change": "identity.change_application",
    "delete": "identity.delete_application",
}


@transaction.atomic
def record_refusal(*, actor, action: str, application=None, code: str = "") -> None:
    """A management attempt refused before it reached its action (no permission).

    `code` names the action attempted when it is not the one `action` (the
    permission) stands for, as for enabling and disabling ("change").
    """
    record(
        actor=actor,
        action=code or ACTION_CODES[action],
        target=application,
        outcome="denied",
        detail={"code": "permission_denied"},
    )


# Audit entries of the sign-on endpoints ------------------------------------


def _clip(value, length=300) -> str:
    # Request values are untrusted: PostgreSQL's JSON refuses NUL characters.
    return str(value or "").replace("\x00", "\N{REPLACEMENT CHARACTER}")[:length]


@transaction.atomic
def record_authorization(
    *,
    actor,
    client_id: str,
    application=None,
    outcome: str = "success",
    reason: str = "",
    redirect_uri: str = "",
    scopes=(),
) -> None:
    """An authorization request answered: granted, or refused with a reason."""
    detail = {"client_id": _clip(client_id, 100), "redirect_uri": _clip(redirect_uri)}
    if scopes:
        detail["scopes"] = sorted(scopes)
    if reason:
        detail["reason"] = reason
    record(
        actor=actor,
        action="identity.sso_authorize",
        target=application,
        outcome=outcome,
        detail=detail,
    )


@transaction.atomic
def record_token(
    *,
    client_id: str,
    grant_type: str,
    application=None,
    user=None,
    outcome: str = "success",
    reason: str = "",
    scopes=(),
) -> None:
    """A token request at the token endpoint: issued, or refused with a reason."""
    detail = {"client_id": _clip(client_id, 100), "grant_type": _clip(grant_type, 60)}
    if scopes:
        detail["scopes"] = sorted(scopes)
    if reason:
        detail["reason"] = reason
    record(
        actor=user,
        action="identity.sso_issue_token",
        target=application,
        outcome=outcome,
        detail=detail,
    )


@transaction.atomic
def record_token_use(*, user, application, reason: str) -> None:
    """An access token refused because of its application (e.g. disabled)."""
    record(
        actor=user,
        action="identity.sso_use_token",
        target=application,
        outcome="failed",
        detail={
            "client_id": _clip(getattr(application, "client_id", ""), 100),
            "reason": reason,
        },
    )


@transaction.atomic
def record_logout(
    *,
    actor,
    client_id: str = "",
    application=None,
    outcome: str = "success",
    reason: str = "",
    post_logout_redirect_uri: str = "",
) -> None:
    """A sign-out requested by an integrated application (RP-initiated logout)."""
    detail = {
        "client_id": _clip(client_id or getattr(application, "client_id", ""), 100),
        "post_logout_redirect_uri": _clip(post_logout_redirect_uri),
    }
    if reason:
        detail["reason"] = reason
    record(
        actor=actor,
        action="identity.sso_logout",
        target=application,
        outcome=outcome,
        detail=detail,
    )
