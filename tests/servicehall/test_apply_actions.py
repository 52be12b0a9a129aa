"""Applying online: drafts, materials, submitting (idempotent), correction
answers, withdrawal and the public progress lookup's guard."""

import io
import uuid
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.audit.models import AuditEntry
from egov.core import clocks
from egov.core.errors import ActionError, PermissionDenied
from egov.core.models import ClockStop
from egov.servicehall import apply_actions as actions
from egov.servicehall import apply_queries as queries
from egov.servicehall import case_common
from egov.servicehall.models import Case, CaseEvent, CaseMaterial
from egov.workflow.models import Notification
from tests.servicehall import apply_factories as af


@pytest.fixture
def county(db):
    return af.apply_county()


# --- drafts -----------------------------------------------------------------


def test_create_draft_prefills_the_citizens_name_id_number_and_phone(county):
    zhangsan = county.people.zhangsan

    case = af.new_draft(county)

    assert case.state == Case.State.DRAFT
    assert case.number is None
    assert case.applicant_kind == "individual"
    assert case.applicant_name == "张三"
    assert case.applicant_id_number == zhangsan.id_number
    assert case.contact_name == "张三"
    assert case.contact_phone == "13999211001"
    assert case.item_version == county.version
    assert case.organization == county.orgs.market
    assert list(case.events.values_list("kind", flat=True)) == ["created"]


def test_create_draft_prefills_a_companys_name_and_uscc(county):
    qingshan = county.people.qingshan

    case = af.new_draft(county, qingshan)

    assert case.applicant_kind == "entity"
    assert case.applicant_name == "示范县青山农业科技有限公司"
    assert case.applicant_id_number == qingshan.uscc
    assert case.contact_name == ""


def test_create_draft_twice_with_one_token_returns_the_same_draft(county):
    token = uuid.uuid4()
    zhangsan = county.people.zhangsan

    first = actions.create_draft(
        actor=zhangsan, item_code=af.ITEM_CODE, client_token=token
    )
    again = actions.create_draft(
        actor=zhangsan, item_code=af.ITEM_CODE, client_token=token
    )

    assert again.pk == first.pk
    assert Case.objects.count() == 1


def test_create_draft_with_another_applicants_token_is_refused(county):
    token = uuid.uuid4()
    actions.create_draft(
        actor=county.people.zhangsan, item_code=af.ITEM_CODE, client_token=token
    )

    with pytest.raises(ActionError) as caught:
        actions.create_draft(
            actor=county.people.chenxiaohong, item_code=af.ITEM_CODE, client_token=token
        )

    assert caught.value.code == "bad_client_token"
    assert Case.objects.count() == 1


def test_staff_cannot_apply_online(county):
    with pytest.raises(PermissionDenied) as caught:
        af.new_draft(county, county.people.lisi)

    assert (
        caught.value.message == "网上申请仅面向个人和法人用户，工作人员请通过窗口代录"
    )


def test_an_item_only_for_entities_is_refused_to_a_citizen(county):
    county.version.for_individuals = False
    county.version.save(update_fields=["for_individuals"])

    with pytest.raises(ActionError) as caught:
        af.new_draft(county)

    assert caught.value.message == "该事项不面向您这类申请人网上办理，请查看办事指南"


def test_an_unknown_item_is_refused(county):
    with pytest.raises(ActionError) as caught:
        actions.create_draft(
            actor=county.people.zhangsan, item_code="NOPE", client_token=uuid.uuid4()
        )

    assert caught.value.code == "item_not_published"


def test_save_draft_keeps_form_data_and_contact_fields(county):
    case = af.new_draft(county)

    actions.save_draft(
        actor=county.people.zhangsan,
        case=case,
        form_data={"operator_name": "张三小吃店"},
        applicant={
            "applicant_name": "张三",
            "applicant_id_number": county.people.zhangsan.id_number,
            "contact_name": "李梅",
            "contact_phone": "13800138000",
            "contact_email": "zs@example.cn",
        },
    )

    case.refresh_from_db()
    assert case.form_data == {"operator_name": "张三小吃店"}
    assert case.contact_name == "李梅"
    assert case.contact_phone == "13800138000"
    assert case.contact_email == "zs@example.cn"


