"""Factories for identity tests: plain functions, and a small demo county with
the named people every test reuses (张三 the citizen, 李四 the window clerk,
王五 the section chief, 赵六 the bureau head and organization administrator,
吴九/郑十/钱十一 the three administrators…)."""

import itertools
from types import SimpleNamespace

import pytest
from django.utils import timezone

from egov.core.validators import id_number_check_char, uscc_check_char
from egov.identity import roles as builtin
from egov.identity.models import Organization, Post, PostAssignment, Region, Role, User

_seq = itertools.count(1)


@pytest.fixture
def no_staff_2fa(settings):
    """Staff pages without the second-factor step, so tests can sign in directly."""
    settings.EGOV_STAFF_2FA_REQUIRED = False


def id_number(birth: str = "19900307", area: str = "139921", seq: int | None = None):
    """A valid 18-character ID number (checksum computed)."""
    seq = next(_seq) % 1000 if seq is None else seq
    body = f"{area}{birth}{seq:03d}"
    return body + id_number_check_char(body)


def uscc(body: str | None = None) -> str:
    """A valid 统一社会信用代码 (checksum computed)."""
    body = body or f"91139921MA{next(_seq):07d}"
    return body + uscc_check_char(body)


def phone() -> str:
    return f"139{next(_seq):08d}"


def region(code: str, name: str, level=Region.Level.COUNTY, parent=None) -> Region:
    return Region.objects.create(
        code=code,
        name=name,
        level=level,
        parent=parent,
        path=f"{parent.path if parent else '/'}{code}/",
    )


def organization(
    code: str,
    name: str,
    *,
    region: Region,
    parent: Organization | None = None,
    kind=Organization.Kind.DEPARTMENT,
) -> Organization:
    org = Organization.objects.create(
        code=code, name=name, kind=kind, region=region, parent=parent, path=""
    )
    org.path = f"{parent.path if parent else '/'}{org.pk}/"
    org.save(update_fields=["path"])
    return org


def post(org: Organization, code: str, name: str, is_head: bool = False) -> Post:
    return Post.objects.create(organization=org, code=code, name=name, is_head=is_head)


def role(code: str) -> Role:
    found = Role.objects.filter(code=code).first()
    if found is None:
        builtin.ensure_builtin_roles()
        found = Role.objects.get(code=code)
    return found


def user(
    username: str,
    real_name: str,
    *,
    kind=User.Kind.STAFF,
    posts=(),
    roles=(),
    id_number_value: str = "",
    phone_value: str = "",
    uscc_value: str = "",
    password: str = "Egov@2026pass",
) -> User:
    person = User(
        username=username,
        real_name=real_name,
        kind=kind,
        is_staff=kind == User.Kind.STAFF,
        uscc=uscc_value,
        password_changed_at=timezone.now(),
    )
    person.id_number = id_number_value
    person.phone = phone_value
    person.set_password(password)
    person.save()
    for index, held in enumerate(posts):
        PostAssignment.objects.create(user=person, post=held, is_primary=index == 0)
    if roles:
        person.roles.set([role(code) for code in roles])
    return person


