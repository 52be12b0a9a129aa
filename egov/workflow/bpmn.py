"""Reading untrusted .bpmn files: hardened parsing, the supported subset, and
the per-node configuration written in the ``egov`` extension namespace.

`inspect(xml, key=..., resolve_called=...)` is the single entry point used at
deploy time. It returns a `Blueprint` (the main process id, the per-node
configuration, the processes called by call activities) or raises
`BpmnRefused` whose `problems` each name an element id and the reason, in
Chinese. Nothing in a diagram is ever executed: conditions are checked by
egov.workflow.expressions, script tasks are refused, and service tasks must
name a handler registered in egov.workflow.handlers.

The format of the extension elements is described in
docs/adr/0004-workflow-engine.md and, for bpmn-js, in
egov/workflow/static/workflow/egov-moddle.json.
"""

import re
from dataclasses import dataclass, field

import defusedxml.ElementTree as safe_et
from defusedxml import DefusedXmlException
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from egov.workflow import handlers
from egov.workflow.expressions import ExpressionError, check_expression

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
EGOV_NS = "urn:egov:schema:bpmn:1.0"
NSMAP = {"bpmn": BPMN_NS, "bpmndi": BPMNDI_NS, "dc": DC_NS, "egov": EGOV_NS}

MAX_BYTES = 2 * 1024 * 1024
MAX_ELEMENTS = 20_000
MAX_PROBLEMS = 20

# The process variables the engine itself uses; form fields may not take them.
ASSIGNEE_ITEM = "egov_assignee"
RESERVED_PREFIXES = ("egov_", "_")

ASSIGNMENT_RULES = (
    "user",
    "post",
    "role",
    "org_head",
    "initiator",
    "previous_handler",
    "choice",
    "variable",
)
TIME_UNITS = ("workdays", "days", "hours")
FIELD_MODES = ("editable", "readonly", "hidden")
VOTE_RULES = ("all", "any", "threshold")
# Every operation a handler may be offered on a task. The default set is what
# a node allows when its diagram says nothing; adding signers is opt-in.
OPERATIONS = (
    "approve",
    "reject",
    "return",
    "transfer",
    "delegate",
    "add_signer",
    "remove_signer",
    "withdraw",
    "urge",
    "cc",
)
DEFAULT_OPERATIONS = (
    "approve",
    "reject",
    "return",
    "transfer",
    "delegate",
    "withdraw",
    "urge",
    "cc",
)

_IDENT_RE = re.compile(r"[A-Za-z\u4e00-\u9fff][A-Za-z0-9_\u4e00-\u9fff]{0,63}")


