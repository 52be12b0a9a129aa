"""Electronic licences in a real browser: the URL in a licence's QR code opens
its verification page, which says 有效; a leader revokes it in 证照管理, and the
same URL then says 已注销 with the reason."""

import pytest

from egov.datahub import licence_queries
from egov.datahub.licence_actions import issue_licence
from tests.datahub import factories
from tests.e2e.session import sign_in
from tests.identity.factories import no_staff_2fa

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("no_staff_2fa"),
]

__all__ = ["no_staff_2fa"]


@pytest.fixture(autouse=True)
def _licence_settings(settings, tmp_path, live_server):
    key = tmp_path / "licence_sm2.key"
    factories.write_key_file(key)
    settings.EGOV_LICENCE_SM2_KEY_FILE = str(key)
    settings.EGOV_UPLOAD_ROOT = tmp_path / "uploads"
    settings.EGOV_PUBLIC_URL = live_server.url


def test_the_qr_url_verifies_a_licence_and_shows_its_revocation(page, live_server):
    county = factories.licence_county()
    licence = issue_licence(
        actor=county.people.wangwu, case=factories.approved_case(county)
    )
    url = licence_queries.qr_payload(licence)
    assert url == f"{live_server.url}/verify/{licence.code}/"

    page.goto(url)
    result = page.locator("#licence-verification")
    result.get_by_text("有效", exact=True).wait_for()
    assert result.get_attribute("data-status") == "valid"
    assert licence.number in result.inner_text()
    assert "张*" in result.inner_text()

    sign_in(page, live_server, county.people.sunqi)
    page.goto("/staff/")
    page.get_by_role("link", name="证照管理").click()
    page.get_by_role("link", name=licence.number).click()
    page.get_by_label("注销原因").fill("以欺骗手段取得许可，依法撤销")
    page.get_by_role("button", name="注销", exact=True).click()
    page.get_by_text("电子证照已注销，核验页面将显示“已注销”。").wait_for()

    page.context.clear_cookies()
    page.goto(url)
    result = page.locator("#licence-verification")
    result.get_by_text("已注销", exact=True).wait_for()
    assert result.get_attribute("data-status") == "revoked"
    assert "以欺骗手段取得许可，依法撤销" in result.inner_text()
