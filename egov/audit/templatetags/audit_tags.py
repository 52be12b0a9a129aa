from django import template

from egov.audit import labels

register = template.Library()

_OUTCOME_BADGES = {"success": "text-bg-success", "failed": "text-bg-warning"}


@register.filter
def action_label(code: str) -> str:
    return labels.action_label(code)


@register.filter
def reason_label(code: str) -> str:
    return labels.reason_label(code)


@register.filter
def outcome_badge(outcome: str) -> str:
    return _OUTCOME_BADGES.get(outcome, "text-bg-danger")
