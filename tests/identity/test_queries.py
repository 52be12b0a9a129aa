import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404

from egov.identity import queries
from egov.identity import roles as builtin
from egov.identity.models import Organization, PostAssignment, Region, Role, User
from egov.identity.queries import (
    build_tree,
    data_scope_of,
    get_organization_for,
    get_user_for,
    organizations_for,
    register_scope,
    users_for,
    visible,
)
from tests.identity.factories import demo_county, fresh, user

pytestmark = pytest.mark.django_db


def usernames(rows):
    return sorted(rows.values_list("username", flat=True))


def test_org_admin_sees_users_of_own_organization_subtree_only():
    county = demo_county()
    zhaoliu = county.people.zhaoliu

    rows = users_for(zhaoliu)

    assert usernames(rows) == ["luodan", "wangwu", "zhaoliu"]


def test_window_clerk_scope_is_own_organization():
    county = demo_county()

    rows = visible(county.people.lisi, User.objects.all())

    assert usernames(rows) == ["hemin", "lisi"]
    assert data_scope_of(county.people.lisi) == Role.DataScope.ORGANIZATION


def test_plain_staff_sees_only_their_own_record():
    county = demo_county()

    rows = visible(county.people.luodan, User.objects.all())

    assert usernames(rows) == ["luodan"]


def test_self_scope_shows_nothing_for_a_model_without_an_owner_field():
    county = demo_county()

    rows = visible(county.people.luodan, Organization.objects.all())

    assert list(rows) == []


def test_supervisor_sees_every_organization_of_the_county_and_its_townships():
    county = demo_county()

    rows = visible(county.people.zhouba, Organization.objects.all())

    codes = set(rows.values_list("code", flat=True))
    assert "139922-100" not in codes
    assert codes == set(
        Organization.objects.exclude(code="139922-100").values_list("code", flat=True)
    )


def test_region_scope_of_a_township_officer_stops_at_the_township():
    county = demo_county()
    songjia = county.people.songjia
    songjia.roles.add(Role.objects.get(code=builtin.SUPERVISOR))

    rows = visible(fresh(songjia), Organization.objects.all())

    assert list(rows.values_list("code", flat=True)) == ["139921100-001"]


def test_system_admin_sees_every_user_including_citizens():
    county = demo_county()

    rows = users_for(county.people.wujiu)

    assert rows.count() == User.objects.count()
    assert "zhangsan" in usernames(rows)


def test_scope_for_a_permission_uses_only_roles_granting_it():
    county = demo_county()
    zhaoliu = county.people.zhaoliu

    by_user_perm = visible(zhaoliu, User.objects.all(), perm="identity.view_user")
    by_region_perm = visible(zhaoliu, Region.objects.all(), perm="identity.view_region")

    assert usernames(by_user_perm) == ["luodan", "wangwu", "zhaoliu"]
    assert list(by_region_perm) == []


def test_widest_scope_wins_among_several_roles():
    county = demo_county()
    wangwu = county.people.wangwu
    wangwu.roles.add(Role.objects.get(code=builtin.SUPERVISOR))

    scope = data_scope_of(fresh(wangwu))

    assert scope == Role.DataScope.REGION_SUBTREE


def test_superuser_sees_everything_without_roles():
    demo_county()
    root = User.objects.create_superuser(
        "root", password="Root@2026pass", real_name="运维", kind=User.Kind.STAFF
    )

    rows = visible(root, User.objects.all(), perm="identity.view_user")

    assert rows.count() == User.objects.count()


def test_anonymous_and_disabled_viewers_see_nothing():
    county = demo_county()
    wujiu = county.people.wujiu
    wujiu.is_active = False
    wujiu.save()

    assert list(visible(AnonymousUser(), User.objects.all())) == []
    assert list(visible(wujiu, User.objects.all())) == []


def test_a_deactivated_role_grants_neither_permission_nor_scope():
    county = demo_county()
    Role.objects.filter(code=builtin.ORG_ADMIN).update(is_active=False)
    zhaoliu = fresh(county.people.zhaoliu)

    assert not zhaoliu.has_perm("identity.view_user")
    assert list(users_for(zhaoliu)) == []
    assert data_scope_of(zhaoliu, perm="identity.view_user") is None


