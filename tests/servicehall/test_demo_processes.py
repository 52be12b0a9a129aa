"""The demo's processes for its social-assistance, health and employment
items: 公共场所卫生许可 (卫健局) takes the 一般审批, 出生医学证明 (卫健局)
and 就业失业登记 (人社局) the one-step 即办审核, 城乡居民最低生活保障 and
高龄津贴 (民政局) start at the township of the applicant's household
registration and go on to 县民政局审批. Each first task lands with the people
of the right department or township."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from egov.core.errors import ActionError
from egov.core.timelimits import Limit
from egov.identity import demo as identity_demo
from egov.identity.models import User
from egov.servicehall import apply_demo, case_demo
from egov.servicehall import case_actions as actions
from egov.servicehall import demo as hall_demo
from egov.servicehall.models import Case, CaseEvent, ServiceItemVersion
from egov.servicehall.permissions import case_policy
from egov.workflow import actions as wf
from egov.workflow import queries as wf_queries
from egov.workflow.models import ProcessDefinition, Task
from tests.servicehall import case_factories as cf

pytestmark = pytest.mark.django_db

HYGIENE = "000131001000-139921110"
BIRTH = "000131007000-139921110"
JOB = "000132005000-139921111"
MINIMUM_LIVING = "000145001000-139921109"
SENIOR_ALLOWANCE = "000145009000-139921109"

# The five items, the process each takes, and who may take its first task
# (a single approver gets it directly; several share a pooled task).
FIRST_TASKS = {
    HYGIENE: (case_demo.REVIEW_KEY, "承办科室审查", ["caoying"]),
    BIRTH: (case_demo.QUICK_KEY, "承办科室审核", ["caoying"]),
    JOB: (case_demo.QUICK_KEY, "承办科室审核", ["jiangwei"]),
    MINIMUM_LIVING: (case_demo.MINIMUM_LIVING_KEY, "城关镇审核", ["songjia"]),
    SENIOR_ALLOWANCE: (case_demo.SENIOR_ALLOWANCE_KEY, "城关镇审核", ["songjia"]),
}

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
def people(db):
    """The demo county, its catalog, processes and forms (without the demo
    cases)."""
    identity_demo.load()
    hall_demo.load_demo_catalog()
    case_demo.load()
    apply_demo.load()
    return {u.username: u for u in User.objects.filter(is_demo=True)}


def _version(code: str) -> ServiceItemVersion:
    return ServiceItemVersion.objects.select_related("item").get(item__code=code)


def _form_of(code: str, township: str, township_code=None) -> dict:
    """The item's form as the applicant fills it, living in `township`."""
    where = {
        "township": township_code
        or dict((n, c) for c, n in apply_demo.TOWNSHIPS)[township],
        "household_address": f"示范县{township}幸福村一组",
    }
    if code == SENIOR_ALLOWANCE:
        return {**where, "living": "o1", "payment": "o1"}
    return {
        **where,
        "household_size": 1,
        "monthly_income": 620,
        "reason": "独居老人，无固定收入。",
        "bank": "示范县农村信用合作联社",
    }


def _at_window(
    people, code: str, township: str, name: str = "王秀兰", township_code=None
) -> Case:
    """李四 enters an application at the window with its form (the applicant
    lives in `township`) and the required materials."""
    version = _version(code)
    materials = [
        (m, SimpleUploadedFile(f"{m.name}.pdf", PDF, content_type="application/pdf"))
        for m in version.materials.filter(is_required=True, for_individuals=True)
    ]
    return actions.enter_case(
        actor=people["lisi"],
        item_code=code,
        applicant={
            "kind": "individual",
            "name": name,
            "id_number": identity_demo.make_id_number("13992119430218002"),
            "phone": "13999213001",
        },
        form_data=_form_of(code, township, township_code),
        materials=materials,
    )