class BpmnRefused(Exception):
    """The file is not acceptable; `problems` lists each reason (Chinese)."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass
class Blueprint:
    """What deploying needs to know about a checked diagram."""

    main_process_id: str
    name: str
    # {process id: {node id: configuration}} for every process in the file.
    node_config: dict = field(default_factory=dict)
    # {process id: {node id: name}}
    node_names: dict = field(default_factory=dict)
    called_keys: set = field(default_factory=set)
    local_processes: set = field(default_factory=set)


def _tag(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _local(element) -> str:
    return etree.QName(element).localname


def _ns(element) -> str:
    return etree.QName(element).namespace or ""


_KIND_LABELS = {
    "startEvent": N_("开始事件"),
    "endEvent": N_("结束事件"),
    "userTask": N_("用户任务"),
    "serviceTask": N_("服务任务"),
    "scriptTask": N_("脚本任务"),
    "task": N_("任务"),
    "manualTask": N_("手工任务"),
    "sendTask": N_("发送任务"),
    "receiveTask": N_("接收任务"),
    "businessRuleTask": N_("业务规则任务"),
    "exclusiveGateway": N_("排他网关"),
    "parallelGateway": N_("并行网关"),
    "inclusiveGateway": N_("包容网关"),
    "eventBasedGateway": N_("事件网关"),
    "complexGateway": N_("复杂网关"),
    "callActivity": N_("调用活动"),
    "subProcess": N_("子流程"),
    "transaction": N_("事务子流程"),
    "adHocSubProcess": N_("自由子流程"),
    "boundaryEvent": N_("边界事件"),
    "intermediateCatchEvent": N_("中间捕获事件"),
    "intermediateThrowEvent": N_("中间抛出事件"),
    "sequenceFlow": N_("连线"),
    "dataObject": N_("数据对象"),
    "dataObjectReference": N_("数据对象引用"),
    "dataStoreReference": N_("数据存储引用"),
    "process": N_("流程"),
}


def _kind_label(element) -> str:
    name = _local(element)
    return _(_KIND_LABELS.get(name, name))


def _ident(element) -> str:
    return element.get("id") or _("（无标识）")


# --- hardened loading ---------------------------------------------------------


def load_xml(data) -> etree._Element:
    """Parse untrusted BPMN text safely, or raise BpmnRefused.

    The size is capped before parsing; defusedxml refuses any DTD (so no
    entity expansion, internal or external, can happen); lxml then parses the
    same bytes with entity resolution and network access off, and the number
    of elements is capped.
    """
    if isinstance(data, str):
        raw = data.encode("utf-8")
    elif isinstance(data, bytes | bytearray):
        raw = bytes(data)
    else:
        raise BpmnRefused([_("流程文件必须是文本")])
    if not raw.strip():
        raise BpmnRefused([_("流程文件为空")])
    if len(raw) > MAX_BYTES:
        raise BpmnRefused(
            [_("流程文件过大（超过 %(mb)s MB）") % {"mb": MAX_BYTES // (1024 * 1024)}]
        )
    if b"\x00" in raw:
        raise BpmnRefused([_("流程文件含有非法字符")])
    try:
        safe_et.fromstring(
            raw, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException:
        raise BpmnRefused(
            [_("流程文件含有 DTD 或实体声明，出于安全原因不予接受")]
        ) from None
    except (safe_et.ParseError, ValueError, UnicodeError) as exc:
        raise BpmnRefused(
            [_("流程文件不是格式正确的 XML：%(err)s") % {"err": str(exc)[:200]}]
        ) from None
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(raw, parser)
    except etree.XMLSyntaxError as exc:
        raise BpmnRefused(
            [_("流程文件不是格式正确的 XML：%(err)s") % {"err": str(exc)[:200]}]
        ) from None
    count = sum(1 for _element in root.iter())
    if count > MAX_ELEMENTS:
        raise BpmnRefused(
            [_("流程文件元素过多（超过 %(n)s 个）") % {"n": f"{MAX_ELEMENTS:,}"}]
        )
    if root.tag != _tag(BPMN_NS, "definitions"):
        raise BpmnRefused([_("不是 BPMN 2.0 文件：根元素应为 bpmn:definitions")])
    return root


# --- the supported subset -----------------------------------------------------

_FLOW_NODES = {
    "startEvent",
    "endEvent",
    "userTask",
    "serviceTask",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "callActivity",
    "boundaryEvent",
    "intermediateCatchEvent",
}
_EVENTS = {"startEvent", "endEvent", "boundaryEvent", "intermediateCatchEvent"}
_ARTIFACTS = {"textAnnotation", "association", "group", "laneSet"}
_REFUSED_WHY = {
    "scriptTask": N_(
        "不允许脚本任务：服务器不执行流程中编写的脚本，"
        "请改用服务任务绑定已登记的处理程序"
    ),
    "subProcess": N_(
        "不支持内嵌子流程，请改用调用活动（callActivity）调用另一个已部署的流程"
    ),
    "transaction": N_("不支持事务子流程"),
    "adHocSubProcess": N_("不支持自由子流程"),
    "task": N_("未指定任务类型，请设为用户任务或服务任务"),
    "manualTask": N_("不支持手工任务，请改用用户任务"),
    "sendTask": N_("不支持发送任务"),
    "receiveTask": N_("不支持接收任务，请改用消息中间捕获事件"),
    "businessRuleTask": N_("不支持业务规则任务"),
    "eventBasedGateway": N_("不支持事件网关"),
    "complexGateway": N_("不支持复杂网关"),
    "intermediateThrowEvent": N_("不支持中间抛出事件"),
    "dataObject": N_("不支持数据对象"),
    "dataObjectReference": N_("不支持数据对象"),
    "dataStoreReference": N_("不支持数据存储"),
    "dataInputAssociation": N_("不支持数据关联"),
    "dataOutputAssociation": N_("不支持数据关联"),
    "ioSpecification": N_("不支持输入输出规格"),
    "standardLoopCharacteristics": N_("不支持循环任务，请改用多实例（会签/依次审批）"),
    "property": N_("不支持属性定义"),
}
_DEFINITION_CHILDREN = {
    "process",
    "collaboration",
    "message",
    "documentation",
    "extensionElements",
    "category",
}
_EVENT_DEFINITIONS = {
    "timerEventDefinition",
    "messageEventDefinition",
    "terminateEventDefinition",
    "signalEventDefinition",
    "errorEventDefinition",
    "escalationEventDefinition",
    "compensateEventDefinition",
    "conditionalEventDefinition",
    "linkEventDefinition",
    "cancelEventDefinition",
}
_EGOV_ELEMENTS = {
    "assignment",
    "timeLimit",
    "form",
    "field",
    "operations",
    "vote",
    "handler",
}


class _Checker:
    def __init__(self, root, *, key, resolve_called, lookups):
        self.root = root
        self.key = key
        self.resolve_called = resolve_called
        self.lookups = lookups
        self.problems: list[str] = []
        self.messages = {
            m.get("id"): m.get("name") for m in root.iter(_tag(BPMN_NS, "message"))
        }

    def refuse(self, element, why: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(
                _("元素 %(id)s（%(kind)s）：%(why)s")
                % {"id": _ident(element), "kind": _kind_label(element), "why": why}
            )

    def refuse_plain(self, why: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(why)

    # top level

    def run(self) -> Blueprint | None:
        for child in self.root:
            if _ns(child) == BPMNDI_NS:
                continue
            if _ns(child) != BPMN_NS or _local(child) not in _DEFINITION_CHILDREN:
                if _ns(child) == BPMN_NS and _local(child) in (
                    "signal",
                    "error",
                    "escalation",
                ):
                    self.refuse(child, _("不支持信号、错误或升级事件"))
                elif _ns(child) == BPMN_NS:
                    self.refuse(child, _("不支持该元素"))
                else:
                    self.refuse_plain(
                        _("不支持的元素 %(tag)s") % {"tag": etree.QName(child).text}
                    )
        processes = [
            p
            for p in self.root.findall(_tag(BPMN_NS, "process"))
            if p.get("isExecutable", "true") != "false"
        ]
        if not processes:
            self.refuse_plain(_("文件中没有可执行的流程（bpmn:process）"))
            return None
        ids = [p.get("id") for p in processes]
        if self.key in ids:
            main = processes[ids.index(self.key)]
        elif len(processes) == 1:
            main = processes[0]
        else:
            self.refuse_plain(
                _("文件含有多个流程，其中须有一个流程的标识与流程编码 %(key)s 相同")
                % {"key": self.key}
            )
            return None
        blueprint = Blueprint(
            main_process_id=main.get("id"),
            name=main.get("name") or main.get("id"),
            local_processes=set(ids),
        )
        for process in processes:
            self.check_process(process, blueprint)
        if self.problems:
            return None
        return blueprint

    # a process

    def check_process(self, process, blueprint: Blueprint) -> None:
        if not process.get("id"):
            self.refuse(process, _("流程缺少标识"))
            return
        nodes = {}
        flows = []
        for child in process:
            if _ns(child) != BPMN_NS:
                self.refuse_plain(
                    _("流程 %(id)s 中不支持的元素 %(tag)s")
                    % {"id": process.get("id"), "tag": etree.QName(child).text}
                )
                continue
            name = _local(child)
            if name in ("documentation", "extensionElements"):
                if name == "extensionElements":
                    self.check_extensions(child, allowed=set())
                continue
            if name in _ARTIFACTS:
                continue
            if name == "sequenceFlow":
                flows.append(child)
                continue
            if name in _REFUSED_WHY:
                self.refuse(child, _(_REFUSED_WHY[name]))
                continue
            if name not in _FLOW_NODES:
                self.refuse(child, _("不支持该元素"))
                continue
            if not child.get("id"):
                self.refuse(child, _("缺少标识"))
                continue
            nodes[child.get("id")] = child
        incoming, outgoing = self.check_flows(flows, nodes)
        starts = [n for n in nodes.values() if _local(n) == "startEvent"]
        if len(starts) != 1:
            self.refuse(
                process,
                _("流程必须有且只有一个开始事件（现有 %(n)s 个）") % {"n": len(starts)},
            )
        for node_id, node in nodes.items():
            self.check_node(node, process, nodes, incoming, outgoing, blueprint)
            blueprint.node_names.setdefault(process.get("id"), {})[node_id] = (
                node.get("name") or node_id
            )
        if len(starts) == 1:
            self.check_reachable(starts[0], nodes, outgoing)

    def check_flows(self, flows, nodes):
        incoming: dict[str, list] = {}
        outgoing: dict[str, list] = {}
        for flow in flows:
            source, target = flow.get("sourceRef"), flow.get("targetRef")
            if source not in nodes or target not in nodes:
                self.refuse(flow, _("连线的起点或终点不存在或不受支持"))
                continue
            outgoing.setdefault(source, []).append(flow)
            incoming.setdefault(target, []).append(flow)
            for child in flow:
                name = _local(child)
                if _ns(child) != BPMN_NS or name not in (
                    "conditionExpression",
                    "documentation",
                    "extensionElements",
                ):
                    self.refuse(flow, _("连线中不支持该子元素"))
                elif name == "extensionElements":
                    self.check_extensions(child, allowed=set())
            condition = flow.find(_tag(BPMN_NS, "conditionExpression"))
            if condition is not None:
                source_kind = _local(nodes[source])
                if source_kind == "parallelGateway":
                    continue
                if source_kind not in ("exclusiveGateway", "inclusiveGateway"):
                    self.refuse(flow, _("只有排他网关和包容网关的流出连线可以设置条件"))
                else:
                    self.check_expression(flow, condition.text, _("条件"))
        return incoming, outgoing

    def check_reachable(self, start, nodes, outgoing) -> None:
        attached: dict[str, list] = {}
        for node in nodes.values():
            if _local(node) == "boundaryEvent":
                attached.setdefault(node.get("attachedToRef"), []).append(node)
        seen = set()
        stack = [start.get("id")]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            stack.extend(f.get("targetRef") for f in outgoing.get(current, []))
            stack.extend(b.get("id") for b in attached.get(current, []))
        for node_id, node in nodes.items():
            if node_id not in seen:
                self.refuse(node, _("从开始事件无法到达该元素"))

    # one flow node

    def check_node(self, node, process, nodes, incoming, outgoing, blueprint):
        kind = _local(node)
        node_id = node.get("id")
        n_in = len(incoming.get(node_id, []))
        n_out = len(outgoing.get(node_id, []))
        definitions = [
            c for c in node if _ns(c) == BPMN_NS and _local(c) in _EVENT_DEFINITIONS
        ]
        allowed_children = {
            "incoming",
            "outgoing",
            "documentation",
            "extensionElements",
        }
        config = None
        if kind == "startEvent":
            config = self.start_config(node)
            if definitions:
                self.refuse(node, _("只支持无触发条件的开始事件"))
            if n_in:
                self.refuse(node, _("开始事件不能有流入连线"))
            if n_out != 1:
                self.refuse(node, _("开始事件必须有且只有一条流出连线"))
        elif kind == "endEvent":
            if any(_local(d) != "terminateEventDefinition" for d in definitions):
                self.refuse(node, _("结束事件只能是普通结束或终止结束"))
            allowed_children |= {"terminateEventDefinition"}
            if n_out:
                self.refuse(node, _("结束事件不能有流出连线"))
            if not n_in:
                self.refuse(node, _("结束事件没有流入连线"))
        elif kind in ("userTask", "serviceTask", "callActivity"):
            if n_in < 1:
                self.refuse(node, _("缺少流入连线"))
            if n_out != 1:
                self.refuse(node, _("必须有且只有一条流出连线，分支请使用网关"))
            if kind == "userTask":
                allowed_children |= {"multiInstanceLoopCharacteristics"}
                config = self.user_task_config(node, process)
            elif kind == "serviceTask":
                config = self.service_task_config(node)
            else:
                self.check_call_activity(node, blueprint)
                config = {"kind": "call", "called": node.get("calledElement")}
        elif kind in ("exclusiveGateway", "inclusiveGateway", "parallelGateway"):
            if n_in < 1 or n_out < 1:
                self.refuse(node, _("网关必须至少有一条流入连线和一条流出连线"))
            default = node.get("default")
            for flow in outgoing.get(node_id, []):
                has_condition = (
                    flow.find(_tag(BPMN_NS, "conditionExpression")) is not None
                )
                if kind == "parallelGateway" and has_condition:
                    self.refuse(flow, _("并行网关的流出连线不能设置条件"))
                if (
                    kind != "parallelGateway"
                    and n_out > 1
                    and not has_condition
                    and flow.get("id") != default
                ):
                    self.refuse(
                        flow, _("网关有多条流出连线时，除默认连线外每条都必须设置条件")
                    )
        elif kind == "boundaryEvent":
            allowed_children |= {"timerEventDefinition", "messageEventDefinition"}
            target = nodes.get(node.get("attachedToRef"))
            if target is None or _local(target) not in ("userTask", "callActivity"):
                self.refuse(node, _("边界事件只能附着在用户任务或调用活动上"))
            self.check_catch_definition(node, definitions)
            if n_out != 1:
                self.refuse(node, _("边界事件必须有且只有一条流出连线"))
        elif kind == "intermediateCatchEvent":
            allowed_children |= {"timerEventDefinition", "messageEventDefinition"}
            self.check_catch_definition(node, definitions)
            if n_in < 1 or n_out != 1:
                self.refuse(node, _("中间事件必须有流入连线和一条流出连线"))
        for child in node:
            name = _local(child)
            if _ns(child) != BPMN_NS:
                self.refuse(
                    node,
                    _("不支持的子元素 %(tag)s") % {"tag": etree.QName(child).text},
                )
            elif name in _REFUSED_WHY:
                self.refuse(node, _(_REFUSED_WHY[name]))
            elif name in _EVENT_DEFINITIONS:
                if kind not in _EVENTS:
                    self.refuse(node, _("不支持该事件类型"))
            elif name not in allowed_children:
                self.refuse(node, _("不支持的子元素 %(tag)s") % {"tag": name})
            elif name == "extensionElements" and kind not in (
                "userTask",
                "serviceTask",
                "startEvent",
            ):
                self.check_extensions(child, allowed=set())
        if config is not None:
            blueprint.node_config.setdefault(process.get("id"), {})[node_id] = config

    def check_call_activity(self, node, blueprint):
        called = node.get("calledElement")
        if not called:
            self.refuse(node, _("未指定被调用的流程（calledElement）"))
            return
        if node.find(_tag(BPMN_NS, "multiInstanceLoopCharacteristics")) is not None:
            self.refuse(node, _("调用活动不支持多实例"))
        if called in blueprint.local_processes:
            if called == blueprint.main_process_id:
                self.refuse(node, _("流程不能调用自身"))
            return
        if called == self.key:
            self.refuse(node, _("流程不能调用自身"))
            return
        if not self.resolve_called(called):
            self.refuse(
                node,
                _("被调用的流程 %(key)s 不在本文件中，也尚未部署") % {"key": called},
            )
            return
        blueprint.called_keys.add(called)

    def check_catch_definition(self, node, definitions):
        if len(definitions) != 1:
            self.refuse(node, _("必须有且只有一个事件定义（定时或消息）"))
            return
        definition = definitions[0]
        name = _local(definition)
        if name == "timerEventDefinition":
            self.check_timer(node, definition)
        elif name == "messageEventDefinition":
            ref = definition.get("messageRef")
            if not ref or not self.messages.get(ref):
                self.refuse(node, _("消息事件必须引用一个有名称的消息（bpmn:message）"))
        else:
            self.refuse(node, _("只支持定时事件和消息事件"))

    def check_timer(self, node, definition):
        parts = [c for c in definition if _ns(c) == BPMN_NS]
        if len(parts) != 1 or _local(parts[0]) not in ("timeDuration", "timeDate"):
            self.refuse(
                node, _("定时事件须设置一个期限（timeDuration）或时刻（timeDate）")
            )
            return
        text = timer_literal(parts[0].text)
        try:
            if _local(parts[0]) == "timeDuration":
                if not text.upper().startswith("P"):
                    raise ValueError
                TimerEventDefinition.parse_iso_duration(text)
            else:
                TimerEventDefinition.get_datetime(text)
        except Exception:  # noqa: BLE001 - the parser raises bare Exception
            self.refuse(
                node,
                _("定时表达式 %(text)s 不是有效的 ISO 8601 期限或时刻（如 PT72H、P3D）")
                % {"text": (parts[0].text or "").strip()[:60]},
            )

    def check_expression(self, element, text, what) -> None:
        try:
            check_expression(text or "")
        except ExpressionError as exc:
            self.refuse(
                element,
                _("%(what)s表达式 %(text)s 不被接受：%(why)s")
                % {"what": what, "text": (text or "").strip()[:80], "why": exc.message},
            )

    # extension elements

    def check_extensions(self, ext, *, allowed: set) -> dict:
        found = {}
        for child in ext:
            if _ns(child) != EGOV_NS or _local(child) not in allowed:
                parent = ext.getparent()
                self.refuse(
                    parent,
                    _("不支持的扩展元素 %(tag)s") % {"tag": etree.QName(child).text},
                )
                continue
            if _local(child) in found:
                self.refuse(
                    ext.getparent(),
                    _("扩展元素 %(tag)s 重复") % {"tag": _local(child)},
                )
            found[_local(child)] = child
        return found

    def start_config(self, node) -> dict | None:
        ext = node.find(_tag(BPMN_NS, "extensionElements"))
        found = self.check_extensions(ext, allowed={"form"}) if ext is not None else {}
        if "form" not in found:
            return None
        form, problems = normalize_form(self.form_attributes(node, found["form"]))
        for message in problems:
            self.refuse(node, message)
        return {"kind": "start", "form": form}

    def form_attributes(self, node, element) -> dict:
        form = dict(element.attrib)
        fields = {}
        for item in element:
            if _ns(item) != EGOV_NS or _local(item) != "field":
                self.refuse(node, _("表单设置中只能包含字段（egov:field）"))
                continue
            fields[item.get("name") or ""] = item.get("mode") or ""
        form["fields"] = fields
        return form

    def service_task_config(self, node) -> dict:
        ext = node.find(_tag(BPMN_NS, "extensionElements"))
        found = (
            self.check_extensions(ext, allowed={"handler"}) if ext is not None else {}
        )
        name = node.get(_tag(EGOV_NS, "handler"))
        if "handler" in found:
            name = found["handler"].get("name") or name
        if node.find(_tag(BPMN_NS, "multiInstanceLoopCharacteristics")) is not None:
            self.refuse(node, _("服务任务不支持多实例"))
        if not name:
            self.refuse(node, _("服务任务未绑定处理程序（egov:handler）"))
        elif handlers.get_handler(name) is None:
            self.refuse(node, _("处理程序 %(name)s 未登记，不能使用") % {"name": name})
        return {"kind": "service", "handler": name or ""}

    def user_task_config(self, node, process) -> dict:
        ext = node.find(_tag(BPMN_NS, "extensionElements"))
        allowed = {"assignment", "timeLimit", "form", "operations", "vote"}
        found = self.check_extensions(ext, allowed=allowed) if ext is not None else {}
        attributes = {key: dict(found[key].attrib) for key in found if key != "form"}
        if "form" in found:
            attributes["form"] = self.form_attributes(node, found["form"])
        mi = node.find(_tag(BPMN_NS, "multiInstanceLoopCharacteristics"))
        multi = None
        if mi is not None:
            multi = "sequential" if mi.get("isSequential") == "true" else "parallel"
            for child in mi:
                name = _local(child)
                if _ns(child) == BPMN_NS and name == "completionCondition":
                    self.check_expression(node, child.text, _("完成条件"))
                elif _ns(child) == BPMN_NS and name in (
                    "loopCardinality",
                    "loopDataInputRef",
                    "inputDataItem",
                ):
                    self.refuse(
                        node,
                        _("多实例的办理人由办理人设置决定，请勿设置循环基数或输入集合"),
                    )
                elif not (_ns(child) == BPMN_NS and name == "extensionElements"):
                    self.refuse(node, _("多实例中不支持子元素 %(tag)s") % {"tag": name})
        try:
            config = normalize_user_task(
                attributes, multi=multi, lookups=self.lookups, process=process
            )
        except ConfigError as exc:
            for message in exc.messages:
                self.refuse(node, message)
            return {}
        return config


# --- per-node configuration -----------------------------------------------------


class ConfigError(Exception):
    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__("; ".join(self.messages))


def timer_literal(text) -> str:
    """A timer's text without surrounding quotes: designers type PT72H bare."""
    value = (text or "").strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1].strip()
    return value


