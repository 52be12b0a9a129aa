"""The demo's approval processes: every demo item has a process key and can
be accepted, and 建筑工程施工许可 goes to three departments at once (the
social-assistance, health and employment items: test_demo_processes.py)."""

import pytest

from egov.core.management.commands.demo import load_demo
from egov.identity import demo as identity_demo
from egov.identity.models import User
from egov.servicehall import apply_demo, case_demo
from egov.servicehall import case_actions as actions
from egov.servicehall import demo as hall_demo
from egov.servicehall.models import ServiceItemVersion
from egov.workflow.models import ProcessDefinition
from tests.servicehall import case_factories as cf

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(db):
    """The demo county, its items, processes and forms, without the cases."""
    identity_demo.load()
    hall_demo.load_demo_catalog()
    case_demo.load()
    apply_demo.load()


def test_the_demo_deploys_its_five_processes_and_keys_every_item():
    created = load_demo()

    assert created["servicehall.processes"] == 5
    assert set(ProcessDefinition.objects.values_list("key", flat=True)) >= {
        case_demo.REVIEW_KEY,
        case_demo.QUICK_KEY,
        case_demo.JOINT_KEY,
        case_demo.MINIMUM_LIVING_KEY,
        case_demo.SENIOR_ALLOWANCE_KEY,
    }
    keyed = dict(
        ServiceItemVersion.objects.exclude(process_key="").values_list(
            "item__code", "process_key"
        )
    )
    assert keyed == case_demo.ITEM_PROCESSES
    assert ServiceItemVersion.objects.filter(process_key="").count() == 0


@pytest.mark.usefixtures("catalog")
def test_a_demo_construction_permit_goes_to_three_departments_at_once():
    people = {u.username: u for u in User.objects.all()}
    version = ServiceItemVersion.objects.get(name="建筑工程施工许可")
    county = type("County", (), {"people": type("P", (), people)})
    case = cf.submitted_case(county, version, applicant=people["zhangsan"])

    actions.accept_case(actor=people["lisi"], case=case)

    tasks = cf.fresh(case).process_instance.tasks.order_by("node_id")
    assert [
        (t.node_name, t.assignee.username if t.assignee else "") for t in tasks
    ] == [
        ("行政审批局施工图审查", ""),
        ("住建局承办科室审查", "machao"),
        ("自然资源局规划核验", "guoting"),
    ]


@pytest.mark.usefixtures("catalog")
@pytest.mark.parametrize("code", sorted(case_demo.ITEM_PROCESSES))
def test_every_demo_item_with_a_process_can_be_accepted(code):
    people = {u.username: u for u in User.objects.all()}
    version = ServiceItemVersion.objects.get(item__code=code)
    county = type("County", (), {"people": type("P", (), people)})
    kind = "individual" if version.for_individuals else "entity"
    case = cf.submitted_case(county, version, applicant=people["zhangsan"], kind=kind)

    actions.accept_case(actor=people["lisi"], case=case)

    assert cf.fresh(case).process_instance.tasks.count() >= 1
