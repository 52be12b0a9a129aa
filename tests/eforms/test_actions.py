"""Saving drafts, publishing versions and submitting data, each audited."""

import pytest

from egov.audit.models import AuditEntry
from egov.core.errors import ActionError, PermissionDenied
from egov.eforms.actions import publish_form, save_form_draft, submit_form_data
from egov.eforms.models import FormDefinition, FormSubmission
from tests.eforms.factories import form_role, leave_schema, published_form, staff

pytestmark = pytest.mark.django_db


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_saving_a_new_form_creates_its_first_draft_and_an_audit_entry(admin):
    form = save_form_draft(
        actor=admin, key="leave", name="请假申请表", schema=leave_schema()
    )

    assert (form.key, form.version, form.published) == ("leave", 1, False)
    assert form.created_by == admin
    [entry] = entries("eforms.save_form_draft")
    assert entry.outcome == "success"
    assert entry.detail == {"key": "leave", "version": 1, "created": True}


def test_saving_again_updates_the_same_draft(admin):
    save_form_draft(actor=admin, key="leave", name="请假申请表", schema=leave_schema())

    form = save_form_draft(
        actor=admin, key="leave", name="请假单", schema=leave_schema(id="Form_2")
    )

    assert FormDefinition.objects.count() == 1
    assert (form.version, form.name, form.schema["id"]) == (1, "请假单", "Form_2")


def test_publishing_freezes_the_draft_and_the_next_save_starts_version_two(admin):
    save_form_draft(actor=admin, key="leave", name="请假申请表", schema=leave_schema())

    published = publish_form(actor=admin, key="leave")
    draft = save_form_draft(
        actor=admin, key="leave", name="请假申请表", schema=leave_schema(id="v2")
    )

    published.refresh_from_db()
    assert published.published is True
    assert published.published_by == admin
    assert published.schema == leave_schema()
    assert (draft.version, draft.published) == (2, False)
    [entry] = entries("eforms.publish_form")
    assert entry.detail == {"key": "leave", "version": 1, "name": "请假申请表"}


def test_publishing_without_a_draft_is_refused_and_logged(admin):
    with pytest.raises(ActionError) as caught:
        publish_form(actor=admin, key="leave")

    assert caught.value.code == "no_form_draft"
    assert str(caught.value.message) == "该表单没有待发布的草稿"
    [entry] = entries("eforms.publish_form")
    assert entry.outcome == "failed"


def test_publishing_a_draft_identical_to_the_last_version_is_refused(admin):
    save_form_draft(actor=admin, key="leave", name="请假申请表", schema=leave_schema())
    publish_form(actor=admin, key="leave")
    save_form_draft(actor=admin, key="leave", name="请假申请表", schema=leave_schema())

    with pytest.raises(ActionError) as caught:
        publish_form(actor=admin, key="leave")

    assert str(caught.value.message) == "草稿与已发布的第1版完全相同，无需再次发布"
    assert FormDefinition.objects.filter(published=True).count() == 1


@pytest.mark.parametrize(
    ("key", "name", "code"),
    [
        ("Leave", "请假", "invalid_form_key"),
        ("1leave", "请假", "invalid_form_key"),
        ("l", "请假", "invalid_form_key"),
        ("leave/../x", "请假", "invalid_form_key"),
        ("leave", "", "invalid_form_name"),
        ("leave", "名" * 201, "invalid_form_name"),
    ],
)
def test_a_bad_key_or_name_is_refused_and_nothing_saved(admin, key, name, code):
    with pytest.raises(ActionError) as caught:
        save_form_draft(actor=admin, key=key, name=name, schema=leave_schema())

    assert caught.value.code == code
    assert FormDefinition.objects.count() == 0


