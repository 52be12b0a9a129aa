"""The OpenID Connect endpoints, as django-oauth-toolkit serves them, with the
platform's rules on top: pages in Chinese, a clear 400 page (never a 500) for
a request from an unknown system or to an unregistered address, a 403 page
for a sign-in through an application an administrator has disabled, and an
audit entry for every authorization, token issue and sign-out, granted or
refused.
"""

import base64
import binascii
import hashlib
import json
import logging
from urllib.parse import parse_qsl, unquote, urlsplit

from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from oauth2_provider import views as dot_views
from oauth2_provider.exceptions import (
    ClientIdMissmatch,
    FatalClientError,
    InvalidIDTokenError,
    InvalidOIDCClientError,
    InvalidOIDCRedirectURIError,
    OAuthToolkitError,
)
from oauth2_provider.models import get_access_token_model
from oauthlib.oauth2.rfc6749 import errors as oauth_errors

from egov.identity.actions import sso
from egov.identity.oidc import ApplicationDisabledError

log = logging.getLogger(__name__)

ERROR_TEMPLATE = "oauth2_provider/egov_error.html"

# oauthlib error class -> (audit reason, page title, message)
_AUTHORIZE_ERRORS = [
    (
        oauth_errors.InvalidClientIdError,
        "unknown_client",
        lambda: _("未登记的接入应用"),
        lambda: _(
            "发起登录的系统未在本平台登记（应用标识 client_id 无效），"
            "或已被管理员删除。请联系该系统的管理员。"
        ),
    ),
    (
        oauth_errors.MissingClientIdError,
        "missing_client_id",
        lambda: _("登录请求不完整"),
        lambda: _("登录请求缺少应用标识（client_id），请从原系统重新发起登录。"),
    ),
    (
        oauth_errors.MismatchingRedirectURIError,
        "redirect_uri_mismatch",
        lambda: _("回调地址未登记"),
        lambda: _(
            "登录完成后要返回的地址（redirect_uri）不是该应用登记的地址。"
            "为保护您的账号，本次登录已终止，请联系该系统的管理员。"
        ),
    ),
    (
        oauth_errors.InvalidRedirectURIError,
        "invalid_redirect_uri",
        lambda: _("回调地址无效"),
        lambda: _("登录完成后要返回的地址（redirect_uri）格式无效。"),
    ),
    (
        oauth_errors.MissingRedirectURIError,
        "missing_redirect_uri",
        lambda: _("登录请求不完整"),
        lambda: _(
            "该应用登记了多个回调地址，登录请求必须指明返回地址（redirect_uri）。"
        ),
    ),
]


def _describe_authorize_error(oauth_error, application) -> tuple[str, str, str]:
    if isinstance(oauth_error, ApplicationDisabledError):
        name = getattr(application, "name", "") or _("发起登录的系统")
        return (
            "application_disabled",
            _("接入应用已停用"),
            _(
                "“%(name)s”已被本平台管理员停用，暂时不能使用平台账号登录该系统。"
                "如需继续使用，请联系该系统的管理员。"
            )
            % {"name": name},
        )
    for cls, reason, title, message in _AUTHORIZE_ERRORS:
        if isinstance(oauth_error, cls):
            return reason, title(), message()
    reason = getattr(oauth_error, "error", "") or "invalid_request"
    return (
        reason,
        _("登录请求无效"),
        _("发起登录的系统提交的请求无效，请从原系统重新发起登录。"),
    )


def _error_page(request, title, message, status=400):
    response = render(
        request, ERROR_TEMPLATE, {"title": title, "message": message}, status=status
    )
    response["Cache-Control"] = "no-store"
    return response