def split_list(value) -> list[str]:
    return [p.strip() for p in re.split(r"[,，\s]+", value or "") if p.strip()]


def normalize_user_task(attributes: dict, *, multi=None, lookups=None, process=None):
    """Check the egov settings of one user task; return its configuration dict.

    `attributes` maps an extension element's name (assignment, timeLimit,
    form, operations, vote) to its attributes; the form also carries
    ``fields``: {name: mode}. `lookups` answers whether users, posts, roles
    and organizations exist (see egov.workflow.assignment.DirectoryLookups).
    Raises ConfigError listing every problem.
    """
    problems = []
    assignment = dict(attributes.get("assignment") or {})
    rule = assignment.get("rule", "")
    if not assignment:
        problems.append(_("未设置办理人（egov:assignment）"))
    elif rule not in ASSIGNMENT_RULES:
        problems.append(_("办理人规则 %(rule)s 不受支持") % {"rule": rule})
    else:
        problems.extend(_check_assignment(assignment, lookups, process))
    clean_assignment = {
        k: assignment.get(k, "")
        for k in ("rule", "users", "post", "role", "organization", "node", "variable")
        if assignment.get(k)
    }

    limit = attributes.get("timeLimit")
    time_limit = None
    if limit:
        unit = limit.get("unit", "workdays")
        amount = str(limit.get("amount", "")).strip()
        if unit not in TIME_UNITS:
            problems.append(_("时限单位 %(unit)s 不受支持") % {"unit": unit})
        if not amount.isdigit() or not 0 < int(amount) <= 3650:
            problems.append(_("时限必须是 1 到 3650 之间的整数"))
        else:
            time_limit = {"amount": int(amount), "unit": unit}

    form_config, form_problems = normalize_form(attributes.get("form"))
    problems.extend(form_problems)

    operations = list(DEFAULT_OPERATIONS)
    if attributes.get("operations") is not None:
        operations = split_list(attributes["operations"].get("allowed"))
        unknown = [op for op in operations if op not in OPERATIONS]
        if unknown:
            problems.append(_("不支持的操作：%(ops)s") % {"ops": "、".join(unknown)})
        if "approve" not in operations:
            problems.append(_("允许的操作中必须包含同意（approve）"))

    vote = None
    if multi:
        settings = attributes.get("vote") or {}
        vote_rule = settings.get("rule", "all")
        threshold = None
        if vote_rule not in VOTE_RULES:
            problems.append(_("表决规则 %(rule)s 不受支持") % {"rule": vote_rule})
        if vote_rule == "any" and multi == "sequential":
            problems.append(_("或签只能用于并行多实例"))
        if vote_rule == "threshold":
            try:
                threshold = float(settings.get("threshold", ""))
            except ValueError:
                threshold = None
            if threshold is None or not 0 < threshold <= 1:
                problems.append(_("票签的通过比例必须是大于 0、不超过 1 的小数"))
        vote = {"rule": vote_rule, "threshold": threshold}
    elif attributes.get("vote"):
        problems.append(_("只有多实例任务可以设置表决规则"))

    if problems:
        raise ConfigError(problems)
    return {
        "kind": "user",
        "assignment": clean_assignment,
        "time_limit": time_limit,
        "form": form_config,
        "operations": operations,
        "multi": multi,
        "vote": vote,
    }


