import pytest
from django.urls import reverse

from egov.audit.models import AuditEntry
from egov.identity.models import Organization, Region, Role, User
from tests.identity.factories import demo_county, id_number, no_staff_2fa

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]

__all__ = ["no_staff_2fa"]


@pytest.fixture
def county():
    return demo_county()


def signed_in(client, person):
    client.force_login(person)
    return client


def text(response):
    return response.content.decode()


# --- menu and lists -----------------------------------------------------------


def test_system_admin_sees_the_four_management_menu_entries(client, county):
    response = signed_in(client, county.people.wujiu).get(reverse("staff:workbench"))

    body = text(response)
    for url_name in ("region_list", "org_list", "user_list"):
        assert reverse(f"sysadmin:{url_name}") in body
    assert reverse("sysadmin:role_list") not in body


def test_region_list_shows_the_tree_in_chinese(client, county):
    response = signed_in(client, county.people.wujiu).get(
        reverse("sysadmin:region_list")
    )

    body = text(response).split('id="main"')[1]
    assert response.status_code == 200
    assert "行政区划" in body
    assert body.index("示范市") < body.index("示范县") < body.index("城关镇")


def test_org_list_shows_the_tree_and_the_selected_organizations_posts_and_members(
    client, county
):
    url = reverse("sysadmin:org_list") + f"?org={county.orgs.market.pk}"

    response = signed_in(client, county.people.wujiu).get(url)

    body = text(response)
    assert response.status_code == 200
    assert "示范县人民政府" in body and "中共示范县委员会" in body
    assert "局长" in body and "科长" in body
    assert "赵六" in body and "王五" in body
    assert reverse("sysadmin:org_panel", args=[county.orgs.market.pk]) in body


def test_org_panel_is_a_fragment_for_htmx(client, county):
    response = signed_in(client, county.people.wujiu).get(
        reverse("sysadmin:org_panel", args=[county.orgs.center.pk]),
        HTTP_HX_REQUEST="true",
    )

    body = text(response)
    assert "<html" not in body
    assert "示范县政务服务中心" in body and "窗口受理岗" in body and "李四" in body


def test_org_admin_sees_only_their_subtree_in_the_tree(client, county):
    response = signed_in(client, county.people.zhaoliu).get(
        reverse("sysadmin:org_list")
    )

    body = text(response)
    assert "示范县市场监督管理局" in body and "登记注册科" in body
    assert "示范县政务服务中心" not in body


def test_user_list_masks_id_numbers_and_phones(client, county):
    wangwu = county.people.wangwu

    response = signed_in(client, county.people.wujiu).get(reverse("sysadmin:user_list"))

    body = text(response)
    assert wangwu.id_number_masked in body
    assert "139****0007" in body
    assert wangwu.id_number not in body
    assert "13999210007" not in body


def test_user_list_filters_by_organization_subtree_and_kind(client, county):
    url = reverse("sysadmin:user_list")
    client = signed_in(client, county.people.wujiu)

    by_org = text(client.get(url, {"org": county.orgs.market.pk}))
    by_kind = text(client.get(url, {"kind": "citizen"}))

    assert "王五" in by_org and "罗丹" in by_org and "李四" not in by_org
    assert "张三" in by_kind and "王五" not in by_kind


def test_user_list_search_finds_by_name(client, county):
    response = signed_in(client, county.people.wujiu).get(
        reverse("sysadmin:user_list"), {"q": "李四"}
    )

    body = text(response)
    assert "李四" in body and "王五" not in body


# --- regions and organizations --------------------------------------------------


def test_create_region_through_the_form(client, county):
    response = signed_in(client, county.people.wujiu).post(
        reverse("sysadmin:region_create"),
        {
            "code": "139921101",
            "name": "东河镇",
            "level": "township",
            "parent": county.regions.county.pk,
        },
    )

    assert response.status_code == 302
    assert Region.objects.get(code="139921101").path == "/139900/139921/139921101/"


def test_a_bad_region_code_is_shown_on_its_field_and_nothing_is_saved(client, county):
    response = signed_in(client, county.people.wujiu).post(
        reverse("sysadmin:region_create"),
        {"code": "12AB", "name": "某镇", "level": "township"},
    )

    body = text(response)
    assert response.status_code == 200
    assert "区划代码应为6位、9位或12位数字" in body
    assert "is-invalid" in body
    assert not Region.objects.filter(name="某镇").exists()


def test_create_organization_under_a_parent_through_the_form(client, county):
    response = signed_in(client, county.people.wujiu).post(
        reverse("sysadmin:org_create"),
        {
            "code": "139921-104-02",
            "name": "食品安全科",
            "kind": "department",
            "region": county.regions.county.pk,
            "parent": county.orgs.market.pk,
            "sort_order": "0",
        },
    )

    made = Organization.objects.get(code="139921-104-02")
    assert response.status_code == 302
    assert response["Location"].endswith(f"?org={made.pk}")
    assert made.path.startswith(county.orgs.market.path)


