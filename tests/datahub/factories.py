"""Licence test data: the catalog county, a published 食品经营许可 item of
市场监管局 that issues a 食品经营许可证, and approved cases built directly (the
case actions are not needed to test the licence library).

People: 张三 the citizen applies; 王五 (审批人员, 市场监管局) decides and so
issues, as may 分管领导; 孙七 (分管领导 at the county government) revokes;
周八 (监察员) and 李四 (窗口, 政务服务中心 only) read within their scopes."""

import itertools

from django.contrib.auth.models import Permission
from django.utils import timezone

from egov.core.crypto import sm2_generate_keypair
from egov.datahub.licence_keys import SigningKey, format_key
from egov.identity import roles as builtin
from egov.servicehall.case_common import new_lookup_code
from egov.servicehall.models import Case
from tests.identity import factories as idf
from tests.servicehall import factories as shf

_numbers = itertools.count(1)

FORM_DATA = {
    "shop_name": "味道小馆",
    "address": "示范县城关镇人民路12号",
    "scope": ["预包装食品销售", "热食类食品制售"],
    "phone": "13999211001",
}


def write_key_file(path) -> None:
    public, private = sm2_generate_keypair()
    path.write_text(format_key(SigningKey(private, public)), encoding="ascii")


def grant_decide_case() -> None:
    """审批人员 and 分管领导 decide cases (whatever the case app grants)."""
    decide = Permission.objects.get(
        content_type__app_label="servicehall", codename="decide_case"
    )
    for code in (builtin.APPROVER, builtin.LEADER):
        idf.role(code).permissions.add(decide)


def licence_county():
    county = shf.catalog_county()
    grant_decide_case()
    county.item = shf.published(county)
    county.other_item = shf.published(
        county,
        code="000172012000-139921199",
        name="城乡居民最低生活保障",
        kind="benefit",
        issues_licence=False,
        licence_type="",
    )
    return county


def approved_case(
    county,
    *,
    applicant=None,
    version=None,
    state=Case.State.APPROVED,
    form_data=None,
    entity=False,
    **fields,
) -> Case:
    """A case of 张三 (or `applicant`) for the licence item, approved."""
    version = version or county.item
    applicant = applicant or county.people.zhangsan
    now = timezone.now()
    case = Case(
        number=f"13992120261126{next(_numbers):05d}",
        lookup_code=new_lookup_code(),
        item=version.item,
        item_version=version,
        organization=version.item.organization,
        state=state,
        applicant=applicant,
        applicant_kind="entity" if entity else "individual",
        applicant_name=fields.pop("applicant_name", applicant.real_name),
        form_data=FORM_DATA if form_data is None else form_data,
        submitted_at=now,
        accepted_at=now,
        concluded_at=now if state == Case.State.APPROVED else None,
        **fields,
    )
    case.applicant_id_number = (
        idf.uscc() if entity else applicant.id_number or idf.id_number()
    )
    case.contact_phone = "13999211001"
    case.save()
    return case
