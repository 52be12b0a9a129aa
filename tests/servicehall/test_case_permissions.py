"""Who may do what with a case: the role-by-action matrix, the window's
region-wide reach, joint departments while they take part, and 404 for
anyone outside the data scope."""

import pytest
from django.test import Client

from egov.servicehall import case_actions as actions
from egov.servicehall import case_queries as queries
from egov.servicehall.permissions import case_policy
from tests.servicehall import case_factories as cf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]

PEOPLE = [
    "lisi",
    "wangwu",
    "zhaoliu",
    "sunqi",
    "zhouba",
    "neighbour",
    "neighbour_window",
    "luodan",
    "zhangsan",
    "sunli",
]
VIEWERS = {"lisi", "wangwu", "zhaoliu", "sunqi", "zhouba"}
LEADERS = {"sunqi", "zhaoliu"}
MATRIX = {
    "view_case": VIEWERS,
    "reveal_applicant": VIEWERS,
    "accept_case": {"lisi"},
    "refuse_case": {"lisi"},
    "request_correction": {"lisi"},
    "decide_case": LEADERS,
    "approve_extension": LEADERS,
    "suspend_case": LEADERS,
    "resume_case": LEADERS,
    # 王五 holds a pooled task of the case's review; leaders may decide it.
    "request_extension": {"wangwu"} | LEADERS,
}


@pytest.fixture
def county(db):
    return cf.case_county()


@pytest.fixture
def accepted(county):
    version = cf.item(county, process_key=cf.REVIEW_KEY, issues_licence=False)
    case = cf.submitted_case(county, version)
    actions.accept_case(actor=county.people.lisi, case=case)
    return cf.fresh(case)


def test_case_matrix(county, accepted):
    table = {
        action: {
            who
            for who in PEOPLE
            if case_policy.can(getattr(county.people, who), action, accepted)
        }
        for action in MATRIX
    }

    assert table == MATRIX


def test_entering_for_the_market_bureau_is_for_the_countys_window(county):
    allowed = {
        who
        for who in PEOPLE
        if case_policy.can(
            getattr(county.people, who), "enter_case", county.orgs.market
        )
    }

    assert allowed == {"lisi"}


def test_unknown_actions_are_a_programming_error(county, accepted):
    with pytest.raises(KeyError):
        case_policy.can(county.people.lisi, "delete_case", accepted)


def test_the_window_reaches_every_organization_of_its_region(county_cases):
    county, town_case = county_cases

    assert [c.number for c in queries.window_queue(county.people.lisi)] == [
        town_case.number
    ]
    assert list(queries.window_queue(county.people.neighbour_window)) == []
    assert list(queries.window_queue(county.people.wangwu)) == []


@pytest.fixture
def county_cases(county):
    """A case of 城关镇 (a township of the county, in its own region)."""
    from egov.servicehall.models import ServiceItem, ServiceItemVersion

    market_version = cf.item(county, issues_licence=False)
    item = ServiceItem.objects.create(
        code="TOWN-0001", organization=county.orgs.township
    )
    fields = {
        f.name: getattr(market_version, f.name)
        for f in ServiceItemVersion._meta.concrete_fields
        if f.name not in ("id", "item")
    }
    version = ServiceItemVersion.objects.create(**{**fields, "item": item})
    return county, cf.submitted_case(county, version)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("lisi", 200),
        ("wangwu", 200),
        ("sunqi", 200),
        ("zhouba", 200),
        ("neighbour_window", 404),
        ("sunli", 404),
        ("luodan", 403),
    ],
)
def test_the_case_page_is_404_outside_the_data_scope(county, who, status):
    version = cf.item(county, process_key=cf.REVIEW_KEY, issues_licence=False)
    case = cf.submitted_case(county, version)
    actions.accept_case(actor=county.people.lisi, case=case)
    client = _client(getattr(county.people, who))

    page = client.get(f"/staff/cases/{case.number}/")
    accept = client.post(f"/staff/cases/{case.number}/accept/")

    assert page.status_code == status
    assert accept.status_code in ({404, 403} if status != 200 else {403, 400})


def test_a_joint_department_sees_the_case_only_while_it_takes_part(county):
    version = cf.item(county, process_key=cf.JOINT_KEY, issues_licence=False)
    waiting = cf.submitted_case(county, version)
    joint = cf.submitted_case(county, version)
    actions.accept_case(actor=county.people.lisi, case=joint)

    seen = [c.number for c in queries.cases_for(county.people.sunli)]

    assert seen == [joint.number]
    assert waiting.number not in seen
    assert case_policy.can(county.people.sunli, "decide_case", cf.fresh(joint)) is False


def test_no_case_lists_for_people_without_the_view_permission(county):
    version = cf.item(county, issues_licence=False)
    cf.submitted_case(county, version)

    assert list(queries.cases_for(county.people.luodan)) == []
    assert list(queries.cases_for(county.people.zhangsan)) == []


def test_leaders_may_suspend_the_process_of_a_case_they_suspend(db):
    from egov.identity import roles as builtin
    from egov.identity.models import Role

    builtin.ensure_builtin_roles()

    granted = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Role.objects.get(code=builtin.LEADER).permissions.all()
    }
    assert {
        "servicehall.view_case",
        "servicehall.decide_case",
        "servicehall.extend_case",
        "servicehall.suspend_case",
        "workflow.suspend_instance",
    } <= granted
