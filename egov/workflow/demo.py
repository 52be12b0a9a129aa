"""Demo processes for `egov demo`: a leave request with a countersign, and the
system-wide common phrases (常用意见).

`load()` is idempotent: the process is deployed only when no version of its key
exists, and phrases are created only when missing. Deploying goes through the
same action as the designer, by the demo's process administrator (陈静).
"""

from egov.identity.models import User
from egov.workflow.bpmn import EGOV_NS
from egov.workflow.models import CommonPhrase, ProcessDefinition

LEAVE_KEY = "leave"
PHRASES = [
    "同意。",
    "同意，请领导审批。",
    "情况属实，拟同意。",
    "材料不全，请补正后重新提交。",
    "不符合规定，不予同意。",
]


def leave_diagram() -> str:
    """请假审批: 科长审核 → 会签 (two section chiefs) → over three days: 局长审批."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
  xmlns:egov="{EGOV_NS}" id="Definitions_leave" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="leave" name="请假审批" isExecutable="true">
    <bpmn:startEvent id="start" name="提出申请"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="review" name="科长审核">
      <bpmn:extensionElements>
        <egov:assignment rule="post" post="139921-104/section_chief"/>
        <egov:timeLimit amount="2" unit="workdays"/>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="countersign" name="会签">
      <bpmn:extensionElements>
        <egov:assignment rule="user" users="guoting,machao"/>
        <egov:timeLimit amount="3" unit="workdays"/>
        <egov:vote rule="all"/>
      </bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:multiInstanceLoopCharacteristics/>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="decide" name="超过三天？" default="f5">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing><bpmn:outgoing>f5</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:userTask id="head" name="局长审批">
      <bpmn:extensionElements>
        <egov:assignment rule="org_head"/>
        <egov:timeLimit amount="2" unit="workdays"/>
      </bpmn:extensionElements>
      <bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f6</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end" name="办结"><bpmn:incoming>f5</bpmn:incoming><bpmn:incoming>f6</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="countersign"/>
    <bpmn:sequenceFlow id="f3" sourceRef="countersign" targetRef="decide"/>
    <bpmn:sequenceFlow id="f4" name="是" sourceRef="decide" targetRef="head">
      <bpmn:conditionExpression>outcome == "approve" and (days or 0) &gt; 3</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f5" name="否" sourceRef="decide" targetRef="end"/>
    <bpmn:sequenceFlow id="f6" sourceRef="head" targetRef="end"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_leave">
    <bpmndi:BPMNPlane id="Plane_leave" bpmnElement="leave">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="152" y="102" width="36" height="36"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="review_di" bpmnElement="review"><dc:Bounds x="240" y="80" width="100" height="80"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="countersign_di" bpmnElement="countersign"><dc:Bounds x="390" y="80" width="100" height="80"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="decide_di" bpmnElement="decide" isMarkerVisible="true"><dc:Bounds x="545" y="95" width="50" height="50"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="head_di" bpmnElement="head"><dc:Bounds x="650" y="80" width="100" height="80"/></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="812" y="102" width="36" height="36"/></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="188" y="120"/><di:waypoint x="240" y="120"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="340" y="120"/><di:waypoint x="390" y="120"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f3_di" bpmnElement="f3"><di:waypoint x="490" y="120"/><di:waypoint x="545" y="120"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f4_di" bpmnElement="f4"><di:waypoint x="595" y="120"/><di:waypoint x="650" y="120"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f5_di" bpmnElement="f5"><di:waypoint x="570" y="145"/><di:waypoint x="570" y="200"/><di:waypoint x="830" y="200"/><di:waypoint x="830" y="138"/></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f6_di" bpmnElement="f6"><di:waypoint x="750" y="120"/><di:waypoint x="812" y="120"/></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""  # noqa: E501


def load() -> dict[str, int]:
    from egov.workflow.actions import deploy_process

    created = {"phrases": 0, "processes": 0}
    for order, text in enumerate(PHRASES):
        _phrase, made = CommonPhrase.objects.get_or_create(
            owner=None, text=text, defaults={"sort_order": order}
        )
        created["phrases"] += int(made)
    admin = User.objects.filter(username="chenjing", is_active=True).first()
    if admin is None or ProcessDefinition.objects.filter(key=LEAVE_KEY).exists():
        return created
    deploy_process(
        actor=admin,
        key=LEAVE_KEY,
        name="请假审批",
        bpmn_xml=leave_diagram(),
        description="示范流程：科长审核、两位科长会签，超过三天报局长审批",
    )
    created["processes"] = 1
    return created