def test_a_bad_uscc_is_reported_in_chinese_on_the_organization_form(client, county):
    response = signed_in(client, county.people.wujiu).post(
        reverse("sysadmin:org_edit", args=[county.orgs.market.pk]),
        {
            "code": "139921-104",
            "name": "示范县市场监督管理局",
            "kind": "department",
            "region": county.regions.county.pk,
            "uscc": "11139921MB000000X",
            "sort_order": "0",
        },
    )

    assert "统一社会信用代码" in text(response)
    county.orgs.market.refresh_from_db()
    assert county.orgs.market.uscc == ""


def test_move_organization_through_the_form(client, county):
    response = signed_in(client, county.people.wujiu).post(
        reverse("sysadmin:org_move", args=[county.orgs.registry.pk]),
        {"parent": county.orgs.center.pk},
    )

    county.orgs.registry.refresh_from_db()
    assert response.status_code == 302
    assert county.orgs.registry.parent == county.orgs.center


def test_deactivating_an_organization_with_members_shows_why_it_was_refused(
    client, county
):
    client = signed_in(client, county.people.wujiu)

    response = client.post(
        reverse("sysadmin:org_deactivate", args=[county.orgs.market.pk]), follow=True
    )

    assert "该机构下仍有启用的下级机构，不能停用" in text(response)
    county.orgs.market.refresh_from_db()
    assert county.orgs.market.is_active


def test_org_admin_adds_a_post_in_their_organization(client, county):
    response = signed_in(client, county.people.zhaoliu).post(
        reverse("sysadmin:post_create", args=[county.orgs.registry.pk]),
        {"code": "chief", "name": "科长", "sort_order": "1"},
    )

    assert response.status_code == 302
    assert county.orgs.registry.posts.filter(code="chief").exists()


# --- users ------------------------------------------------------------------------


def test_user_detail_offers_the_reveal_button_to_the_system_admin(client, county):
    response = signed_in(client, county.people.wujiu).get(
        reverse("sysadmin:user_detail", args=[county.people.zhangsan.pk])
    )

    body = text(response)
    assert "查看完整信息" in body
    assert county.people.zhangsan.id_number_masked in body
    assert county.people.zhangsan.id_number not in body


def test_reveal_shows_the_full_id_number_and_logs_it(client, county):
    zhangsan = county.people.zhangsan

    response = signed_in(client, county.people.wujiu).post(
        reverse("sysadmin:user_reveal", args=[zhangsan.pk]), HTTP_HX_REQUEST="true"
    )

    body = text(response)
    assert zhangsan.id_number in body and "13999211001" in body
    assert "本次查看已记入统一日志" in body
    entry = AuditEntry.objects.filter(action="identity.view_personal_data").first()
    assert (entry.username, entry.target_id) == ("wujiu", str(zhangsan.pk))


def test_reveal_is_refused_for_an_org_admin_without_the_permission(client, county):
    wangwu = county.people.wangwu
    client = signed_in(client, county.people.zhaoliu)

    page = client.get(reverse("sysadmin:user_detail", args=[wangwu.pk]))
    response = client.post(
        reverse("sysadmin:user_reveal", args=[wangwu.pk]), HTTP_HX_REQUEST="true"
    )

    assert "查看完整信息" not in text(page)
    assert response.status_code == 403
    assert "您没有查看完整个人信息的权限" in text(response)
    assert wangwu.id_number not in text(response)
    assert AuditEntry.objects.filter(
        action="identity.view_personal_data", outcome="denied"
    ).exists()


def test_create_user_with_a_bad_id_number_shows_the_message_and_saves_nothing(
    client, county
):
    good = id_number("19900101", seq=31)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")

    response = signed_in(client, county.people.wujiu).post(
        reverse("sysadmin:user_create"),
        {
            "username": "newcitizen",
            "real_name": "新市民",
            "kind": "citizen",
            "id_number": bad,
        },
    )

    assert "身份证号校验位不正确，请核对后重新输入" in text(response)
    assert not User.objects.filter(username="newcitizen").exists()


def test_org_admin_creates_a_clerk_in_their_organization(client, county):
    response = signed_in(client, county.people.zhaoliu).post(
        reverse("sysadmin:user_create"),
        {
            "username": "xiaoming",
            "real_name": "小明",
            "kind": "staff",
            "phone": "13999219999",
            "primary_post": county.posts.registry_clerk.pk,
            "password": "Xm@2026strong",
        },
    )

    made = User.objects.get(username="xiaoming")
    assert response["Location"] == reverse("sysadmin:user_detail", args=[made.pk])
    assert made.primary_organization == county.orgs.registry


def test_org_admin_is_not_offered_posts_outside_their_subtree(client, county):
    response = signed_in(client, county.people.zhaoliu).post(
        reverse("sysadmin:user_create"),
        {
            "username": "sneaky",
            "real_name": "越权",
            "kind": "staff",
            "primary_post": county.posts.center_window.pk,
        },
    )

    assert response.status_code == 200
    assert "primary_post" in response.context["form"].errors
    assert not User.objects.filter(username="sneaky").exists()


