"""Case actions on the internal face: window entry, acceptance with the
item's process, refusal, one-time correction, extension, suspension, the
decision, joint approval, audit entries, messages and clocks."""

from datetime import timedelta

import pytest
from django.utils import timezone

from egov.audit.models import AuditEntry
from egov.core.errors import ActionError, PermissionDenied
from egov.core.models import ClockStop
from egov.servicehall import apply_actions, case_common
from egov.servicehall import case_actions as actions
from egov.servicehall.models import Case, CaseEvent, ExtensionRequest
from egov.workflow import actions as wf
from egov.workflow.models import Notification, ProcessInstance, Task
from tests.identity import factories as idf
from tests.servicehall import case_factories as cf

State = Case.State


@pytest.fixture
def county(db):
    return cf.case_county()


@pytest.fixture
def version(county):
    return cf.item(county, process_key=cf.REVIEW_KEY, issues_licence=False)


@pytest.fixture
def case(county, version):
    return cf.submitted_case(county, version)


def _messages(person) -> list[str]:
    return list(
        Notification.objects.filter(user=person, kind="case")
        .order_by("id")
        .values_list("title", flat=True)
    )


def _audit(action: str) -> list[tuple[str, str, str]]:
    return list(
        AuditEntry.objects.filter(action=action)
        .order_by("id")
        .values_list("username", "target_id", "outcome")
    )


def _accepted(county, case) -> Case:
    actions.accept_case(actor=county.people.lisi, case=case)
    return cf.fresh(case)


def _finish_review(county, case) -> Case:
    """王五 reviews, 孙七 approves: the review process completes."""
    review = case.process_instance.tasks.get(node_id="review")
    wf.claim_task(actor=county.people.wangwu, task=review)
    wf.complete_task(
        actor=county.people.wangwu, task=review, outcome="approve", opinion="材料齐全"
    )
    leader = case.process_instance.tasks.get(node_id="leader")
    wf.complete_task(
        actor=county.people.sunqi, task=leader, outcome="approve", opinion="同意"
    )
    return cf.fresh(case)


# --- 受理 ----------------------------------------------------------------------------


def test_accepting_starts_the_items_process_and_issues_the_notice(county, case):
    actions.accept_case(actor=county.people.lisi, case=case, note="材料齐全")

    case = cf.fresh(case)
    assert (case.state, case.accepted_by) == (State.ACCEPTED, county.people.lisi)
    instance = case.process_instance
    assert (instance.business_key, instance.organization) == (
        case.number,
        county.orgs.market,
    )
    assert instance.data["case_number"] == case.number
    assert list(instance.tasks.values_list("node_name", flat=True)) == ["承办科室审查"]
    assert [i.get_kind_display() for i in case.instruments.all()] == ["受理通知书"]
    assert case.events.last().public_note == "申请已受理"
    assert _audit("servicehall.accept_case") == [("lisi", case.number, "success")]
    assert _messages(county.people.zhangsan) == ["您的“食品经营许可”申请已受理"]


def test_the_acceptance_notice_is_a_docx_and_a_pdf_numbered_per_organization(
    county, case
):
    case = _accepted(county, case)

    instrument = case.instruments.get()
    year = timezone.localdate().year
    assert instrument.number == f"示范县市场监督管理局许受〔{year}〕0001号"
    assert instrument.file_docx.kind == "docx"
    assert instrument.file_pdf.kind == "pdf"


def test_accepting_an_item_without_a_process_leaves_it_awaiting_decision(county):
    version = cf.item(county, code="000172012000-139921199", issues_licence=False)
    case = cf.submitted_case(county, version)

    case = _accepted(county, case)

    assert case.process_instance is None
    assert actions.awaiting_decision(case) is True


def test_accepting_twice_says_it_is_already_accepted_and_changes_nothing(county, case):
    case = _accepted(county, case)

    with pytest.raises(ActionError) as refused:
        actions.accept_case(actor=county.people.lisi, case=case)

    assert refused.value.code == "case_already_accepted"
    assert refused.value.message.startswith("该办件已于")
    assert refused.value.message.endswith("受理，无需重复受理")
    assert ProcessInstance.objects.count() == 1
    assert cf.fresh(case).instruments.count() == 1
    assert _audit("servicehall.accept_case")[-1] == ("lisi", case.number, "failed")


