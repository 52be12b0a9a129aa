"""Role-by-action matrix of the licence policy over a licence of 市场监管局."""

import pytest

from egov.datahub import licence_queries
from egov.datahub.licence_actions import revoke_licence
from egov.datahub.models import ELicense
from egov.datahub.permissions import licence_policy
from egov.identity.models import User
from tests.datahub import factories

pytestmark = pytest.mark.django_db

# person -> (view, revoke, issue) on a licence / case of 市场监管局
MATRIX = {
    "zhangsan": (False, False, False),  # the citizen holder: not through staff pages
    "lisi": (False, False, False),  # window, 政务服务中心 only
    "wangwu": (True, False, True),  # 审批人员 of 市场监管局
    "zhaoliu": (True, True, True),  # 局长: 分管领导 and 审批人员 there
    "sunqi": (True, True, True),  # 副县长: 分管领导 over the government
    "zhouba": (True, False, False),  # 监察员 of the county
    "luodan": (False, False, False),  # staff without a licence role
    "neighbour": (False, False, False),  # another county
}


def _person(county, name) -> User:
    return User.objects.get(pk=getattr(county.people, name).pk)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_licence_policy_matrix(issued, county, name):
    person = _person(county, name)
    view, revoke, issue = MATRIX[name]

    assert licence_policy.can(person, "view_licence", issued) is view
    assert licence_policy.can(person, "revoke_licence", issued) is revoke
    assert licence_policy.can(person, "issue_licence", issued.case) is issue
    listed = list(licence_queries.licences_for(person).values_list("pk", flat=True))
    assert listed == ([issued.pk] if view else [])


@pytest.mark.parametrize(
    "name", sorted(n for n, (_v, r, _i) in MATRIX.items() if not r)
)
def test_those_who_may_not_revoke_are_refused_and_nothing_changes(issued, county, name):
    from egov.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        revoke_licence(actor=_person(county, name), licence=issued, reason="试图注销")

    assert ELicense.objects.get(pk=issued.pk).state == ELicense.State.VALID


def test_the_window_clerk_sees_the_licences_of_their_own_centre(county):
    from egov.datahub.licence_actions import issue_licence
    from tests.identity import factories as idf
    from tests.servicehall import factories as shf

    version = shf.published(
        county,
        code="000172012000-139921120",
        organization=county.orgs.center,
        name="公共场所卫生许可",
        actor=county.people.xuli,
        licence_type="公共场所卫生许可证",
    )
    operator = idf.user("root", "运维")
    operator.is_superuser = True
    operator.save()
    licence = issue_licence(
        actor=operator, case=factories.approved_case(county, version=version)
    )

    clerk = _person(county, "lisi")

    assert licence_policy.can(clerk, "view_licence", licence)
    assert not licence_policy.can(clerk, "revoke_licence", licence)
    assert list(licence_queries.licences_for(clerk)) == [licence]
