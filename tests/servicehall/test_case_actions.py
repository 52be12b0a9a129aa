"""Case actions on the internal face: window entry, acceptance, refusal,
correction, the process, extension, suspension and the decision."""

import pytest

from egov.servicehall import case_actions as actions
from egov.servicehall.models import Case
from tests.servicehall import case_factories as cf


@pytest.fixture
def county(db):
    return cf.case_county()


def test_accept_starts_the_process_and_issues_the_notice(county):
    version = cf.item(county, process_key=cf.REVIEW_KEY)
    case = cf.submitted_case(county, version)

    actions.accept_case(actor=county.people.lisi, case=case)

    case = cf.fresh(case)
    assert case.state == Case.State.ACCEPTED
    assert case.process_instance.business_key == case.number
    assert [i.kind for i in case.instruments.all()] == ["acceptance_notice"]