def _candidates(task: Task) -> list[str]:
    """Who may act on `task`: its assignee, or everyone who may claim it."""
    if task.assignee_id:
        return [task.assignee.username]
    return sorted(
        u.username
        for u in User.objects.filter(is_active=True)
        if task.pk in {t.pk for t in wf_queries.todo_for(u)}
    )


def _open(case: Case) -> list[Task]:
    return list(
        Task.objects.filter(
            instance_id=cf.fresh(case).process_instance_id,
            state__in=Task.OPEN_STATES,
        ).order_by("id")
    )


def test_each_of_the_five_items_has_a_deployed_process(people):
    for code, (key, _node, _who) in FIRST_TASKS.items():
        version = _version(code)

        assert version.process_key == key, version.name
        assert ProcessDefinition.objects.filter(key=key, is_latest=True).exists()
    assert {code: case_demo.process_key_for(code) for code in FIRST_TASKS} == {
        code: key for code, (key, _node, _who) in FIRST_TASKS.items()
    }


def test_the_steps_time_limits_fit_within_each_items_promise(people):
    def limits(key):
        definition = ProcessDefinition.objects.get(key=key, is_latest=True)
        nodes = definition.node_config[definition.main_process_id]
        return {
            node: (c["time_limit"]["amount"], c["time_limit"]["unit"])
            for node, c in nodes.items()
            if c.get("kind") == "user"
        }

    towns = ("town_chengguan", "town_donghe", "town_xishan")

    assert limits(case_demo.REVIEW_KEY) == {
        "review": (3, "workdays"),
        "leader": (2, "workdays"),
    }
    assert limits(case_demo.QUICK_KEY) == {"review": (4, "hours")}
    assert limits(case_demo.MINIMUM_LIVING_KEY) == {
        **{town: (12, "workdays") for town in towns},
        "county_review": (6, "workdays"),
    }
    assert limits(case_demo.SENIOR_ALLOWANCE_KEY) == {
        **{town: (5, "workdays") for town in towns},
        "county_review": (3, "workdays"),
    }
    promised = {code: _version(code).promised for code in FIRST_TASKS}
    assert promised == {
        HYGIENE: Limit(7, "workdays"),
        BIRTH: Limit(1, "workdays"),
        JOB: Limit(0, "workdays"),
        MINIMUM_LIVING: Limit(20, "workdays"),
        SENIOR_ALLOWANCE: Limit(10, "workdays"),
    }
    # The longest way through (one township, then the rest) leaves room
    # for the decision; the one-step check takes four hours of the day.
    for code in (HYGIENE, MINIMUM_LIVING, SENIOR_ALLOWANCE):
        steps = limits(_version(code).process_key)
        town = max((a for n, (a, _u) in steps.items() if n in towns), default=0)
        rest = sum(a for n, (a, _u) in steps.items() if n not in towns)
        assert town + rest < promised[code].amount, code


@pytest.mark.parametrize("code", sorted(FIRST_TASKS))
def test_a_case_of_each_item_is_accepted_and_its_first_task_lands_with_the_right_people(
    people, code
):
    key, node_name, who = FIRST_TASKS[code]
    version = _version(code)
    case = cf.submitted_case(
        type("County", (), {"people": type("P", (), people)}),
        version,
        applicant=people["zhangsan"],
    )

    actions.accept_case(actor=people["lisi"], case=case)

    case = cf.fresh(case)
    assert case.process_instance.definition.key == key
    assert case.process_instance.organization == version.item.organization
    [task] = _open(case)
    assert task.node_name == node_name
    assert _candidates(task) == who


