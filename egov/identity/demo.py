"""The demo county's regions, organisations, posts and people.

示范市 → 示范县 → three townships; the county's party committee, government and
its departments; some thirty named staff (the same people the tests and the
documentation use: 李四 the window clerk, 王五 the section chief…), three citizens
and two companies.

`load()` is idempotent: every row is found by its natural key (region code,
organisation code, post code within its organisation, username) and created only
when missing, so a second run changes nothing and edits made through the
administration pages survive a reload. Passwords are set only when an account is
created.
"""

from collections import Counter
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone

from egov.core.validators import id_number_check_char, uscc_check_char
from egov.identity import roles
from egov.identity.models import (
    Organization,
    Post,
    PostAssignment,
    Region,
    Role,
    User,
)

# One password for every demo account; it meets the default password policy.
# `egov demo --print-passwords` (run by `make run`) shows it, nothing else does.
DEMO_PASSWORD = "Demo@2026"  # noqa: S105

COUNTY_CODE = "139921"

# (code, name, level, parent code). GB/T 2260-shaped codes that belong to no real
# place; townships use the 9-digit statistical form (100-199 towns, 200-399
# xiang).
REGIONS = [
    ("139900", "示范市", Region.Level.CITY, None),
    (COUNTY_CODE, "示范县", Region.Level.COUNTY, "139900"),
    ("139921100", "城关镇", Region.Level.TOWNSHIP, COUNTY_CODE),
    ("139921101", "东河镇", Region.Level.TOWNSHIP, COUNTY_CODE),
    ("139921200", "西山乡", Region.Level.TOWNSHIP, COUNTY_CODE),
]

# Post templates: (code, name, is_head).
_BUREAU = [
    ("head", "局长", True),
    ("deputy", "副局长", False),
    ("section_chief", "科长", False),
    ("clerk", "科员", False),
]
_OFFICE = [
    ("head", "主任", True),
    ("deputy", "副主任", False),
    ("section_chief", "科长", False),
    ("clerk", "科员", False),
]
_WINDOW = [("window", "窗口受理岗", False)]
_PARTY = [("head", "书记", True), ("deputy", "副书记", False)]
_SUPERVISION = [
    ("head", "书记", True),
    ("deputy", "副书记", False),
    ("supervisor", "监察员", False),
    ("clerk", "科员", False),
]
_COUNTY_GOVERNMENT = [("head", "县长", True), ("deputy", "副县长", False)]
_TOWN = [("head", "镇长", True), ("deputy", "副镇长", False), ("clerk", "科员", False)]
_XIANG = [("head", "乡长", True), ("deputy", "副乡长", False), ("clerk", "科员", False)]


@dataclass(frozen=True)
class OrgSpec:
    code: str
    name: str
    short_name: str
    kind: str
    region: str
    parent: str | None
    posts: list
    # GB 32100 registration authority and type: "11" 机关, "12" 事业单位.
    uscc_prefix: str = "11"


_K = Organization.Kind
ORGANIZATIONS = [
    OrgSpec(
        "139921-001", "中共示范县委员会", "县委", _K.PARTY, COUNTY_CODE, None, _PARTY
    ),
    OrgSpec(
        "139921-002",
        "中共示范县纪律检查委员会 示范县监察委员会",
        "纪委监委",
        _K.PARTY,
        COUNTY_CODE,
        "139921-001",
        _SUPERVISION,
    ),
    OrgSpec(
        "139921-100",
        "示范县人民政府",
        "县政府",
        _K.GOVERNMENT,
        COUNTY_CODE,
        None,
        _COUNTY_GOVERNMENT,
    ),
    OrgSpec(
        "139921-101",
        "示范县人民政府办公室",
        "县政府办公室",
        _K.DEPARTMENT,
        COUNTY_CODE,
        "139921-100",
        _OFFICE,
    ),
    *[
        OrgSpec(
            f"139921-{number}",
            f"示范县{name}",
            short,
            _K.DEPARTMENT,
            COUNTY_CODE,
            "139921-100",
            posts,
        )
        for number, name, short, posts in [
            ("102", "发展和改革局", "发改局", _BUREAU),
            ("103", "财政局", "财政局", _BUREAU),
            ("104", "市场监督管理局", "市场监管局", _BUREAU),
            ("105", "自然资源局", "自然资源局", _BUREAU),
            ("106", "住房和城乡建设局", "住建局", _BUREAU),
            ("107", "行政审批局", "审批局", _BUREAU + _WINDOW),
            ("108", "公安局", "公安局", _BUREAU),
            ("109", "民政局", "民政局", _BUREAU),
            ("110", "卫生健康局", "卫健局", _BUREAU),
            ("111", "人力资源和社会保障局", "人社局", _BUREAU),
            ("112", "教育局", "教育局", _BUREAU),
            ("113", "农业农村局", "农业农村局", _BUREAU),
        ]
    ],
    OrgSpec(
        "139921-120",
        "示范县政务服务中心",
        "政务服务中心",
        _K.INSTITUTION,
        COUNTY_CODE,
        "139921-100",
        _OFFICE + _WINDOW,
        uscc_prefix="12",
    ),
    OrgSpec(
        "139921100-001",
        "示范县城关镇人民政府",
        "城关镇",
        _K.TOWNSHIP,
        "139921100",
        "139921-100",
        _TOWN,
    ),
    OrgSpec(
        "139921101-001",
        "示范县东河镇人民政府",
        "东河镇",
        _K.TOWNSHIP,
        "139921101",
        "139921-100",
        _TOWN,
    ),
    OrgSpec(
        "139921200-001",
        "示范县西山乡人民政府",
        "西山乡",
        _K.TOWNSHIP,
        "139921200",
        "139921-100",
        _XIANG,
    ),
]


