"""Demo cases for `egov demo`: three dozen applications across the demo items
in every state a newcomer should see in the hall (drafts, the window queue,
corrections, refusals, both approval steps, 专家评审, 延期, joint approval,
the townships' 低保 check and 民政局's approval, the one-step 即办审核,
licences issued and one revoked, 不予许可, withdrawals, and 好差评 with an
open and a rectified 不满意).

Every case is made by the real actions, by the people who would do it: the
applicant drafts, uploads and submits (egov.servicehall.apply_actions), 李四
at the service centre's window enters, accepts, refuses or asks for
correction, the departments' and townships' approvers claim and complete
their process tasks (egov.workflow.actions), 孙七 the county's 分管领导
reviews, extends, suspends, decides and revokes, and the applicants rate
(egov.supervision.rating_actions). Timelines, instruments, licences, site
messages and audit entries are therefore the real ones.

Demo-only devices, both confined to this loader:

- Time. So that time limits show yellow and red, each story runs on a
  clock set days or weeks back: `django.utils.timezone.now` is patched for
  the duration of one story, and advanced between its steps (staff act in
  office hours on weekdays, never later than the real present). The audit
  log keeps its own real time. Before the first story the demo items'
  versions are made effective from before the oldest story (they were
  published when the catalog demo ran, seconds earlier).
- Deliveries. The texts and e-mails the actions queue for after the commit
  are dropped (the demo's phone numbers could be real people's); the site
  messages stay.

Idempotent: each online case carries a fixed request token (client_token),
and window cases get theirs afterwards; when any exists nothing is made.

Applicants: 陈小红 and the companies 青山 and 恒达 (egov.identity.demo) apply
online and rate; people and companies without an account (VISITORS, with
checksummed ID numbers and USCCs) apply in person at the window. 张三 and
刘建国 are left without cases, for a newcomer to apply as from scratch.
"""

import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from egov.core.errors import ActionError
from egov.identity.demo import make_id_number, make_uscc
from egov.identity.models import User

# Fixed namespace of the demo cases' request tokens (uuid5 of the story key).
TOKEN_NAMESPACE = uuid.UUID("6f1c2e0a-4b7d-5c3e-9a21-d3e0c0de0404")
DEMO_NOTE = "演示数据"
COUNTY = "139921"

# Short names of the demo items (egov.servicehall.demo.ITEMS).
ITEMS = {
    "food": "000172012000-139921104",  # 食品经营许可 · 市场监管局 · 一般审批
    "sole": "000172001000-139921107",  # 个体工商户设立登记 · 审批局 · 即办审核
    "plan": "000144003000-139921105",  # 建设工程规划许可 · 自然资源局 · 一般审批
    "dibao": "000145001000-139921109",  # 城乡居民最低生活保障 · 民政局 · 乡镇审核
    "birth": "000131007000-139921110",  # 出生医学证明办理 · 卫健局 · 即办审核
    "build": "000149002000-139921106",  # 建筑工程施工许可 · 住建局 · 并联审批
    "hygiene": "000131001000-139921110",  # 公共场所卫生许可 · 卫健局 · 一般审批
    "job": "000132005000-139921111",  # 就业失业登记 · 人社局 · 即办审核
    "estate": "000144010000-139921105",  # 不动产首次登记 · 自然资源局 · 一般审批
    "elder": "000145009000-139921109",  # 高龄津贴申领 · 民政局 · 乡镇审核
}

WINDOW_CLERK = "lisi"
LEADER = "sunqi"
# Who takes a department's review task (a candidate of its pooled task):
# the bureaus', and the townships' for 低保 and 高龄津贴.
REVIEWERS = {
    "139921-104": "wangwu",
    "139921-105": "guoting",
    "139921-106": "machao",
    "139921-107": "yangfan",
    "139921-109": "fengjianping",
    "139921-110": "caoying",
    "139921-111": "jiangwei",
    "139921100-001": "songjia",
    "139921101-001": "xiexiaoyan",
    "139921200-001": "yuanzhiyong",
}
# Who decides a department's cases (else the county leader): 民政局 grants
# 低保 and 高龄津贴 itself, signed by its head.
DECIDERS = {"139921-109": "fengjianping"}
# Who handles a department's 好差评 rectification (else the county leader).
RECTIFIERS = {"139921-104": "wangwu", "139921-107": "yangfan"}


@dataclass(frozen=True)
class Visitor:
    """Someone without an account who applies in person at the window."""

    key: str
    name: str
    phone: str
    id_body: str = ""  # people: the first 17 digits of the ID number
    uscc_body: str = ""  # companies: the 8-character organisation code
    contact: str = ""  # companies: who deals with the application

    @property
    def kind(self) -> str:
        return "entity" if self.uscc_body else "individual"

    @property
    def id_number(self) -> str:
        if self.uscc_body:
            return make_uscc("91", COUNTY, self.uscc_body)
        return make_id_number(self.id_body)


