"""The approval processes of the demo items, for `egov demo`.

Two shapes:

- 一般审批 (`hall_review`): 承办科室审查 by the approvers of the implementing
  organization, then 分管领导审核 by the county's leaders.
- 并联审批 (`hall_joint_<item>`): a parallel gateway sends the case at once to
  the lead department and to two other departments, each reviewing with its
  own time limit; the join waits until all have decided, then the lead
  department's 分管领导 reviews.

After the process completes, the case waits for the decision (准予/不予) of a
leader with decide_case. Demo items whose department has no approvers yet
have no process: they are decided right after acceptance.

`load()` deploys what is missing through the workflow's own deploy action,
by the demo's process administrator (陈静), like egov.workflow.demo;
`process_key_for(code)` tells the catalog demo which key an item gets.
"""

from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from egov.identity.models import User
from egov.workflow.bpmn import EGOV_NS
from egov.workflow.models import ProcessDefinition

REVIEW_KEY = "hall_review"
JOINT_KEY = "hall_joint_construction"
LEADERS_ORG = "139921-100"


@dataclass(frozen=True)
class Review:
    """One department's review in a joint process."""

    node: str
    name: str
    organization: str
    days: int


# The demo items' processes, by item code. 建筑工程施工许可 (住建局) is joint
# with 自然资源局 (规划核验) and 行政审批局 (施工图审查备案).
ITEM_PROCESSES = {
    "000172012000-139921104": REVIEW_KEY,
    "000172001000-139921107": REVIEW_KEY,
    "000144003000-139921105": REVIEW_KEY,
    "000144010000-139921105": REVIEW_KEY,
    "000149002000-139921106": JOINT_KEY,
}
JOINT_REVIEWS = (
    Review("lead_review", "住建局承办科室审查", "", 5),
    Review("planning_review", "自然资源局规划核验", "139921-105", 3),
    Review("drawing_review", "行政审批局施工图审查", "139921-107", 3),
)

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:egov="{ns}" id="Definitions_{key}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{key}" name={name} isExecutable="true">
"""
_TAIL = """  </bpmn:process>
</bpmn:definitions>
"""


def _user_task(node, name, assignment, days, incoming, outgoing) -> str:
    attributes = " ".join(f"{k}={quoteattr(v)}" for k, v in assignment.items() if v)
    flows = "".join(f"<bpmn:incoming>{f}</bpmn:incoming>" for f in incoming) + "".join(
        f"<bpmn:outgoing>{f}</bpmn:outgoing>" for f in outgoing
    )
    return (
        f'    <bpmn:userTask id="{node}" name={quoteattr(name)}>\n'
        "      <bpmn:extensionElements>\n"
        f"        <egov:assignment {attributes}/>\n"
        f'        <egov:timeLimit amount="{days}" unit="workdays"/>\n'
        "      </bpmn:extensionElements>\n"
        f"      {flows}\n"
        "    </bpmn:userTask>\n"
    )


def _flow(flow, source, target) -> str:
    return (
        f'    <bpmn:sequenceFlow id="{flow}" sourceRef="{source}" '
        f'targetRef="{target}"/>\n'
    )


def review_diagram(*, key: str = REVIEW_KEY, leaders: str = LEADERS_ORG) -> str:
    """承办科室审查 (approvers of the case's organization) → 分管领导审核
    (leaders of `leaders`)."""
    body = [
        _HEAD.format(ns=EGOV_NS, key=key, name=quoteattr("一般审批")),
        '    <bpmn:startEvent id="start" name="受理">'
        "<bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>\n",
        _user_task(
            "review",
            "承办科室审查",
            {"rule": "role", "role": "approver"},
            3,
            ["f1"],
            ["f2"],
        ),
        _user_task(
            "leader",
            "分管领导审核",
            {"rule": "role", "role": "leader", "organization": leaders},
            2,
            ["f2"],
            ["f3"],
        ),
        '    <bpmn:endEvent id="end" name="待决定">'
        "<bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>\n",
        _flow("f1", "start", "review"),
        _flow("f2", "review", "leader"),
        _flow("f3", "leader", "end"),
        _TAIL,
    ]
    return "".join(body)


def joint_diagram(
    *,
    key: str = JOINT_KEY,
    reviews: tuple[Review, ...] = JOINT_REVIEWS,
    leaders: str = LEADERS_ORG,
    leader_name: str = "分管领导审核",
) -> str:
    """并联审批: a parallel split to every review in `reviews` (a review
    without an organization is the lead department's: the case's own), a
    parallel join, then the leaders of `leaders`."""
    body = [
        _HEAD.format(ns=EGOV_NS, key=key, name=quoteattr("并联审批")),
        '    <bpmn:startEvent id="start" name="受理">'
        "<bpmn:outgoing>f_start</bpmn:outgoing></bpmn:startEvent>\n",
        '    <bpmn:parallelGateway id="split" name="分送各部门">'
        "<bpmn:incoming>f_start</bpmn:incoming>"
        + "".join(f"<bpmn:outgoing>in_{r.node}</bpmn:outgoing>" for r in reviews)
        + "</bpmn:parallelGateway>\n",
    ]
    for review in reviews:
        assignment = {"rule": "role", "role": "approver"}
        if review.organization:
            assignment["organization"] = review.organization
        body.append(
            _user_task(
                review.node,
                review.name,
                assignment,
                review.days,
                [f"in_{review.node}"],
                [f"out_{review.node}"],
            )
        )
    body += [
        '    <bpmn:parallelGateway id="join" name="各部门意见汇总">'
        + "".join(f"<bpmn:incoming>out_{r.node}</bpmn:incoming>" for r in reviews)
        + "<bpmn:outgoing>f_join</bpmn:outgoing></bpmn:parallelGateway>\n",
        _user_task(
            "leader",
            leader_name,
            {"rule": "role", "role": "leader", "organization": leaders},
            2,
            ["f_join"],
            ["f_end"],
        ),
        '    <bpmn:endEvent id="end" name="待决定">'
        "<bpmn:incoming>f_end</bpmn:incoming></bpmn:endEvent>\n",
        _flow("f_start", "start", "split"),
    ]
    for review in reviews:
        body.append(_flow(f"in_{review.node}", "split", review.node))
        body.append(_flow(f"out_{review.node}", review.node, "join"))
    body += [_flow("f_join", "join", "leader"), _flow("f_end", "leader", "end"), _TAIL]
    return "".join(body)


def process_key_for(item_code: str) -> str:
    """The demo process of a demo item ("" for none)."""
    return ITEM_PROCESSES.get(item_code, "")


def deploy(actor) -> int:
    """Deploy the demo processes that have no version yet; returns how many."""
    from egov.workflow.actions import deploy_process

    made = 0
    wanted = [
        (REVIEW_KEY, "一般审批", review_diagram(), "承办科室审查后报分管领导审核"),
        (
            JOINT_KEY,
            "建筑工程施工许可并联审批",
            joint_diagram(),
            "住建局牵头，自然资源局、行政审批局并联审查，汇总后报分管领导审核",
        ),
    ]
    for key, name, xml, description in wanted:
        if ProcessDefinition.objects.filter(key=key).exists():
            continue
        deploy_process(
            actor=actor, key=key, name=name, bpmn_xml=xml, description=description
        )
        made += 1
    return made


def load() -> dict[str, int]:
    """Called at the end of the catalog demo's load()."""
    admin = User.objects.filter(username="chenjing", is_active=True).first()
    if admin is None:
        return {}
    return {"processes": deploy(admin)}
