"""The approval processes of the demo items, for `egov demo`.

Four shapes:

- 一般审批 (`hall_review`): 承办科室审查 by the approvers of the implementing
  organization, then 分管领导审核 by the county's leaders (3 + 2 working
  days). 食品经营许可, 建设工程规划许可, 不动产首次登记 and 公共场所卫生许可
  (卫健局, promised in 7 working days) take it.
- 即办审核 (`hall_quick`): one step, 承办科室审核 by the approvers of the
  implementing organization within 4 hours. For the short public services
  whose promise leaves no room for a second review: 出生医学证明办理 (卫健局,
  1 working day), 就业失业登记 (人社局, settled on the spot) and 个体工商户
  设立登记 (行政审批局, 即办: registered the day the papers are complete).
- 并联审批 (`hall_joint_<item>`): a parallel gateway sends the case at once to
  the lead department and to two other departments, each reviewing with its
  own time limit; the join waits until all have decided, then the lead
  department's 分管领导 reviews.
- 乡镇审核、县民政局审批 (`hall_minimum_living`, `hall_senior_allowance`):
  城乡居民最低生活保障 and 高龄津贴 are checked where the applicant lives,
  as 《最低生活保障审核确认办法》 has it: the township government of the
  applicant's household registration investigates (入户调查, 家庭经济状况核对,
  民主评议, 公示 in the village; for 高龄津贴 identity, residence and age),
  then 民政局 approves. An exclusive gateway reads the township the
  applicant chose in the form (户籍所在乡镇, valued by region code): 东河镇
  and 西山乡 by their codes, anything else to 城关镇, the county seat. Each
  township's step goes to its approvers (the clerk doing the
  民政 work), 县民政局审批 to 民政局's approvers. There is no 分管领导 step:
  these benefits are decided by the civil-affairs bureau, not reviewed by
  a county leader. Limits: 12 + 6 of the 20 working days promised for 低保,
  5 + 3 of the 10 for 高龄津贴, leaving two days for the decision.

After the process completes, the case waits for the decision (准予/不予) of
someone holding decide_case over it: a county leader, or for 低保 and 高龄津贴
民政局's head (the bureau grants them); an item without a process waits for
it right after acceptance.

`load()` deploys what is missing through the workflow's own deploy action,
by the demo's process administrator (陈静), like egov.workflow.demo;
`process_key_for(code)` tells the catalog demo which key an item gets.
"""

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from egov.identity.models import User
from egov.workflow.bpmn import EGOV_NS
from egov.workflow.models import ProcessDefinition

REVIEW_KEY = "hall_review"
QUICK_KEY = "hall_quick"
JOINT_KEY = "hall_joint_construction"
MINIMUM_LIVING_KEY = "hall_minimum_living"
SENIOR_ALLOWANCE_KEY = "hall_senior_allowance"
LEADERS_ORG = "139921-100"
CIVIL_AFFAIRS_ORG = "139921-109"
QUICK_HOURS = 4


@dataclass(frozen=True)
class Review:
    """One department's review in a joint process."""

    node: str
    name: str
    organization: str
    days: int


@dataclass(frozen=True)
class Town:
    """A township whose government does the first check of a benefit."""

    node: str
    name: str
    organization: str

    @property
    def region(self) -> str:
        return self.organization.split("-", 1)[0]