VISITORS = {
    v.key: v
    for v in [
        Visitor("wangxiulan", "王秀兰", "13999213001", id_body="13992119430218002"),
        Visitor("sunzhiqiang", "孙志强", "13999213002", id_body="13992119790905011"),
        Visitor("zhoumin", "周敏", "13999213003", id_body="13992119881127006"),
        Visitor("zhaoli", "赵丽", "13999213004", id_body="13992119950623004"),
        Visitor("wangjianjun", "王建军", "13999213005", id_body="13992119720310015"),
        Visitor("lixiuying", "李秀英", "13999213006", id_body="13992119560721008"),
        Visitor("chengang", "陈刚", "13999213007", id_body="13992120010502013"),
        Visitor(
            "weixiangyuan",
            "示范县味香园餐饮有限公司",
            "13999213008",
            uscc_body="MA0WX003",
            contact="何立新",
        ),
        Visitor(
            "yuelai",
            "示范县悦来宾馆有限公司",
            "13999213009",
            uscc_body="MA0YL004",
            contact="邓芳",
        ),
        Visitor(
            "chengtou",
            "示范县城市建设投资有限公司",
            "13999213010",
            uscc_body="MA0CT005",
            contact="彭涛",
        ),
    ]
}
# Who deals with the applications of the identity demo's companies.
CONTACTS = {"qingshan": "陈青山", "hengda": "许恒达"}


@dataclass(frozen=True)
class Party:
    """An applicant as the stories need them: a demo account or a visitor."""

    key: str
    name: str
    kind: str
    id_number: str
    phone: str
    contact: str
    user: User | None = None


@dataclass(frozen=True)
class Story:
    """One demo case: who applies for what, when (days before today, at a
    local hour), and what happens to it, step by step (the Runner's methods;
    "+2h", "+3d", "+30m" let time pass). Online cases are by demo accounts,
    window cases ("window") by visitors or accounts."""

    key: str
    item: str
    applicant: str
    days_ago: int
    steps: tuple[str, ...]
    hour: float = 9.5
    form: dict = field(default_factory=dict)
    say: dict = field(default_factory=dict)


def S(key, item, applicant, days_ago, *steps, hour=9.5, form=None, **say):  # noqa: N802
    return Story(key, item, applicant, days_ago, steps, hour, form or {}, say)


