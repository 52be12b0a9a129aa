"""ApplicantPolicy: who may apply, and what the applicant may do with their
own case in each state (role-by-action matrix)."""

import pytest

from egov.servicehall.apply_permissions import applicant_policy
from egov.servicehall.models import Case
from tests.servicehall import apply_factories as af

ACTIONS = ("view", "edit", "submit", "discard", "resubmit", "withdraw")
# state -> actions the applicant may take
ALLOWED = {
    "draft": {"view", "edit", "submit", "discard"},
    "submitted": {"view", "withdraw"},
    "correction": {"view", "edit", "resubmit", "withdraw"},
    "accepted": {"view", "withdraw"},
    "suspended": {"view", "withdraw"},
    "refused": {"view"},
    "approved": {"view"},
    "denied": {"view"},
    "withdrawn": {"view"},
}


@pytest.fixture
def county(db):
    return af.apply_county()


@pytest.mark.parametrize("state", sorted(ALLOWED))
def test_the_applicant_may_act_according_to_the_state(county, state):
    case = af.new_draft(county)
    case.state = state

    allowed = {
        a for a in ACTIONS if applicant_policy.can(county.people.zhangsan, a, case)
    }

    assert allowed == ALLOWED[state]


@pytest.mark.parametrize("who", ["chenxiaohong", "qingshan", "lisi", "wangwu", "xuli"])
@pytest.mark.parametrize("state", sorted(ALLOWED))
def test_nobody_else_may_do_anything_with_the_case(county, who, state):
    case = af.new_draft(county)
    case.state = state
    person = getattr(county.people, who)

    assert [a for a in ACTIONS if applicant_policy.can(person, a, case)] == []


def test_citizens_and_companies_may_apply_and_staff_may_not(county):
    version = county.version
    people = county.people

    assert applicant_policy.can(people.zhangsan, "apply", version) is True
    assert applicant_policy.can(people.qingshan, "apply", version) is True
    assert applicant_policy.can(people.lisi, "apply", version) is False
    assert applicant_policy.can(people.xuli, "apply", version) is False


def test_an_item_offered_only_at_the_window_cannot_be_applied_for_online(county):
    county.version.online = False

    assert (
        applicant_policy.can(county.people.zhangsan, "apply", county.version) is False
    )


def test_an_inactive_account_may_do_nothing(county):
    case = af.new_draft(county)
    zhangsan = county.people.zhangsan
    zhangsan.is_active = False

    assert [
        a for a in ("apply", *ACTIONS) if applicant_policy.can(zhangsan, a, case)
    ] == []
    assert Case.objects.count() == 1
