from django import template

from egov.web.navigation import menu_for

register = template.Library()


@register.simple_tag(takes_context=True)
def internal_menu(context):
    request = context["request"]
    return menu_for(request.user, request.path)