# The stories. Their states after loading are counted in
# tests/servicehall/test_demo_cases.py. 陈小红 (and the companies 青山 and
# 恒达) have cases in most states; 张三 and 刘建国 have none, so a newcomer can
# apply as them from scratch.
STORIES = [
    # --- concluded with a licence -------------------------------------------
    S(
        "food-chenxiaohong",
        "food",
        "chenxiaohong",
        34,
        "submit",
        "+2h",
        "accept",
        "+1d",
        "review",
        "+1d",
        "leader",
        "+2h",
        "approve",
        "+1d",
        "rate:5",
        form={
            "operator_name": "陈小红",
            "premises": "示范县城关镇解放街8号",
            "business_items": ["o3", "o5"],
        },
        comment="网上提交，材料一次就过了，证照直接在手机上能看到。",
        tags=["办事效率高", "一次办成"],
    ),
    S(
        "build-chengtou",
        "build",
        "chengtou",
        31,
        "window",
        "+3h",
        "accept",
        "+1d",
        "review:planning_review",
        "+4h",
        "review:drawing_review",
        "+1d",
        "review:lead_review",
        "+1d",
        "leader",
        "+3h",
        "approve",
        hour=10,
    ),
    S(
        "birth-chenxiaohong",
        "birth",
        "chenxiaohong",
        29,
        "submit",
        "+1h",
        "accept",
        "+1h",
        "review",
        "+1h",
        "approve",
        "+1d",
        "rate:5",
        hour=10,
        comment="出生证明当天就办好了。",
        tags=["一次办成", "服务态度好"],
    ),
    S(
        "estate-zhoumin",
        "estate",
        "zhoumin",
        28,
        "window",
        "+2h",
        "accept",
        "+2d",
        "review",
        "+1d",
        "leader",
        "+2h",
        "approve",
        "+7d",
        "revoke",
        revoke="权利人申请更正登记（不动产单元号登记有误），原证书注销，更正后另行发证",
    ),
    S(
        "hygiene-yuelai",
        "hygiene",
        "yuelai",
        26,
        "window",
        "+1d",
        "accept",
        "+2d",
        "review",
        "+1d",
        "leader",
        "+2h",
        "approve",
        hour=10,
        review="现场核查：客房、公共卫生间布局和消毒设施符合要求，"
        "从业人员健康证明有效，同意。",
    ),
    S(
        "food-qingshan",
        "food",
        "qingshan",
        24,
        "submit",
        "+1d",
        "accept",
        "+4d",
        "review",
        "+5d",
        "leader",
        "+1d",
        "approve",
        "+1d",
        "rate:2",
        form={
            "premises": "示范县东河镇工业园青山路6号",
            "business_form": "o1",
            "business_items": ["o1"],
        },
        comment="承诺5个工作日，实际拖了两周多，中间没人告知进度。",
        tags=["办理超时"],
    ),
    S(
        "sole-chenxiaohong",
        "sole",
        "chenxiaohong",
        22,
        "submit",
        "+2h",
        "correct",
        "+1d",
        "resubmit",
        "+2h",
        "accept",
        "+3h",
        "review",
        "+1h",
        "approve",
        "+1d",
        "rate:2",
        "+1d",
        "rectify",
        correct=[("经营场所使用证明", "租赁合同未附出租方房屋产权证明，请补充上传")],
        comment="网上说材料齐了，窗口又要补租赁合同，多跑了一趟。",
        tags=["多次跑腿", "材料要求不清"],
    ),
    S(
        "sole-wangjianjun",
        "sole",
        "wangjianjun",
        12,
        "window",
        "+1h",
        "accept",
        "+2h",
        "review",
        "+1h",
        "approve",
        hour=14,
        form={
            "trader_name": "示范县西山乡建军农资店",
            "premises": "示范县西山乡集镇街5号",
            "scope": "化肥、农药（不含危险化学品）、种子零售",
        },
    ),
    # --- concluded without a licence ----------------------------------------
    S(
        "elder-wangxiulan",
        "elder",
        "wangxiulan",
        20,
        "window",
        "+1h",
        "accept",
        "+2d",
        "review",
        "+2d",
        "review",
        "+1d",
        "approve",
        hour=10,
        opinions={
            "town_chengguan": (
                "approve",
                "经核实，申请人户籍在本镇东街社区，已年满80周岁，"
                "已在社区公示无异议，同意上报。",
            ),
            "county_review": ("approve", "同意乡镇审核意见，符合高龄津贴发放条件。"),
        },
    ),
    S(
        "job-sunzhiqiang",
        "job",
        "sunzhiqiang",
        18,
        "window",
        "+1h",
        "accept",
        "+1h",
        "review",
        "+30m",
        "approve",
        hour=14,
        review="已核对身份信息和就业失业状态，同意登记。",
    ),
    S(
        "dibao-sunzhiqiang",
        "dibao",
        "sunzhiqiang",
        27,
        "window",
        "+1d",
        "accept",
        "+6d",
        "review",
        "+2d",
        "review",
        "+1d",
        "deny",
        hour=11,
        opinions={
            "town_xishan": (
                "reject",
                "经入户调查和家庭经济状况核对，申请人家庭有未申报的务工收入，"
                "实际月收入5580元，人均1860元，高于本县最低生活保障标准；"
                "经民主评议，不符合条件，建议不予批准。",
            ),
            "county_review": ("reject", "同意乡镇审核意见，不予批准。"),
        },
        deny="经家庭经济状况核对，申请人家庭人均月收入1860元，高于本县城乡居民"
        "最低生活保障标准（每人每月780元），不符合最低生活保障条件。",
    ),
    S(
        "estate-qingshan",
        "estate",
        "qingshan",
        21,
        "submit",
        "+2h",
        "accept",
        "+2d",
        "review",
        "+1d",
        "leader",
        "+2h",
        "deny",
        "+1d",
        "rate:4",
        tags=["材料要求清楚"],
        form={
            "location": "示范县东河镇工业园青山路6号",
            "use": "o3",
            "reason": "o2",
            "floor_area": 3260,
        },
        review="权属来源证明为租赁合同，不能证明取得土地使用权。",
        deny="申请人提交的权属来源证明为土地租赁合同，不能证明依法取得国有建设"
        "用地使用权，不符合《不动产登记暂行条例》第二十二条规定的登记条件。",
    ),
    S(
        "hygiene-chenxiaohong",
        "hygiene",
        "chenxiaohong",
        16,
        "submit",
        "+3h",
        "refuse",
        "+1d",
        "rate:3",
        tags=["指引不够清楚"],
        form={
            "unit_name": "小红美发工作室",
            "premises": "示范市临川县新华路9号",
            "business_items": ["o3"],
            "floor_area": 45,
            "staff_count": 2,
        },
        refuse="申请的经营场所位于临川县，不属于本机关管辖范围，"
        "请向经营场所所在地县级卫生健康行政部门申请。",
    ),
    S(
        "estate-chenxiaohong",
        "estate",
        "chenxiaohong",
        9,
        "submit",
        "+2h",
        "refuse",
        "+1d",
        "rate:4",
        tags=["指引清晰"],
        form={"location": "示范县东河镇东河村三组", "use": "o1"},
        refuse="申请登记的房屋为农村宅基地上的房屋，应申请宅基地使用权及房屋所有权"
        "首次登记，请按该事项重新申请。",
    ),
    S(
        "estate-hengda",
        "estate",
        "hengda",
        15,
        "submit",
        "+1d",
        "withdraw",
        form={"location": "示范县城关镇建设路88号", "use": "o2", "floor_area": 6420},
        withdraw="不动产权籍调查成果需重新测绘，撤回后重新申请。",
    ),
    S(
        "job-chenxiaohong",
        "job",
        "chenxiaohong",
        6,
        "submit",
        "+3h",
        "withdraw",
        withdraw="已找到工作，不再办理失业登记。",
    ),
    # --- in the approval process --------------------------------------------
    S(
        "food-weixiangyuan",
        "food",
        "weixiangyuan",
        17,
        "window",
        "+3h",
        "accept",
        hour=10,
        form={"premises": "示范县城关镇美食街3号"},
    ),
    S(
        "food-yuelai",
        "food",
        "yuelai",
        2,
        "window",
        "+2h",
        "accept",
        form={"premises": "示范县城关镇迎宾路1号（悦来宾馆一楼餐厅）"},
    ),
    S(
        "estate-chengtou",
        "estate",
        "chengtou",
        5,
        "window",
        "+1h",
        "accept",
        form={
            "location": "示范县城关镇滨河路安置小区3号楼",
            "use": "o1",
            "floor_area": 12680.5,
        },
    ),
    S(
        "estate-wangjianjun",
        "estate",
        "wangjianjun",
        8,
        "window",
        "+2h",
        "accept",
        "+2d",
        "review",
        form={"location": "示范县西山乡西山村五组18号", "floor_area": 168},
    ),
    S(
        "sole-zhaoli",
        "sole",
        "zhaoli",
        2,
        "window",
        "+1h",
        "accept",
        form={"trader_name": "示范县城关镇赵丽美甲店", "scope": "美甲服务"},
    ),
    S(
        "build-hengda",
        "build",
        "hengda",
        3,
        "submit",
        "+2h",
        "accept",
        "+1d",
        "review:planning_review",
        form={
            "project_name": "示范县恒达建筑工程有限公司综合办公楼",
            "location": "示范县城关镇建设路88号",
            "contract_price": 2380,
            "floor_area": 6420,
        },
    ),
    S(
        "plan-qingshan",
        "plan",
        "qingshan",
        25,
        "submit",
        "+1d",
        "accept",
        "+3d",
        "review",
        "+1h",
        "extend",
        hour=11,
        extend="项目涉及农业设施用地，需征求县农业农村局意见，"
        "经负责人批准延长10个工作日。",
    ),
    S(
        "plan-chengtou",
        "plan",
        "chengtou",
        14,
        "window",
        "+1d",
        "accept",
        "+2d",
        "review",
        "+1d",
        "suspend",
        form={
            "project_name": "示范县滨河路安置小区二期工程",
            "location": "示范县城关镇滨河路",
            "floor_area": 36800,
            "land_permit_no": "地字第139921202500031号",
        },
        suspend="建设工程设计方案涉及历史文化街区风貌管控，组织专家评审，"
        "专家评审期间不计入办理时限。",
    ),
    S(
        "dibao-wangxiulan",
        "dibao",
        "wangxiulan",
        10,
        "window",
        "+2h",
        "accept",
        "+4d",
        "review",
        hour=10,
        form={
            "township": "139921100",
            "household_address": "示范县城关镇东街社区",
            "household_size": 1,
            "monthly_income": 620,
            "reason": "独居老人，无固定收入，仅靠少量养老金生活。",
        },
        opinions={
            "town_chengguan": (
                "approve",
                "经入户调查和家庭经济状况核对，申请人独居，月收入620元，"
                "低于本县最低生活保障标准（每人每月780元）；"
                "经民主评议，在社区公示7天无异议，同意上报。",
            ),
        },
    ),
    S(
        "dibao-lixiuying",
        "dibao",
        "lixiuying",
        1,
        "window",
        "+1h",
        "accept",
        hour=14,
        form={
            "household_size": 2,
            "monthly_income": 900,
            "township": "139921101",
            "household_address": "示范县东河镇河西村二组",
        },
    ),
    S(
        "birth-zhaoli",
        "birth",
        "zhaoli",
        0,
        "window",
        "+30m",
        "accept",
        hour=9,
        form={
            "baby_name": "周子涵",
            "baby_sex": "o2",
            "mother_name": "赵丽",
            "father_name": "周强",
        },
    ),
    # --- waiting for the applicant's correction -----------------------------
    S(
        "hygiene-qingshan",
        "hygiene",
        "qingshan",
        1,
        "submit",
        "+3h",
        "correct",
        form={
            "unit_name": "青山农庄民宿",
            "premises": "示范县东河镇青山村一组",
            "business_items": ["o1"],
            "floor_area": 680,
            "staff_count": 6,
        },
        correct=[("卫生管理制度", "缺少客房用品清洗消毒制度，请补充后上传")],
    ),
    S(
        "plan-hengda",
        "plan",
        "hengda",
        11,
        "submit",
        "+1d",
        "accept",
        "+2d",
        "correct",
        form={
            "project_name": "示范县恒达建筑工程有限公司综合办公楼",
            "location": "示范县城关镇建设路88号",
            "floor_area": 6420,
            "land_permit_no": "地字第139921202600007号",
        },
        correct=[
            ("建设工程设计方案总平面图", "总平面图未标注与相邻建筑的间距，请补充"),
            ("建设工程施工图设计文件", "缺少消防设计专篇"),
        ],
    ),
    # --- waiting at the window ----------------------------------------------
    S(
        "estate-hengda-2",
        "estate",
        "hengda",
        4,
        "submit",
        "+2h",
        "correct",
        "+2d",
        "resubmit",
        form={"location": "示范县城关镇建设路88号", "use": "o2", "floor_area": 6420},
        correct=[("不动产权籍调查成果", "宗地图未加盖测绘单位印章，请重新上传")],
    ),
    S(
        "job-chenxiaohong-2",
        "job",
        "chenxiaohong",
        0,
        "submit",
        hour=8,
        form={
            "kind": "o1",
            "since": "2026-11-16",
            "employer": "示范县青山农业科技有限公司",
            "wish": "",
        },
    ),
    S(
        "sole-zhoumin",
        "sole",
        "zhoumin",
        4,
        "window",
        hour=10,
        form={"trader_name": "示范县城关镇周敏服装店", "scope": "服装、鞋帽零售"},
    ),
    S(
        "job-chengang",
        "job",
        "chengang",
        0,
        "window",
        hour=9.2,
        form={"education": "o4", "wish": "会计、出纳"},
    ),
    # --- drafts -------------------------------------------------------------
    S(
        "hygiene-draft-chenxiaohong",
        "hygiene",
        "chenxiaohong",
        0,
        "draft:2",
        hour=8.5,
        form={"unit_name": "小红美发工作室", "premises": "示范县城关镇解放街10号"},
    ),
    S(
        "plan-draft-hengda",
        "plan",
        "hengda",
        3,
        "draft:1",
        form={"project_name": "示范县恒达建材仓库"},
    ),
    S(
        "build-draft-qingshan",
        "build",
        "qingshan",
        1,
        "draft:0",
        form={"project_name": "示范县青山农业科技有限公司冷链仓储中心"},
    ),
]


