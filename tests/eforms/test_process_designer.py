"""系统管理 → 流程设计: the process designer pages, built with the form pages.

They live beside the eforms tests because the designer offers the published
forms and their fields; the engine's own pages are tested in tests/workflow/.
"""

import json

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from egov.audit.models import AuditEntry
from egov.identity.models import Role
from egov.workflow.models import ProcessDefinition
from tests.eforms.factories import form_role, leave_schema, published_form, staff

pytestmark = pytest.mark.django_db

BASE = "/staff/workflow/designer/"

DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:egov="urn:egov:schema:bpmn:1.0" id="Definitions_1"
  targetNamespace="urn:egov:process">
  <bpmn:process id="Process_1" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="apply"/>
    <bpmn:userTask id="apply" name="填写申请">
      <bpmn:extensionElements>
        <egov:assignment rule="initiator"/>
        {form}
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="apply" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>"""

UNASSIGNED = DIAGRAM.replace('<egov:assignment rule="initiator"/>', "")


def diagram(form: str = "") -> str:
    return DIAGRAM.replace("{form}", form)


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.EGOV_STAFF_2FA_REQUIRED = False


def workflow_role(code: str, codenames) -> Role:
    role = Role.objects.create(code=code, name=code, data_scope="all")
    role.permissions.set(
        Permission.objects.filter(
            content_type__app_label="workflow", codename__in=codenames
        )
    )
    return role


@pytest.fixture
def deployer(db):
    return staff(
        "liuqi",
        "刘七",
        roles=[
            workflow_role("deployer", ["deploy_process", "view_processdefinition"]),
            form_role("form_reader", ["view_formdefinition"]),
        ],
    )


@pytest.fixture
def viewer(db):
    return staff(
        "zhouba", "周八", roles=[workflow_role("viewer", ["view_processdefinition"])]
    )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def deploy_json(client, **payload):
    body = {"key": "leave", "name": "请假审批", "xml": diagram(), **payload}
    return client.post(
        BASE + "deploy/", json.dumps(body), content_type="application/json"
    )


def test_deploying_from_the_designer_makes_version_one_and_says_where_to_go(
    deployer,
):
    response = deploy_json(signed_in(deployer), description="首次部署")

    assert response.status_code == 200
    assert response.json() == {
        "message": "已部署“请假审批”第1版",
        "redirect": BASE + "processes/leave/",
    }
    definition = ProcessDefinition.objects.get()
    assert (definition.key, definition.version) == ("leave", 1)
    assert definition.description == "首次部署"


def test_deploying_again_makes_a_new_version(deployer):
    client = signed_in(deployer)
    deploy_json(client)

    deploy_json(client, name="请假审批（修订）")

    assert list(
        ProcessDefinition.objects.order_by("version").values_list("version", "name")
    ) == [(1, "请假审批"), (2, "请假审批（修订）")]


def test_a_refused_diagram_answers_each_problem_on_its_own_line(deployer):
    response = deploy_json(signed_in(deployer), xml=UNASSIGNED.replace("{form}", ""))

    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "流程定义未通过检查，请修改以下问题后重新部署"
    assert body["code"] == "bpmn_refused"
    assert any("未设置办理人（egov:assignment）" in p for p in body["problems"])
    assert ProcessDefinition.objects.count() == 0
    assert AuditEntry.objects.filter(
        action="workflow.deploy_process", outcome="failed"
    ).exists()


@pytest.mark.parametrize(
    ("xml", "problem"),
    [
        (
            '<!DOCTYPE x [<!ENTITY a "b">]><x/>',
            "流程文件含有 DTD 或实体声明，出于安全原因不予接受",
        ),
        ("", "流程文件为空"),
        ("<not-closed>", "流程文件不是格式正确的 XML"),
    ],
)
def test_hostile_or_broken_files_are_refused_with_a_reason(deployer, xml, problem):
    response = deploy_json(signed_in(deployer), xml=xml)

    assert response.status_code == 400
    assert response.json()["problems"][0].startswith(problem)


def test_a_bad_process_key_is_named(deployer):
    response = deploy_json(signed_in(deployer), key="1 leave")

    assert response.status_code == 400
    assert response.json()["errors"] == {"key": ["流程编码格式不正确"]}
    assert response.json()["problems"] == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{oops", "提交的内容不是有效的 JSON 对象"),
        (b"[]", "提交的内容不是有效的 JSON 对象"),
    ],
)
def test_a_broken_deploy_request_is_refused(deployer, body, message):
    response = signed_in(deployer).post(
        BASE + "deploy/", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["message"] == message


def test_a_viewer_may_not_deploy(viewer):
    response = deploy_json(signed_in(viewer))

    assert response.status_code == 403
    assert response.json()["message"] == "您没有执行此操作的权限"
    assert ProcessDefinition.objects.count() == 0


@pytest.mark.parametrize(
    "url",
    ["", "new/", "upload/", "directory/", "processes/leave/", "processes/leave/edit/"],
)
def test_staff_without_workflow_permissions_get_not_found(deployer, url):
    deploy_json(signed_in(deployer))
    clerk = staff("lisi", "李四")

    assert signed_in(clerk).get(BASE + url).status_code == 404


@pytest.mark.parametrize(
    "url", ["new/", "upload/", "directory/", "processes/leave/edit/"]
)
def test_a_viewer_may_look_but_not_design(deployer, viewer, url):
    deploy_json(signed_in(deployer))

    assert signed_in(viewer).get(BASE + url).status_code == 403


def test_the_list_and_the_versions_page_show_each_version(deployer, viewer):
    client = signed_in(deployer)
    deploy_json(client)
    deploy_json(client)

    listing = signed_in(viewer).get(BASE).content.decode()
    versions = signed_in(viewer).get(BASE + "processes/leave/").content.decode()

    assert "请假审批" in listing and "第2版" in listing
    assert 'href="/staff/workflow/designer/new/"' not in listing
    assert versions.count("<tr>") == 3
    assert (
        'data-diagram-url="/staff/workflow/designer/processes/leave/v2/diagram/"'
        in (versions)
    )
    assert "/static/build/process-viewer.js" in versions


def test_a_missing_process_or_version_is_not_found(deployer):
    client = signed_in(deployer)
    deploy_json(client)

    assert client.get(BASE + "processes/trip/").status_code == 404
    assert client.get(BASE + "processes/leave/v9/xml/").status_code == 404
    assert client.get(BASE + "processes/trip/edit/").status_code == 404


def test_the_designer_loads_the_latest_version_and_admits_styles_by_nonce(deployer):
    client = signed_in(deployer)
    deploy_json(client)
    deploy_json(client)

    response = client.get(BASE + "processes/leave/edit/")

    body = response.content.decode()
    nonce = body.split('name="egov-style-nonce" content="')[1].split('"')[0]
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    assert 'data-xml-url="/staff/workflow/designer/processes/leave/v2/xml/"' in body
    assert "/static/build/process-designer.js" in body
    assert "nonce" not in client.get(BASE)["Content-Security-Policy"]


def test_the_xml_file_and_diagram_of_a_version_are_served(deployer):
    client = signed_in(deployer)
    deploy_json(client)

    xml = client.get(BASE + "processes/leave/v1/xml/").json()
    file = client.get(BASE + "processes/leave/v1/file/")
    shown = client.get(BASE + "processes/leave/v1/diagram/").json()

    assert xml["xml"] == diagram()
    assert (xml["key"], xml["version"], xml["name"]) == ("leave", 1, "请假审批")
    assert file["Content-Type"] == "application/xml"
    assert file["Content-Disposition"] == 'attachment; filename="leave-v1.bpmn"'
    assert file.content.decode() == diagram()
    assert shown == {"xml": diagram(), "active": [], "completed": []}


def test_the_directory_offers_posts_roles_forms_and_handlers(deployer):
    from tests.identity.factories import demo_county

    county = demo_county()
    published_form(deployer, schema=leave_schema())

    directory = signed_in(deployer).get(BASE + "directory/").json()

    head = county.posts.market_head
    assert {
        "value": f"{head.organization.code}/{head.code}",
        "label": "示范县市场监督管理局 · 局长",
    } in directory["posts"]
    assert {"value": "approver", "label": "审批人员"} in directory["roles"]
    assert {"value": "139921-104", "label": "示范县市场监督管理局"} in directory[
        "organizations"
    ]
    [form] = directory["forms"]
    assert (form["key"], form["version"]) == ("leave", 1)
    assert form["fields"][0] == {
        "path": "applicant",
        "label": "申请人",
        "type": "textfield",
    }
    assert {"name": "workflow.noop", "label": "空操作（流程测试用）"} in directory[
        "handlers"
    ]


def test_uploading_a_bpmn_file_deploys_it(deployer):
    upload = SimpleUploadedFile("leave.bpmn", diagram().encode(), "application/xml")

    response = signed_in(deployer).post(
        BASE + "upload/",
        {"key": "leave", "name": "请假审批", "description": "", "file": upload},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == BASE + "processes/leave/"
    assert "已部署“请假审批”第1版" in response.content.decode()
    assert ProcessDefinition.objects.get().bpmn_xml == diagram()


def test_an_uploaded_file_that_is_refused_shows_every_problem(deployer):
    upload = SimpleUploadedFile("bad.bpmn", UNASSIGNED.replace("{form}", "").encode())

    response = signed_in(deployer).post(
        BASE + "upload/", {"key": "leave", "name": "请假审批", "file": upload}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="deploy-problems"' in body
    assert "未设置办理人（egov:assignment）" in body
    assert ProcessDefinition.objects.count() == 0


def test_an_upload_without_a_file_or_too_large_is_refused(deployer):
    big = SimpleUploadedFile("big.bpmn", b"<x>" + b" " * (2 * 1024 * 1024) + b"</x>")

    missing = signed_in(deployer).post(
        BASE + "upload/", {"key": "leave", "name": "请假审批"}
    )
    too_large = signed_in(deployer).post(
        BASE + "upload/", {"key": "leave", "name": "请假审批", "file": big}
    )

    assert "请选择要上传的 BPMN 文件" in missing.content.decode()
    assert "流程文件不能超过 2 MB" in too_large.content.decode()
    assert ProcessDefinition.objects.count() == 0


def test_the_menu_offers_process_design_to_process_administrators(deployer):
    body = signed_in(deployer).get("/staff/").content.decode()

    assert 'href="/staff/workflow/designer/"' in body
