"""Deploying BPMN diagrams: versions, the supported subset, hostile files."""

import os

import pytest

from egov.core.errors import ActionError, PermissionDenied
from egov.workflow import actions
from egov.workflow.handlers import register, unregister
from egov.workflow.models import ProcessDefinition, ProcessInstance
from tests.workflow import builders as b
from tests.workflow.conftest import deploy, last_entry, open_tasks, start

WANGWU = {"rule": "user", "users": "wangwu"}


def simple(key="leave", name="科长审核", assignment=None):
    return b.chain(key, b.user("review", name, assignment=assignment or WANGWU))


def refused(county, xml, key="leave", **kw):
    with pytest.raises(ActionError) as caught:
        deploy(county, xml, key=key, **kw)
    assert caught.value.code == "bpmn_refused"
    return caught.value.message


def gateway(condition):
    return b.definitions(
        b.process(
            "leave",
            [
                b.start(),
                b.xor("gw", default="f_default"),
                b.user("review", assignment=WANGWU),
                b.end(),
                b.flow("start", "gw"),
                b.flow("gw", "review", condition),
                b.flow("gw", "end", flow_id="f_default"),
                b.flow("review", "end"),
            ],
        )
    )


@pytest.mark.django_db
def test_deploying_twice_makes_a_new_version_and_running_instances_keep_theirs(
    county,
):
    # Given version 1 deployed and an instance started on it
    first = deploy(county, simple(name="科长审核"))
    instance = start(county)

    # When the process is deployed again with a renamed node
    second = deploy(county, simple(name="科长复核"))

    # Then there are two versions, the second latest, and the instance stays on v1
    first.refresh_from_db()
    assert (first.version, first.is_latest) == (1, False)
    assert (second.version, second.is_latest) == (2, True)
    instance.refresh_from_db()
    assert instance.definition_id == first.pk
    assert [t.node_name for t in open_tasks(instance)] == ["科长审核"]
    assert start(county).definition_id == second.pk
    entry = last_entry("workflow.deploy_process")
    assert entry.outcome == "success"
    assert entry.detail["version"] == 2
    assert entry.target_id == "leave:v2"


@pytest.mark.django_db
def test_deployed_definition_records_node_configuration(county):
    # Given a user task with every egov setting
    xml = b.chain(
        "leave",
        b.user(
            "review",
            "科长审核",
            assignment={"rule": "post", "post": "139921-104/section_chief"},
            limit=(3, "workdays"),
            form={
                "key": "leave_form",
                "fields": {"reason": "readonly", "memo": "hidden"},
            },
            operations="approve,reject,return",
        ),
    )

    # When it is deployed
    definition = deploy(county, xml)

    # Then the configuration is stored per node
    assert definition.node_config["leave"]["review"] == {
        "kind": "user",
        "assignment": {"rule": "post", "post": "139921-104/section_chief"},
        "time_limit": {"amount": 3, "unit": "workdays"},
        "form": {
            "key": "leave_form",
            "version": None,
            "fields": {"reason": "readonly", "memo": "hidden"},
        },
        "operations": ["approve", "reject", "return"],
        "multi": None,
        "vote": None,
    }
    assert definition.node_names["leave"]["review"] == "科长审核"
    assert len(definition.checksum) == 64


@pytest.mark.django_db
def test_designer_task_config_overrides_the_diagram_settings(county):
    # Given a diagram naming 王五 and a designer config naming 赵六 with a limit
    config = {
        "review": {
            "assignment": {"rule": "user", "users": "zhaoliu"},
            "timeLimit": {"amount": "8", "unit": "hours"},
        }
    }

    # When deployed with the config
    definition = deploy(county, simple(), task_config=config)

    # Then the config wins and the instance's task goes to 赵六
    assert definition.node_config["leave"]["review"]["time_limit"] == {
        "amount": 8,
        "unit": "hours",
    }
    [task] = open_tasks(start(county))
    assert task.assignee == county.people.zhaoliu


@pytest.mark.django_db
def test_designer_config_for_an_unknown_node_is_refused(county):
    # Given a config naming a node that is not a user task
    config = {"nowhere": {"assignment": {"rule": "initiator"}}}

    # When deploying / Then it is refused naming the node
    message = refused(county, simple(), task_config=config)
    assert message == "流程定义未通过检查：环节配置中的 nowhere 不是本流程的用户任务"


