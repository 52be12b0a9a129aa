"""Catalog actions: drafting with materials, review, versions and retirement."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.audit.models import AuditEntry
from egov.core.errors import ActionError, PermissionDenied
from egov.servicehall import catalog_actions as actions
from egov.servicehall.models import (
    RequiredMaterial,
    ServiceItem,
    ServiceItemVersion,
)
from tests.servicehall.factories import (
    docx_upload,
    draft,
    item_fields,
    material,
    published,
)

pytestmark = pytest.mark.django_db
Status = ServiceItemVersion.Status


def _error(call) -> ActionError:
    with pytest.raises(ActionError) as info:
        call()
    return info.value


# --- drafting ------------------------------------------------------------------


def test_creating_an_item_makes_a_first_draft_with_its_materials(county):
    version = draft(
        county,
        materials=[
            material("食品经营许可申请书", template_upload=docx_upload()),
            material("营业执照", form="copy", copies=2, is_required=False),
        ],
        themes=[county.themes.business],
    )

    assert version.number == 1
    assert version.status == Status.DRAFT
    assert version.is_latest is True
    assert version.item.code == "000172012000-139921104"
    assert version.item.organization == county.orgs.market
    assert version.created_by == county.people.wangwu
    assert list(version.themes.all()) == [county.themes.business]
    names = [(m.name, m.form, m.copies, m.is_required) for m in version.materials.all()]
    assert names == [
        ("食品经营许可申请书", "original", 1, True),
        ("营业执照", "copy", 2, False),
    ]
    assert version.materials.first().template_file.original_name == "申请书.docx"
    entry = AuditEntry.objects.filter(action="servicehall.create_item").get()
    assert entry.target_id == "000172012000-139921104:v1"
    assert entry.detail["materials"] == 2


def test_codes_are_stored_in_upper_case_and_must_be_new(county):
    draft(county, code="abc-0001")

    error = _error(lambda: draft(county, code="ABC-0001"))

    assert error.fields["code"] == "事项编码“ABC-0001”已存在"
    assert ServiceItem.objects.get().code == "ABC-0001"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "请填写事项编码"),
        ("ab", "事项编码应为4到64位大写字母、数字或连字符，且不以连字符开头"),
        ("-ABC1", "事项编码应为4到64位大写字母、数字或连字符，且不以连字符开头"),
        ("食品001", "事项编码应为4到64位大写字母、数字或连字符，且不以连字符开头"),
    ],
)
def test_a_bad_code_is_refused_with_a_clear_message(county, code, message):
    error = _error(lambda: draft(county, code=code))

    assert error.fields["code"] == message
    assert not ServiceItem.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "  "}, "name", "请填写事项名称"),
        ({"name": "名" * 201}, "name", "事项名称不能超过200个字符"),
        ({"kind": "nonsense"}, "kind", "请选择事项类型"),
        ({"legal_basis": ""}, "legal_basis", "请填写设定依据"),
        ({"conditions": ""}, "conditions", "请填写受理条件"),
        (
            {"statutory_limit": 1000},
            "statutory_limit",
            "法定时限应为0到999之间的整数",
        ),
        ({"promised_limit": None}, "promised_limit", "承诺时限应为0到999之间的整数"),
        (
            {"promised_limit_unit": "weeks"},
            "promised_limit_unit",
            "请选择承诺时限的单位",
        ),
        ({"promised_limit": 11}, "promised_limit", "承诺时限不能长于法定时限"),
        (
            {"statutory_limit": 7, "statutory_limit_unit": "days", "promised_limit": 8},
            "promised_limit",
            "承诺时限不能长于法定时限",
        ),
        (
            {
                "statutory_limit": 24,
                "statutory_limit_unit": "hours",
                "promised_limit": 2,
            },
            "promised_limit",
            "承诺时限不能长于法定时限",
        ),
        (
            {"charges_fee": True, "fee_fen": 0},
            "fee_fen",
            "收费事项须填写大于0的收费标准",
        ),
        (
            {"charges_fee": True, "fee_fen": 8000, "fee_basis": ""},
            "fee_basis",
            "收费事项须填写收费依据",
        ),
        ({"max_visits": 10}, "max_visits", "最多跑动次数应为0到9之间的整数"),
        (
            {"consultation_phone": "call us"},
            "consultation_phone",
            "咨询电话格式不正确，例如 0399-1234567、12345",
        ),
        ({"complaint_phone": ""}, "complaint_phone", "请填写监督投诉电话"),
        (
            {"for_individuals": False, "for_entities": False},
            "audience",
            "请至少选择一类服务对象（个人或法人）",
        ),
        (
            {"process_key": "no-such-process"},
            "process_key",
            "办理流程“no-such-process”不存在",
        ),
        (
            {"form_key": "no-such-form"},
            "form_key",
            "申请表单“no-such-form”不存在或尚未发布",
        ),
        ({"licence_type": ""}, "licence_type", "请填写证照类型"),
    ],
)
def test_bad_item_fields_are_refused_and_nothing_is_written(
    county, overrides, field, message
):
    error = _error(lambda: draft(county, **overrides))

    assert error.fields[field] == message
    assert error.code == "invalid_item"
    assert not ServiceItem.objects.exists()
    refused = AuditEntry.objects.get(action="servicehall.create_item")
    assert refused.outcome == AuditEntry.Outcome.FAILED


def test_every_bad_field_is_reported_at_once(county):
    error = _error(lambda: draft(county, name="", conditions="", max_visits=-1))

    assert set(error.fields) == {"name", "conditions", "max_visits"}


def test_an_inactive_theme_is_refused(county):
    error = _error(lambda: draft(county, themes=[county.themes.retired]))

    assert error.fields["themes"] == "所选主题不存在或已停用"


def test_a_free_item_keeps_no_fee_and_an_item_without_licence_no_licence_type(county):
    version = draft(
        county, fee_fen=500, fee_basis="x", issues_licence=False, licence_type="证"
    )

    assert (version.charges_fee, version.fee_fen, version.fee_basis) == (False, 0, "")
    assert version.licence_type == ""


def test_processes_and_forms_bind_by_key_when_they_exist(county):
    from egov.eforms.models import FormDefinition
    from egov.workflow.models import ProcessDefinition

    ProcessDefinition.objects.create(
        key="food-licence",
        name="食品经营许可审批",
        version=1,
        bpmn_xml="<definitions/>",
        main_process_id="p",
        checksum="0" * 64,
    )
    FormDefinition.objects.create(
        key="food-licence-form",
        name="食品经营许可申请表",
        version=1,
        published=True,
        created_by=county.people.wangwu,
    )

    version = draft(county, process_key="food-licence", form_key="food-licence-form")

    assert (version.process_key, version.form_key) == (
        "food-licence",
        "food-licence-form",
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "请填写材料名称"),
        ({"copies": 0}, "copies", "份数应为1到99之间的整数"),
        ({"form": "scan"}, "form", "请选择材料形式"),
        (
            {"for_individuals": False, "for_entities": False},
            "for_individuals",
            "请至少选择一类适用对象（个人或法人）",
        ),
    ],
)
def test_bad_materials_are_refused_by_row_and_field(county, overrides, field, message):
    materials = [material("营业执照"), material(**overrides)]

    error = _error(lambda: draft(county, materials=materials))

    assert error.fields == {f"materials-1-{field}": message}
    assert not ServiceItem.objects.exists()


def test_a_material_cannot_reach_beyond_the_items_audience(county):
    materials = [material(for_individuals=False, for_entities=True)]

    error = _error(
        lambda: draft(
            county, materials=materials, for_individuals=True, for_entities=False
        )
    )

    assert error.fields == {
        "materials-0-for_individuals": "材料的适用对象超出了事项的服务对象"
    }


def test_duplicate_material_names_are_refused(county):
    error = _error(
        lambda: draft(county, materials=[material("营业执照"), material("营业执照")])
    )

    assert error.fields == {"materials-1-name": "材料“营业执照”重复"}


def test_a_template_that_is_not_what_it_claims_is_refused(county):
    fake = SimpleUploadedFile("申请书.docx", b"<html><script>x</script></html>")

    error = _error(lambda: draft(county, materials=[material(template_upload=fake)]))

    assert error.fields == {
        "materials-0-template_upload": (
            "文件“申请书.docx”的内容不是DOCX格式，与扩展名不符或文件已损坏"
        )
    }
    assert not ServiceItem.objects.exists()


def test_someone_without_the_organization_in_scope_cannot_create_there(county):
    with pytest.raises(PermissionDenied):
        actions.create_item(
            actor=county.people.wangwu,
            code="TEST-0001",
            organization=county.orgs.center,
            fields=item_fields(),
            materials=[material()],
        )

    assert not ServiceItem.objects.exists()
    entry = AuditEntry.objects.get(action="servicehall.create_item")
    assert entry.outcome == AuditEntry.Outcome.DENIED


def test_editing_a_draft_replaces_fields_and_materials(county):
    version = draft(
        county,
        materials=[
            material("申请书", template_upload=docx_upload()),
            material("营业执照"),
        ],
    )
    first, second = version.materials.all()

    actions.edit_item_draft(
        actor=county.people.wangwu,
        version=version,
        fields=item_fields(name="食品经营许可（新办）", promised_limit=3),
        materials=[
            {**material("食品经营许可申请书"), "id": first.pk},
            material("健康证明", form="copy"),
        ],
    )

    version.refresh_from_db()
    assert version.name == "食品经营许可（新办）"
    assert version.promised_limit == 3
    kept, added = version.materials.all()
    assert kept.pk == first.pk
    assert kept.name == "食品经营许可申请书"
    assert kept.template_file is not None
    assert added.name == "健康证明"
    assert not RequiredMaterial.objects.filter(pk=second.pk).exists()
    entry = AuditEntry.objects.get(action="servicehall.edit_item_draft")
    assert entry.detail["changes"]["name"] == ["食品经营许可", "食品经营许可（新办）"]


def test_clearing_a_materials_template_removes_it_and_a_new_upload_replaces_it(county):
    version = draft(county, materials=[material(template_upload=docx_upload())])
    existing = version.materials.get()

    actions.edit_item_draft(
        actor=county.people.wangwu,
        version=version,
        fields=item_fields(),
        materials=[
            {
                **material(),
                "id": existing.pk,
                "clear_template": True,
                "example_upload": docx_upload("样表.docx"),
            }
        ],
    )

    existing.refresh_from_db()
    assert existing.template_file is None
    assert existing.example_file.original_name == "样表.docx"


def test_a_material_of_another_draft_cannot_be_edited_through_this_one(county):
    other = draft(county, code="OTHER-0001")
    version = draft(county)

    error = _error(
        lambda: actions.edit_item_draft(
            actor=county.people.wangwu,
            version=version,
            fields=item_fields(),
            materials=[{**material(), "id": other.materials.get().pk}],
        )
    )

    assert error.fields == {
        "materials-0-name": "该材料不属于此事项草稿，请刷新页面后重试"
    }


def test_only_drafts_can_be_edited(county):
    version = draft(county)
    actions.submit_item(actor=county.people.wangwu, version=version)

    error = _error(
        lambda: actions.edit_item_draft(
            actor=county.people.wangwu,
            version=version,
            fields=item_fields(name="改名"),
            materials=[material()],
        )
    )

    assert error.code == "not_draft"
    assert error.message == "只有草稿状态的事项可以修改"
    version.refresh_from_db()
    assert version.name == "食品经营许可"


def test_code_and_organization_can_change_until_the_item_is_published(county):
    version = draft(county)

    actions.edit_item_draft(
        actor=county.people.wangwu,
        version=version,
        fields=item_fields(),
        materials=[material()],
        code="new-code-01",
        organization=county.orgs.registry,
    )

    version.item.refresh_from_db()
    assert version.item.code == "NEW-CODE-01"
    assert version.item.organization == county.orgs.registry


def test_after_publication_code_and_organization_are_fixed(county):
    first = published(county)
    second = actions.new_item_version(actor=county.people.wangwu, item=first.item)

    error = _error(
        lambda: actions.edit_item_draft(
            actor=county.people.wangwu,
            version=second,
            fields=item_fields(),
            materials=[material()],
            code="ANOTHER-01",
            organization=county.orgs.registry,
        )
    )

    assert error.fields == {
        "code": "事项已发布过，事项编码不能再修改",
        "organization": "事项已发布过，实施机构不能再修改",
    }


# --- review --------------------------------------------------------------------


def test_a_draft_without_materials_cannot_be_submitted(county):
    version = draft(county, materials=[])

    error = _error(
        lambda: actions.submit_item(actor=county.people.wangwu, version=version)
    )

    assert error.code == "no_materials"
    assert error.message == "请至少填写一项申请材料后再提交审核"


def test_submitting_then_approving_publishes_the_version(county):
    version = draft(county)

    actions.submit_item(actor=county.people.wangwu, version=version)
    actions.approve_item(actor=county.people.sunqi, version=version, comment="同意")

    version.refresh_from_db()
    assert version.status == Status.PUBLISHED
    assert version.effective_from is not None
    assert version.effective_to is None
    assert version.submitted_by == county.people.wangwu
    assert version.reviewed_by == county.people.sunqi
    assert version.review_comment == "同意"
    actions_logged = list(
        AuditEntry.objects.filter(action__startswith="servicehall.")
        .order_by("seq")
        .values_list("action", "outcome")
    )
    assert actions_logged == [
        ("servicehall.create_item", "success"),
        ("servicehall.submit_item", "success"),
        ("servicehall.approve_item", "success"),
    ]


def test_a_reviewer_cannot_review_their_own_work(county):
    version = draft(county, actor=county.people.zhaoliu)
    actions.submit_item(actor=county.people.zhaoliu, version=version)

    error = _error(
        lambda: actions.approve_item(actor=county.people.zhaoliu, version=version)
    )

    assert error.code == "self_review"
    assert error.message == "不能审核本人起草、修改或提交的事项，请由其他审核人审核"
    version.refresh_from_db()
    assert version.status == Status.IN_REVIEW
    entry = AuditEntry.objects.get(action="servicehall.approve_item")
    assert entry.outcome == AuditEntry.Outcome.FAILED


def test_a_reviewer_who_edited_the_draft_cannot_review_it_either(county):
    version = draft(county)
    actions.edit_item_draft(
        actor=county.people.zhaoliu,
        version=version,
        fields=item_fields(),
        materials=[material()],
    )
    actions.submit_item(actor=county.people.wangwu, version=version)

    error = _error(
        lambda: actions.reject_item(
            actor=county.people.zhaoliu, version=version, reason="x"
        )
    )

    assert error.code == "self_review"


def test_a_drafter_without_the_review_permission_is_denied(county):
    version = draft(county)
    actions.submit_item(actor=county.people.wangwu, version=version)

    with pytest.raises(PermissionDenied):
        actions.approve_item(actor=county.people.wangwu, version=version)


def test_only_versions_in_review_can_be_approved(county):
    version = draft(county)

    error = _error(
        lambda: actions.approve_item(actor=county.people.sunqi, version=version)
    )

    assert error.code == "not_in_review"
    assert error.message == "该事项不在待审核状态"


def test_rejecting_needs_a_reason_and_returns_the_draft_with_it(county):
    version = draft(county)
    actions.submit_item(actor=county.people.wangwu, version=version)

    error = _error(
        lambda: actions.reject_item(
            actor=county.people.sunqi, version=version, reason=" "
        )
    )
    assert error.fields == {"reason": "请填写退回理由"}

    actions.reject_item(
        actor=county.people.sunqi, version=version, reason="设定依据缺少条款号"
    )

    version.refresh_from_db()
    assert version.status == Status.DRAFT
    assert version.review_comment == "设定依据缺少条款号"
    assert version.reviewed_by == county.people.sunqi


def test_a_new_version_copies_the_published_one_which_stays_in_force(county):
    first = published(
        county,
        materials=[material("申请书", template_upload=docx_upload())],
        themes=[county.themes.business],
    )

    second = actions.new_item_version(
        actor=county.people.wangwu, item=first.item, change_note="缩短承诺时限"
    )

    first.refresh_from_db()
    assert (second.number, second.status, second.is_latest) == (2, Status.DRAFT, True)
    assert first.status == Status.PUBLISHED
    assert first.is_latest is False
    assert second.name == first.name
    assert second.change_note == "缩短承诺时限"
    assert list(second.themes.all()) == [county.themes.business]
    copied = second.materials.get()
    assert copied.pk != first.materials.get().pk
    assert copied.template_file == first.materials.get().template_file


def test_publishing_the_next_version_supersedes_the_previous_one(county):
    first = published(county)
    second = actions.new_item_version(actor=county.people.wangwu, item=first.item)
    actions.edit_item_draft(
        actor=county.people.wangwu,
        version=second,
        fields=item_fields(promised_limit=3),
        materials=[material()],
    )
    actions.submit_item(actor=county.people.wangwu, version=second)

    actions.approve_item(actor=county.people.sunqi, version=second)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Status.SUPERSEDED
    assert first.effective_to == second.effective_from
    assert second.status == Status.PUBLISHED
    assert second.promised_limit == 3


def test_only_one_open_version_at_a_time(county):
    first = published(county)
    actions.new_item_version(actor=county.people.wangwu, item=first.item)

    error = _error(
        lambda: actions.new_item_version(actor=county.people.wangwu, item=first.item)
    )

    assert error.code == "open_version_exists"
    assert error.message == "该事项已有未发布的版本，请先完成或处理该版本"
    assert first.item.versions.count() == 2


def test_a_rejected_first_draft_is_edited_not_revised(county):
    version = draft(county)
    actions.submit_item(actor=county.people.wangwu, version=version)
    actions.reject_item(actor=county.people.sunqi, version=version, reason="补充")

    error = _error(
        lambda: actions.new_item_version(actor=county.people.wangwu, item=version.item)
    )

    assert error.code == "open_version_exists"


def test_retiring_withdraws_the_published_version_with_its_reason(county):
    version = published(county)

    actions.retire_item(
        actor=county.people.sunqi, item=version.item, reason="事项已取消"
    )

    version.refresh_from_db()
    assert version.status == Status.RETIRED
    assert version.effective_to is not None
    assert version.retire_reason == "事项已取消"
    assert version.retired_by == county.people.sunqi


def test_retiring_is_refused_without_a_reason_or_a_published_version(county):
    version = published(county)
    error = _error(
        lambda: actions.retire_item(
            actor=county.people.sunqi, item=version.item, reason=""
        )
    )
    assert error.fields == {"reason": "请填写废止理由"}

    other = draft(county, code="DRAFT-0001")
    error = _error(
        lambda: actions.retire_item(
            actor=county.people.sunqi, item=other.item, reason="x"
        )
    )
    assert error.message == "该事项没有已发布的版本，无需废止"


def test_retiring_waits_for_a_pending_review(county):
    first = published(county)
    second = actions.new_item_version(actor=county.people.wangwu, item=first.item)
    actions.submit_item(actor=county.people.wangwu, version=second)

    error = _error(
        lambda: actions.retire_item(
            actor=county.people.sunqi, item=first.item, reason="x"
        )
    )

    assert error.code == "review_pending"
    assert error.message == "该事项有待审核的版本，请先完成审核再废止"


def test_a_retired_items_draft_can_bring_it_back(county):
    first = published(county)
    second = actions.new_item_version(actor=county.people.wangwu, item=first.item)
    actions.retire_item(actor=county.people.sunqi, item=first.item, reason="暂停")

    actions.submit_item(actor=county.people.wangwu, version=second)
    actions.approve_item(actor=county.people.sunqi, version=second)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Status.RETIRED
    assert second.status == Status.PUBLISHED


def test_revising_a_retired_item_and_publishing_it_brings_it_back(county):
    first = published(county)
    actions.retire_item(actor=county.people.sunqi, item=first.item, reason="暂停")

    second = actions.new_item_version(actor=county.people.wangwu, item=first.item)
    actions.submit_item(actor=county.people.wangwu, version=second)
    actions.approve_item(actor=county.people.sunqi, version=second)

    second.refresh_from_db()
    assert second.name == first.name
    assert second.status == Status.PUBLISHED
    assert AuditEntry.objects.get(action="servicehall.new_item_version").detail == {
        "from": 1
    }


def test_a_code_taken_in_a_race_is_refused_like_any_taken_code(county):
    draft(county, code="RACE-0001")

    error = _error(
        lambda: actions._new_item("RACE-0001", county.orgs.market, county.people.wangwu)
    )

    assert error.fields == {"code": "事项编码“RACE-0001”已存在"}
    assert ServiceItem.objects.count() == 1
