"""`egov demo`: the demo county, its people, and loading it twice."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command

from egov.audit.models import AuditEntry
from egov.core.management.commands.demo import load_demo
from egov.core.validators import validate_id_number, validate_mobile, validate_uscc
from egov.identity import roles
from egov.identity.demo import DEMO_PASSWORD, PROCESS_ADMIN
from egov.identity.models import (
    Organization,
    Post,
    PostAssignment,
    Region,
    Role,
    User,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    # Apps' loaders may store demo files (blank application forms, say).
    settings.EGOV_UPLOAD_ROOT = tmp_path / "uploads"


def _counts() -> dict[str, int]:
    return {
        "regions": Region.objects.count(),
        "organizations": Organization.objects.count(),
        "posts": Post.objects.count(),
        "roles": Role.objects.count(),
        "users": User.objects.count(),
        "assignments": PostAssignment.objects.count(),
        "role_grants": User.roles.through.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def _primary(username: str) -> PostAssignment:
    return PostAssignment.objects.select_related("post__organization").get(
        user__username=username, is_primary=True
    )


def test_demo_builds_a_city_a_county_and_three_townships():
    load_demo()

    county = Region.objects.get(level=Region.Level.COUNTY)
    city = Region.objects.get(level=Region.Level.CITY)
    townships = Region.objects.filter(level=Region.Level.TOWNSHIP)
    assert county.name == "示范县"
    assert county.parent == city
    assert county.path == f"/{city.code}/{county.code}/"
    assert townships.count() == 3
    for township in townships:
        assert township.parent == county
        assert len(township.code) == 9
        assert township.code.startswith(county.code)
        assert township.path == f"{county.path}{township.code}/"


def test_demo_county_government_has_at_least_twelve_departments():
    load_demo()

    government = Organization.objects.get(short_name="县政府")
    departments = Organization.objects.filter(parent=government).exclude(
        kind=Organization.Kind.TOWNSHIP
    )
    names = set(departments.values_list("short_name", flat=True))
    assert departments.count() >= 12
    assert {
        "县政府办公室",
        "发改局",
        "财政局",
        "市场监管局",
        "自然资源局",
        "住建局",
        "审批局",
        "政务服务中心",
        "公安局",
        "民政局",
        "卫健局",
        "人社局",
    } <= names
    supervision = Organization.objects.get(short_name="纪委监委")
    assert supervision.kind == Organization.Kind.PARTY
    assert supervision.parent.short_name == "县委"
    towns = Organization.objects.filter(kind=Organization.Kind.TOWNSHIP)
    assert towns.count() == 3
    assert {town.region.level for town in towns} == {Region.Level.TOWNSHIP}


def test_demo_organization_paths_follow_the_tree():
    load_demo()

    for org in Organization.objects.select_related("parent"):
        parent_path = org.parent.path if org.parent else "/"
        assert org.path == f"{parent_path}{org.pk}/"


def test_every_government_body_has_a_valid_checksummed_uscc():
    load_demo()

    usccs = list(Organization.objects.values_list("uscc", flat=True))
    for uscc in usccs:
        validate_uscc(uscc)
    assert len(set(usccs)) == len(usccs)


def test_each_department_has_a_head_post_and_window_posts_exist_where_cases_arrive():
    load_demo()

    for org in Organization.objects.all():
        assert org.posts.filter(is_head=True).count() == 1, org.name
    window_orgs = set(
        Post.objects.filter(name="窗口受理岗").values_list(
            "organization__short_name", flat=True
        )
    )
    assert window_orgs == {"政务服务中心", "审批局"}
    assert Post.objects.get(
        organization__short_name="市场监管局", is_head=True
    ).name == ("局长")


def test_demo_has_some_thirty_staff_each_with_a_primary_post_and_the_staff_role():
    load_demo()

    staff = User.objects.filter(kind=User.Kind.STAFF)
    assert staff.count() == 27
    for user in staff:
        assert user.is_demo
        assert user.post_assignments.filter(is_primary=True).count() == 1
        assert user.roles.filter(code=roles.STAFF).exists()
        validate_mobile(user.phone)


def test_named_demo_people_hold_the_posts_the_tests_and_guides_expect():
    load_demo()

    lisi = _primary("lisi")
    wangwu = _primary("wangwu")
    zhaoliu = _primary("zhaoliu")
    zhouba = _primary("zhouba")
    assert (lisi.user.real_name, lisi.post.organization.short_name) == (
        "李四",
        "政务服务中心",
    )
    assert lisi.post.name == "窗口受理岗"
    assert lisi.user.roles.filter(code=roles.WINDOW_CLERK).exists()
    assert (wangwu.user.real_name, wangwu.post.name) == ("王五", "科长")
    assert wangwu.post.organization.short_name == "市场监管局"
    assert (zhaoliu.user.real_name, zhaoliu.post.is_head) == ("赵六", True)
    assert (zhouba.user.real_name, zhouba.post.organization.short_name) == (
        "周八",
        "纪委监委",
    )
    assert zhouba.user.roles.filter(code=roles.SUPERVISOR).exists()
    assert _primary("sunqi").user.roles.filter(code=roles.LEADER).exists()


def test_every_bureau_and_township_with_demo_items_has_its_approvers():
    load_demo()

    approvers = {}
    for user in User.objects.filter(roles__code=roles.APPROVER):
        held = _primary(user.username)
        approvers.setdefault(held.post.organization.short_name, []).append(
            (user.real_name, held.post.name)
        )

    assert {org: sorted(people) for org, people in approvers.items()} == {
        "市场监管局": [("王五", "科长"), ("赵六", "局长")],
        "审批局": [("杨帆", "科长"), ("黄磊", "局长")],
        "财政局": [("高翔", "局长")],
        "自然资源局": [("郭婷", "科长")],
        "住建局": [("马超", "科长")],
        "民政局": [("冯建平", "局长"), ("唐慧", "科长")],
        "卫健局": [("曹颖", "科长")],
        "人社局": [("蒋伟", "科长")],
        "城关镇": [("宋佳", "科员")],
        "东河镇": [("谢晓燕", "科员")],
        "西山乡": [("袁志勇", "科员")],
    }


def test_three_administrator_roles_are_held_by_three_different_people():
    load_demo()

    holders = {
        code: list(
            User.objects.filter(roles__code=code).values_list("real_name", flat=True)
        )
        for code in roles.SEPARATED_ROLES
    }

    assert holders == {
        roles.SYSTEM_ADMIN: ["吴九"],
        roles.SECURITY_ADMIN: ["郑十"],
        roles.AUDIT_ADMIN: ["钱十一"],
    }


def test_chenjing_designs_processes_and_forms_through_a_demo_role():
    load_demo()

    chenjing = User.objects.get(username="chenjing")
    role = Role.objects.get(code=PROCESS_ADMIN)
    assert role.name == "流程与表单管理员"
    assert not role.is_builtin
    assert list(role.users.all()) == [chenjing]
    assert chenjing.has_perm("workflow.deploy_process")
    assert chenjing.has_perm("eforms.publish_formdefinition")
    assert not User.objects.get(username="wujiu").has_perm("workflow.deploy_process")


def test_a_demo_role_added_later_reaches_a_demo_loaded_before_it():
    load_demo()
    Role.objects.filter(code=PROCESS_ADMIN).delete()

    created = load_demo()

    assert created == {"identity.roles": 1}
    assert (
        User.objects.get(username="chenjing").roles.filter(code=PROCESS_ADMIN).exists()
    )


def test_citizens_have_valid_id_numbers_and_mobiles():
    load_demo()

    citizens = User.objects.filter(kind=User.Kind.CITIZEN)
    assert sorted(citizens.values_list("real_name", flat=True)) == sorted(
        ["张三", "陈小红", "刘建国"]
    )
    for citizen in citizens:
        validate_id_number(citizen.id_number)
        validate_mobile(citizen.phone)
        assert citizen.is_demo
        assert not citizen.post_assignments.exists()
    assert User.objects.get(username="zhangsan").id_number_masked.startswith("1399")


def test_companies_are_legal_entities_with_valid_usccs():
    load_demo()

    companies = User.objects.filter(kind=User.Kind.ENTITY)
    assert companies.count() == 2
    for company in companies:
        validate_uscc(company.uscc)
        assert company.uscc.startswith("91")
        assert company.is_demo


def _signs_in(rf, identifier: str, password: str):
    return authenticate(rf.post("/login/"), identifier=identifier, password=password)


def test_demo_password_meets_the_policy_and_signs_everyone_in(rf):
    load_demo()

    zhangsan = User.objects.get(username="zhangsan")
    company = User.objects.get(username="qingshan")
    validate_password(DEMO_PASSWORD, User(username="lisi"))
    assert _signs_in(rf, "lisi", DEMO_PASSWORD).real_name == "李四"
    assert _signs_in(rf, zhangsan.id_number, DEMO_PASSWORD) == (zhangsan)
    assert _signs_in(rf, company.uscc, DEMO_PASSWORD) == company
    assert User.objects.filter(password_changed_at__isnull=True).count() == 0


def test_running_demo_twice_changes_nothing():
    load_demo()
    first = _counts()
    hashes = dict(User.objects.values_list("username", "password"))

    created = load_demo()

    assert created == {}
    assert _counts() == first
    assert dict(User.objects.values_list("username", "password")) == hashes


def test_a_reload_keeps_edits_made_since_the_first_load(rf):
    load_demo()
    Organization.objects.filter(short_name="财政局").update(name="示范县财政局（改）")
    lisi = User.objects.get(username="lisi")
    lisi.set_password("Changed@2026")
    lisi.save()

    load_demo()

    assert Organization.objects.get(short_name="财政局").name == "示范县财政局（改）"
    assert _signs_in(rf, "lisi", "Changed@2026") == lisi


def test_a_reload_fills_in_what_was_removed():
    load_demo()
    before = _counts()
    User.objects.filter(username="liujianguo").delete()

    created = load_demo()

    assert created == {"identity.citizens": 1}
    assert _counts()["users"] == before["users"]


def test_the_first_load_writes_one_audit_entry_and_a_reload_writes_none():
    load_demo()
    load_demo()

    entries = AuditEntry.objects.filter(action="core.load_demo")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.outcome == AuditEntry.Outcome.SUCCESS
    assert (
        entry.detail["identity.staff"]
        == User.objects.filter(kind=User.Kind.STAFF).count()
    )


def test_command_lists_the_accounts_without_the_password():
    out = StringIO()

    call_command("demo", stdout=out)

    text = out.getvalue()
    assert "已加载演示数据" in text
    for username, name in [("lisi", "李四"), ("zhangsan", "张三"), ("wujiu", "吴九")]:
        assert username in text
        assert name in text
    assert "政务服务中心 · 窗口受理岗" in text
    assert DEMO_PASSWORD not in text


def test_command_prints_the_password_only_when_asked_and_says_when_nothing_changed():
    call_command("demo", stdout=StringIO())
    out = StringIO()

    call_command("demo", "--print-passwords", stdout=out)

    text = out.getvalue()
    assert "演示数据已存在，未做任何修改。" in text
    assert f"所有演示账号的密码：{DEMO_PASSWORD}" in text