@pytest.mark.parametrize(
    ("element", "message"),
    [
        (
            '<bpmn:scriptTask id="Script_1"><bpmn:script>import os</bpmn:script>'
            "</bpmn:scriptTask>",
            "元素 Script_1（脚本任务）：不允许脚本任务：服务器不执行流程中编写的脚本，"
            "请改用服务任务绑定已登记的处理程序",
        ),
        (
            '<bpmn:subProcess id="Sub_1"/>',
            "元素 Sub_1（子流程）：不支持内嵌子流程，请改用调用活动（callActivity）"
            "调用另一个已部署的流程",
        ),
        (
            '<bpmn:task id="Task_1"/>',
            "元素 Task_1（任务）：未指定任务类型，请设为用户任务或服务任务",
        ),
        ('<bpmn:sendTask id="Send_1"/>', "元素 Send_1（发送任务）：不支持发送任务"),
        (
            '<bpmn:eventBasedGateway id="Ev_1"/>',
            "元素 Ev_1（事件网关）：不支持事件网关",
        ),
        (
            '<bpmn:businessRuleTask id="Rule_1"/>',
            "元素 Rule_1（业务规则任务）：不支持业务规则任务",
        ),
        (
            '<bpmn:dataObjectReference id="Data_1"/>',
            "元素 Data_1（数据对象引用）：不支持数据对象",
        ),
    ],
)
@pytest.mark.django_db
def test_unsupported_elements_are_refused_naming_the_element(county, element, message):
    # Given a diagram with an element outside the supported subset
    xml = simple().replace("</bpmn:process>", element + "</bpmn:process>")

    # When deploying / Then it is refused with the element id and the reason
    assert refused(county, xml) == f"流程定义未通过检查：{message}"
    assert not ProcessDefinition.objects.exists()
    entry = last_entry("workflow.deploy_process")
    assert (entry.outcome, entry.detail["code"]) == ("failed", "bpmn_refused")


@pytest.mark.django_db
def test_every_problem_in_a_diagram_is_listed(county):
    # Given a diagram with a task without handler settings and a bad timer
    xml = b.definitions(
        b.process(
            "leave",
            [
                b.start(),
                b.user("review", "审核"),
                b.boundary_timer("late", "review", "three days"),
                b.end(),
                b.end("late_end"),
                b.flow("start", "review"),
                b.flow("review", "end"),
                b.flow("late", "late_end"),
            ],
        )
    )

    # When deploying / Then both problems are named
    assert refused(county, xml) == (
        "流程定义未通过检查：元素 review（用户任务）：未设置办理人（egov:assignment）；"
        "元素 late（边界事件）：定时表达式 three days 不是有效的 ISO 8601 期限或时刻"
        "（如 PT72H、P3D）"
    )


@pytest.mark.parametrize(
    "condition",
    [
        "__import__('os').system('id')",
        "().__class__.__mro__",
        "amount.__class__",
        "open('/etc/passwd').read()",
    ],
)
@pytest.mark.django_db
def test_hostile_conditions_are_refused_at_deploy_and_never_run(
    county, monkeypatch, condition
):
    # Given os.system would record any call
    calls = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a))

    # When a diagram with the condition is deployed
    message = refused(county, gateway(condition))

    # Then it is refused naming the flow, and nothing ran
    assert message.startswith(
        "流程定义未通过检查：元素 f_gw_review（连线）：条件表达式 "
    )
    assert "不被接受：" in message
    assert calls == []


