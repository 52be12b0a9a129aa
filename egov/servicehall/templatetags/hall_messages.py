"""The unread count of the applicant's messages, for the public header."""

from django import template

from egov.servicehall.message_queries import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def hall_unread_messages(context) -> int:
    request = context.get("request")
    return unread_count(request.user) if request else 0
