from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission

from egov.audit.models import AuditEntry
from egov.core.errors import ActionError, PermissionDenied
from egov.identity import roles as builtin
from egov.identity.actions import organizations as org_actions
from egov.identity.actions import posts as post_actions
from egov.identity.actions import regions as region_actions
from egov.identity.actions import roles as role_actions
from egov.identity.actions import users as user_actions
from egov.identity.models import (
    Organization,
    PasswordHistory,
    Post,
    Region,
    Role,
    User,
    UserSession,
)
from tests.identity.factories import demo_county, fresh, id_number, uscc

pytestmark = pytest.mark.django_db

SEPARATION = (
    "三员分立：系统管理员、安全管理员、审计管理员的职责不能由同一用户或同一角色兼任"
)


def last_entry(action):
    return AuditEntry.objects.filter(action=action).order_by("-seq").first()


# --- regions ----------------------------------------------------------------


def test_create_region_builds_its_path_under_the_parent():
    county = demo_county()

    town = region_actions.create_region(
        actor=county.people.wujiu,
        code="139921101",
        name="东河镇",
        level=Region.Level.TOWNSHIP,
        parent=county.regions.county,
    )

    assert town.path == "/139900/139921/139921101/"
    assert last_entry("identity.create_region").target_id == str(town.pk)


def test_create_region_refuses_a_malformed_or_taken_code():
    county = demo_county()
    kwargs = {"actor": county.people.wujiu, "name": "某镇", "level": "township"}

    with pytest.raises(ActionError) as bad:
        region_actions.create_region(code="13992A", **kwargs)
    with pytest.raises(ActionError) as taken:
        region_actions.create_region(code="139921", **kwargs)

    assert bad.value.message == "区划代码应为6位、9位或12位数字"
    assert taken.value.message == "区划代码 139921 已存在"
    assert (
        AuditEntry.objects.filter(
            action="identity.create_region", outcome="failed"
        ).count()
        == 2
    )


def test_moving_a_region_rewrites_the_paths_of_its_subtree():
    county = demo_county()

    region_actions.update_region(
        actor=county.people.wujiu,
        region=county.regions.town,
        name="城关镇",
        level=Region.Level.TOWNSHIP,
        parent=county.regions.other_county,
    )

    county.regions.town.refresh_from_db()
    assert county.regions.town.path == "/139900/139922/139921100/"


def test_a_region_cannot_move_under_its_own_descendant():
    county = demo_county()

    with pytest.raises(ActionError) as refused:
        region_actions.update_region(
            actor=county.people.wujiu,
            region=county.regions.county,
            name="示范县",
            level=Region.Level.COUNTY,
            parent=county.regions.town,
        )

    assert refused.value.message == "不能把区划移动到它自身或其下级区划之下"
    county.regions.county.refresh_from_db()
    assert county.regions.county.parent == county.regions.city


def test_a_region_with_active_organizations_cannot_be_deactivated():
    county = demo_county()

    with pytest.raises(ActionError) as refused:
        region_actions.deactivate_region(
            actor=county.people.wujiu, region=county.regions.town
        )

    assert refused.value.message == "该区划下仍有启用的机构，不能停用"


def test_an_org_admin_may_not_edit_regions():
    county = demo_county()

    with pytest.raises(PermissionDenied):
        region_actions.create_region(
            actor=county.people.zhaoliu,
            code="139921102",
            name="南湖镇",
            level="township",
            parent=county.regions.county,
        )

    assert last_entry("identity.create_region").outcome == "denied"


# --- organizations ----------------------------------------------------------


def test_create_organization_under_a_parent_gets_a_path_below_it():
    county = demo_county()

    org = org_actions.create_organization(
        actor=county.people.wujiu,
        code="139921-104-02",
        name="食品安全科",
        kind=Organization.Kind.DEPARTMENT,
        region=county.regions.county,
        parent=county.orgs.market,
        uscc=uscc("11139921MB0000001"),
    )

    assert org.path == f"{county.orgs.market.path}{org.pk}/"
    assert org.uscc.startswith("11139921MB0000001")