def test_save_draft_refuses_an_id_number_with_a_wrong_check_digit(county):
    case = af.new_draft(county)
    good = county.people.zhangsan.id_number
    wrong = good[:17] + ("0" if good[17] != "0" else "1")

    with pytest.raises(ActionError) as caught:
        actions.save_draft(
            actor=county.people.zhangsan,
            case=case,
            applicant={"applicant_name": "张三", "applicant_id_number": wrong},
        )

    assert caught.value.fields == {
        "applicant_id_number": ["身份证号校验位不正确，请核对后重新输入"]
    }
    case.refresh_from_db()
    assert case.applicant_id_number == good


def test_save_draft_refuses_a_uscc_with_a_wrong_check_character_and_a_bad_mobile(
    county,
):
    qingshan = county.people.qingshan
    case = af.new_draft(county, qingshan)
    wrong = qingshan.uscc[:17] + ("0" if qingshan.uscc[17] != "0" else "1")

    with pytest.raises(ActionError) as caught:
        actions.save_draft(
            actor=qingshan,
            case=case,
            applicant={
                "applicant_name": "青山",
                "applicant_id_number": wrong,
                "contact_phone": "0399-8123",
            },
        )

    assert caught.value.fields == {
        "applicant_id_number": ["统一社会信用代码校验位不正确，请核对后重新输入"],
        "contact_phone": ["请输入11位中国大陆手机号码"],
    }


def test_another_citizen_cannot_save_a_draft_that_is_not_theirs(county):
    case = af.new_draft(county)

    with pytest.raises(PermissionDenied):
        actions.save_draft(
            actor=county.people.chenxiaohong, case=case, form_data={"x": 1}
        )

    case.refresh_from_db()
    assert case.form_data == {}


def test_discard_draft_deletes_it(county):
    case = af.complete_draft(county)

    actions.discard_draft(actor=county.people.zhangsan, case=case)

    assert not Case.objects.filter(pk=case.pk).exists()
    assert not CaseMaterial.objects.exists()


# --- materials --------------------------------------------------------------


def test_upload_material_stores_a_phone_photo_for_the_requirement(county):
    case = af.new_draft(county)

    material = actions.upload_material(
        actor=county.people.zhangsan,
        case=case,
        requirement=county.requirements[0],
        upload=af.png_upload("IMG_0001.png"),
    )

    assert material.name == "食品经营许可申请书"
    assert material.file.kind == "png"
    assert material.file.original_name == "IMG_0001.png"
    assert [m.name for m in queries.missing_materials(case)] == ["营业执照"]


def test_upload_refuses_a_file_that_lies_about_its_type(county):
    case = af.new_draft(county)
    fake = SimpleUploadedFile("scan.pdf", b"<html><script>alert(1)</script></html>")

    with pytest.raises(ActionError) as caught:
        actions.upload_material(
            actor=county.people.zhangsan,
            case=case,
            requirement=county.requirements[0],
            upload=fake,
        )

    assert caught.value.message == (
        "文件“scan.pdf”的内容不是PDF格式，与扩展名不符或文件已损坏"
    )
    assert not CaseMaterial.objects.exists()


def test_upload_refuses_a_file_over_the_size_limit(county, settings):
    settings.EGOV_UPLOAD_MAX_BYTES = 100
    case = af.new_draft(county)

    with pytest.raises(ActionError) as caught:
        actions.upload_material(
            actor=county.people.zhangsan,
            case=case,
            requirement=county.requirements[0],
            upload=af.pdf_upload("big.pdf"),
        )

    assert caught.value.code == "file_too_large"
    assert not CaseMaterial.objects.exists()


