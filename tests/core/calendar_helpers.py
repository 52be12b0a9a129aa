"""People for the working-calendar and time-limit tests."""

from django.contrib.auth.models import Permission

from egov.identity.models import Role
from tests.identity import factories as f


def calendar_role() -> Role:
    """A role that may maintain the working calendar (工作日历)."""
    role, created = Role.objects.get_or_create(
        code="calendar_keeper", defaults={"name": "日历维护"}
    )
    if created:
        role.permissions.add(
            Permission.objects.get(
                content_type__app_label="core", codename="change_calendarday"
            )
        )
    return role


def calendar_admin(username: str = "wujiu", real_name: str = "吴九"):
    """吴九, the system administrator, here holding the calendar permission."""
    person = f.user(username, real_name)
    person.roles.add(calendar_role())
    return person


def plain_staff(username: str = "lisi", real_name: str = "李四"):
    """李四, the window clerk, who may not touch the calendar."""
    return f.user(username, real_name)