@pytest.mark.django_db
def test_a_hostile_condition_smuggled_into_the_database_still_never_runs(
    county, monkeypatch
):
    # Given a definition whose stored XML was altered after deployment
    calls = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a))
    definition = deploy(county, gateway("amount > 1"))
    ProcessDefinition.objects.filter(pk=definition.pk).update(
        bpmn_xml=definition.bpmn_xml.replace(
            "amount &gt; 1", "__import__('os').system('id')"
        )
    )

    # When an instance reaches the gateway
    with pytest.raises(ActionError) as caught:
        start(county, data={"amount": 5})

    # Then the engine refuses to evaluate it and nothing ran or stayed
    assert caught.value.code == "engine_error"
    assert "计算失败：不允许访问属性（.system）" in caught.value.message
    assert calls == []
    assert not ProcessInstance.objects.exists()


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
            "<lolz>&lol3;</lolz>",
            "流程文件含有 DTD 或实体声明，出于安全原因不予接受",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM '
            '"file:///etc/passwd">]><bpmn:definitions xmlns:bpmn='
            '"http://www.omg.org/spec/BPMN/20100524/MODEL">&xxe;</bpmn:definitions>',
            "流程文件含有 DTD 或实体声明，出于安全原因不予接受",
        ),
        ("", "流程文件为空"),
        ("<not-bpmn/>", "不是 BPMN 2.0 文件：根元素应为 bpmn:definitions"),
        (
            b.HEADER + "</bpmn:definitions>",
            "文件中没有可执行的流程（bpmn:process）",
        ),
    ],
)
@pytest.mark.django_db
def test_hostile_or_malformed_files_are_refused(county, xml, message):
    # When deploying a hostile or malformed file / Then it is refused clearly
    assert refused(county, xml) == f"流程定义未通过检查：{message}"


@pytest.mark.django_db
def test_broken_xml_is_refused_with_the_parser_reason(county):
    # When the file is not well-formed XML
    message = refused(county, "<bpmn:definitions><unclosed>")

    # Then the refusal says so
    assert message.startswith("流程定义未通过检查：流程文件不是格式正确的 XML：")


@pytest.mark.django_db
def test_oversized_and_overcrowded_files_are_refused(county):
    # Given a file over 2 MB and one with more than 20,000 elements
    oversized = simple().replace(
        "</bpmn:definitions>",
        "<!--" + "x" * (2 * 1024 * 1024) + "--></bpmn:definitions>",
    )
    crowded = simple().replace(
        "</bpmn:process>",
        '<bpmn:textAnnotation id="n"/>' * 20_001 + "</bpmn:process>",
    )

    # When deploying them / Then each is refused before any parsing work
    assert refused(county, oversized) == "流程定义未通过检查：流程文件过大（超过 2 MB）"
    assert refused(county, crowded) == (
        "流程定义未通过检查：流程文件元素过多（超过 20,000 个）"
    )


