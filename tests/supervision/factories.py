"""好差评 test data: the catalog county (张三 the citizen; 王五 the section
chief of 市场监管局 as 审批人员; 赵六 its head; 周八 the supervisor), a
published item, and concluded cases built directly."""

import itertools
from datetime import timedelta

from django.utils import timezone

from egov.identity import roles as builtin
from egov.identity.models import User
from egov.servicehall.models import Audience, Case
from egov.supervision.models import ServiceWindow
from tests.identity import factories as idf
from tests.servicehall.factories import catalog_county, published

_numbers = itertools.count(1)


def rating_county():
    """The catalog county with a published 食品经营许可 of 市场监管局 and a
    second citizen, 陈二; 赵六 is also 分管领导 and 审批人员 there."""
    county = catalog_county()
    county.version = published(county)
    county.item = county.version.item
    county.people.chener = idf.user(
        "chener",
        "陈二",
        kind=User.Kind.CITIZEN,
        id_number_value=idf.id_number("19920202", seq=22),
        phone_value="13999211022",
    )
    county.people.neighbour_approver = idf.user(
        "linxian_approver",
        "邻县审批员",
        posts=[county.posts.neighbour_clerk],
        roles=[builtin.STAFF, builtin.APPROVER],
    )
    county.window = ServiceWindow.objects.create(
        code="sc-03",
        name="3号窗口（市场监管综合窗口）",
        organization=county.orgs.market,
        staff=county.people.wangwu,
    )
    return county


def case(
    county,
    *,
    applicant=None,
    state=Case.State.APPROVED,
    organization=None,
    version=None,
    accepted_by=None,
) -> Case:
    """A case of 张三 (or `applicant`) for the county's item, in `state`
    (concluded: 准予 by default), accepted by 王五."""
    version = version or county.version
    applicant = applicant or county.people.zhangsan
    now = timezone.now()
    seq = next(_numbers)
    concluded = state in Case.CONCLUDED
    row = Case(
        number=None if state == Case.State.DRAFT else f"13992120261126{seq:05d}",
        lookup_code="ABC234",
        item=version.item,
        item_version=version,
        organization=organization or version.item.organization,
        state=state,
        applicant=applicant,
        applicant_kind=Audience.INDIVIDUAL,
        applicant_name=applicant.real_name,
        contact_name=applicant.real_name,
        submitted_at=None if state == Case.State.DRAFT else now - timedelta(days=5),
        accepted_at=now - timedelta(days=4) if concluded else None,
        accepted_by=accepted_by or county.people.wangwu,
        concluded_at=now - timedelta(days=1) if concluded else None,
    )
    row.applicant_id_number = applicant.id_number
    row.contact_phone = applicant.phone
    row.save()
    return row


def walk_in_case(
    county, *, phone: str = "13999217788", organization=None, state=None
) -> Case:
    """A concluded case 李四 entered at the window for 刘桂兰, who has no
    platform account: only the case names her and her contact phone."""
    row = case(
        county,
        state=state or Case.State.APPROVED,
        organization=organization,
    )
    row.applicant = None
    row.applicant_name = "刘桂兰"
    row.contact_name = "刘桂兰"
    row.applicant_id_number = idf.id_number("19560303", seq=31)
    row.contact_phone = phone
    row.entered_by = county.people.lisi
    row.save()
    return row