def test_a_window_clerk_of_another_county_may_not_accept(county, case):
    with pytest.raises(PermissionDenied):
        actions.accept_case(actor=county.people.neighbour_window, case=case)

    assert cf.fresh(case).state == State.SUBMITTED
    assert _audit("servicehall.accept_case") == [("linwin", case.number, "denied")]


def test_an_approver_may_not_accept(county, case):
    with pytest.raises(PermissionDenied):
        actions.accept_case(actor=county.people.wangwu, case=case)


# --- 不予受理 ------------------------------------------------------------------------


def test_refusing_concludes_the_case_with_the_refusal_notice(county, case):
    actions.refuse_case(
        actor=county.people.lisi, case=case, reason="申请事项不属于本机关职权范围"
    )

    case = cf.fresh(case)
    assert case.state == State.REFUSED
    assert case.concluded_at is not None
    assert case.decision_reason == "申请事项不属于本机关职权范围"
    assert case.decision_number == case.instruments.get().number
    assert case.instruments.get().kind == "refusal_notice"
    assert case.events.last().public_note == "不予受理，已出具不予受理通知书"
    assert _messages(county.people.zhangsan) == ["您的“食品经营许可”申请不予受理"]


def test_refusing_needs_a_reason(county, case):
    with pytest.raises(ActionError) as refused:
        actions.refuse_case(actor=county.people.lisi, case=case, reason="  ")

    assert refused.value.message == "请填写不予受理理由"
    assert refused.value.fields == {"reason": "请填写不予受理理由"}
    assert cf.fresh(case).state == State.SUBMITTED
    assert cf.fresh(case).instruments.count() == 0


def test_an_accepted_case_cannot_be_refused(county, case):
    case = _accepted(county, case)

    with pytest.raises(ActionError) as refused:
        actions.refuse_case(actor=county.people.lisi, case=case, reason="理由")

    assert refused.value.message == "办件当前状态为“办理中”，不能不予受理"


# --- 补正 ----------------------------------------------------------------------------


def test_a_correction_lists_everything_at_once_and_tells_the_applicant(
    county, version, case
):
    first, second = list(version.materials.all())[:1] + [None]
    items = [
        {"material": first.pk, "name": "ignored", "reason": "签字不全"},
        {"material": None, "name": "场所租赁合同", "reason": "缺少"},
    ]

    actions.request_correction(
        actor=county.people.lisi, case=case, items=items, note="补齐后重新提交"
    )

    case = cf.fresh(case)
    assert case.state == State.CORRECTION
    assert case.corrections.get().items == [
        {"material": first.pk, "name": first.name, "reason": "签字不全"},
        {"material": None, "name": "场所租赁合同", "reason": "缺少"},
    ]
    assert case.instruments.get().kind == "correction_notice"
    assert case.events.last().public_note == ("需补正材料2项，请申请人按补正通知补正")
    assert _messages(county.people.zhangsan) == ["请补正“食品经营许可”的申请材料"]
    assert second is None


def test_a_correction_without_items_is_refused(county, case):
    with pytest.raises(ActionError) as refused:
        actions.request_correction(actor=county.people.lisi, case=case, items=[])

    assert refused.value.code == "correction_items_required"
    assert cf.fresh(case).state == State.SUBMITTED


def test_a_correction_naming_another_items_material_is_refused(county, case):
    with pytest.raises(ActionError) as refused:
        actions.request_correction(
            actor=county.people.lisi,
            case=case,
            items=[{"material": 999999, "name": "x", "reason": ""}],
        )

    assert refused.value.message == "材料不属于本事项"


def test_after_five_working_days_the_application_counts_as_accepted(county, version):
    late = cf.submitted_case(
        county, version, submitted_at=timezone.now() - timedelta(days=15)
    )

    with pytest.raises(ActionError) as refused:
        actions.request_correction(
            actor=county.people.lisi,
            case=late,
            items=[{"material": None, "name": "租赁合同", "reason": ""}],
        )

    assert refused.value.code == "correction_too_late"
    assert "依法自收到申请材料之日起即为受理" in refused.value.message
    assert cf.fresh(late).state == State.SUBMITTED