def test_create_organization_reports_a_bad_uscc_checksum_on_its_field():
    county = demo_county()
    good = uscc("11139921MB0000001")
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")

    with pytest.raises(ActionError) as refused:
        org_actions.create_organization(
            actor=county.people.wujiu,
            code="139921-130",
            name="示范县统计局",
            kind=Organization.Kind.DEPARTMENT,
            region=county.regions.county,
            parent=county.orgs.gov,
            uscc=wrong_check,
        )

    assert refused.value.fields == {
        "uscc": "统一社会信用代码校验位不正确，请核对后重新输入"
    }
    assert not Organization.objects.filter(code="139921-130").exists()


def test_create_organization_refuses_a_taken_code():
    county = demo_county()

    with pytest.raises(ActionError) as refused:
        org_actions.create_organization(
            actor=county.people.wujiu,
            code="139921-104",
            name="重复",
            kind=Organization.Kind.DEPARTMENT,
            region=county.regions.county,
            parent=county.orgs.gov,
        )

    assert refused.value.message == "机构代码 139921-104 已被使用"


def test_an_org_admin_may_not_create_organizations():
    county = demo_county()

    with pytest.raises(PermissionDenied):
        org_actions.create_organization(
            actor=county.people.zhaoliu,
            code="139921-104-09",
            name="新科室",
            kind=Organization.Kind.DEPARTMENT,
            region=county.regions.county,
            parent=county.orgs.market,
        )


def test_moving_an_organization_moves_its_whole_subtree():
    county = demo_county()
    market, registry = county.orgs.market, county.orgs.registry

    org_actions.move_organization(
        actor=county.people.wujiu, organization=market, parent=county.orgs.township
    )

    market.refresh_from_db()
    registry.refresh_from_db()
    assert market.path == f"{county.orgs.township.path}{market.pk}/"
    assert registry.path == f"{market.path}{registry.pk}/"
    assert last_entry("identity.move_organization").detail["rows"] == 2


def test_an_organization_cannot_move_into_its_own_subtree():
    county = demo_county()

    with pytest.raises(ActionError) as refused:
        org_actions.move_organization(
            actor=county.people.wujiu,
            organization=county.orgs.market,
            parent=county.orgs.registry,
        )

    assert refused.value.message == "不能把机构移动到它自身或其下级机构之下"
    county.orgs.market.refresh_from_db()
    assert county.orgs.market.parent == county.orgs.gov


def test_an_organization_with_members_cannot_be_deactivated():
    county = demo_county()

    with pytest.raises(ActionError) as refused:
        org_actions.deactivate_organization(
            actor=county.people.wujiu, organization=county.orgs.registry
        )

    assert refused.value.message == "该机构仍有在岗人员，请先调整其岗位"


def test_deactivating_an_empty_organization_also_stops_its_posts():
    county = demo_county()
    county.people.songjia.post_assignments.all().delete()

    org_actions.deactivate_organization(
        actor=county.people.wujiu, organization=county.orgs.township
    )

    county.orgs.township.refresh_from_db()
    assert county.orgs.township.is_active is False
    assert not Post.objects.filter(organization=county.orgs.township, is_active=True)


# --- posts --------------------------------------------------------------------


def test_org_admin_creates_a_post_in_their_subtree_but_not_elsewhere():
    county = demo_county()

    made = post_actions.create_post(
        actor=county.people.zhaoliu,
        organization=county.orgs.registry,
        code="chief",
        name="科长",
    )
    with pytest.raises(PermissionDenied):
        post_actions.create_post(
            actor=county.people.zhaoliu,
            organization=county.orgs.center,
            code="chief",
            name="科长",
        )

    assert made.organization == county.orgs.registry


def test_a_post_code_is_unique_within_its_organization():
    county = demo_county()

    with pytest.raises(ActionError) as refused:
        post_actions.create_post(
            actor=county.people.wujiu,
            organization=county.orgs.market,
            code="head",
            name="局长",
        )

    assert refused.value.message == "本机构已有岗位代码 head"


def test_a_held_post_cannot_be_deactivated():
    county = demo_county()

    with pytest.raises(ActionError) as refused:
        post_actions.deactivate_post(
            actor=county.people.wujiu, post=county.posts.market_chief
        )

    assert refused.value.message == "该岗位仍有人员任职，请先调整其岗位"


# --- users ----------------------------------------------------------------------


