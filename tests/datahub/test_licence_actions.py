"""Issuing and revoking electronic licences: numbers, validity, what is
printed, the audit log, the case timeline and the holder's messages."""

from datetime import date

import pytest
from django.utils import timezone

from egov.audit.models import AuditEntry
from egov.core.errors import ActionError, PermissionDenied
from egov.datahub.licence_actions import issue_licence, revoke_licence, validity
from egov.datahub.models import ELicense
from egov.servicehall.models import Case, CaseEvent
from egov.workflow.models import Notification
from tests.datahub import factories

pytestmark = pytest.mark.django_db


def test_issuing_fills_number_validity_holder_and_printed_fields(county):
    case = factories.approved_case(county)

    licence = issue_licence(actor=county.people.wangwu, case=case)

    licence.refresh_from_db()
    year = timezone.localdate().year
    assert licence.number == f"JY139921{year}000001"
    assert licence.licence_type == "食品经营许可证"
    assert licence.state == ELicense.State.VALID
    assert licence.holder_name == "张三"
    assert licence.holder_id == case.applicant_id_number
    assert case.applicant_id_number not in licence.holder_id_encrypted
    assert licence.holder_id_masked == case.applicant_id_masked
    assert licence.organization == county.orgs.market
    assert licence.issuer_name == "示范县市场监督管理局"
    assert licence.issued_by == county.people.wangwu
    assert licence.valid_from == timezone.localdate()
    assert licence.valid_until == validity("食品经营许可证", licence.valid_from)
    assert licence.data == {
        "item_name": "食品经营许可",
        "item_code": "000172012000-139921104",
        "fields": [
            ["shop_name", "味道小馆"],
            ["address", "示范县城关镇人民路12号"],
            ["scope", "预包装食品销售、热食类食品制售"],
        ],
    }
    assert len(licence.code) >= 20
    assert len(licence.digest) == 64


def test_a_food_licence_is_valid_five_years_less_a_day():
    assert validity("食品经营许可证", date(2026, 11, 26)) == date(2031, 11, 25)
    assert validity("食品经营许可证", date(2028, 2, 29)) == date(2033, 2, 27)


def test_a_birth_certificate_and_an_unknown_type_are_valid_without_end():
    assert validity("出生医学证明", date(2026, 11, 26)) is None
    assert validity("某某登记证", date(2026, 11, 26)) is None


def test_configured_licence_types_override_the_defaults(settings):
    settings.EGOV_LICENCE_TYPES = "食品经营许可证=3:SP; 某某登记证=2"

    assert validity("食品经营许可证", date(2026, 1, 1)) == date(2028, 12, 31)
    assert validity("某某登记证", date(2026, 1, 1)) == date(2027, 12, 31)


def test_numbers_count_per_licence_type_and_year(county):
    first = issue_licence(
        actor=county.people.wangwu, case=factories.approved_case(county)
    )
    second = issue_licence(
        actor=county.people.wangwu, case=factories.approved_case(county)
    )

    assert int(second.number[-6:]) == int(first.number[-6:]) + 1
    assert second.number[:-6] == first.number[:-6]


def test_issuing_twice_for_one_case_returns_the_same_licence(county):
    case = factories.approved_case(county)
    first = issue_licence(actor=county.people.wangwu, case=case)

    again = issue_licence(actor=county.people.wangwu, case=case)

    assert again.pk == first.pk
    assert ELicense.objects.filter(case=case).count() == 1
    assert AuditEntry.objects.filter(action="datahub.issue_licence").count() == 1


def test_issuing_is_audited_on_the_timeline_and_tells_the_holder(county):
    case = factories.approved_case(county)

    licence = issue_licence(actor=county.people.wangwu, case=case)

    entry = AuditEntry.objects.get(action="datahub.issue_licence")
    assert entry.outcome == "success"
    assert entry.target_id == licence.number
    assert entry.detail["case"] == case.number
    assert case.applicant_id_number not in str(entry.detail)
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.LICENCE)
    assert event.public_note == "已出具食品经营许可证"
    assert event.note == f"出具食品经营许可证，证照编号{licence.number}"
    message = Notification.objects.get(user=county.people.zhangsan)
    assert message.title == f"您的食品经营许可证已出具，证照编号{licence.number}"


def test_a_case_not_yet_approved_gets_no_licence(county):
    case = factories.approved_case(county, state=Case.State.ACCEPTED)

    with pytest.raises(ActionError) as caught:
        issue_licence(actor=county.people.wangwu, case=case)

    assert caught.value.code == "case_not_approved"
    assert caught.value.message == "只有准予许可的办件才能出具电子证照"
    assert not ELicense.objects.exists()
    assert AuditEntry.objects.get(action="datahub.issue_licence").outcome == "failed"


def test_an_item_without_a_licence_gets_none(county):
    case = factories.approved_case(county, version=county.other_item)

    with pytest.raises(ActionError) as caught:
        issue_licence(actor=county.people.wangwu, case=case)

    assert caught.value.code == "item_issues_no_licence"
    assert not ELicense.objects.exists()


