"""Guessing a URL never reaches a record outside one's data scope: 404, the
same answer as for a record that does not exist."""

import pytest
from django.urls import reverse

from tests.identity.factories import demo_county, no_staff_2fa

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]

__all__ = ["no_staff_2fa"]

USER_PAGES = [
    ("get", "sysadmin:user_detail"),
    ("get", "sysadmin:user_edit"),
    ("get", "sysadmin:user_posts"),
    ("get", "sysadmin:user_disable"),
    ("get", "sysadmin:user_reset_password"),
    ("post", "sysadmin:user_reveal"),
    ("post", "sysadmin:user_enable"),
]


@pytest.fixture
def county():
    return demo_county()


@pytest.mark.parametrize(("method", "url_name"), USER_PAGES)
def test_org_admin_cannot_open_a_user_of_another_subtree_by_url(
    client, county, method, url_name
):
    client.force_login(county.people.zhaoliu)

    outside = getattr(client, method)(reverse(url_name, args=[county.people.lisi.pk]))
    missing = getattr(client, method)(reverse(url_name, args=[987654]))
    inside = client.get(reverse("sysadmin:user_detail", args=[county.people.wangwu.pk]))

    assert outside.status_code == 404
    assert missing.status_code == 404
    assert inside.status_code == 200


def test_the_refused_user_page_reveals_nothing_about_the_user(client, county):
    client.force_login(county.people.zhaoliu)

    response = client.get(reverse("sysadmin:user_detail", args=[county.people.lisi.pk]))

    assert "李四" not in response.content.decode()


@pytest.mark.parametrize(
    "url_name",
    [
        "sysadmin:org_panel",
        "sysadmin:post_create",
    ],
)
def test_org_admin_cannot_open_another_organization_by_url(client, county, url_name):
    client.force_login(county.people.zhaoliu)

    response = client.get(reverse(url_name, args=[county.orgs.center.pk]))

    assert response.status_code == 404


def test_pages_an_org_admin_may_never_use_answer_403_for_any_organization(
    client, county
):
    client.force_login(county.people.zhaoliu)

    own = client.get(reverse("sysadmin:org_edit", args=[county.orgs.market.pk]))
    other = client.get(reverse("sysadmin:org_edit", args=[county.orgs.center.pk]))

    assert (own.status_code, other.status_code) == (403, 403)


def test_system_admin_editing_a_missing_organization_gets_404(client, county):
    client.force_login(county.people.wujiu)

    response = client.get(reverse("sysadmin:org_move", args=[987654]))

    assert response.status_code == 404


def test_org_admin_cannot_select_another_organization_in_the_tree(client, county):
    client.force_login(county.people.zhaoliu)

    response = client.get(reverse("sysadmin:org_list"), {"org": county.orgs.center.pk})

    assert response.status_code == 404


def test_org_admin_cannot_edit_a_post_of_another_organization(client, county):
    client.force_login(county.people.zhaoliu)

    response = client.post(
        reverse("sysadmin:post_edit", args=[county.posts.center_window.pk]),
        {"code": "window", "name": "被改名", "sort_order": "0"},
    )

    county.posts.center_window.refresh_from_db()
    assert response.status_code == 404
    assert county.posts.center_window.name == "窗口受理岗"


def test_org_admin_cannot_disable_another_subtrees_user_by_posting(client, county):
    client.force_login(county.people.zhaoliu)

    response = client.post(
        reverse("sysadmin:user_disable", args=[county.people.lisi.pk]), {"reason": "x"}
    )

    county.people.lisi.refresh_from_db()
    assert response.status_code == 404
    assert county.people.lisi.is_active


def test_api_user_outside_the_scope_answers_404_like_a_missing_one(client, county):
    client.force_login(county.people.zhaoliu)

    outside = client.get(
        reverse("identity-api:user_detail", args=[county.people.lisi.pk])
    )
    missing = client.get(reverse("identity-api:user_detail", args=[987654]))
    inside = client.get(
        reverse("identity-api:user_detail", args=[county.people.wangwu.pk])
    )

    assert (outside.status_code, missing.status_code) == (404, 404)
    assert outside.json() == missing.json()
    assert inside.status_code == 200


def test_api_organization_outside_the_scope_answers_404(client, county):
    client.force_login(county.people.zhaoliu)

    response = client.get(
        reverse("identity-api:organization_detail", args=[county.orgs.center.pk])
    )

    assert response.status_code == 404
