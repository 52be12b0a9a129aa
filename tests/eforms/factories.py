"""Factories for eforms tests: a form administrator (孙七), a staff member
without form permissions (李四), and a small leave-request schema."""

import copy

from django.contrib.auth.models import Permission
from django.utils import timezone

from egov.eforms.models import FormDefinition
from egov.identity.models import Role, User

LEAVE_SCHEMA = {
    "type": "default",
    "id": "Form_leave",
    "schemaVersion": 18,
    "components": [
        {
            "type": "textfield",
            "key": "applicant",
            "label": "申请人",
            "validate": {"required": True, "maxLength": 20},
        },
        {
            "type": "textfield",
            "key": "id_number",
            "label": "身份证号",
            "properties": {"egov:validator": "id_number"},
        },
        {
            "type": "number",
            "key": "days",
            "label": "请假天数",
            "decimalDigits": 1,
            "validate": {"required": True, "min": 0.5, "max": 30},
        },
        {
            "type": "select",
            "key": "kind",
            "label": "请假类型",
            "values": [
                {"label": "事假", "value": "personal"},
                {"label": "病假", "value": "sick"},
            ],
            "validate": {"required": True},
        },
        {
            "type": "datetime",
            "key": "start",
            "subtype": "date",
            "dateLabel": "开始日期",
        },
        {
            "type": "textarea",
            "key": "reason",
            "label": "事由",
            "validate": {"minLength": 2, "maxLength": 200},
        },
        {
            "type": "textfield",
            "key": "approval_note",
            "label": "审批备注",
        },
    ],
}


def leave_schema(**changes) -> dict:
    schema = copy.deepcopy(LEAVE_SCHEMA)
    schema.update(changes)
    return schema


def form_role(code="form_admin", codenames=None) -> Role:
    role = Role.objects.create(code=code, name="表单管理员", data_scope="all")
    perms = Permission.objects.filter(content_type__app_label="eforms")
    if codenames is not None:
        perms = perms.filter(codename__in=codenames)
    role.permissions.set(perms)
    return role


def staff(username, real_name, *, roles=()) -> User:
    person = User(
        username=username,
        real_name=real_name,
        kind=User.Kind.STAFF,
        password_changed_at=timezone.now(),
    )
    person.set_password("Egov@2026pass")
    person.save()
    if roles:
        person.roles.set(roles)
    return person


def form_admin() -> User:
    return staff("sunqi", "孙七", roles=[form_role()])


def published_form(author, key="leave", schema=None, version=1) -> FormDefinition:
    now = timezone.now()
    return FormDefinition.objects.create(
        key=key,
        name="请假申请表",
        version=version,
        schema=schema or leave_schema(),
        published=True,
        created_by=author,
        published_by=author,
        published_at=now,
    )