def test_someone_who_may_not_decide_the_case_cannot_issue(county):
    case = factories.approved_case(county)

    with pytest.raises(PermissionDenied):
        issue_licence(actor=county.people.lisi, case=case)

    assert not ELicense.objects.exists()
    assert AuditEntry.objects.get(action="datahub.issue_licence").outcome == "denied"


def test_revoking_records_reason_date_and_who_and_tells_the_holder(issued, county):
    revoke_licence(actor=county.people.sunqi, licence=issued, reason="经营场所已不存在")

    issued.refresh_from_db()
    assert issued.state == ELicense.State.REVOKED
    assert issued.revoke_reason == "经营场所已不存在"
    assert issued.revoked_by == county.people.sunqi
    assert issued.revoked_at is not None
    entry = AuditEntry.objects.get(action="datahub.revoke_licence")
    assert entry.detail == {"case": issued.case.number, "reason": "经营场所已不存在"}
    message = Notification.objects.filter(user=county.people.zhangsan).latest("id")
    assert message.title == f"您的食品经营许可证（证照编号{issued.number}）已注销"
    assert message.body == "注销原因：经营场所已不存在"
    event = CaseEvent.objects.filter(case=issued.case).latest("id")
    assert event.public_note == "电子证照已注销"


@pytest.mark.parametrize("reason", ["", "   "])
def test_revoking_needs_a_reason(issued, county, reason):
    with pytest.raises(ActionError) as caught:
        revoke_licence(actor=county.people.sunqi, licence=issued, reason=reason)

    assert caught.value.fields == {"reason": "请填写注销原因"}
    issued.refresh_from_db()
    assert issued.state == ELicense.State.VALID


def test_a_revoked_licence_cannot_be_revoked_again(issued, county):
    revoke_licence(actor=county.people.sunqi, licence=issued, reason="吊销")

    with pytest.raises(ActionError) as caught:
        revoke_licence(actor=county.people.sunqi, licence=issued, reason="再次")

    assert caught.value.code == "licence_already_revoked"
    issued.refresh_from_db()
    assert issued.revoke_reason == "吊销"


def test_after_revocation_a_new_issue_gives_a_new_licence(issued, county):
    revoke_licence(actor=county.people.sunqi, licence=issued, reason="换发")

    renewed = issue_licence(actor=county.people.wangwu, case=issued.case)

    assert renewed.pk != issued.pk
    assert renewed.state == ELicense.State.VALID


FORM_SCHEMA = {
    "type": "default",
    "id": "Form_food",
    "schemaVersion": 18,
    "components": [
        {"type": "textfield", "key": "operator_name", "label": "经营者名称"},
        {"type": "textfield", "key": "contact_phone", "label": "联系电话"},
        {"type": "textfield", "key": "legal_id", "label": "法定代表人身份证号"},
        {
            "type": "select",
            "key": "business_form",
            "label": "主体业态",
            "values": [
                {"label": "食品销售经营者", "value": "retail"},
                {"label": "餐饮服务经营者", "value": "catering"},
            ],
        },
        {
            "type": "checklist",
            "key": "items",
            "label": "经营项目",
            "values": [
                {"label": "预包装食品销售", "value": "packaged"},
                {"label": "热食类食品制售", "value": "hot"},
            ],
        },
        {"type": "textfield", "key": "premises", "label": "经营场所"},
    ],
}


def test_printed_fields_follow_the_published_form_with_labels_and_no_contacts(
    county,
):
    from egov.eforms.models import FormDefinition

    FormDefinition.objects.create(
        key="food-licence",
        name="食品经营许可申请表",
        version=1,
        schema=FORM_SCHEMA,
        published=True,
        created_by=county.people.xuli,
        published_by=county.people.xuli,
        published_at=timezone.now(),
    )
    county.item.form_key = "food-licence"
    county.item.save(update_fields=["form_key"])
    case = factories.approved_case(
        county,
        form_data={
            "premises": "示范县人民路12号",
            "operator_name": "张三小吃店",
            "contact_phone": "13999211001",
            "legal_id": "139921198503120018",
            "business_form": "catering",
            "items": ["packaged", "hot"],
        },
    )

    licence = issue_licence(actor=county.people.wangwu, case=case)

    assert licence.data["fields"] == [
        ["经营者名称", "张三小吃店"],
        ["主体业态", "餐饮服务经营者"],
        ["经营项目", "预包装食品销售、热食类食品制售"],
        ["经营场所", "示范县人民路12号"],
    ]


def test_the_database_refuses_a_second_valid_licence_for_one_case(issued):
    from django.db import IntegrityError, transaction

    duplicate = ELicense.objects.get(pk=issued.pk)
    duplicate.pk = None
    duplicate.code = "another-code-000000000"
    duplicate.number = "JY1399212026999999"

    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()

    assert ELicense.objects.filter(case=issued.case).count() == 1
