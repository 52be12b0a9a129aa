"""The platform as an OpenID Connect provider: the claims it gives other systems."""

from oauth2_provider.oauth2_validators import OAuth2Validator


class EgovOAuth2Validator(OAuth2Validator):
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "organization": "profile",
        "posts": "profile",
        "roles": "profile",
        "kind": "profile",
    }

    def get_additional_claims(self, request):
        user = request.user
        org = user.primary_organization
        return {
            "name": user.real_name,
            "preferred_username": user.username,
            "kind": user.kind,
            "organization": {"code": org.code, "name": org.name} if org else None,
            "posts": [
                {"code": a.post.code, "name": a.post.name, "organization": a.post.organization.code}
                for a in user.post_assignments.select_related("post__organization")
            ],
            "roles": list(user.roles.values_list("code", flat=True)),
            "email": user.email,
        }
