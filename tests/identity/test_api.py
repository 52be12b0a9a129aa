import pytest
from django.urls import reverse

from tests.identity.factories import demo_county, no_staff_2fa

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]

__all__ = ["no_staff_2fa"]


@pytest.fixture
def county():
    return demo_county()


def test_user_list_holds_the_callers_scope_with_masked_personal_data(client, county):
    client.force_login(county.people.zhaoliu)

    response = client.get(reverse("identity-api:user_list"))

    body = response.json()
    assert response.status_code == 200
    assert [row["username"] for row in body["results"]] == [
        "luodan",
        "wangwu",
        "zhaoliu",
    ]
    wangwu = body["results"][1]
    assert wangwu["id_number_masked"] == county.people.wangwu.id_number_masked
    assert wangwu["phone_masked"] == "139****0007"
    assert "id_number" not in wangwu and "phone" not in wangwu
    assert wangwu["posts"] == [
        {
            "organization_id": county.orgs.market.pk,
            "organization_code": "139921-104",
            "organization_name": "示范县市场监督管理局",
            "post_code": "section_chief",
            "post_name": "科长",
            "is_primary": True,
        }
    ]
    assert wangwu["roles"] == ["approver", "staff"]


def test_user_list_filters_by_organization_kind_and_search(client, county):
    client.force_login(county.people.wujiu)
    url = reverse("identity-api:user_list")

    by_org = client.get(url, {"organization": county.orgs.registry.pk}).json()
    by_kind = client.get(url, {"kind": "citizen"}).json()
    by_name = client.get(url, {"q": "李四"}).json()

    assert [r["username"] for r in by_org["results"]] == ["luodan"]
    assert [r["username"] for r in by_kind["results"]] == ["zhangsan"]
    assert [r["username"] for r in by_name["results"]] == ["lisi"]


def test_filtering_by_an_organization_outside_the_scope_gives_nothing(client, county):
    client.force_login(county.people.zhaoliu)

    response = client.get(
        reverse("identity-api:user_list"), {"organization": county.orgs.center.pk}
    )

    assert response.json()["results"] == []


def test_organization_list_is_the_callers_subtree_in_tree_order(client, county):
    client.force_login(county.people.zhaoliu)

    response = client.get(reverse("identity-api:organization_list"))

    rows = response.json()["results"]
    assert [(r["code"], r["parent_code"], r["kind_label"]) for r in rows] == [
        ("139921-104", "139921-100", "部门"),
        ("139921-104-01", "139921-104", "部门"),
    ]


def test_api_without_the_view_permission_answers_403(client, county):
    client.force_login(county.people.lisi)

    users = client.get(reverse("identity-api:user_list"))
    orgs = client.get(reverse("identity-api:organization_list"))

    assert (users.status_code, orgs.status_code) == (403, 403)


def test_api_refuses_anonymous_callers(client, county):
    response = client.get(reverse("identity-api:user_list"))

    assert response.status_code in (401, 403)


def test_api_is_read_only(client, county):
    client.force_login(county.people.wujiu)

    response = client.post(
        reverse("identity-api:user_list"),
        {"username": "x"},
        content_type="application/json",
    )

    assert response.status_code == 405