# The demo items' processes, by item code. 建筑工程施工许可 (住建局) is joint
# with 自然资源局 (规划核验) and 行政审批局 (施工图审查备案).
ITEM_PROCESSES = {
    "000172012000-139921104": REVIEW_KEY,
    "000172001000-139921107": QUICK_KEY,
    "000144003000-139921105": REVIEW_KEY,
    "000144010000-139921105": REVIEW_KEY,
    "000149002000-139921106": JOINT_KEY,
    "000131001000-139921110": REVIEW_KEY,
    "000131007000-139921110": QUICK_KEY,
    "000132005000-139921111": QUICK_KEY,
    "000145001000-139921109": MINIMUM_LIVING_KEY,
    "000145009000-139921109": SENIOR_ALLOWANCE_KEY,
}
JOINT_REVIEWS = (
    Review("lead_review", "住建局承办科室审查", "", 5),
    Review("planning_review", "自然资源局规划核验", "139921-105", 3),
    Review("drawing_review", "行政审批局施工图审查", "139921-107", 3),
)
# The first is where an address naming no township goes: the county seat.
TOWNS = (
    Town("town_chengguan", "城关镇", "139921100-001"),
    Town("town_donghe", "东河镇", "139921101-001"),
    Town("town_xishan", "西山乡", "139921200-001"),
)
COUNTY_REVIEW = "county_review"
# The form field the township is read from (egov.servicehall.apply_demo).
TOWNSHIP_FIELD = "township"

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:egov="{ns}" id="Definitions_{key}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{key}" name={name} isExecutable="true">
"""
_TAIL = """  </bpmn:process>
</bpmn:definitions>
"""


def _user_task(
    node,
    name,
    assignment,
    days,
    incoming,
    outgoing,
    *,
    unit: str = "workdays",
    documentation: str = "",
) -> str:
    attributes = " ".join(f"{k}={quoteattr(v)}" for k, v in assignment.items() if v)
    flows = "".join(f"<bpmn:incoming>{f}</bpmn:incoming>" for f in incoming) + "".join(
        f"<bpmn:outgoing>{f}</bpmn:outgoing>" for f in outgoing
    )
    about = (
        f"      <bpmn:documentation>{escape(documentation)}</bpmn:documentation>\n"
        if documentation
        else ""
    )
    return (
        f'    <bpmn:userTask id="{node}" name={quoteattr(name)}>\n'
        f"{about}"
        "      <bpmn:extensionElements>\n"
        f"        <egov:assignment {attributes}/>\n"
        f'        <egov:timeLimit amount="{days}" unit="{unit}"/>\n'
        "      </bpmn:extensionElements>\n"
        f"      {flows}\n"
        "    </bpmn:userTask>\n"
    )


def _flow(flow, source, target, condition: str = "") -> str:
    if not condition:
        return (
            f'    <bpmn:sequenceFlow id="{flow}" sourceRef="{source}" '
            f'targetRef="{target}"/>\n'
        )
    return (
        f'    <bpmn:sequenceFlow id="{flow}" sourceRef="{source}" '
        f'targetRef="{target}">\n'
        f"      <bpmn:conditionExpression>{escape(condition)}"
        "</bpmn:conditionExpression>\n"
        "    </bpmn:sequenceFlow>\n"
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


def quick_diagram(*, key: str = QUICK_KEY, hours: int = QUICK_HOURS) -> str:
    """即办审核: one step, 承办科室审核 by the approvers of the case's
    organization within `hours` hours."""
    return "".join(
        [
            _HEAD.format(ns=EGOV_NS, key=key, name=quoteattr("即办审核")),
            '    <bpmn:startEvent id="start" name="受理">'
            "<bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>\n",
            _user_task(
                "review",
                "承办科室审核",
                {"rule": "role", "role": "approver"},
                hours,
                ["f1"],
                ["f2"],
                unit="hours",
            ),
            '    <bpmn:endEvent id="end" name="待决定">'
            "<bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>\n",
            _flow("f1", "start", "review"),
            _flow("f2", "review", "end"),
            _TAIL,
        ]
    )


def town_condition(town: Town) -> str:
    """The gateway condition that sends a case to `town`: the form's
    township is its region code (the code of its government's organization
    up to the dash)."""
    return f'form["{TOWNSHIP_FIELD}"] == "{town.region}"'


def assistance_diagram(
    *,
    key: str,
    name: str,
    town_days: int,
    county_days: int,
    town_work: str,
    towns: tuple[Town, ...] = TOWNS,
    bureau: str = CIVIL_AFFAIRS_ORG,
) -> str:
    """乡镇审核 → 县民政局审批: an exclusive gateway sends the case to the
    township chosen in its form (the first of `towns` when another is
    chosen), whose approvers check it (`town_work` says how) within
    `town_days`; 县民政局审批 by the approvers of `bureau` follows within
    `county_days`."""
    default, *others = towns
    body = [
        _HEAD.format(ns=EGOV_NS, key=key, name=quoteattr(name)),
        '    <bpmn:startEvent id="start" name="受理">'
        "<bpmn:outgoing>f_start</bpmn:outgoing></bpmn:startEvent>\n",
        f'    <bpmn:exclusiveGateway id="by_town" name="按户籍地分送乡镇" '
        f'default="in_{default.node}">'
        "<bpmn:incoming>f_start</bpmn:incoming>"
        + "".join(f"<bpmn:outgoing>in_{t.node}</bpmn:outgoing>" for t in towns)
        + "</bpmn:exclusiveGateway>\n",
    ]
    for town in towns:
        body.append(
            _user_task(
                town.node,
                f"{town.name}审核",
                {"rule": "role", "role": "approver", "organization": town.organization},
                town_days,
                [f"in_{town.node}"],
                [f"out_{town.node}"],
                documentation=town_work,
            )
        )
    body += [
        '    <bpmn:exclusiveGateway id="towns_done" name="乡镇审核意见">'
        + "".join(f"<bpmn:incoming>out_{t.node}</bpmn:incoming>" for t in towns)
        + "<bpmn:outgoing>f_county</bpmn:outgoing></bpmn:exclusiveGateway>\n",
        _user_task(
            COUNTY_REVIEW,
            "县民政局审批",
            {"rule": "role", "role": "approver", "organization": bureau},
            county_days,
            ["f_county"],
            ["f_end"],
            documentation="审查乡镇审核意见和调查材料，必要时抽查核实，提出审批意见",
        ),
        '    <bpmn:endEvent id="end" name="待决定">'
        "<bpmn:incoming>f_end</bpmn:incoming></bpmn:endEvent>\n",
        _flow("f_start", "start", "by_town"),
        _flow(f"in_{default.node}", "by_town", default.node),
    ]
    for town in others:
        body.append(
            _flow(f"in_{town.node}", "by_town", town.node, town_condition(town))
        )
    for town in towns:
        body.append(_flow(f"out_{town.node}", town.node, "towns_done"))
    body += [
        _flow("f_county", "towns_done", COUNTY_REVIEW),
        _flow("f_end", COUNTY_REVIEW, "end"),
        _TAIL,
    ]
    return "".join(body)


def minimum_living_diagram() -> str:
    """城乡居民最低生活保障: 乡镇审核 in 12 working days, 县民政局审批 in 6."""
    return assistance_diagram(
        key=MINIMUM_LIVING_KEY,
        name="最低生活保障审核确认",
        town_days=12,
        county_days=6,
        town_work="入户调查、家庭经济状况核对、民主评议，在申请人所在村（居）"
        "公示，提出审核意见",
    )


def senior_allowance_diagram() -> str:
    """高龄津贴申领: 乡镇审核 in 5 working days, 县民政局审批 in 3."""
    return assistance_diagram(
        key=SENIOR_ALLOWANCE_KEY,
        name="高龄津贴审核",
        town_days=5,
        county_days=3,
        town_work="核实申请人身份、户籍和年龄，在所在村（居）公示，提出审核意见",
    )


def node_organization(node_id: str) -> str:
    """The organization whose approvers a demo process's node goes to ("" for
    the case's own, or for the leaders' step)."""
    for review in JOINT_REVIEWS:
        if review.node == node_id:
            return review.organization
    for town in TOWNS:
        if town.node == node_id:
            return town.organization
    return CIVIL_AFFAIRS_ORG if node_id == COUNTY_REVIEW else ""


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
        (
            QUICK_KEY,
            "即办审核",
            quick_diagram(),
            f"承办科室{QUICK_HOURS}小时内审核，适用于即办件和一个工作日内办结的事项",
        ),
        (
            MINIMUM_LIVING_KEY,
            "最低生活保障审核确认",
            minimum_living_diagram(),
            "户籍所在地乡镇人民政府入户调查、民主评议、公示后提出审核意见，"
            "报县民政局审批",
        ),
        (
            SENIOR_ALLOWANCE_KEY,
            "高龄津贴审核",
            senior_allowance_diagram(),
            "户籍所在地乡镇人民政府核实身份、户籍和年龄后提出审核意见，报县民政局审批",
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