def test_create_citizen_stores_id_number_encrypted_and_finds_it_by_blind_index():
    county = demo_county()
    number = id_number("19880808", seq=21)

    citizen = user_actions.create_user(
        actor=county.people.wujiu,
        username="chenxiaohong",
        real_name="陈小红",
        kind=User.Kind.CITIZEN,
        id_number=number.lower(),
        phone="13999211002",
    )

    stored = User.objects.get(pk=citizen.pk)
    assert number not in stored.id_number_encrypted
    assert stored.id_number == number
    assert stored.id_number_masked == number[:4] + "*" * 10 + number[-4:]
    assert stored.phone_masked == "139****1002"
    assert not stored.has_usable_password()
    assert last_entry("identity.create_user").detail["username"] == "chenxiaohong"


def test_a_citizen_needs_an_id_number_with_a_valid_checksum():
    county = demo_county()
    good = id_number("19880808", seq=22)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    kwargs = {
        "actor": county.people.wujiu,
        "username": "someone",
        "real_name": "某人",
        "kind": User.Kind.CITIZEN,
    }

    with pytest.raises(ActionError) as missing:
        user_actions.create_user(**kwargs)
    with pytest.raises(ActionError) as wrong:
        user_actions.create_user(id_number=bad, **kwargs)

    assert missing.value.fields == {"id_number": "自然人用户须填写身份证号"}
    assert wrong.value.fields == {"id_number": "身份证号校验位不正确，请核对后重新输入"}
    assert not User.objects.filter(username="someone").exists()


def test_id_numbers_and_phones_must_be_unique():
    county = demo_county()
    kwargs = {
        "actor": county.people.wujiu,
        "username": "copycat",
        "real_name": "重复者",
        "kind": User.Kind.CITIZEN,
    }

    with pytest.raises(ActionError) as same_id:
        user_actions.create_user(id_number=county.people.zhangsan.id_number, **kwargs)
    with pytest.raises(ActionError) as same_phone:
        user_actions.create_user(
            id_number=id_number(seq=23), phone="13999211001", **kwargs
        )

    assert same_id.value.message == "该身份证号已被其他用户使用"
    assert same_phone.value.message == "该手机号已被其他用户使用"


def test_an_entity_needs_a_uscc():
    county = demo_county()

    with pytest.raises(ActionError) as refused:
        user_actions.create_user(
            actor=county.people.wujiu,
            username="acme",
            real_name="示范科技有限公司",
            kind=User.Kind.ENTITY,
        )

    assert refused.value.message == "法人用户须填写统一社会信用代码"


def test_org_admin_creates_staff_in_a_post_of_their_subtree():
    county = demo_county()

    made = user_actions.create_user(
        actor=county.people.zhaoliu,
        username="xiaoming",
        real_name="小明",
        kind=User.Kind.STAFF,
        password="Xm@2026strong",
        posts=[county.posts.registry_clerk],
        primary_post=county.posts.registry_clerk,
    )

    assert made.primary_organization == county.orgs.registry
    assert made.check_password("Xm@2026strong")
    assert made.is_staff


def test_org_admin_cannot_create_a_user_outside_their_subtree_or_without_a_post():
    county = demo_county()
    kwargs = {
        "actor": county.people.zhaoliu,
        "username": "outsider",
        "real_name": "外人",
        "kind": User.Kind.STAFF,
    }

    with pytest.raises(PermissionDenied):
        user_actions.create_user(
            posts=[county.posts.center_window],
            primary_post=county.posts.center_window,
            **kwargs,
        )
    with pytest.raises(ActionError) as no_post:
        user_actions.create_user(**kwargs)

    assert no_post.value.message == "请为用户指定本机构范围内的岗位"
    assert not User.objects.filter(username="outsider").exists()


def test_a_weak_initial_password_is_refused_with_the_policy_message():
    county = demo_county()

    with pytest.raises(ActionError) as refused:
        user_actions.create_user(
            actor=county.people.wujiu,
            username="weakling",
            real_name="弱密码",
            kind=User.Kind.STAFF,
            password="abcdefgh",
        )

    assert (
        "密码须包含大写字母、小写字母、数字、符号中的至少3类" in refused.value.message
    )