def normalize_form(form) -> tuple[dict | None, list[str]]:
    """(configuration, problems) of an egov:form: key, version, field modes."""
    if not form:
        return None, []
    problems = []
    form_key = str(form.get("key") or "").strip()
    if not form_key:
        problems.append(_("表单设置缺少表单编码（key）"))
    version = str(form.get("version") or "").strip()
    if version and not version.isdigit():
        problems.append(_("表单版本必须是整数"))
    fields = {}
    for name, mode in (form.get("fields") or {}).items():
        if not name:
            problems.append(_("表单字段缺少名称"))
        elif mode not in FIELD_MODES:
            problems.append(
                _("字段 %(name)s 的模式 %(mode)s 不受支持（editable/readonly/hidden）")
                % {"name": name, "mode": mode}
            )
        else:
            fields[name] = mode
    config = {
        "key": form_key,
        "version": int(version) if version.isdigit() else None,
        "fields": fields,
    }
    return config, problems


def _check_assignment(assignment, lookups, process) -> list[str]:
    rule = assignment["rule"]
    problems = []
    users = split_list(assignment.get("users"))
    if rule == "user" and not users:
        problems.append(_("指定人员规则需要填写人员账号（users）"))
    if rule == "post" and not assignment.get("post"):
        problems.append(_("岗位规则需要填写岗位（post，格式：机构代码/岗位代码）"))
    if rule == "role" and not assignment.get("role"):
        problems.append(_("角色规则需要填写角色代码（role）"))
    if rule == "previous_handler":
        node = assignment.get("node", "")
        if not node:
            problems.append(_("前序办理人规则需要填写环节标识（node）"))
        elif process is not None and not any(
            t.get("id") == node for t in process.iter(_tag(BPMN_NS, "userTask"))
        ):
            problems.append(
                _("前序办理人规则引用的环节 %(node)s 不是本流程的用户任务")
                % {"node": node}
            )
    if rule == "variable":
        name = assignment.get("variable", "")
        if not _IDENT_RE.fullmatch(name) or name.startswith(RESERVED_PREFIXES):
            problems.append(_("变量规则需要填写有效的变量名（variable）"))
    if rule == "choice" and not (
        users or assignment.get("post") or assignment.get("role")
    ):
        problems.append(_("由上一环节选择时，需要给出候选人员、岗位或角色"))
    if lookups is None:
        return problems
    missing = lookups.missing_users(users)
    if missing:
        problems.append(_("人员 %(names)s 不存在") % {"names": "、".join(missing)})
    if assignment.get("post") and not lookups.post_exists(assignment["post"]):
        problems.append(_("岗位 %(post)s 不存在") % {"post": assignment["post"]})
    if assignment.get("role") and not lookups.role_exists(assignment["role"]):
        problems.append(_("角色 %(role)s 不存在") % {"role": assignment["role"]})
    org = assignment.get("organization")
    if org and not lookups.organization_exists(org):
        problems.append(_("机构 %(org)s 不存在") % {"org": org})
    return problems


def inspect(xml, *, key: str, resolve_called, lookups=None) -> tuple:
    """Check a diagram for deployment. Returns (root element, Blueprint).

    `resolve_called(key)` answers whether a deployed process with that key
    exists (call activities may call it). Raises BpmnRefused.
    """
    root = load_xml(xml)
    checker = _Checker(root, key=key, resolve_called=resolve_called, lookups=lookups)
    blueprint = checker.run()
    if checker.problems or blueprint is None:
        raise BpmnRefused(checker.problems or [_("流程文件无法识别")])
    return root, blueprint
