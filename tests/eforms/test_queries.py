"""What the form pages and the workflow engine read."""

import pytest
from django.http import Http404

from egov.eforms import queries
from egov.eforms.actions import publish_form, save_form_draft
from tests.eforms.factories import leave_schema, published_form

pytestmark = pytest.mark.django_db


def test_the_list_shows_one_line_per_form_with_its_versions(admin):
    published_form(admin, key="leave")
    save_form_draft(
        actor=admin, key="leave", name="请假单（新）", schema=leave_schema()
    )
    save_form_draft(actor=admin, key="trip", name="出差申请", schema=leave_schema())

    forms = queries.forms_for(admin)

    assert [(f.key, f.name) for f in forms] == [
        ("leave", "请假单（新）"),
        ("trip", "出差申请"),
    ]
    leave = forms[0]
    assert (leave.latest_version, leave.published_version) == (2, 1)
    assert (leave.has_draft, leave.version_count) == (True, 2)
    assert forms[1].published_version is None


def test_the_list_filters_by_name_or_key(admin):
    published_form(admin, key="leave")
    save_form_draft(actor=admin, key="trip", name="出差申请", schema=leave_schema())

    assert [f.key for f in queries.forms_for(admin, search="出差")] == ["trip"]
    assert [f.key for f in queries.forms_for(admin, search="lea")] == ["leave"]


def test_someone_without_the_permission_sees_no_form(admin, clerk):
    published_form(admin)

    assert queries.forms_for(clerk) == []
    with pytest.raises(Http404):
        queries.versions_for(clerk, "leave")
    with pytest.raises(Http404):
        queries.get_form_for(clerk, "leave", 1)


def test_the_designer_opens_the_draft_before_the_latest_published_version(admin):
    published_form(admin, key="leave")

    assert queries.editable_form_for(admin, "leave").version == 1
    save_form_draft(actor=admin, key="leave", name="请假", schema=leave_schema())
    assert queries.editable_form_for(admin, "leave").version == 2
    with pytest.raises(Http404):
        queries.editable_form_for(admin, "missing")


def test_the_engine_finds_published_versions_only(admin):
    published_form(admin, key="leave")
    save_form_draft(actor=admin, key="leave", name="请假", schema=leave_schema(id="2"))

    assert queries.latest_published("leave").version == 1
    assert queries.published_version("leave", 2) is None
    publish_form(actor=admin, key="leave")
    assert queries.latest_published("leave").version == 2
    assert queries.latest_published("missing") is None


def test_the_process_designer_gets_each_forms_latest_fields(admin):
    published_form(admin, key="leave")
    published_form(admin, key="leave", version=2, schema=leave_schema(components=[]))

    forms = queries.published_forms()

    assert forms == [{"key": "leave", "name": "请假申请表", "version": 2, "fields": []}]


def test_a_task_view_hides_what_the_task_may_not_see(admin):
    form = published_form(admin)

    view = queries.task_view(
        form,
        data={"applicant": "王五", "id_number": "x"},
        modes={"id_number": "hidden"},
    )

    assert view["data"] == {"applicant": "王五"}
    assert "id_number" not in [c["key"] for c in view["schema"]["components"]]