def token(story: Story) -> uuid.UUID:
    return uuid.uuid5(TOKEN_NAMESPACE, story.key)


# --- application forms and materials ------------------------------------------


def _form(story: Story, applicant: Party) -> dict:
    """The application form as the applicant filled it in."""
    name = applicant.name
    forms = {
        "food": {
            "operator_name": name,
            "legal_person": applicant.contact,
            "premises": "示范县城关镇人民路66号",
            "business_form": "o2",
            "business_items": ["o1", "o3"],
            "floor_area": 86.5,
            "safety_manager": applicant.contact,
            "safety_manager_phone": applicant.phone,
        },
        "sole": {
            "trader_name": f"示范县城关镇{name}小吃店",
            "composition": "o1",
            "premises": "示范县城关镇文化路21号",
            "scope": "小吃服务；预包装食品销售",
            "employees": 2,
            "capital": 5,
        },
        "plan": {
            "project_name": "示范县青山农业科技有限公司冷链仓储中心",
            "location": "示范县东河镇工业园青山路6号",
            "nature": "o1",
            "floor_area": 4860,
            "land_permit_no": "地字第139921202600012号",
            "designer": "示范市建筑设计研究院有限公司",
        },
        "dibao": {
            "township": "139921200",
            "household_address": "示范县西山乡西山村五组",
            "household_size": 3,
            "monthly_income": 1450,
            "reason": "家中主要劳动力因病丧失劳动能力，收入来源少，生活困难。",
            "bank": "示范县农村信用合作联社",
        },
        "birth": {
            "kind": "o1",
            "baby_name": "王欣怡",
            "baby_sex": "o2",
            "birth_date": timezone.localdate().isoformat(),
            "birth_place": "示范县人民医院",
            "mother_name": name,
            "mother_id": applicant.id_number,
            "father_name": "王磊",
        },
        "build": {
            "project_name": "示范县滨河路安置小区二期工程",
            "location": "示范县城关镇滨河路",
            "contract_price": 8650,
            "floor_area": 36800,
            "contractor": "示范县恒达建筑工程有限公司",
            "contractor_uscc": make_uscc("91", COUNTY, "MA0HD002"),
            "supervisor": "示范市建设监理有限公司",
            "start_date": (timezone.localdate() + timedelta(days=30)).isoformat(),
        },
        "hygiene": {
            "unit_name": name,
            "premises": "示范县城关镇迎宾路1号",
            "business_items": ["o1"],
            "floor_area": 1260,
            "staff_count": 18,
            "hygiene_manager": applicant.contact,
        },
        "job": {
            "kind": "o2",
            "residence": "o1",
            "education": "o3",
            "since": (timezone.localdate() - timedelta(days=20)).isoformat(),
            "employer": "",
            "wish": "物流仓储",
        },
        "estate": {
            "location": "示范县城关镇建设路15号",
            "unit_no": "139921001001GB00012F00010001",
            "reason": "o1",
            "use": "o1",
            "floor_area": 142.6,
        },
        "elder": {
            "township": "139921100",
            "household_address": "示范县城关镇东街社区",
            "living": "o2",
            "payment": "o1",
            "carer": "孙志强",
            "carer_phone": "13999211006",
        },
    }
    data = dict(forms[story.item])
    data.update(story.form)
    return {key: value for key, value in data.items() if value not in ("", None)}