@pytest.mark.parametrize(
    ("elements", "message"),
    [
        (
            [
                b.start(),
                b.parallel("split"),
                b.user("a", assignment=WANGWU),
                b.end(),
                b.flow("start", "split"),
                b.flow("split", "a", "amount > 1"),
                b.flow("a", "end"),
            ],
            "元素 f_split_a（连线）：并行网关的流出连线不能设置条件",
        ),
        (
            [
                b.start(),
                b.xor("gw"),
                b.user("a", assignment=WANGWU),
                b.end(),
                b.flow("start", "gw"),
                b.flow("gw", "a"),
                b.flow("gw", "end"),
                b.flow("a", "end"),
            ],
            "元素 f_gw_a（连线）：网关有多条流出连线时，"
            "除默认连线外每条都必须设置条件；"
            "元素 f_gw_end（连线）：网关有多条流出连线时，"
            "除默认连线外每条都必须设置条件",
        ),
        (
            [
                b.start(),
                b.user("a", assignment=WANGWU),
                b.user("lonely", assignment=WANGWU),
                b.end(),
                b.flow("start", "a"),
                b.flow("a", "end"),
                b.flow("lonely", "end"),
            ],
            "元素 lonely（用户任务）：缺少流入连线；"
            "元素 lonely（用户任务）：从开始事件无法到达该元素",
        ),
        (
            [
                b.start(),
                b.service("notify", "no.such_handler"),
                b.end(),
                b.flow("start", "notify"),
                b.flow("notify", "end"),
            ],
            "元素 notify（服务任务）：处理程序 no.such_handler 未登记，不能使用",
        ),
        (
            [
                b.start(),
                b.call("sub", "not_deployed"),
                b.end(),
                b.flow("start", "sub"),
                b.flow("sub", "end"),
            ],
            "元素 sub（调用活动）：被调用的流程 not_deployed 不在本文件中，也尚未部署",
        ),
        (
            [
                b.start(),
                b.user("a", assignment={"rule": "previous_handler", "node": "ghost"}),
                b.end(),
                b.flow("start", "a"),
                b.flow("a", "end"),
            ],
            "元素 a（用户任务）：前序办理人规则引用的环节 ghost 不是本流程的用户任务",
        ),
        (
            [
                b.start(),
                b.user("a", assignment={"rule": "user", "users": "nobody"}),
                b.end(),
                b.flow("start", "a"),
                b.flow("a", "end"),
            ],
            "元素 a（用户任务）：人员 nobody 不存在",
        ),
        (
            [
                b.start(),
                b.user("a", assignment={"rule": "post", "post": "139921-104/ghost"}),
                b.end(),
                b.flow("start", "a"),
                b.flow("a", "end"),
            ],
            "元素 a（用户任务）：岗位 139921-104/ghost 不存在",
        ),
        (
            [
                b.start(),
                b.user("a", assignment=WANGWU, vote={"rule": "all"}),
                b.end(),
                b.flow("start", "a"),
                b.flow("a", "end"),
            ],
            "元素 a（用户任务）：只有多实例任务可以设置表决规则",
        ),
        (
            [
                b.start(),
                b.user(
                    "a",
                    assignment=WANGWU,
                    multi="parallel",
                    vote={"rule": "threshold", "threshold": "2"},
                ),
                b.end(),
                b.flow("start", "a"),
                b.flow("a", "end"),
            ],
            "元素 a（用户任务）：票签的通过比例必须是大于 0、不超过 1 的小数",
        ),
        (
            [
                b.start(),
                b.user(
                    "a",
                    assignment=WANGWU,
                    multi="parallel",
                    completion="nrOfApproved.real > 1",
                ),
                b.end(),
                b.flow("start", "a"),
                b.flow("a", "end"),
            ],
            "元素 a（用户任务）：完成条件表达式 nrOfApproved.real > 1 不被接受："
            "不允许访问属性（.real）",
        ),
        (
            [
                b.start(),
                b.user("a", assignment=WANGWU, limit=(0, "workdays")),
                b.end(),
                b.flow("start", "a"),
                b.flow("a", "end"),
            ],
            "元素 a（用户任务）：时限必须是 1 到 3650 之间的整数",
        ),
    ],
)
@pytest.mark.django_db
def test_incomplete_or_unsafe_settings_are_refused(county, elements, message):
    # Given a process with a problem
    xml = b.definitions(b.process("leave", elements))

    # When deploying / Then the refusal names each element and problem
    assert refused(county, xml) == f"流程定义未通过检查：{message}"


@pytest.mark.django_db
def test_registered_service_handlers_and_deployed_call_targets_are_accepted(county):
    # Given a registered handler and a deployed sub-process
    register("tests.stamp")(lambda context: {"stamped": True})
    try:
        deploy(county, simple(key="sub"), key="sub")
        xml = b.chain("main", b.service("stamp", "tests.stamp"), b.call("call", "sub"))

        # When the calling process is deployed
        definition = deploy(county, xml, key="main")
    finally:
        unregister("tests.stamp")

    # Then it is pinned to the sub-process's current version
    sub = ProcessDefinition.objects.get(key="sub")
    assert definition.called_definitions == {"sub": sub.pk}
    assert definition.node_config["main"]["stamp"] == {
        "kind": "service",
        "handler": "tests.stamp",
    }


@pytest.mark.parametrize("key", ["", "1abc", "含中文", "a b", "x" * 65])
@pytest.mark.django_db
def test_bad_process_keys_are_refused(county, key):
    # When deploying under a malformed key / Then it is refused
    with pytest.raises(ActionError) as caught:
        deploy(county, simple(), key=key)
    assert caught.value.code == "bad_process_key"


@pytest.mark.django_db
def test_people_without_the_deploy_permission_are_denied_and_logged(county):
    # Given 王五, an approver without workflow permissions
    # When he tries to deploy
    with pytest.raises(PermissionDenied):
        actions.deploy_process(
            actor=county.people.wangwu, key="leave", name="x", bpmn_xml=simple()
        )

    # Then nothing is deployed and the attempt is in the log
    assert not ProcessDefinition.objects.exists()
    entry = last_entry("workflow.deploy_process")
    assert (entry.outcome, entry.username) == ("denied", "wangwu")