def test_upload_refuses_a_zip_bomb_dressed_as_a_word_file(county):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (40 * 1024 * 1024))
    bomb = SimpleUploadedFile("application.docx", out.getvalue())
    case = af.new_draft(county)

    with pytest.raises(ActionError) as caught:
        actions.upload_material(
            actor=county.people.zhangsan,
            case=case,
            requirement=county.requirements[0],
            upload=bomb,
        )

    assert (
        caught.value.message == "文件“application.docx”解压后过大，疑似压缩炸弹，已拒绝"
    )


def test_upload_for_a_material_of_another_item_is_refused(county):
    other = af.factories.published(
        county, code="OTHER-1", materials=[af.factories.material("别的材料")]
    )
    case = af.new_draft(county)

    with pytest.raises(ActionError) as caught:
        actions.upload_material(
            actor=county.people.zhangsan,
            case=case,
            requirement=other.materials.get(),
            upload=af.png_upload(),
        )

    assert caught.value.code == "material_not_of_item"


def test_remove_material_in_a_draft_deletes_it(county):
    case = af.complete_draft(county)
    material = case.materials.first()

    actions.remove_material(
        actor=county.people.zhangsan, case=case, material_pk=material.pk
    )

    assert not CaseMaterial.objects.filter(pk=material.pk).exists()


def test_a_material_of_an_earlier_case_is_offered_and_reused(county):
    earlier = af.submitted(county)
    case = af.new_draft(county)

    offers = queries.reusable_materials(case)

    assert sorted(offers) == [county.requirements[0].pk, county.requirements[1].pk]
    offer = offers[county.requirements[1].pk]
    assert offer.case == earlier
    reused = actions.reuse_material(
        actor=county.people.zhangsan,
        case=case,
        requirement=county.requirements[1],
        source_pk=offer.pk,
    )
    assert reused.file_id == offer.file_id
    assert [m.name for m in queries.missing_materials(case)] == ["食品经营许可申请书"]


def test_another_citizens_material_is_never_offered_or_reusable(county):
    earlier = af.submitted(county)
    case = af.new_draft(county, county.people.chenxiaohong)

    assert queries.reusable_materials(case) == {}
    with pytest.raises(ActionError) as caught:
        actions.reuse_material(
            actor=county.people.chenxiaohong,
            case=case,
            requirement=county.requirements[0],
            source_pk=earlier.materials.first().pk,
        )
    assert caught.value.code == "material_not_reusable"


# --- submitting -------------------------------------------------------------


def test_submit_gives_a_number_a_lookup_code_an_event_and_a_message(county):
    case = af.complete_draft(county)

    done = actions.submit_case(actor=county.people.zhangsan, case=case)

    assert done.state == Case.State.SUBMITTED
    assert done.number.startswith("139921")
    assert len(done.number) == 19
    assert len(done.lookup_code) == 6
    assert done.submitted_at is not None
    event = done.events.get(kind=CaseEvent.Kind.SUBMITTED)
    assert event.public_note == "已通过网上办事大厅提交申请，等待受理"
    assert event.organization == county.orgs.market
    note = Notification.objects.get(user=county.people.zhangsan)
    assert note.title == "申请已提交：食品经营许可"
    assert note.url == f"/hall/my/{done.number}/"
    assert (
        AuditEntry.objects.filter(
            action="servicehall.submit_case", outcome="success"
        ).count()
        == 1
    )


def test_submitting_twice_returns_the_same_case_with_the_same_number(county):
    case = af.complete_draft(county)
    zhangsan = county.people.zhangsan

    first = actions.submit_case(actor=zhangsan, case=case)
    stale = Case.objects.get(pk=case.pk)
    stale.state = Case.State.DRAFT  # a second tab that still shows the draft
    again = actions.submit_case(actor=zhangsan, case=stale)

    assert again.pk == first.pk
    assert again.number == first.number
    assert Case.objects.exclude(number=None).count() == 1
    assert CaseEvent.objects.filter(kind="submitted").count() == 1
    assert Notification.objects.count() == 1