def test_a_correction_after_acceptance_stops_both_clocks(county, case):
    case = _accepted(county, case)

    actions.request_correction(
        actor=county.people.lisi,
        case=case,
        items=[{"material": None, "name": "现场照片", "reason": "不清晰"}],
    )

    stops = ClockStop.objects.filter(ended_at__isnull=True).order_by("subject")
    assert [(s.subject, s.kind) for s in stops] == [
        (case_common.statutory_subject(case), "correction"),
        (case_common.promised_subject(case), "correction"),
    ]
    limits = case_common.deadline(cf.fresh(case))
    assert (limits["statutory"].paused, limits["promised"].paused) == (True, True)


def test_the_applicants_resubmission_restarts_the_clocks_of_an_accepted_case(
    county, case
):
    from egov.servicehall.apply_actions import resubmit_case

    case = _accepted(county, case)
    instance = case.process_instance
    actions.request_correction(
        actor=county.people.lisi,
        case=case,
        items=[{"material": None, "name": "现场照片", "reason": "不清晰"}],
    )

    resubmit_case(actor=county.people.zhangsan, case=case)

    case = cf.fresh(case)
    assert (case.state, case.process_instance) == (State.ACCEPTED, instance)
    assert not ClockStop.objects.filter(ended_at__isnull=True).exists()
    assert case_common.deadline(case)["statutory"].paused is False
    with pytest.raises(ActionError) as again:
        actions.accept_case(actor=county.people.lisi, case=case)
    assert again.value.code == "case_already_accepted"


# --- 窗口收件 ------------------------------------------------------------------------


def _person(**overrides) -> dict:
    data = {
        "kind": "individual",
        "name": "钱多多",
        "id_number": idf.id_number("19700101", seq=55),
        "phone": "13999219999",
    }
    data.update(overrides)
    return data


def test_entering_an_in_person_application_numbers_it_at_once(county, version):
    requirement = version.materials.first()

    case = actions.enter_case(
        actor=county.people.lisi,
        item_code=version.item.code,
        applicant=_person(),
        materials=[(requirement, cf.pdf_upload())],
    )

    assert case.number.startswith("139921")
    assert len(case.lookup_code) == 6
    assert (case.state, case.channel, case.entered_by) == (
        State.SUBMITTED,
        "window",
        county.people.lisi,
    )
    assert case.applicant_id_number == _person()["id_number"]
    assert case.contact_phone == "13999219999"
    assert case.applicant is None
    assert list(case.materials.values_list("name", flat=True)) == [requirement.name]
    assert case.events.get().kind == CaseEvent.Kind.ENTERED
    assert _audit("servicehall.enter_case") == [("lisi", case.number, "success")]


def test_an_entry_for_a_citizen_with_an_account_shows_in_their_cases(county, version):
    zhangsan = county.people.zhangsan

    case = actions.enter_case(
        actor=county.people.lisi,
        item_code=version.item.code,
        applicant=_person(name="张三", id_number=zhangsan.id_number),
    )

    assert case.applicant == zhangsan
    assert _messages(zhangsan) == ["您在窗口提交的“食品经营许可”申请已收件"]


def test_an_entry_with_a_wrong_uscc_checksum_is_refused(county, version):
    good = idf.uscc()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")

    with pytest.raises(ActionError) as refused:
        actions.enter_case(
            actor=county.people.lisi,
            item_code=version.item.code,
            applicant=_person(kind="entity", name="示范公司", id_number=bad),
        )

    assert refused.value.fields == {
        "applicant_id_number": "统一社会信用代码校验位不正确，请核对后重新输入"
    }
    assert Case.objects.count() == 0


def test_an_entry_with_a_bad_phone_is_refused(county, version):
    with pytest.raises(ActionError) as refused:
        actions.enter_case(
            actor=county.people.lisi,
            item_code=version.item.code,
            applicant=_person(phone="12345"),
        )

    assert refused.value.fields == {"contact_phone": "请输入11位中国大陆手机号码"}