def test_set_user_posts_requires_exactly_one_primary_post():
    county = demo_county()
    wangwu = county.people.wangwu
    chosen = [county.posts.market_chief, county.posts.registry_clerk]

    with pytest.raises(ActionError) as no_primary:
        user_actions.set_user_posts(
            actor=county.people.wujiu, user=wangwu, posts=chosen
        )
    user_actions.set_user_posts(
        actor=county.people.wujiu,
        user=wangwu,
        posts=chosen,
        primary=county.posts.registry_clerk,
    )

    assert no_primary.value.message == "请指定一个主岗"
    held = {a.post_id: a.is_primary for a in wangwu.post_assignments.all()}
    assert held == {
        county.posts.market_chief.pk: False,
        county.posts.registry_clerk.pk: True,
    }


def test_org_admin_changing_posts_keeps_posts_outside_their_scope():
    county = demo_county()
    luodan = county.people.luodan
    user_actions.set_user_posts(
        actor=county.people.wujiu,
        user=luodan,
        posts=[county.posts.registry_clerk, county.posts.township_clerk],
        primary=county.posts.registry_clerk,
    )

    user_actions.set_user_posts(
        actor=county.people.zhaoliu,
        user=luodan,
        posts=[county.posts.market_chief],
        primary=county.posts.market_chief,
    )

    held = set(luodan.post_assignments.values_list("post_id", flat=True))
    assert held == {county.posts.market_chief.pk, county.posts.township_clerk.pk}


def test_citizens_cannot_hold_posts():
    county = demo_county()

    with pytest.raises(ActionError) as refused:
        user_actions.set_user_posts(
            actor=county.people.wujiu,
            user=county.people.zhangsan,
            posts=[county.posts.office_clerk],
            primary=county.posts.office_clerk,
        )

    assert refused.value.message == "只有工作人员可以任职岗位"


def _signed_in_session(person):
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store["_auth_user_id"] = str(person.pk)
    store.create()
    UserSession.objects.create(user=person, session_key=store.session_key)
    return store.session_key


def test_disabling_a_user_ends_all_their_sessions():
    county = demo_county()
    wangwu = county.people.wangwu
    keys = [_signed_in_session(wangwu), _signed_in_session(wangwu)]
    store_class = import_module(settings.SESSION_ENGINE).SessionStore

    user_actions.disable_user(actor=county.people.wujiu, user=wangwu, reason="离职")

    wangwu.refresh_from_db()
    assert wangwu.is_active is False
    assert not UserSession.objects.filter(user=wangwu).exists()
    assert not any(store_class().exists(key) for key in keys)
    entry = last_entry("identity.disable_user")
    assert entry.detail["sessions_ended"] == 2
    assert entry.detail["reason"] == "离职"


def test_nobody_can_disable_their_own_account():
    county = demo_county()

    with pytest.raises(ActionError) as refused:
        user_actions.disable_user(actor=county.people.wujiu, user=county.people.wujiu)

    assert refused.value.message == "不能停用自己的账号"


def test_enable_user_restores_a_disabled_account():
    county = demo_county()
    user_actions.disable_user(actor=county.people.wujiu, user=county.people.lisi)

    user_actions.enable_user(actor=county.people.wujiu, user=county.people.lisi)

    assert User.objects.get(pk=county.people.lisi.pk).is_active is True


def test_reset_password_keeps_history_and_ends_sessions():
    county = demo_county()
    lisi = county.people.lisi
    old_hash = lisi.password
    _signed_in_session(lisi)

    user_actions.reset_password(
        actor=county.people.wujiu, user=lisi, password="Li4@Reset2026"
    )

    lisi.refresh_from_db()
    assert lisi.check_password("Li4@Reset2026")
    assert PasswordHistory.objects.filter(user=lisi, password=old_hash).exists()
    assert not UserSession.objects.filter(user=lisi).exists()


def test_reveal_personal_data_is_audited():
    county = demo_county()
    zhangsan = county.people.zhangsan

    data = user_actions.reveal_personal_data(actor=county.people.wujiu, user=zhangsan)

    assert data == {"id_number": zhangsan.id_number, "phone": "13999211001"}
    entry = last_entry("identity.view_personal_data")
    assert (entry.username, entry.outcome, entry.target_id) == (
        "wujiu",
        "success",
        str(zhangsan.pk),
    )