def test_submit_locks_the_draft_row(county):
    case = af.complete_draft(county)

    with CaptureQueriesContext(connection) as captured:
        actions.submit_case(actor=county.people.zhangsan, case=case)

    if connection.features.has_select_for_update:
        locks = [
            q["sql"] for q in captured.captured_queries if "FOR UPDATE" in q["sql"]
        ]
        # The draft row alone: not the item version every applicant reads.
        assert any('FOR UPDATE OF "servicehall_case"' in sql for sql in locks)
    else:
        assert connection.vendor == "sqlite"


def test_submit_lists_every_missing_material_and_field_at_once(county):
    case = af.new_draft(county)
    case.contact_phone = ""
    case.save()

    with pytest.raises(ActionError) as caught:
        actions.submit_case(actor=county.people.zhangsan, case=case)

    assert caught.value.message == "申请还不完整，请按提示补充后再提交"
    assert caught.value.fields == {
        "contact_phone": ["请填写联系电话（手机号码）"],
        "materials": ["请上传“食品经营许可申请书”", "请上传“营业执照”"],
    }
    case.refresh_from_db()
    assert case.state == Case.State.DRAFT
    assert case.number is None


def test_submit_checks_the_items_form_on_the_server(county):
    af.with_form(county)
    case = af.complete_draft(county)
    actions.save_draft(
        actor=county.people.zhangsan,
        case=case,
        form_data={"operator_name": "张三小吃店", "business_form": "casino"},
    )

    with pytest.raises(ActionError) as caught:
        actions.submit_case(actor=county.people.zhangsan, case=case)

    assert set(caught.value.fields) == {"data.premises", "data.business_form"}
    assert caught.value.fields["data.premises"] == ["此项为必填项"]


def test_submit_stores_the_cleaned_form_data_and_the_form_version(county):
    af.with_form(county)
    case = af.complete_draft(county)
    actions.save_draft(actor=county.people.zhangsan, case=case, form_data=af.FORM_DATA)

    done = actions.submit_case(actor=county.people.zhangsan, case=case)

    assert done.form_data == af.FORM_DATA
    event = done.events.get(kind="submitted")
    assert event.detail["form"] == af.FORM_KEY
    assert event.detail["form_version"] == 1


def test_an_item_naming_an_unpublished_form_cannot_be_submitted(county):
    county.version.form_key = "missing-form"
    county.version.save(update_fields=["form_key"])
    case = af.complete_draft(county)

    with pytest.raises(ActionError) as caught:
        actions.submit_case(actor=county.people.zhangsan, case=case)

    assert caught.value.code == "form_not_published"


def test_another_citizen_cannot_submit_a_draft_that_is_not_theirs(county):
    case = af.complete_draft(county)

    with pytest.raises(PermissionDenied):
        actions.submit_case(actor=county.people.chenxiaohong, case=case)

    case.refresh_from_db()
    assert case.state == Case.State.DRAFT


# --- correction and resubmission --------------------------------------------


def test_resubmit_replaces_the_listed_material_and_goes_back_to_the_window(county):
    case = af.submitted(county)
    request = af.request_correction(case, county.people.lisi)
    old = case.materials.get(requirement=county.requirements[0])
    zhangsan = county.people.zhangsan

    actions.upload_material(
        actor=zhangsan,
        case=case,
        requirement=county.requirements[0],
        upload=af.png_upload("清晰照片.png"),
    )
    done = actions.resubmit_case(actor=zhangsan, case=case)

    old.refresh_from_db()
    assert old.is_current is False
    current = case.materials.get(requirement=county.requirements[0], is_current=True)
    assert current.file.original_name == "清晰照片.png"
    assert done.state == Case.State.SUBMITTED
    request.refresh_from_db()
    assert request.resolved_at is not None
    assert done.events.filter(kind="resubmitted").count() == 1


def test_resubmit_after_acceptance_restarts_the_stopped_clocks(county):
    case = af.submitted(county)
    clerk = county.people.lisi
    case.accepted_at = case.submitted_at
    case.save(update_fields=["accepted_at"])
    af.request_correction(case, clerk)
    for subject in (
        case_common.statutory_subject(case),
        case_common.promised_subject(case),
    ):
        clocks.start_clock_stop(
            subject=subject, kind="correction", reason="补正", actor=clerk
        )

    done = actions.resubmit_case(actor=county.people.zhangsan, case=case)

    assert done.state == Case.State.ACCEPTED
    assert not ClockStop.objects.filter(ended_at=None).exists()
    assert ClockStop.objects.count() == 2


