import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_public_home_shows_the_portal_in_chinese(page):
    page.goto("/")

    assert page.locator(".egov-brand").inner_text().strip() == "示范县人民政府"
    assert page.get_by_role("link", name="登录").first.is_visible()