@dataclass(frozen=True)
class PersonSpec:
    username: str
    real_name: str
    phone: str
    # Staff: organisation code, post code and role codes.
    organization: str = ""
    post: str = ""
    roles: tuple = ()
    # Citizens: the first 17 digits of the ID number (the check digit is computed).
    id_number_body: str = ""
    # Companies: the 8-character organisation code inside the USCC (checks computed).
    uscc_body: str = ""


# Roles the demo county's security administrator would have created. Designing
# processes and forms belongs to no built-in role (the 三员 roles are fixed), so
# the demo gives it to a role of its own, as a real county would.
PROCESS_ADMIN = "process_admin"


@dataclass(frozen=True)
class DemoRole:
    code: str
    name: str
    description: str
    data_scope: str
    permissions: tuple[str, ...]


DEMO_ROLES = [
    DemoRole(
        PROCESS_ADMIN,
        "流程与表单管理员",
        "设计、部署流程和表单，监控、调度流程实例（示范县由演示数据创建）",
        Role.DataScope.ALL,
        (
            "workflow.view_processdefinition",
            "workflow.deploy_process",
            "workflow.view_processinstance",
            "workflow.suspend_instance",
            "workflow.terminate_instance",
            "workflow.dispatch_instance",
            "eforms.view_formdefinition",
            "eforms.change_formdefinition",
            "eforms.publish_formdefinition",
        ),
    ),
]