def test_a_viewer_holding_posts_in_two_organizations_sees_both_subtrees():
    county = demo_county()
    zhaoliu = county.people.zhaoliu
    PostAssignment.objects.create(user=zhaoliu, post=county.posts.township_clerk)

    rows = users_for(fresh(zhaoliu))

    assert usernames(rows) == ["luodan", "songjia", "wangwu", "zhaoliu"]


def test_a_user_holding_two_posts_in_scope_is_listed_once():
    county = demo_county()
    PostAssignment.objects.create(
        user=county.people.luodan, post=county.posts.market_chief
    )

    rows = users_for(county.people.zhaoliu)

    assert usernames(rows) == ["luodan", "wangwu", "zhaoliu"]


def test_get_user_for_answers_404_for_missing_out_of_scope_and_garbage_ids():
    county = demo_county()
    zhaoliu = county.people.zhaoliu

    found = get_user_for(zhaoliu, county.people.wangwu.pk)

    assert found == county.people.wangwu
    for pk in (county.people.lisi.pk, 999999, "abc", None):
        with pytest.raises(Http404):
            get_user_for(zhaoliu, pk)


def test_get_organization_for_hides_organizations_outside_the_scope():
    county = demo_county()

    with pytest.raises(Http404):
        get_organization_for(county.people.zhaoliu, county.orgs.center.pk)

    assert (
        get_organization_for(county.people.zhaoliu, county.orgs.registry.pk)
        == county.orgs.registry
    )


def test_organizations_for_an_org_admin_is_their_subtree():
    county = demo_county()

    rows = organizations_for(county.people.zhaoliu)

    assert [o.code for o in rows] == ["139921-104", "139921-104-01"]


def test_users_for_filters_by_name_account_phone_kind_state_and_organization():
    county = demo_county()
    wujiu = county.people.wujiu
    county.people.songjia.is_active = False
    county.people.songjia.save()

    assert usernames(users_for(wujiu, search="王五")) == ["wangwu"]
    assert usernames(users_for(wujiu, search="zhao")) == ["zhaoliu"]
    assert usernames(users_for(wujiu, search="13999210009")) == ["lisi"]
    assert usernames(users_for(wujiu, kind=User.Kind.CITIZEN)) == ["zhangsan"]
    assert usernames(users_for(wujiu, active=False)) == ["songjia"]
    assert usernames(users_for(wujiu, organization=county.orgs.market)) == [
        "luodan",
        "wangwu",
        "zhaoliu",
    ]


def test_a_model_without_a_scope_declaration_is_refused_loudly():
    county = demo_county()

    with pytest.raises(ImproperlyConfigured, match="data_scope_fields"):
        visible(county.people.zhaoliu, Permission.objects.all())


def test_a_registered_declaration_scopes_a_model_the_app_cannot_edit(monkeypatch):
    county = demo_county()
    monkeypatch.setattr(queries, "_registry", {})
    register_scope(PostAssignment, organization="post__organization", owner="user")

    mine = visible(county.people.luodan, PostAssignment.objects.all())
    subtree = visible(county.people.zhaoliu, PostAssignment.objects.all())

    assert [a.user.username for a in mine] == ["luodan"]
    assert sorted(a.user.username for a in subtree) == ["luodan", "wangwu", "zhaoliu"]


def test_build_tree_nests_children_and_treats_orphans_as_roots():
    county = demo_county()
    market_subtree = list(organizations_for(county.people.zhaoliu))

    roots = build_tree(market_subtree)

    assert [r["node"].code for r in roots] == ["139921-104"]
    assert [c["node"].code for c in roots[0]["children"]] == ["139921-104-01"]


def test_new_user_without_roles_sees_nothing():
    demo_county()
    newcomer = user("newcomer", "新人")

    assert list(visible(newcomer, User.objects.all())) == []
