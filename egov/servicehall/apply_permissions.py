"""Who may apply online, and what an applicant may do with their own cases.

Applying online is for citizens (自然人) and legal entities (法人) with an
account, for a published item offered online to their kind of applicant.
A case belongs to the account that applied: nobody else reaches it through
the public face (staff handle cases on the internal face, under
egov.servicehall.permissions). What the applicant may do follows the case's
state:

- edit (fill the form, upload and remove materials): 草稿 and 待补正
- submit: 草稿; resubmit: 待补正
- withdraw (撤回): after submission and before a decision
- discard (删除草稿): 草稿
"""

from egov.core.policy import Policy

WITHDRAWABLE = ("submitted", "correction", "accepted", "suspended")


def applicant_audience(user) -> str | None:
    """The catalog audience of an account: 个人 for a citizen, 法人 for an
    entity, None for staff (who enter applications at the window instead)."""
    from egov.identity.models import User
    from egov.servicehall.models import Audience

    kind = getattr(user, "kind", None)
    if kind == User.Kind.CITIZEN:
        return Audience.INDIVIDUAL
    if kind == User.Kind.ENTITY:
        return Audience.ENTITY
    return None


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


class ApplicantPolicy(Policy):
    """Role-by-action matrix: tests/servicehall/test_apply_permissions.py."""

    app = "servicehall"

    def can(self, user, action: str, obj=None) -> bool:
        if not _active(user) or applicant_audience(user) is None:
            return False
        if action == "apply":
            return obj is None or self._may_apply_for(user, obj)
        if obj is None or obj.applicant_id != user.pk:
            return False
        state = obj.state
        if action == "view":
            return True
        if action == "edit":
            return state in ("draft", "correction")
        if action in ("submit", "discard"):
            return state == "draft"
        if action == "resubmit":
            return state == "correction"
        if action == "withdraw":
            return state in WITHDRAWABLE
        return False

    def _may_apply_for(self, user, version) -> bool:
        from egov.servicehall.models import Audience, ServiceItemVersion

        if version.status != ServiceItemVersion.Status.PUBLISHED or not version.online:
            return False
        if applicant_audience(user) == Audience.ENTITY:
            return version.for_entities
        return version.for_individuals


applicant_policy = ApplicantPolicy()
