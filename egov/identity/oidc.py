"""The platform as an OpenID Connect provider: the claims it gives other systems.

Claims by scope (the ID token and the userinfo endpoint carry the same set):

- openid: `sub`, the user's stable identifier on this platform.
- profile: `name`, `preferred_username`, `kind` (staff / citizen / entity),
  `organization` {code, name} of the primary post, `posts` [{code, name,
  organization {code, name}, primary}], `roles` [role codes].
- email: `email`; phone: `phone_number` (the full number, decrypted).

A claim without a value (no organization, no e-mail) is left out, as OpenID
Connect asks, instead of being sent empty.
"""

from oauth2_provider.oauth2_validators import OAuth2Validator


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
            "sub": lambda r: str(r.user.pk),
            "name": lambda r: r.user.real_name or r.user.username,
            "preferred_username": lambda r: r.user.username,
            "kind": lambda r: r.user.kind,
            "organization": lambda r: _organization(r.user.primary_organization),
            "posts": lambda r: _posts(r.user),
            "roles": lambda r: _roles(r.user),
            "email": lambda r: r.user.email,
            "phone_number": lambda r: r.user.phone,
        }

    def get_oidc_claims(self, token, token_handler, request):
        claims = super().get_oidc_claims(token, token_handler, request)
        return {k: v for k, v in claims.items() if v not in (None, "")}