def test_an_entry_with_a_bad_email_is_refused(county, version):
    with pytest.raises(ActionError) as refused:
        actions.enter_case(
            actor=county.people.lisi,
            item_code=version.item.code,
            applicant=_person(email="not-an-address"),
        )

    assert refused.value.fields == {"contact_email": "请输入有效的电子邮箱地址"}
    assert Case.objects.count() == 0


def test_an_entry_for_an_unknown_item_is_refused(county):
    with pytest.raises(ActionError) as refused:
        actions.enter_case(
            actor=county.people.lisi, item_code="NOPE", applicant=_person()
        )

    assert refused.value.message == "请选择一个现行有效的事项"


def test_an_entry_with_a_disguised_file_is_refused_and_nothing_stays(county, version):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("scan.pdf", b"<script>alert(1)</script>")

    with pytest.raises(ActionError) as refused:
        actions.enter_case(
            actor=county.people.lisi,
            item_code=version.item.code,
            applicant=_person(),
            materials=[(version.materials.first(), fake)],
        )

    assert refused.value.code == "file_disguised"
    assert Case.objects.count() == 0


# --- 延期 ----------------------------------------------------------------------------


def test_an_approved_extension_moves_the_statutory_deadline(county, case):
    case = _accepted(county, case)
    before = case_common.deadline(case)["statutory"]
    request = actions.request_extension(
        actor=county.people.wangwu, case=case, amount=3, reason="需组织现场核查"
    )

    actions.decide_extension(actor=county.people.sunqi, request=request, approve=True)

    after = case_common.deadline(cf.fresh(case))["statutory"]
    assert after.remaining_workdays == before.remaining_workdays + 3
    request.refresh_from_db()
    assert (request.state, request.decided_by) == ("approved", county.people.sunqi)
    assert request.extension.approver == county.people.sunqi
    assert cf.fresh(case).instruments.last().kind == "extension_notice"
    assert _messages(county.people.zhangsan)[-1].startswith(
        "“食品经营许可”的办理期限已延长至"
    )


def test_a_second_pending_extension_request_is_refused(county, case):
    case = _accepted(county, case)
    actions.request_extension(
        actor=county.people.wangwu, case=case, amount=3, reason="现场核查"
    )

    with pytest.raises(ActionError) as refused:
        actions.request_extension(
            actor=county.people.wangwu, case=case, amount=2, reason="再次"
        )

    assert refused.value.message == "该办件已有待审批的延期申请"


def test_an_extension_beyond_ten_days_is_refused(county, case):
    case = _accepted(county, case)

    with pytest.raises(ActionError) as refused:
        actions.request_extension(
            actor=county.people.wangwu, case=case, amount=11, reason="太久"
        )

    assert refused.value.message == "延长期限须在1至10之间（行政许可法第四十二条）"
    assert ExtensionRequest.objects.count() == 0


def test_a_refused_extension_needs_a_note_and_leaves_the_deadline(county, case):
    case = _accepted(county, case)
    before = case_common.deadline(case)["statutory"].due_at
    request = actions.request_extension(
        actor=county.people.wangwu, case=case, amount=3, reason="现场核查"
    )

    with pytest.raises(ActionError):
        actions.decide_extension(
            actor=county.people.sunqi, request=request, approve=False
        )
    actions.decide_extension(
        actor=county.people.sunqi, request=request, approve=False, note="时限充足"
    )

    request.refresh_from_db()
    assert request.state == "rejected"
    assert case_common.deadline(case)["statutory"].due_at == before


def test_only_a_leader_may_approve_an_extension(county, case):
    case = _accepted(county, case)
    request = actions.request_extension(
        actor=county.people.wangwu, case=case, amount=3, reason="现场核查"
    )

    with pytest.raises(PermissionDenied):
        actions.decide_extension(
            actor=county.people.wangwu, request=request, approve=True
        )


def test_an_extension_cannot_be_asked_before_acceptance(county, case):
    with pytest.raises(ActionError) as refused:
        actions.request_extension(
            actor=county.people.sunqi, case=case, amount=3, reason="现场核查"
        )

    assert refused.value.code == "case_wrong_state"


# --- 中止 / 恢复 ---------------------------------------------------------------------