def _actor(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _param(request, name) -> str:
    value = request.POST.get(name) if request.method == "POST" else None
    return value or request.GET.get(name) or ""


class AuthorizationView(dot_views.AuthorizationView):
    """The authorization endpoint, with a consent page in Chinese."""

    template_name = "oauth2_provider/egov_authorize.html"

    def handle_no_permission(self):
        # Check the request before sending the visitor to sign in: a link from
        # an unknown system or to an unregistered address is refused at once.
        try:
            self.validate_authorization_request(self.request)
        except OAuthToolkitError as error:
            return self.error_response(error, application=None)
        return super().handle_no_permission()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        redirect_uri = context.get("redirect_uri") or ""
        try:
            context["redirect_host"] = urlsplit(redirect_uri).netloc
        except ValueError:
            context["redirect_host"] = ""
        return context

    def form_valid(self, form):
        if sso.find_application(form.cleaned_data.get("client_id")) is None:
            error = FatalClientError(error=oauth_errors.InvalidClientIdError())
            return self.error_response(error, application=None)
        return super().form_valid(form)

    def form_invalid(self, form):
        sso.record_authorization(
            actor=_actor(self.request),
            client_id=_param(self.request, "client_id"),
            application=sso.find_application(_param(self.request, "client_id")),
            outcome="failed",
            reason="incomplete_form",
        )
        return _error_page(
            self.request,
            _("授权请求不完整"),
            _("授权确认的内容不完整或已被改动，请从原系统重新发起登录。"),
        )

    def create_authorization_response(self, request, scopes, credentials, allow):
        result = super().create_authorization_response(
            request, scopes, credentials, allow
        )
        client_id = credentials.get("client_id", "")
        # oauthlib reports a request it refuses at this stage (a tampered scope
        # or PKCE value) by redirecting with an error, not by raising.
        refused = _redirect_error(result[0])
        sso.record_authorization(
            actor=_actor(request),
            client_id=client_id,
            application=sso.find_application(client_id),
            outcome="failed" if refused else "success",
            reason=refused,
            redirect_uri=credentials.get("redirect_uri", ""),
            scopes=scopes.split() if isinstance(scopes, str) else scopes,
        )
        return result

    def error_response(self, error, application, **kwargs):
        oauth_error = error.oauthlib_error
        client_id = _param(self.request, "client_id")
        application = application or sso.find_application(client_id)
        reason, title, message = _describe_authorize_error(oauth_error, application)
        sso.record_authorization(
            actor=_actor(self.request),
            client_id=client_id,
            application=application,
            outcome="failed",
            reason=reason,
            redirect_uri=_param(self.request, "redirect_uri"),
        )
        if isinstance(oauth_error, ApplicationDisabledError):
            return _error_page(self.request, title, message, status=403)
        if isinstance(error, FatalClientError):
            return _error_page(self.request, title, message)
        return super().error_response(error, application, **kwargs)


def _redirect_error(location) -> str:
    """The `error` an authorization response redirects with, or ""."""
    if not location:
        return ""
    parts = urlsplit(location)
    for query in (parts.query, parts.fragment):
        error = dict(parse_qsl(query)).get("error")
        if error:
            return error[:60]
    return ""


def _token_client_id(request) -> str:
    client_id = request.POST.get("client_id", "")
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not client_id and header[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return ""
        client_id = unquote(decoded.partition(":")[0])
    return client_id


class TokenView(dot_views.TokenView):
    """The token endpoint; every issue and every refusal goes to the audit log.

    Only the authorization code and refresh token grants are in use here; the
    device flow of django-oauth-toolkit is not offered.
    """

    def post(self, request, *args, **kwargs):
        response = self.authorization_flow_token_response(request)
        grant_type = request.POST.get("grant_type", "")
        client_id = _token_client_id(request)
        try:
            body = json.loads(response.content or b"{}")
        except ValueError:
            body = {}
        if response.status_code == 200 and body.get("access_token"):
            token = (
                get_access_token_model()
                .objects.filter(token_checksum=_checksum(body["access_token"]))
                .select_related("application", "user")
                .first()
            )
            application = token.application if token else None
            sso.record_token(
                client_id=client_id or getattr(application, "client_id", ""),
                grant_type=grant_type,
                application=application,
                user=token.user if token else None,
                scopes=(body.get("scope") or "").split(),
            )
        else:
            application = sso.find_application(client_id)
            reason = str(body.get("error") or response.status_code)[:60]
            if (
                reason == "invalid_client"
                and application is not None
                and not sso.is_application_active(application)
            ):
                reason = "application_disabled"
            sso.record_token(
                client_id=client_id,
                grant_type=grant_type,
                application=application,
                outcome="failed",
                reason=reason,
            )
        return response


def _checksum(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()


class IntrospectTokenView(dot_views.IntrospectTokenView):
    """Token introspection (RFC 7662) for an application's resource servers;
    a token of a disabled application is reported as not active."""

    def get(self, request, *args, **kwargs):
        return self._answer(request.GET.get("token"))

    def post(self, request, *args, **kwargs):
        return self._answer(request.POST.get("token"))

    def _answer(self, token_value):
        if token_value is not None:
            token = (
                get_access_token_model()
                .objects.filter(token_checksum=_checksum(token_value))
                .select_related("application")
                .first()
            )
            application = token.application if token else None
            if application is not None and not sso.is_application_active(application):
                return JsonResponse({"active": False})
        return self.get_token_response(token_value)


_LOGOUT_ERRORS = {
    InvalidOIDCClientError: (
        "unknown_client",
        lambda: _("发起退出的系统未在本平台登记（应用标识 client_id 无效）。"),
    ),
    InvalidOIDCRedirectURIError: (
        "post_logout_redirect_uri_not_registered",
        lambda: _("退出后要返回的地址不是该应用登记的地址，已拒绝跳转。"),
    ),
    ClientIdMissmatch: (
        "client_id_mismatch",
        lambda: _("登录凭据（id_token_hint）与应用标识（client_id）不一致。"),
    ),
    InvalidIDTokenError: (
        "invalid_id_token",
        lambda: _("登录凭据（id_token_hint）无效、已过期或已注销。"),
    ),
}


class RPInitiatedLogoutView(dot_views.RPInitiatedLogoutView):
    """Sign-out requested by an integrated system (OpenID Connect RP-initiated
    logout). It returns to the system only to an address registered for it."""

    template_name = "oauth2_provider/egov_logout_confirm.html"

    def get_request_application(self, id_token, client_id):
        if client_id:
            application = sso.find_application(client_id)
            if application is None:
                raise InvalidOIDCClientError()
            return application
        return id_token.application if id_token else None

    def validate_logout_request_user(self, id_token_hint, client_id):
        try:
            return super().validate_logout_request_user(id_token_hint, client_id)
        except ClientIdMissmatch:
            raise
        except InvalidIDTokenError:
            raise
        except Exception as exc:
            # The hint is untrusted input; whatever stops it from being read
            # (a malformed JWT, a foreign key, an application without RS256)
            # means the hint is invalid, not that the server failed.
            log.info("Unreadable id_token_hint at logout: %s", type(exc).__name__)
            raise InvalidIDTokenError() from exc

    def do_logout(
        self,
        application=None,
        post_logout_redirect_uri=None,
        state=None,
        token_user=None,
    ):
        user = _actor(self.request) or token_user
        response = super().do_logout(
            application, post_logout_redirect_uri, state, token_user
        )
        if user is not None:
            sso.record_logout(
                actor=user,
                application=application,
                post_logout_redirect_uri=post_logout_redirect_uri or "",
            )
        return response

    def error_response(self, error):
        if error.error == "logout_denied":
            # The person chose to stay signed in; nothing went wrong.
            return HttpResponseRedirect("/")
        reason, message = "invalid_request", None
        for cls, (code, text) in _LOGOUT_ERRORS.items():
            if isinstance(error, cls):
                reason, message = code, text()
                break
        client_id = _param(self.request, "client_id")
        sso.record_logout(
            actor=_actor(self.request),
            client_id=client_id,
            application=sso.find_application(client_id),
            outcome="failed",
            reason=reason,
            post_logout_redirect_uri=_param(self.request, "post_logout_redirect_uri"),
        )
        return _error_page(
            self.request,
            _("退出请求无效"),
            message or _("退出请求无效，请返回原系统重试。"),
        )