_PDF_CACHE: dict[tuple[str, str], bytes] = {}


def _material_file(requirement, applicant_name: str) -> SimpleUploadedFile:
    """A one-page PDF standing in for the scanned material."""
    from egov.docgen.pdf import simple_pdf

    key = (requirement.name, applicant_name)
    if key not in _PDF_CACHE:
        _PDF_CACHE[key] = simple_pdf(
            requirement.name,
            [("申请人", applicant_name), ("形式", requirement.get_form_display())],
            note="演示材料（示范县政务服务平台演示数据）",
        )
    return SimpleUploadedFile(
        f"{requirement.name}.pdf", _PDF_CACHE[key], content_type="application/pdf"
    )


# --- the clock ----------------------------------------------------------------


class DemoClock:
    """The time a story's actions see: starts at the story's hour, moves on
    with each step, never beyond the real present."""

    def __init__(self, start: datetime, ceiling: datetime):
        self.ceiling = ceiling
        self.now = min(start, ceiling)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now = self._cap(self.now + delta)

    def office_hours(self) -> None:
        """Staff act on weekdays between 9:00 and 17:00."""
        local = timezone.localtime(self.now)
        moved = local
        if local.time() < time(9):
            moved = local.replace(hour=9, minute=5, second=0, microsecond=0)
        elif local.time() >= time(17):
            moved = (local + timedelta(days=1)).replace(
                hour=9, minute=5, second=0, microsecond=0
            )
        while moved.weekday() >= 5:
            moved = (moved + timedelta(days=1)).replace(hour=9, minute=5)
        if moved != local:
            self.now = self._cap(moved)

    def _cap(self, moment: datetime) -> datetime:
        # Steps stay in order even when they bump into the present.
        return min(moment, max(self.now + timedelta(seconds=1), self.ceiling))


