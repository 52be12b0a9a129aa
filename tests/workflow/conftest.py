"""Fixtures for workflow tests: the demo county, a process administrator, and
helpers to deploy and start processes."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission

from egov.identity.models import Role
from egov.workflow import actions, runtime
from egov.workflow.models import Task
from tests.identity.factories import demo_county, fresh, post, user

ADMIN_PERMISSIONS = [
    "deploy_process",
    "view_processdefinition",
    "view_processinstance",
    "suspend_instance",
    "terminate_instance",
    "dispatch_instance",
]


@pytest.fixture(autouse=True)
def _fresh_spec_cache():
    runtime.forget_compiled()
    yield
    runtime.forget_compiled()


def make_admin_role(code="workflow_admin", scope=Role.DataScope.ALL) -> Role:
    role = Role.objects.create(code=code, name="流程管理员", data_scope=scope)
    role.permissions.set(
        Permission.objects.filter(
            content_type__app_label="workflow", codename__in=ADMIN_PERMISSIONS
        )
    )
    return role


@pytest.fixture
def county(db):
    """The demo county plus 刘七 (process administrator), 孙二 and 陈三 (two
    more section staff in the market bureau, for countersigning)."""
    c = demo_county()
    admin_role = make_admin_role()
    liuqi = user("liuqi", "刘七", posts=[c.posts.office_clerk], roles=["staff"])
    liuqi.roles.add(admin_role)
    c.posts.market_staff = post(c.orgs.market, "staff", "科员")
    sun = user(
        "suner", "孙二", posts=[c.posts.market_staff], roles=["staff", "approver"]
    )
    chen = user(
        "chensan", "陈三", posts=[c.posts.market_staff], roles=["staff", "approver"]
    )
    people = c.people
    people.liuqi = fresh(liuqi)
    people.suner = sun
    people.chensan = chen
    c.admin_role = admin_role
    return c


def deploy(county, xml, key="leave", name="请假审批", task_config=None):
    return actions.deploy_process(
        actor=county.people.liuqi,
        key=key,
        name=name,
        bpmn_xml=xml,
        task_config=task_config,
    )


def start(county, key="leave", actor=None, data=None, subject="请假申请", **kw):
    actor = actor or county.people.luodan
    return actions.start_process(
        actor=actor,
        definition_key=key,
        subject=subject,
        data=data or {},
        **kw,
    )


def open_tasks(instance, node_id=None):
    rows = Task.objects.filter(instance=instance, state__in=Task.OPEN_STATES)
    if node_id:
        rows = rows.filter(node_id=node_id)
    return list(rows.order_by("id"))


def approve(task, actor, **kw):
    return actions.complete_task(actor=actor, task=task, outcome="approve", **kw)


def reject(task, actor, opinion="不同意", **kw):
    return actions.complete_task(
        actor=actor, task=task, outcome="reject", opinion=opinion, **kw
    )


@pytest.fixture
def helpers():
    return SimpleNamespace(
        deploy=deploy,
        start=start,
        open_tasks=open_tasks,
        approve=approve,
        reject=reject,
    )


def last_entry(action):
    from egov.audit.models import AuditEntry

    return AuditEntry.objects.filter(action=action).order_by("-seq").first()