def demo_county() -> SimpleNamespace:
    """示范市 → 示范县 → 城关镇; the county government and party committee with
    their departments; and the named people with their posts and roles."""
    city = region("139900", "示范市", Region.Level.CITY)
    county = region("139921", "示范县", Region.Level.COUNTY, city)
    town = region("139921100", "城关镇", Region.Level.TOWNSHIP, county)
    other_county = region("139922", "邻县", Region.Level.COUNTY, city)

    gov = organization(
        "139921-100", "示范县人民政府", region=county, kind=Organization.Kind.GOVERNMENT
    )
    office = organization(
        "139921-101", "示范县人民政府办公室", region=county, parent=gov
    )
    market = organization(
        "139921-104", "示范县市场监督管理局", region=county, parent=gov
    )
    registry = organization("139921-104-01", "登记注册科", region=county, parent=market)
    center = organization(
        "139921-120",
        "示范县政务服务中心",
        region=county,
        parent=gov,
        kind=Organization.Kind.INSTITUTION,
    )
    township = organization(
        "139921100-001",
        "示范县城关镇人民政府",
        region=town,
        parent=gov,
        kind=Organization.Kind.TOWNSHIP,
    )
    party = organization(
        "139921-001", "中共示范县委员会", region=county, kind=Organization.Kind.PARTY
    )
    discipline = organization(
        "139921-002",
        "示范县纪委监委",
        region=county,
        parent=party,
        kind=Organization.Kind.PARTY,
    )
    neighbour = organization(
        "139922-100",
        "邻县人民政府",
        region=other_county,
        kind=Organization.Kind.GOVERNMENT,
    )

    posts = SimpleNamespace(
        office_clerk=post(office, "clerk", "科员"),
        market_head=post(market, "head", "局长", True),
        market_chief=post(market, "section_chief", "科长"),
        registry_clerk=post(registry, "clerk", "科员"),
        center_head=post(center, "head", "主任", True),
        center_window=post(center, "window", "窗口受理岗"),
        township_clerk=post(township, "clerk", "科员"),
        discipline_supervisor=post(discipline, "supervisor", "监察员"),
        neighbour_clerk=post(neighbour, "clerk", "科员"),
    )

    people = SimpleNamespace(
        zhangsan=user(
            "zhangsan",
            "张三",
            kind=User.Kind.CITIZEN,
            id_number_value=id_number("19850312", seq=1),
            phone_value="13999211001",
        ),
        lisi=user(
            "lisi",
            "李四",
            posts=[posts.center_window],
            roles=[builtin.STAFF, builtin.WINDOW_CLERK],
            phone_value="13999210009",
        ),
        wangwu=user(
            "wangwu",
            "王五",
            posts=[posts.market_chief],
            roles=[builtin.STAFF, builtin.APPROVER],
            id_number_value=id_number("19800101", seq=7),
            phone_value="13999210007",
        ),
        zhaoliu=user(
            "zhaoliu",
            "赵六",
            posts=[posts.market_head],
            roles=[builtin.STAFF, builtin.ORG_ADMIN],
            phone_value="13999210006",
        ),
        hemin=user(
            "hemin",
            "何敏",
            posts=[posts.center_head],
            roles=[builtin.STAFF, builtin.ORG_ADMIN],
        ),
        luodan=user(
            "luodan",
            "罗丹",
            posts=[posts.registry_clerk],
            roles=[builtin.STAFF],
            id_number_value=id_number("19950505", seq=9),
        ),
        songjia=user(
            "songjia", "宋佳", posts=[posts.township_clerk], roles=[builtin.STAFF]
        ),
        wujiu=user(
            "wujiu",
            "吴九",
            posts=[posts.office_clerk],
            roles=[builtin.STAFF, builtin.SYSTEM_ADMIN],
        ),
        zhengshi=user(
            "zhengshi",
            "郑十",
            posts=[posts.office_clerk],
            roles=[builtin.STAFF, builtin.SECURITY_ADMIN],
        ),
        qianshiyi=user(
            "qianshiyi",
            "钱十一",
            posts=[posts.office_clerk],
            roles=[builtin.STAFF, builtin.AUDIT_ADMIN],
        ),
        zhouba=user(
            "zhouba",
            "周八",
            posts=[posts.discipline_supervisor],
            roles=[builtin.STAFF, builtin.SUPERVISOR],
        ),
        neighbour=user(
            "linxian", "邻县职员", posts=[posts.neighbour_clerk], roles=[builtin.STAFF]
        ),
    )
    return SimpleNamespace(
        regions=SimpleNamespace(
            city=city, county=county, town=town, other_county=other_county
        ),
        orgs=SimpleNamespace(
            gov=gov,
            office=office,
            market=market,
            registry=registry,
            center=center,
            township=township,
            party=party,
            discipline=discipline,
            neighbour=neighbour,
        ),
        posts=posts,
        people=people,
    )


def fresh(person: User) -> User:
    """The same user read again, without any cached permissions."""
    return User.objects.get(pk=person.pk)