def test_reveal_without_permission_is_refused_and_logged_as_denied():
    county = demo_county()

    with pytest.raises(PermissionDenied) as refused:
        user_actions.reveal_personal_data(
            actor=county.people.zhaoliu, user=county.people.wangwu
        )

    assert refused.value.message == "您没有查看完整个人信息的权限"
    assert last_entry("identity.view_personal_data").outcome == "denied"


def test_window_clerk_may_reveal_only_within_own_organization():
    county = demo_county()
    lisi = county.people.lisi

    user_actions.reveal_personal_data(actor=lisi, user=county.people.hemin)
    with pytest.raises(PermissionDenied):
        user_actions.reveal_personal_data(actor=lisi, user=county.people.wangwu)


# --- roles and 三员分立 ---------------------------------------------------------


def test_security_admin_assigns_roles():
    county = demo_county()
    wangwu = county.people.wangwu
    leader = Role.objects.get(code=builtin.LEADER)

    role_actions.assign_roles(
        actor=county.people.zhengshi,
        user=wangwu,
        roles=[*wangwu.roles.all(), leader],
    )

    assert fresh(wangwu).has_perm("identity.view_user")
    assert last_entry("identity.assign_roles").detail["roles"][1] == [
        "approver",
        "leader",
        "staff",
    ]


def test_one_user_cannot_hold_two_of_the_three_administrator_roles():
    county = demo_county()
    wujiu = county.people.wujiu

    with pytest.raises(ActionError) as refused:
        role_actions.assign_roles(
            actor=county.people.zhengshi,
            user=wujiu,
            roles=[
                Role.objects.get(code=builtin.SYSTEM_ADMIN),
                Role.objects.get(code=builtin.AUDIT_ADMIN),
            ],
        )

    assert refused.value.message == SEPARATION
    assert set(wujiu.roles.values_list("code", flat=True)) == {"staff", "system_admin"}
    assert last_entry("identity.assign_roles").outcome == "failed"


def test_an_org_admin_cannot_also_be_the_auditor():
    county = demo_county()

    with pytest.raises(ActionError) as refused:
        role_actions.assign_roles(
            actor=county.people.zhengshi,
            user=county.people.zhaoliu,
            roles=[
                Role.objects.get(code=builtin.ORG_ADMIN),
                Role.objects.get(code=builtin.AUDIT_ADMIN),
            ],
        )

    assert refused.value.message == SEPARATION


def test_the_security_admin_cannot_change_their_own_roles():
    county = demo_county()

    with pytest.raises(ActionError) as refused:
        role_actions.assign_roles(
            actor=county.people.zhengshi, user=county.people.zhengshi, roles=[]
        )

    assert refused.value.message == "不能为自己分配角色"


def test_the_system_admin_cannot_assign_roles():
    county = demo_county()

    with pytest.raises(PermissionDenied):
        role_actions.assign_roles(
            actor=county.people.wujiu, user=county.people.wangwu, roles=[]
        )


def test_roles_go_to_staff_only():
    county = demo_county()

    with pytest.raises(ActionError) as refused:
        role_actions.assign_roles(
            actor=county.people.zhengshi,
            user=county.people.zhangsan,
            roles=[Role.objects.get(code=builtin.STAFF)],
        )

    assert refused.value.message == "只有工作人员可以被分配角色"


def _perms(*names):
    result = []
    for name in names:
        app, code = name.split(".")
        result.append(
            Permission.objects.get(content_type__app_label=app, codename=code)
        )
    return result


def test_a_custom_role_may_not_mix_administrator_duties():
    county = demo_county()

    with pytest.raises(ActionError) as refused:
        role_actions.create_role(
            actor=county.people.zhengshi,
            code="super_clerk",
            name="超级科员",
            data_scope=Role.DataScope.ALL,
            permissions=_perms("identity.add_user", "audit.view_auditentry"),
        )

    assert refused.value.fields == {"permissions": SEPARATION}
    assert not Role.objects.filter(code="super_clerk").exists()