def test_resubmitting_twice_is_harmless(county):
    case = af.submitted(county)
    af.request_correction(case, county.people.lisi)
    zhangsan = county.people.zhangsan

    actions.resubmit_case(actor=zhangsan, case=case)
    again = actions.resubmit_case(actor=zhangsan, case=Case.objects.get(pk=case.pk))

    assert again.state == Case.State.SUBMITTED
    assert CaseEvent.objects.filter(kind="resubmitted").count() == 1


def test_a_submitted_case_cannot_be_resubmitted_without_a_correction_request(county):
    case = af.submitted(county)

    with pytest.raises(ActionError) as caught:
        actions.resubmit_case(actor=county.people.zhangsan, case=case)

    assert caught.value.message == "办件当前状态为“待受理”，不能执行此操作"


# --- withdrawal -------------------------------------------------------------


def test_withdraw_before_acceptance_concludes_the_case(county):
    case = af.submitted(county)

    done = actions.withdraw_case(
        actor=county.people.zhangsan, case=case, reason="材料准备不全，重新申请"
    )

    assert done.state == Case.State.WITHDRAWN
    assert done.concluded_at is not None
    event = done.events.get(kind="withdrawn")
    assert event.note == "材料准备不全，重新申请"
    assert event.public_note == "申请人已撤回申请"


def test_withdraw_needs_a_reason(county):
    case = af.submitted(county)

    with pytest.raises(ActionError) as caught:
        actions.withdraw_case(actor=county.people.zhangsan, case=case, reason=" ")

    assert caught.value.fields == {"reason": ["请填写撤回理由"]}


def test_a_decided_case_cannot_be_withdrawn(county):
    case = af.submitted(county)
    case.state = Case.State.APPROVED
    case.save(update_fields=["state"])

    with pytest.raises(ActionError) as caught:
        actions.withdraw_case(actor=county.people.zhangsan, case=case, reason="不要了")

    assert caught.value.code == "case_wrong_state"


# --- public lookup ----------------------------------------------------------


def test_lookup_with_the_right_code_shows_progress_without_personal_data(county):
    case = af.submitted(county)

    progress = actions.look_up_progress(
        number=case.number, lookup_code=case.lookup_code.lower(), ip="10.0.0.1"
    )

    assert progress["item"] == "食品经营许可"
    assert progress["state"] == "待受理"
    assert progress["organization"] == "示范县市场监督管理局"
    assert [e["note"] for e in progress["events"]] == [
        "已通过网上办事大厅提交申请，等待受理"
    ]
    text = repr(progress)
    assert "张三" not in text
    assert county.people.zhangsan.id_number not in text
    assert "13999211001" not in text


def test_lookup_with_a_wrong_code_is_none_and_audited(county):
    case = af.submitted(county)

    progress = actions.look_up_progress(
        number=case.number, lookup_code="WRONG1", ip="10.0.0.1"
    )

    assert progress is None
    entry = AuditEntry.objects.get(action="servicehall.lookup_case")
    assert entry.outcome == "failed"
    assert entry.detail == {"number": case.number}


def test_lookup_is_refused_after_ten_failures_from_one_address(county):
    case = af.submitted(county)
    for _ in range(10):
        actions.look_up_progress(number="X", lookup_code="Y", ip="10.0.0.2")

    with pytest.raises(ActionError) as caught:
        actions.look_up_progress(
            number=case.number, lookup_code=case.lookup_code, ip="10.0.0.2"
        )

    assert caught.value.message == "查询失败次数过多，请10分钟后再试"
    other = actions.look_up_progress(
        number=case.number, lookup_code=case.lookup_code, ip="10.0.0.3"
    )
    assert other["number"] == case.number