# The three administrators of 等保 level 3 (system, security, audit) are three
# different people, so no one can both change the system and hide the change.
# Every staff member also holds the plain staff role.
STAFF = [
    PersonSpec("sunqi", "孙七", "13999210001", "139921-100", "deputy", (roles.LEADER,)),
    PersonSpec(
        "chenjing", "陈静", "13999210002", "139921-101", "head", (PROCESS_ADMIN,)
    ),
    PersonSpec(
        "wujiu", "吴九", "13999210003", "139921-101", "clerk", (roles.SYSTEM_ADMIN,)
    ),
    PersonSpec(
        "zhengshi",
        "郑十",
        "13999210004",
        "139921-101",
        "clerk",
        (roles.SECURITY_ADMIN,),
    ),
    PersonSpec(
        "qianshiyi",
        "钱十一",
        "13999210005",
        "139921-101",
        "clerk",
        (roles.AUDIT_ADMIN,),
    ),
    PersonSpec(
        "zhaoliu",
        "赵六",
        "13999210006",
        "139921-104",
        "head",
        (roles.APPROVER, roles.ORG_ADMIN),
    ),
    PersonSpec(
        "wangwu",
        "王五",
        "13999210007",
        "139921-104",
        "section_chief",
        (roles.APPROVER,),
    ),
    PersonSpec("luodan", "罗丹", "13999210008", "139921-104", "clerk"),
    PersonSpec(
        "lisi", "李四", "13999210009", "139921-120", "window", (roles.WINDOW_CLERK,)
    ),
    PersonSpec(
        "hemin", "何敏", "13999210010", "139921-120", "head", (roles.ORG_ADMIN,)
    ),
    PersonSpec(
        "huanglei", "黄磊", "13999210011", "139921-107", "head", (roles.APPROVER,)
    ),
    PersonSpec(
        "yangfan",
        "杨帆",
        "13999210012",
        "139921-107",
        "section_chief",
        (roles.APPROVER,),
    ),
    PersonSpec(
        "liuyang", "刘洋", "13999210013", "139921-107", "window", (roles.WINDOW_CLERK,)
    ),
    PersonSpec(
        "zhouba", "周八", "13999210014", "139921-002", "supervisor", (roles.SUPERVISOR,)
    ),
    PersonSpec("linfeng", "林峰", "13999210015", "139921-102", "clerk"),
    PersonSpec(
        "gaoxiang", "高翔", "13999210016", "139921-103", "head", (roles.APPROVER,)
    ),
    PersonSpec(
        "guoting",
        "郭婷",
        "13999210017",
        "139921-105",
        "section_chief",
        (roles.APPROVER,),
    ),
    PersonSpec(
        "machao",
        "马超",
        "13999210018",
        "139921-106",
        "section_chief",
        (roles.APPROVER,),
    ),
    PersonSpec("lianghong", "梁红", "13999210019", "139921-109", "clerk"),
    PersonSpec("hanxue", "韩雪", "13999210020", "139921-110", "clerk"),
    # The approvers of the social-assistance, health and employment items
    # (egov.servicehall.case_demo): 民政局's head and the chief of its 社会救助
    # section, the section chiefs of 卫健局 and 人社局, and in each township
    # the clerk who does the 民政 work (入户调查, 民主评议, 公示) before the
    # county decides on 低保 and 高龄津贴.
    PersonSpec(
        "songjia", "宋佳", "13999210021", "139921100-001", "clerk", (roles.APPROVER,)
    ),
    # 冯建平 also decides: 低保 and 高龄津贴 are granted by the county's 民政局
    # (社会救助暂行办法 第十一条), so its head signs the decision, within his
    # bureau (the leader role's scope is his organization's subtree).
    PersonSpec(
        "fengjianping",
        "冯建平",
        "13999210022",
        "139921-109",
        "head",
        (roles.APPROVER, roles.LEADER),
    ),
    PersonSpec(
        "tanghui",
        "唐慧",
        "13999210023",
        "139921-109",
        "section_chief",
        (roles.APPROVER,),
    ),
    PersonSpec(
        "caoying",
        "曹颖",
        "13999210024",
        "139921-110",
        "section_chief",
        (roles.APPROVER,),
    ),
    PersonSpec(
        "jiangwei",
        "蒋伟",
        "13999210025",
        "139921-111",
        "section_chief",
        (roles.APPROVER,),
    ),
    PersonSpec(
        "xiexiaoyan",
        "谢晓燕",
        "13999210026",
        "139921101-001",
        "clerk",
        (roles.APPROVER,),
    ),
    PersonSpec(
        "yuanzhiyong",
        "袁志勇",
        "13999210027",
        "139921200-001",
        "clerk",
        (roles.APPROVER,),
    ),
]

CITIZENS = [
    PersonSpec("zhangsan", "张三", "13999211001", id_number_body="13992119850312001"),
    PersonSpec(
        "chenxiaohong", "陈小红", "13999211002", id_number_body="13992119920708002"
    ),
    PersonSpec(
        "liujianguo", "刘建国", "13999211003", id_number_body="13992119681001013"
    ),
]

COMPANIES = [
    PersonSpec(
        "qingshan", "示范县青山农业科技有限公司", "13999212001", uscc_body="MA0QC001"
    ),
    PersonSpec(
        "hengda", "示范县恒达建筑工程有限公司", "13999212002", uscc_body="MA0HD002"
    ),
]


def organization_code_check_char(first8: str) -> str:
    """The check character of a GB 11714 organisation code (the USCC's 9-17)."""
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w
        for c, w in zip(first8, weights, strict=True)
    )
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(prefix: str, region_code: str, organization_code8: str) -> str:
    """A USCC with valid organisation-code and GB 32100 check characters."""
    body = (
        prefix
        + region_code
        + organization_code8
        + organization_code_check_char(organization_code8)
    )
    return body + uscc_check_char(body)


def make_id_number(first17: str) -> str:
    return first17 + id_number_check_char(first17)


def _government_uscc(index: int, spec: OrgSpec) -> str:
    return make_uscc(spec.uscc_prefix, COUNTY_CODE, f"0139{index + 1:04d}")


def _company_uscc(spec: PersonSpec) -> str:
    return make_uscc("91", COUNTY_CODE, spec.uscc_body)


def _load_regions(created: Counter) -> dict[str, Region]:
    regions: dict[str, Region] = {}
    for code, name, level, parent_code in REGIONS:
        parent = regions.get(parent_code) if parent_code else None
        region = Region.objects.filter(code=code).first()
        if region is None:
            prefix = parent.path if parent else "/"
            region = Region.objects.create(
                code=code,
                name=name,
                level=level,
                parent=parent,
                path=f"{prefix}{code}/",
            )
            created["regions"] += 1
        regions[code] = region
    return regions