def test_suspending_stops_the_clocks_and_the_process(county, case):
    case = _accepted(county, case)

    actions.suspend_case(
        actor=county.people.sunqi, case=case, kind="hearing", reason="组织听证"
    )

    case = cf.fresh(case)
    assert case.state == State.SUSPENDED
    assert case.process_instance.state == ProcessInstance.State.SUSPENDED
    limits = case_common.deadline(case)
    assert (limits["statutory"].paused, limits["promised"].paused) == (True, True)
    assert case.events.last().public_note == "因听证中止办理，期间不计入办理时限"
    assert _messages(county.people.zhangsan)[-1] == "“食品经营许可”因听证中止办理"


def test_resuming_restarts_the_clocks_and_the_process(county, case):
    case = _accepted(county, case)
    actions.suspend_case(
        actor=county.people.sunqi, case=case, kind="inspection", reason="检验检测"
    )

    actions.resume_case(actor=county.people.sunqi, case=case)

    case = cf.fresh(case)
    assert case.state == State.ACCEPTED
    assert case.process_instance.state == ProcessInstance.State.RUNNING
    assert not ClockStop.objects.filter(ended_at__isnull=True).exists()
    assert case_common.deadline(case)["statutory"].paused is False


def test_suspending_twice_or_for_no_ground_is_refused(county, case):
    case = _accepted(county, case)
    with pytest.raises(ActionError) as no_ground:
        actions.suspend_case(
            actor=county.people.sunqi, case=case, kind="holiday", reason="x"
        )
    actions.suspend_case(
        actor=county.people.sunqi, case=case, kind="expert_review", reason="专家评审"
    )

    with pytest.raises(ActionError) as twice:
        actions.suspend_case(
            actor=county.people.sunqi, case=case, kind="hearing", reason="听证"
        )

    assert no_ground.value.message == "请选择中止的情形"
    assert twice.value.message == "该办件已中止，无需重复中止"


def test_resuming_a_running_case_is_refused(county, case):
    case = _accepted(county, case)

    with pytest.raises(ActionError) as refused:
        actions.resume_case(actor=county.people.sunqi, case=case)

    assert refused.value.message == "办件当前状态为“办理中”，不能恢复办理"


# --- 决定 ----------------------------------------------------------------------------


def test_no_decision_while_the_process_runs(county, case):
    case = _accepted(county, case)

    with pytest.raises(ActionError) as refused:
        actions.decide_case(
            actor=county.people.sunqi, case=case, decision="approve", reasons=""
        )

    assert refused.value.message == "审批流程尚未办结，不能作出决定"


def test_approving_after_the_process_issues_the_decision(county, case):
    case = _finish_review(county, _accepted(county, case))
    assert actions.awaiting_decision(case) is True

    actions.decide_case(
        actor=county.people.sunqi, case=case, decision="approve", reasons="符合条件"
    )

    case = cf.fresh(case)
    assert case.state == State.APPROVED
    assert case.concluded_at is not None
    assert case.decision_number == case.instruments.last().number
    assert case.instruments.last().kind == "approval_decision"
    assert _messages(county.people.zhangsan)[-1] == "您的“食品经营许可”申请已准予许可"
    assert _audit("servicehall.decide_case") == [("sunqi", case.number, "success")]


def test_denying_needs_reasons(county, case):
    case = _finish_review(county, _accepted(county, case))

    with pytest.raises(ActionError) as refused:
        actions.decide_case(
            actor=county.people.sunqi, case=case, decision="deny", reasons=""
        )
    actions.decide_case(
        actor=county.people.sunqi, case=case, decision="deny", reasons="场所不符合要求"
    )

    assert refused.value.message == "请填写决定理由"
    case = cf.fresh(case)
    assert (case.state, case.instruments.last().kind) == (
        State.DENIED,
        "denial_decision",
    )


def test_deciding_twice_is_refused(county, case):
    case = _finish_review(county, _accepted(county, case))
    actions.decide_case(
        actor=county.people.sunqi, case=case, decision="approve", reasons=""
    )

    with pytest.raises(ActionError) as refused:
        actions.decide_case(
            actor=county.people.sunqi, case=case, decision="deny", reasons="改判"
        )

    assert refused.value.message == "该办件已作出“准予”决定，不能重复决定"


