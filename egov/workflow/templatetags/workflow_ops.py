"""Template tags of the approval operations: the buttons a viewer gets on a
task or instance page, and the count of their unread site messages."""

from django import template

from egov.workflow.operations import queries

register = template.Library()


@register.simple_tag(takes_context=True)
def task_operations(context, task):
    return queries.operations_for(context["request"].user, task)


@register.simple_tag(takes_context=True)
def instance_operations(context, instance):
    return queries.dispatch_options(context["request"].user, instance)


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    request = context.get("request")
    return queries.unread_count(request.user) if request else 0