def test_create_role_with_grouped_permissions_and_scope():
    county = demo_county()

    made = role_actions.create_role(
        actor=county.people.zhengshi,
        code="hr_officer",
        name="人事专员",
        data_scope=Role.DataScope.ORGANIZATION_SUBTREE,
        permissions=_perms("identity.view_user", "identity.view_organization"),
    )

    assert made.permissions.count() == 2
    assert last_entry("identity.create_role").detail["permissions"] == [
        "identity.view_organization",
        "identity.view_user",
    ]


def test_the_three_administrator_roles_cannot_be_edited_or_deactivated():
    county = demo_county()
    audit_admin = Role.objects.get(code=builtin.AUDIT_ADMIN)

    with pytest.raises(ActionError) as edited:
        role_actions.update_role(
            actor=county.people.zhengshi,
            role=audit_admin,
            name="审计管理员",
            data_scope=Role.DataScope.ALL,
            permissions=_perms("audit.view_auditentry", "identity.add_user"),
        )
    with pytest.raises(ActionError) as stopped:
        role_actions.deactivate_role(actor=county.people.zhengshi, role=audit_admin)

    assert edited.value.message == "三员角色为内置角色，其权限和数据范围不能修改"
    assert stopped.value.message == "三员角色为内置角色，不能停用"


def test_editing_a_role_may_not_make_a_holder_mix_duties():
    county = demo_county()
    leader = Role.objects.get(code=builtin.LEADER)
    county.people.qianshiyi.roles.add(leader)

    with pytest.raises(ActionError) as refused:
        role_actions.update_role(
            actor=county.people.zhengshi,
            role=leader,
            name="分管领导",
            data_scope=Role.DataScope.ORGANIZATION_SUBTREE,
            permissions=_perms("identity.view_user", "identity.change_user"),
        )

    assert refused.value.message == (
        "修改后该角色的部分持有人将违反三员分立，请先调整其角色"
    )


def test_the_auditor_holds_only_the_audit_permissions():
    county = demo_county()

    perms = fresh(county.people.qianshiyi).get_all_permissions()

    assert perms == {"audit.view_auditentry", "audit.export_auditentry"}


def test_ensure_builtin_roles_is_idempotent_and_restores_locked_roles():
    builtin.ensure_builtin_roles()
    system_admin = Role.objects.get(code=builtin.SYSTEM_ADMIN)
    staff = Role.objects.get(code=builtin.STAFF)
    extra = _perms("identity.view_region")[0]
    system_admin.permissions.remove(*_perms("identity.add_user"))
    staff.permissions.add(extra)
    counts = (Role.objects.count(), system_admin.permissions.count())

    builtin.ensure_builtin_roles()

    assert Role.objects.count() == counts[0] == len(builtin.BUILTIN_ROLES)
    assert system_admin.permissions.count() == counts[1] + 1
    assert extra in staff.permissions.all()
    assert all(role.is_builtin for role in Role.objects.all())


def test_ensure_builtin_roles_fails_loudly_when_a_permission_is_missing():
    Permission.objects.filter(
        content_type__app_label="audit", codename="export_auditentry"
    ).delete()

    with pytest.raises(
        builtin.MissingPermissionsError, match="audit.export_auditentry"
    ):
        builtin.ensure_builtin_roles()


def test_every_administration_action_code_has_a_chinese_name():
    import re
    from pathlib import Path

    from egov.audit.labels import action_label
    from egov.identity import action_labels
    from egov.identity.actions import _common

    folder = Path(_common.__file__).parent
    sources = "\n".join(
        (folder / f"{name}.py").read_text()
        for name in ("regions", "organizations", "posts", "users", "roles")
    )
    codes = set(re.findall(r'@audited\("(identity\.[a-z_]+)"', sources))

    action_labels.register()

    assert len(codes) == 30
    assert codes == set(action_labels.ACTION_LABELS)
    assert action_label("identity.assign_roles") == "分配角色"


def test_the_system_admin_cannot_reset_the_auditors_password():
    county = demo_county()
    auditor = county.people.qianshiyi

    with pytest.raises(PermissionDenied):
        user_actions.reset_password(
            actor=county.people.wujiu, user=auditor, password="Taken@2026over"
        )

    auditor.refresh_from_db()
    assert not auditor.check_password("Taken@2026over")
    assert last_entry("identity.reset_password").outcome == "denied"