def test_a_window_clerk_may_not_decide(county, case):
    case = _finish_review(county, _accepted(county, case))

    with pytest.raises(PermissionDenied):
        actions.decide_case(
            actor=county.people.lisi, case=case, decision="approve", reasons=""
        )


def test_approving_an_item_that_issues_a_licence_issues_it(county):
    import io

    from docx import Document

    from egov.core.files import open_stored_file
    from egov.datahub.models import ELicense

    version = cf.item(county, code="000172012000-139921177", issues_licence=True)
    case = _accepted(county, cf.submitted_case(county, version))

    actions.decide_case(
        actor=county.people.sunqi, case=case, decision="approve", reasons="符合条件"
    )

    licence = ELicense.objects.get(case=case)
    assert (licence.state, licence.licence_type) == ("valid", "食品经营许可证")
    decision = cf.fresh(case).instruments.get(kind="approval_decision")
    with open_stored_file(decision.file_docx) as handle:
        document = Document(io.BytesIO(handle.read()))
    text = "\n".join(p.text for p in document.paragraphs) + "".join(
        cell.text
        for table in document.tables
        for row in table.rows
        for cell in row.cells
    )
    assert licence.number in text


# --- 并联审批 ------------------------------------------------------------------------


def test_joint_approval_waits_for_every_department_before_the_leader(county):
    version = cf.item(
        county,
        code="000172012000-139921188",
        process_key=cf.JOINT_KEY,
        issues_licence=False,
    )
    case = _accepted(county, cf.submitted_case(county, version))
    tasks = case.process_instance.tasks
    people = county.people

    assert sorted(tasks.values_list("node_id", flat=True)) == [
        "lead_review",
        "office_review",
        "town_review",
    ]
    office = tasks.get(node_id="office_review")
    town = tasks.get(node_id="town_review")
    assert (office.assignee, town.assignee) == (people.sunli, people.songjia)

    wf.complete_task(actor=people.sunli, task=office, outcome="approve", opinion="同意")
    wf.complete_task(actor=people.songjia, task=town, outcome="approve", opinion="同意")
    assert not tasks.filter(node_id="leader").exists()

    lead = tasks.get(node_id="lead_review")
    wf.claim_task(actor=people.wangwu, task=lead)
    wf.complete_task(actor=people.wangwu, task=lead, outcome="approve", opinion="可行")
    leader = tasks.get(node_id="leader")
    assert leader.assignee == people.sunqi
    wf.complete_task(actor=people.sunqi, task=leader, outcome="approve")

    case = cf.fresh(case)
    assert actions.awaiting_decision(case) is True
    from egov.servicehall.case_queries import department_opinions

    assert [(e.node_name, e.actor.real_name) for e in department_opinions(case)] == [
        ("县政府办公室审查", "孙丽"),
        ("城关镇审查", "宋佳"),
        ("市场监管局审查", "王五"),
        ("分管领导审核", "孙七"),
    ]
    assert Task.objects.filter(instance=case.process_instance).count() == 4


# --- 撤回 after acceptance ---------------------------------------------------------


def test_the_applicant_withdraws_an_accepted_case_and_its_process_ends(county, case):
    accepted = _accepted(county, case)

    done = apply_actions.withdraw_case(
        actor=county.people.zhangsan, case=accepted, reason="项目取消，不再办理"
    )

    assert done.state == State.WITHDRAWN
    instance = ProcessInstance.objects.get(pk=accepted.process_instance_id)
    assert instance.state == ProcessInstance.State.CANCELLED
    assert not instance.tasks.filter(state__in=Task.LIVE_STATES).exists()
    assert _audit("workflow.cancel_for_business") == [
        ("zhangsan", str(instance.pk), "success")
    ]


def test_another_citizen_cannot_withdraw_an_accepted_case(county, case):
    accepted = _accepted(county, case)
    stranger = idf.user("wumei", "吴梅", kind="citizen", phone_value="13999211099")

    with pytest.raises(PermissionDenied):
        apply_actions.withdraw_case(actor=stranger, case=accepted, reason="捣乱")

    instance = ProcessInstance.objects.get(pk=accepted.process_instance_id)
    assert instance.state == ProcessInstance.State.RUNNING
    assert cf.fresh(accepted).state == State.ACCEPTED