@contextmanager
def _at(clock: DemoClock):
    with mock.patch("django.utils.timezone.now", clock):
        yield


# After-commit deliveries (SMS, e-mail) are queued by these modules.
DELIVERY_MODULES = frozenset(
    {
        "egov.servicehall.notify",
        "egov.supervision.rating_actions",
        "egov.workflow.operations.notify",
    }
)


@contextmanager
def _without_deliveries():
    """Drop the texts and e-mails queued for after the commit while the
    demo's cases are made (other after-commit work, e.g. the audit log's
    sealing, is kept)."""
    connection = transaction.get_connection()
    before = len(connection.run_on_commit)
    try:
        yield
    finally:
        queued = connection.run_on_commit
        connection.run_on_commit = queued[:before] + [
            entry
            for entry in queued[before:]
            if getattr(entry[1], "__module__", "") not in DELIVERY_MODULES
        ]


# --- the steps ----------------------------------------------------------------


class Runner:
    """Plays the stories: the people, the items and the clock."""

    def __init__(self, people: dict[str, User], versions: dict, created: Counter):
        self.people = people
        self.versions = versions
        self.created = created

    # Helpers.

    def person(self, username: str) -> User:
        return self.people[username]

    def party(self, key: str) -> Party:
        user = self.people.get(key)
        if user is None:
            visitor = VISITORS[key]
            return Party(
                key,
                visitor.name,
                visitor.kind,
                visitor.id_number,
                visitor.phone,
                visitor.contact or visitor.name,
            )
        entity = user.kind == User.Kind.ENTITY
        return Party(
            key,
            user.real_name,
            "entity" if entity else "individual",
            user.uscc if entity else user.id_number,
            user.phone,
            CONTACTS.get(key, "") if entity else user.real_name,
            user,
        )

    def _applicable(self, case):
        from egov.servicehall import apply_queries

        return apply_queries.applicable_materials(case)

    def _applicant_data(self, applicant: Party) -> dict | None:
        """What a company fills in on top of its account's data."""
        if applicant.kind != "entity":
            return None
        return {
            "applicant_name": applicant.name,
            "applicant_id_number": applicant.id_number,
            "contact_name": applicant.contact,
            "contact_phone": applicant.phone,
            "contact_email": "",
        }

    def _open_tasks(self, case, node: str = ""):
        from egov.workflow.models import Task

        case.refresh_from_db()
        if case.process_instance_id is None:
            return []
        tasks = Task.objects.filter(
            instance_id=case.process_instance_id, state__in=Task.OPEN_STATES
        ).order_by("id")
        if node:
            tasks = tasks.filter(node_id=node)
        return list(tasks)

    def _work(self, task, opinion: str, outcome: str = "approve"):
        from egov.workflow.actions import claim_task, complete_task

        if task.assignee_id is not None:
            actor = task.assignee
        elif task.node_id == "leader":
            actor = self.person(LEADER)
        else:
            organization = self._task_organization(task)
            actor = self.person(REVIEWERS[organization])
            task = claim_task(actor=actor, task=task)
        complete_task(actor=actor, task=task, outcome=outcome, opinion=opinion)
        return actor

    def _task_organization(self, task) -> str:
        from egov.servicehall import case_demo

        return (
            case_demo.node_organization(task.node_id) or task.instance.organization.code
        )

    # Steps: each takes (story, case, clock) and returns the case.

    def draft(self, story, clock, materials: int | None = None):
        from egov.servicehall import apply_actions

        applicant = self.party(story.applicant)
        case = apply_actions.create_draft(
            actor=applicant.user,
            item_code=ITEMS[story.item],
            client_token=token(story),
        )
        form = _form(story, applicant)
        if materials is not None:
            # A draft half filled in: the first fields only.
            form = dict(list(form.items())[: max(2, len(form) // 2)])
        case = apply_actions.save_draft(
            actor=applicant.user,
            case=case,
            form_data=form,
            applicant=self._applicant_data(applicant),
        )
        wanted = [m for m in self._applicable(case) if m.is_required]
        if materials is not None:
            wanted = wanted[:materials]
        for requirement in wanted:
            clock.advance(timedelta(minutes=3))
            apply_actions.upload_material(
                actor=applicant.user,
                case=case,
                requirement=requirement,
                upload=_material_file(requirement, applicant.name),
            )
        return case

    def submit(self, story, clock):
        from egov.servicehall import apply_actions

        case = self.draft(story, clock)
        clock.advance(timedelta(minutes=5))
        return apply_actions.submit_case(
            actor=self.party(story.applicant).user, case=case
        )

    def window(self, story, clock):
        from egov.servicehall import case_actions
        from egov.servicehall.models import Case

        clock.office_hours()
        applicant = self.party(story.applicant)
        version = self.versions[story.item]
        entity = applicant.kind == "entity"
        materials = [
            (m, _material_file(m, applicant.name))
            for m in version.materials.filter(is_required=True).order_by("sort_order")
            if (m.for_entities if entity else m.for_individuals)
        ]
        case = case_actions.enter_case(
            actor=self.person(WINDOW_CLERK),
            item_code=ITEMS[story.item],
            applicant={
                "kind": applicant.kind,
                "name": applicant.name,
                "id_number": applicant.id_number,
                "phone": applicant.phone,
                "contact_name": applicant.contact,
            },
            form_data=_form(story, applicant),
            materials=materials,
        )
        Case.objects.filter(pk=case.pk).update(client_token=token(story))
        return case

    def accept(self, story, case, clock):
        from egov.servicehall import case_actions

        clock.office_hours()
        return case_actions.accept_case(
            actor=self.person(WINDOW_CLERK), case=case, note="材料齐全，符合法定形式"
        )

    def refuse(self, story, case, clock):
        from egov.servicehall import case_actions

        clock.office_hours()
        return case_actions.refuse_case(
            actor=self.person(WINDOW_CLERK), case=case, reason=story.say["refuse"]
        )

    def correct(self, story, case, clock):
        from egov.servicehall import case_actions

        clock.office_hours()
        by_name = {m.name: m.pk for m in case.item_version.materials.all()}
        items = [
            {"material": by_name.get(name), "name": name, "reason": reason}
            for name, reason in story.say["correct"]
        ]
        return case_actions.request_correction(
            actor=self.person(WINDOW_CLERK),
            case=case,
            items=items,
            note="请一次性补齐以上材料后重新提交",
        )

    def resubmit(self, story, case, clock):
        from egov.servicehall import apply_actions

        applicant = self.party(story.applicant)
        names = {name for name, _reason in story.say["correct"]}
        for requirement in self._applicable(case):
            if requirement.name in names:
                apply_actions.upload_material(
                    actor=applicant.user,
                    case=case,
                    requirement=requirement,
                    upload=_material_file(requirement, applicant.name),
                )
        clock.advance(timedelta(minutes=5))
        return apply_actions.resubmit_case(actor=applicant.user, case=case)

    def review(self, story, case, clock, node: str = ""):
        clock.office_hours()
        tasks = [t for t in self._open_tasks(case, node) if t.node_id != "leader"]
        if not tasks:
            raise RuntimeError(f"demo case {story.key}: no review task open")
        for task in tasks:
            outcome, opinion = story.say.get("opinions", {}).get(
                task.node_id,
                ("approve", story.say.get("review", "材料齐全，符合条件，同意。")),
            )
            self._work(task, opinion, outcome)
            clock.advance(timedelta(minutes=20))
        return case

    def leader(self, story, case, clock):
        clock.office_hours()
        tasks = self._open_tasks(case, "leader")
        if not tasks:
            raise RuntimeError(f"demo case {story.key}: no leader task open")
        self._work(tasks[0], "同意承办科室意见。")
        return case

    def extend(self, story, case, clock):
        from egov.servicehall import case_actions
        from egov.workflow.models import Task

        clock.office_hours()
        done = (
            Task.objects.filter(instance_id=case.process_instance_id)
            .exclude(completed_by=None)
            .exclude(node_id="leader")
            .first()
        )
        asker = done.completed_by if done is not None else self.person(LEADER)
        request = case_actions.request_extension(
            actor=asker, case=case, amount=10, reason=story.say["extend"]
        )
        clock.advance(timedelta(hours=2))
        case_actions.decide_extension(
            actor=self.person(LEADER), request=request, approve=True, note="同意延期"
        )
        return case

    def suspend(self, story, case, clock):
        from egov.core.models import ClockStop
        from egov.servicehall import case_actions

        clock.office_hours()
        return case_actions.suspend_case(
            actor=self.person(LEADER),
            case=case,
            kind=ClockStop.Kind.EXPERT_REVIEW,
            reason=story.say["suspend"],
        )

    def approve(self, story, case, clock):
        from egov.servicehall import case_actions

        clock.office_hours()
        return case_actions.decide_case(
            actor=self.person(DECIDERS.get(case.organization.code, LEADER)),
            case=case,
            decision=case_actions.APPROVE,
            reasons="申请材料齐全，符合法定条件，准予许可。",
        )

    def deny(self, story, case, clock):
        from egov.servicehall import case_actions

        clock.office_hours()
        return case_actions.decide_case(
            actor=self.person(DECIDERS.get(case.organization.code, LEADER)),
            case=case,
            decision=case_actions.DENY,
            reasons=story.say["deny"],
        )

    def revoke(self, story, case, clock):
        from egov.datahub.licence_actions import revoke_licence
        from egov.datahub.models import ELicense

        clock.office_hours()
        licence = ELicense.objects.get(case=case, state=ELicense.State.VALID)
        revoke_licence(
            actor=self.person(LEADER), licence=licence, reason=story.say["revoke"]
        )
        return case

    def withdraw(self, story, case, clock):
        from egov.servicehall import apply_actions

        return apply_actions.withdraw_case(
            actor=self.party(story.applicant).user,
            case=case,
            reason=story.say["withdraw"],
        )

    def rate(self, story, case, clock, level: str):
        from egov.supervision.rating_actions import rate_case

        rate_case(
            actor=self.party(story.applicant).user,
            case=case,
            level=int(level),
            comment=story.say.get("comment", ""),
            tags=story.say.get("tags", ()),
        )
        return case

    def rectify(self, story, case, clock):
        from egov.supervision import rating_actions
        from egov.supervision.models import Rectification

        clock.office_hours()
        rectification = Rectification.objects.get(rating__case=case)
        handler = self.person(RECTIFIERS.get(case.organization.code, LEADER))
        rating_actions.record_callback(
            actor=handler,
            rectification=rectification,
            called_at=clock.now,
            contact=case.applicant_name,
            content="电话回访申请人，了解到网上材料清单对租赁合同的要求未写明，"
            "申请人因此多跑一次。已致歉并说明整改措施。",
        )
        clock.advance(timedelta(hours=1))
        rating_actions.reply_rectification(
            actor=handler,
            rectification=rectification,
            reply="您好，感谢您的反馈。经核查，办事指南中“经营场所使用证明”"
            "未写明需附出租方产权证明，致您多跑一次，我们深表歉意。"
            "现已在办事指南中补充说明，并对窗口人员进行了一次性告知培训。",
        )
        clock.advance(timedelta(minutes=30))
        rating_actions.close_rectification(
            actor=handler, rectification=rectification, note="已回访、已答复"
        )
        return case

    # Playing a story.

    def play(self, story: Story, start: datetime, ceiling: datetime) -> None:
        clock = DemoClock(start, ceiling)
        case = None
        with _at(clock):
            for step in story.steps:
                if step.startswith("+"):
                    amount, unit = int(step[1:-1]), step[-1]
                    units = {"m": "minutes", "h": "hours", "d": "days"}
                    clock.advance(timedelta(**{units[unit]: amount}))
                    continue
                name, _colon, arg = step.partition(":")
                clock.advance(timedelta(minutes=7))
                if name == "draft":
                    case = self.draft(story, clock, int(arg))
                elif name in ("submit", "window"):
                    case = getattr(self, name)(story, clock)
                elif arg:
                    case = getattr(self, name)(story, case, clock, arg)
                else:
                    case = getattr(self, name)(story, case, clock)
        self.created["cases"] += 1


# --- loading ------------------------------------------------------------------


def _people() -> dict[str, User]:
    """The demo accounts (egov.identity.demo) that are still active."""
    from egov.identity import demo as identity_demo

    names = [
        p.username
        for p in [
            *identity_demo.STAFF,
            *identity_demo.CITIZENS,
            *identity_demo.COMPANIES,
        ]
    ]
    return {
        u.username: u
        for u in User.objects.filter(username__in=names, is_demo=True, is_active=True)
    }


def _versions() -> dict:
    from egov.servicehall.models import ServiceItemVersion

    rows = ServiceItemVersion.objects.filter(
        item__code__in=ITEMS.values(),
        status=ServiceItemVersion.Status.PUBLISHED,
        change_note=DEMO_NOTE,
    ).select_related("item")
    by_code = {v.item.code: v for v in rows}
    return {name: by_code[code] for name, code in ITEMS.items() if code in by_code}


def _backdate_versions(versions: dict, since: datetime) -> None:
    """Demo only: the demo items' versions were published when the catalog
    demo ran; the stories apply under them from weeks back."""
    from egov.servicehall.models import ServiceItemVersion

    ServiceItemVersion.objects.filter(
        pk__in=[v.pk for v in versions.values()], effective_from__gt=since
    ).update(effective_from=since, submitted_at=since, reviewed_at=since)


def _start(story: Story, today, ceiling: datetime) -> datetime:
    """When the story begins: `days_ago` days before today at its hour, or
    a day earlier when that hour has not come yet today."""
    day = today - timedelta(days=story.days_ago)
    hours, minutes = int(story.hour), round((story.hour % 1) * 60)
    start = timezone.make_aware(datetime.combine(day, time(hours, minutes)))
    while start > ceiling:
        start -= timedelta(days=1)
    return start


def _playable(story: Story, people, versions) -> bool:
    staff = {
        WINDOW_CLERK,
        LEADER,
        *REVIEWERS.values(),
        *RECTIFIERS.values(),
        *DECIDERS.values(),
    }
    return (
        story.item in versions
        and (story.applicant in people or story.applicant in VISITORS)
        and staff <= set(people)
        and bool(versions[story.item].form_key)
    )


@transaction.atomic
def load() -> dict[str, int]:
    """Make the demo cases unless they exist; returns the counts made."""
    from egov.servicehall.models import Case

    if Case.objects.filter(client_token__in=[token(s) for s in STORIES]).exists():
        return {}
    created: Counter = Counter()
    versions = _versions()
    if not versions:
        return {}
    people = _people()
    real_now = timezone.now()
    today = timezone.localdate(real_now)
    stories = [s for s in STORIES if _playable(s, people, versions)]
    if not stories:
        return dict(created)
    ceiling = real_now - timedelta(minutes=1)
    starts = {s.key: _start(s, today, ceiling) for s in stories}
    _backdate_versions(versions, min(starts.values()) - timedelta(days=30))
    runner = Runner(people, versions, created)
    with _without_deliveries():
        for story in sorted(stories, key=lambda s: starts[s.key]):
            try:
                with transaction.atomic():
                    runner.play(story, starts[story.key], ceiling)
            except ActionError:
                # A county whose demo items were changed through 事项管理
                # may refuse a step: that story is left out, and counted.
                created["cases_skipped"] += 1
    return dict(created)