def test_set_posts_with_a_primary_through_the_form(client, county):
    wangwu = county.people.wangwu

    response = signed_in(client, county.people.wujiu).post(
        reverse("sysadmin:user_posts", args=[wangwu.pk]),
        {
            "posts": [county.posts.market_chief.pk, county.posts.registry_clerk.pk],
            "primary": county.posts.registry_clerk.pk,
        },
    )

    assert response.status_code == 302
    assert User.objects.get(pk=wangwu.pk).primary_organization == county.orgs.registry


def test_security_admin_assigning_two_admin_roles_sees_the_separation_message(
    client, county
):
    roles = Role.objects.filter(code__in=["system_admin", "security_admin"])

    response = signed_in(client, county.people.zhengshi).post(
        reverse("sysadmin:user_roles", args=[county.people.wangwu.pk]),
        {"roles": [r.pk for r in roles]},
    )

    assert "三员分立" in text(response)
    assert set(county.people.wangwu.roles.values_list("code", flat=True)) == {
        "staff",
        "approver",
    }


def test_system_admin_may_not_open_the_role_assignment_page(client, county):
    response = signed_in(client, county.people.wujiu).get(
        reverse("sysadmin:user_roles", args=[county.people.wangwu.pk])
    )

    assert response.status_code == 403


def test_disable_user_through_the_page_ends_the_account(client, county):
    response = signed_in(client, county.people.wujiu).post(
        reverse("sysadmin:user_disable", args=[county.people.lisi.pk]),
        {"reason": "调离"},
        follow=True,
    )

    assert "账号已停用，其所有登录会话已结束" in text(response)
    assert User.objects.get(pk=county.people.lisi.pk).is_active is False


def test_a_disabled_user_is_signed_out_on_their_next_request(client, county):
    from django.test import Client

    lisi_client = Client()
    lisi_client.force_login(county.people.lisi)
    assert lisi_client.get(reverse("staff:workbench")).status_code == 200

    signed_in(client, county.people.wujiu).post(
        reverse("sysadmin:user_disable", args=[county.people.lisi.pk]), {"reason": ""}
    )

    response = lisi_client.get(reverse("staff:workbench"))
    assert response.status_code == 302
    assert "login" in response["Location"]


# --- roles ----------------------------------------------------------------------


def test_role_form_groups_permissions_by_app_with_chinese_labels(client, county):
    response = signed_in(client, county.people.zhengshi).get(
        reverse("sysadmin:role_create")
    )

    body = text(response)
    assert "统一身份与授权" in body and "统一日志" in body and "单点登录" in body
    assert "新增用户" in body and "查看行政区划" in body and "查看完整个人信息" in body
    assert "Can add" not in body


def test_create_role_through_the_picker(client, county):
    from django.contrib.auth.models import Permission

    perm = Permission.objects.get(codename="view_user")

    response = signed_in(client, county.people.zhengshi).post(
        reverse("sysadmin:role_create"),
        {
            "code": "hr_viewer",
            "name": "人事查询",
            "data_scope": "organization_subtree",
            "permissions": [perm.pk],
        },
    )

    role = Role.objects.get(code="hr_viewer")
    assert response.status_code == 302
    assert list(role.permissions.all()) == [perm]


def test_the_audit_admin_role_page_is_read_only(client, county):
    role = Role.objects.get(code="audit_admin")

    response = signed_in(client, county.people.zhengshi).get(
        reverse("sysadmin:role_edit", args=[role.pk])
    )

    body = text(response)
    assert "三员角色为内置角色，其权限和数据范围不能修改。" in body
    assert "<fieldset disabled>" in body


def test_user_edit_page_shows_personal_data_masked_only(client, county):
    zhangsan = county.people.zhangsan

    response = signed_in(client, county.people.wujiu).get(
        reverse("sysadmin:user_edit", args=[zhangsan.pk])
    )

    body = text(response)
    assert response.status_code == 200
    assert zhangsan.id_number not in body
    assert zhangsan.phone not in body
    assert f'placeholder="{zhangsan.id_number_masked}"' in body
    assert f"已登记：{zhangsan.phone_masked}；留空则保持不变" in body


def test_user_edit_keeps_personal_data_left_empty_and_takes_a_new_phone(client, county):
    zhangsan = county.people.zhangsan
    old_id_number = zhangsan.id_number

    response = signed_in(client, county.people.wujiu).post(
        reverse("sysadmin:user_edit", args=[zhangsan.pk]),
        {
            "real_name": zhangsan.real_name,
            "kind": zhangsan.kind,
            "id_number": "",
            "phone": "13999219876",
            "uscc": "",
            "email": "",
        },
    )

    assert response.status_code == 302
    zhangsan = User.objects.get(pk=zhangsan.pk)
    assert zhangsan.id_number == old_id_number
    assert zhangsan.phone == "13999219876"
