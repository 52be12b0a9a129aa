"""The workbench's 政务服务 card: what waits at the window for whoever may
accept, what waits for the decision of whoever may decide, within their
reach; nothing for staff who do neither."""

import pytest
from django.test import Client

from egov.servicehall import case_actions
from egov.servicehall import case_queries as queries
from egov.workflow import actions as wf
from tests.servicehall import case_factories as cf


@pytest.fixture
def county(db, no_staff_2fa):
    return cf.case_county()


@pytest.fixture
def version(county):
    return cf.item(county, process_key=cf.REVIEW_KEY, issues_licence=False)


def _client(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _reviewed(county, case):
    """Accepted, reviewed and signed off: only the decision is left."""
    case_actions.accept_case(actor=county.people.lisi, case=case)
    case = cf.fresh(case)
    review = case.process_instance.tasks.get(node_id="review")
    wf.claim_task(actor=county.people.wangwu, task=review)
    wf.complete_task(
        actor=county.people.wangwu, task=review, outcome="approve", opinion="同意"
    )
    leader = case.process_instance.tasks.get(node_id="leader")
    wf.complete_task(
        actor=county.people.sunqi, task=leader, outcome="approve", opinion="同意"
    )
    return cf.fresh(case)


def test_the_window_clerk_sees_what_waits_at_the_window(county, version):
    cf.submitted_case(county, version)
    cf.submitted_case(county, version)
    third = cf.submitted_case(county, version)
    case_actions.request_correction(
        actor=county.people.lisi,
        case=third,
        items=[{"name": "营业执照", "reason": "照片不清晰"}],
    )

    figures = queries.workbench_figures(county.people.lisi)

    assert figures == {"waiting": 2, "correction": 1}


def test_a_clerk_of_another_county_counts_none_of_ours(county, version):
    cf.submitted_case(county, version)

    assert queries.workbench_figures(county.people.neighbour_window) == {
        "waiting": 0,
        "correction": 0,
    }


def test_the_leader_sees_the_cases_waiting_for_a_decision(county, version):
    _reviewed(county, cf.submitted_case(county, version))
    cf.submitted_case(county, version)

    figures = queries.workbench_figures(county.people.sunqi)

    assert figures["to_decide"] == 1
    assert "waiting" not in figures


def test_an_approver_gets_no_card(county, version):
    cf.submitted_case(county, version)

    assert queries.workbench_figures(county.people.wangwu) is None
    answer = _client(county.people.wangwu).get("/staff/cases/workbench-card/")
    assert answer.status_code == 204


def test_the_card_links_to_the_queue_and_the_decisions(county, version):
    cf.submitted_case(county, version)

    card = _client(county.people.lisi).get("/staff/cases/workbench-card/")
    page = _client(county.people.lisi).get("/staff/")

    body = card.content.decode()
    assert card.status_code == 200
    assert 'href="/staff/cases/window/?state=submitted"' in body
    assert 'data-hall-count="waiting">1<' in body
    assert "待决定" not in body
    assert 'hx-get="/staff/cases/workbench-card/"' in page.content.decode()


def test_the_card_needs_signing_in(county):
    answer = Client().get("/staff/cases/workbench-card/")

    assert answer.status_code == 302