@pytest.mark.parametrize(
    ("township", "node", "clerk"),
    [
        ("城关镇", "城关镇审核", "songjia"),
        ("东河镇", "东河镇审核", "xiexiaoyan"),
        ("西山乡", "西山乡审核", "yuanzhiyong"),
    ],
)
def test_minimum_living_goes_to_the_township_chosen_in_the_form(
    people, township, node, clerk
):
    case = _at_window(people, MINIMUM_LIVING, township)

    actions.accept_case(actor=people["lisi"], case=case)

    [task] = _open(case)
    assert (task.node_name, task.assignee.username) == (node, clerk)
    assert [t.pk for t in wf_queries.todo_for(people[clerk])] == [task.pk]


def test_a_township_outside_the_county_list_is_refused_at_the_form(people):
    with pytest.raises(ActionError) as refused:
        _at_window(people, MINIMUM_LIVING, "城关镇", township_code="139921999")

    assert "data.township" in refused.value.fields
    assert not Case.objects.filter(applicant_name="王秀兰").exists()


def test_senior_allowance_also_starts_at_the_applicants_township(people):
    case = _at_window(people, SENIOR_ALLOWANCE, "西山乡")

    actions.accept_case(actor=people["lisi"], case=case)

    [task] = _open(case)
    assert (task.node_name, task.assignee.username) == ("西山乡审核", "yuanzhiyong")


@pytest.mark.usefixtures("no_staff_2fa")
def test_a_minimum_living_case_walks_from_the_township_to_the_bureau_and_a_decision(
    people,
):
    # Given 王秀兰 of 东河镇 applies at the window and 李四 accepts
    case = _at_window(people, MINIMUM_LIVING, "东河镇")
    actions.accept_case(actor=people["lisi"], case=case)
    [town] = _open(case)
    clerk = people["xiexiaoyan"]
    page = Client()
    page.force_login(clerk)

    # When 东河镇's clerk reviews (after the home visit and the notice)
    opened = page.get(f"/staff/cases/{case.number}/")
    wf.complete_task(
        actor=clerk,
        task=town,
        outcome="approve",
        opinion="经入户调查、民主评议，公示7天无异议，同意上报。",
    )

    # Then 县民政局审批 waits for 民政局's approvers, the township is done
    assert opened.status_code == 200
    [county] = _open(case)
    assert county.node_name == "县民政局审批"
    assert _candidates(county) == ["fengjianping", "tanghui"]
    assert list(wf_queries.todo_for(clerk)) == []
    assert actions.awaiting_decision(cf.fresh(case)) is False

    # When the bureau's head claims and approves it
    head = people["fengjianping"]
    county = wf.claim_task(actor=head, task=county)
    wf.complete_task(
        actor=head, task=county, outcome="approve", opinion="同意乡镇审核意见。"
    )

    # Then the case waits for the decision, which the bureau's head signs
    # (民政局 grants 低保), as the county's leaders could
    case = cf.fresh(case)
    assert case.process_instance.state == "completed"
    assert actions.awaiting_decision(case) is True
    assert case_policy.can(people["sunqi"], "decide_case", case)
    actions.decide_case(
        actor=head,
        case=case,
        decision=actions.APPROVE,
        reasons="家庭人均收入低于本县最低生活保障标准，准予纳入最低生活保障。",
    )
    case = cf.fresh(case)
    assert case.state == Case.State.APPROVED
    done = Task.objects.filter(instance_id=case.process_instance_id).order_by("id")
    assert [(t.node_name, t.completed_by.username) for t in done] == [
        ("东河镇审核", "xiexiaoyan"),
        ("县民政局审批", "fengjianping"),
    ]
    assert case.events.filter(kind=CaseEvent.Kind.APPROVED).count() == 1


def test_the_township_clerk_may_not_decide_or_see_other_townships_cases(people):
    theirs = _at_window(people, MINIMUM_LIVING, "西山乡")
    actions.accept_case(actor=people["lisi"], case=theirs)
    songjia = people["songjia"]

    assert not case_policy.can(songjia, "view_case", theirs)
    assert not case_policy.can(songjia, "decide_case", theirs)
    assert case_policy.can(people["yuanzhiyong"], "view_case", theirs)
