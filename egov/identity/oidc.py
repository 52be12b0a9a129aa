"""The platform as an OpenID Connect provider: the claims it gives other systems.

Claims by scope (the ID token and the userinfo endpoint carry the same set):

- openid: `sub`, the user's subject identifier (User.subject_id, a random UUID
  that never changes and says nothing about other accounts).
- profile: `name`, `preferred_username`, `kind` (staff / citizen / entity),
  `organization` {code, name} of the primary post, `posts` [{code, name,
  organization {code, name}, primary}], `roles` [role codes].
- email: `email`; phone: `phone_number` (the full number, decrypted).

A claim without a value (no organization, no e-mail) is left out, as OpenID
Connect asks, instead of being sent empty.

Each application's policy (egov.identity.models.ApplicationPolicy) is enforced
here, so that every endpoint obeys it: a disabled application cannot start a
sign-in, authenticate at the token, revocation or introspection endpoints, or
use its access tokens; a scope outside its allowed set is refused when asked
for, dropped from refreshed tokens, and gives no claims.
"""

import re
from collections import OrderedDict

from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2.rfc6749 import errors, utils

from egov.identity.actions import sso

PKCE_CHALLENGE = re.compile(r"[A-Za-z0-9._~-]{43,128}")
MAX_NONCE_LENGTH = 255  # the column that keeps it until the code is exchanged


def _has_nul(value) -> bool:
    return isinstance(value, str) and "\x00" in value


def _organization(org) -> dict | None:
    return {"code": org.code, "name": org.name} if org else None


def _posts(user) -> list[dict]:
    assignments = user.post_assignments.select_related("post__organization").order_by(
        "-is_primary", "id"
    )
    return [
        {
            "code": a.post.code,
            "name": a.post.name,
            "organization": _organization(a.post.organization),
            "primary": a.is_primary,
        }
        for a in assignments
    ]


def _roles(user) -> list[str]:
    active = user.roles.filter(is_active=True).order_by("code")
    return list(active.values_list("code", flat=True))


class ApplicationDisabledError(errors.FatalClientError):
    """A sign-in started by an application an administrator has disabled.

    Fatal: the person is told on the platform's own page and is not sent back
    to the application.
    """

    error = "unauthorized_client"
    description = "The application is disabled on this platform."


class EgovOAuth2Validator(OAuth2Validator):
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "organization": "profile",
        "posts": "profile",
        "roles": "profile",
        "kind": "profile",
    }

    def get_additional_claims(self):
        # The request-agnostic form (callables) lets django-oauth-toolkit list the
        # claims in the discovery document and compute only those whose scope
        # was granted, so the phone number is decrypted only for the phone scope.
        return {
            "sub": lambda r: str(r.user.subject_id),
            "name": lambda r: r.user.real_name or r.user.username,
            "preferred_username": lambda r: r.user.username,
            "kind": lambda r: r.user.kind,
            "organization": lambda r: _organization(r.user.primary_organization),
            "posts": lambda r: _posts(r.user),
            "roles": lambda r: _roles(r.user),
            "email": lambda r: r.user.email,
            "phone_number": lambda r: r.user.phone,
        }

    # The toolkit expects a NUL byte in a looked-up value to raise ValueError,
    # as psycopg2 did; psycopg 3 raises DataError and breaks the transaction.
    # No client id or code holds one, so such a value simply names nothing.

    def _load_application(self, client_id, request):
        if _has_nul(client_id):
            return None
        return super()._load_application(client_id, request)

    def validate_code(self, client_id, code, client, request, *args, **kwargs):
        if _has_nul(code):
            return False
        return super().validate_code(client_id, code, client, request, *args, **kwargs)

    def get_authorization_code_scopes(self, client_id, code, redirect_uri, request):
        if _has_nul(code):
            return []
        return super().get_authorization_code_scopes(
            client_id, code, redirect_uri, request
        )

    def get_authorization_code_nonce(self, client_id, code, redirect_uri, request):
        if _has_nul(code):
            return None
        return super().get_authorization_code_nonce(
            client_id, code, redirect_uri, request
        )

    def is_pkce_required(self, client_id, request):
        # Called on every authorization request once the client and its
        # redirect URI are known good, so a malformed value is reported back
        # to the client instead of failing when the grant is stored.
        challenge = request.code_challenge
        if challenge is not None and not PKCE_CHALLENGE.fullmatch(challenge):
            raise errors.InvalidRequestError(
                description="code_challenge must be 43 to 128 characters of "
                "A-Z a-z 0-9 - . _ ~ (RFC 7636).",
                request=request,
            )
        if request.nonce and len(request.nonce) > MAX_NONCE_LENGTH:
            raise errors.InvalidRequestError(
                description=f"nonce must not exceed {MAX_NONCE_LENGTH} characters.",
                request=request,
            )
        return super().is_pkce_required(client_id, request)

    # The application's policy -----------------------------------------------

    def validate_client_id(self, client_id, request, *args, **kwargs):
        if not super().validate_client_id(client_id, request, *args, **kwargs):
            return False
        if not sso.is_application_active(request.client):
            raise ApplicationDisabledError(request=request)
        return True

    def authenticate_client(self, request, *args, **kwargs):
        if not super().authenticate_client(request, *args, **kwargs):
            return False
        return sso.is_application_active(request.client)

    def authenticate_client_id(self, client_id, request, *args, **kwargs):
        if not super().authenticate_client_id(client_id, request, *args, **kwargs):
            return False
        return sso.is_application_active(request.client)

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        if not super().validate_scopes(
            client_id, scopes, client, request, *args, **kwargs
        ):
            return False
        allowed = sso.allowed_scopes_of(client)
        refused = [scope for scope in scopes if scope not in allowed]
        if refused:
            raise errors.InvalidScopeError(
                description="Scope not allowed for this client: "
                + " ".join(sorted(refused))
                + ".",
                request=request,
            )
        return True

    def get_original_scopes(self, refresh_token, request, *args, **kwargs):
        # A refreshed token loses the scopes an administrator has since
        # withdrawn from the application.
        original = utils.scope_to_list(
            super().get_original_scopes(refresh_token, request, *args, **kwargs)
        )
        allowed = sso.allowed_scopes_of(request.client)
        return [scope for scope in original or [] if scope in allowed]

    def validate_bearer_token(self, token, scopes, request):
        if not super().validate_bearer_token(token, scopes, request):
            return False
        application = request.client
        if application is None:
            return True
        if not sso.is_application_active(application):
            sso.record_token_use(
                user=request.user,
                application=application,
                reason="application_disabled",
            )
            request.oauth2_error = OrderedDict(
                [
                    ("error", "invalid_token"),
                    (
                        "error_description",
                        "The application of this token is disabled.",
                    ),
                ]
            )
            return False
        allowed = sso.allowed_scopes_of(application)
        if not set(scopes or ()) <= set(allowed):
            request.oauth2_error = OrderedDict(
                [
                    ("error", "insufficient_scope"),
                    (
                        "error_description",
                        "The application is no longer allowed this scope.",
                    ),
                ]
            )
            return False
        return True

    def get_oidc_claims(self, token, token_handler, request):
        # Claims follow the scopes the application is allowed when they are
        # given, not only those granted when the person consented.
        granted = set(request.scopes or ())
        if request.client is not None:
            granted &= set(sso.allowed_scopes_of(request.client))
        claims = {}
        for name, value in self.get_claim_dict(request).items():
            if self.oidc_claim_scope.get(name) not in granted:
                continue
            claims[name] = value(request) if callable(value) else value
        return {k: v for k, v in claims.items() if v not in (None, "")}