def test_an_unenforceable_schema_is_refused_listing_its_problems(admin):
    schema = leave_schema(
        components=[
            {"type": "filepicker", "key": "scan", "label": "扫描件"},
            {"type": "textfield", "key": "a"},
            {"type": "textfield", "key": "a"},
        ]
    )

    with pytest.raises(ActionError) as caught:
        save_form_draft(actor=admin, key="leave", name="请假", schema=schema)

    assert caught.value.code == "invalid_form_schema"
    assert caught.value.fields["schema"] == [
        "不支持组件“扫描件”（filepicker）：文件上传请使用办件材料上传，表单不接收文件",
        "字段标识“a”重复或与其他字段冲突",
    ]
    assert FormDefinition.objects.count() == 0


def test_a_huge_schema_is_refused(admin):
    schema = leave_schema(padding="x" * 600_000)

    with pytest.raises(ActionError) as caught:
        save_form_draft(actor=admin, key="leave", name="请假", schema=schema)

    assert caught.value.fields["schema"] == ["表单定义过大（不能超过 512 KB）"]


@pytest.mark.parametrize(
    ("codenames", "may_save", "may_publish"),
    [
        ([], False, False),
        (["view_formdefinition"], False, False),
        (["view_formdefinition", "change_formdefinition"], True, False),
        (["view_formdefinition", "publish_formdefinition"], False, True),
    ],
)
def test_saving_and_publishing_need_their_permissions(
    admin, codenames, may_save, may_publish
):
    person = staff("zhouba", "周八", roles=[form_role("partial", codenames)])
    save_form_draft(actor=admin, key="leave", name="请假", schema=leave_schema())

    if may_save:
        save_form_draft(actor=person, key="other", name="其他", schema=leave_schema())
    else:
        with pytest.raises(PermissionDenied):
            save_form_draft(
                actor=person, key="other", name="其他", schema=leave_schema()
            )
    if may_publish:
        publish_form(actor=person, key="leave")
    else:
        with pytest.raises(PermissionDenied):
            publish_form(actor=person, key="leave")

    denied = AuditEntry.objects.filter(outcome="denied", user=person).count()
    assert denied == (not may_save) + (not may_publish)


def test_submitted_data_is_stored_as_cleaned_with_its_references(admin, clerk):
    form = published_form(admin)

    submission = submit_form_data(
        actor=clerk,
        form=form,
        data={"applicant": "李四", "days": 1, "kind": "personal"},
        process_instance_ref="42",
        task_ref="7",
    )

    assert submission.data == {"applicant": "李四", "days": 1, "kind": "personal"}
    assert (submission.process_instance_ref, submission.task_ref) == ("42", "7")
    [entry] = entries("eforms.submit_form_data")
    assert entry.detail["fields"] == ["applicant", "days", "kind"]
    assert "李四" not in str(entry.detail)


def test_bad_data_is_refused_field_by_field_and_nothing_stored(admin, clerk):
    form = published_form(admin)

    with pytest.raises(ActionError) as caught:
        submit_form_data(actor=clerk, form=form, data={"days": "三", "x": 1})

    assert caught.value.code == "invalid_form_data"
    assert caught.value.fields == {
        "x": ["表单中没有此字段"],
        "applicant": ["此项为必填项"],
        "days": ["应为数字"],
        "kind": ["此项为必填项"],
    }
    assert FormSubmission.objects.count() == 0
    [entry] = entries("eforms.submit_form_data")
    assert entry.outcome == "failed"


def test_data_on_a_draft_is_refused(admin, clerk):
    draft = save_form_draft(
        actor=admin, key="leave", name="请假", schema=leave_schema()
    )

    with pytest.raises(ActionError) as caught:
        submit_form_data(actor=clerk, form=draft, data={})

    assert caught.value.code == "form_not_published"


def test_a_task_cannot_change_its_read_only_fields(admin, clerk):
    form = published_form(admin)
    stored = {"applicant": "王五", "days": 3, "kind": "sick"}

    submission = submit_form_data(
        actor=clerk,
        form=form,
        data={"applicant": "李四", "days": 30, "kind": "sick", "approval_note": "同意"},
        modes={"applicant": "readonly", "days": "readonly"},
        stored=stored,
    )

    assert submission.data == {
        "applicant": "王五",
        "days": 3,
        "kind": "sick",
        "approval_note": "同意",
    }