def _load_organizations(
    created: Counter, regions: dict[str, Region]
) -> dict[str, Organization]:
    organizations: dict[str, Organization] = {}
    for index, spec in enumerate(ORGANIZATIONS):
        org = Organization.objects.filter(code=spec.code).first()
        if org is None:
            parent = organizations.get(spec.parent) if spec.parent else None
            org = Organization(
                code=spec.code,
                name=spec.name,
                short_name=spec.short_name,
                kind=spec.kind,
                region=regions[spec.region],
                parent=parent,
                uscc=_government_uscc(index, spec),
                sort_order=index * 10,
            )
            org.save()
            # The path holds ids, so it is known only once the row exists.
            org.path = f"{parent.path if parent else '/'}{org.pk}/"
            org.save(update_fields=["path"])
            created["organizations"] += 1
        organizations[spec.code] = org
        for order, (code, name, is_head) in enumerate(spec.posts):
            _, made = Post.objects.get_or_create(
                organization=org,
                code=code,
                defaults={"name": name, "is_head": is_head, "sort_order": order * 10},
            )
            created["posts"] += int(made)
    return organizations


def _new_user(spec: PersonSpec, kind: str) -> User:
    user = User(
        username=spec.username,
        kind=kind,
        real_name=spec.real_name,
        is_demo=True,
        password_changed_at=timezone.now(),
    )
    user.phone = spec.phone
    user.set_password(DEMO_PASSWORD)
    return user


def _installed_permissions(names) -> list[Permission]:
    """The permissions named "app.codename" whose app is installed."""
    wanted = [n for n in names if apps.is_installed(f"egov.{n.split('.')[0]}")]
    return list(roles.permissions_by_name(wanted).values())


def _load_demo_roles(created: Counter) -> set[str]:
    """Create the missing demo roles; returns the codes of those created now."""
    made = set()
    for spec in DEMO_ROLES:
        if not Role.objects.filter(code=spec.code).exists():
            role = Role.objects.create(
                code=spec.code,
                name=spec.name,
                description=spec.description,
                data_scope=spec.data_scope,
            )
            role.permissions.set(_installed_permissions(spec.permissions))
            created["roles"] += 1
            made.add(spec.code)
    return made


def _load_staff(
    created: Counter,
    organizations: dict[str, Organization],
    by_code: dict[str, Role],
    new_roles: set[str],
) -> None:
    for spec in STAFF:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = _new_user(spec, User.Kind.STAFF)
            user.save()
            created["staff"] += 1
            post = Post.objects.get(
                organization=organizations[spec.organization], code=spec.post
            )
            PostAssignment.objects.create(user=user, post=post, is_primary=True)
            codes = (roles.STAFF, *spec.roles)
        else:
            # A demo loaded by an earlier version gets a newly added role too.
            codes = tuple(code for code in spec.roles if code in new_roles)
        user.roles.add(*(by_code[code] for code in codes))


def _load_citizens(created: Counter) -> None:
    for spec in CITIZENS:
        if not User.objects.filter(username=spec.username).exists():
            user = _new_user(spec, User.Kind.CITIZEN)
            user.id_number = make_id_number(spec.id_number_body)
            user.save()
            created["citizens"] += 1


def _load_companies(created: Counter) -> None:
    for spec in COMPANIES:
        if not User.objects.filter(username=spec.username).exists():
            user = _new_user(spec, User.Kind.ENTITY)
            user.uscc = _company_uscc(spec)
            user.save()
            created["companies"] += 1


@transaction.atomic
def load() -> dict[str, int]:
    """Create whatever part of the demo county is missing; return what was made."""
    created: Counter = Counter()
    roles.ensure_builtin_roles()
    new_roles = _load_demo_roles(created)
    by_code = {role.code: role for role in Role.objects.all()}
    regions = _load_regions(created)
    organizations = _load_organizations(created, regions)
    _load_staff(created, organizations, by_code, new_roles)
    _load_citizens(created)
    _load_companies(created)
    return dict(created)


def demo_accounts() -> list[User]:
    """The demo accounts in the order the console table lists them."""
    order = [spec.username for spec in [*STAFF, *CITIZENS, *COMPANIES]]
    users = {
        user.username: user
        for user in User.objects.filter(
            username__in=order, is_demo=True
        ).prefetch_related("roles", "post_assignments__post__organization")
    }
    return [users[name] for name in order if name in users]
