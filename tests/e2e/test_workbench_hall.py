"""The workbench's 政务服务 card in the browser: the window clerk sees what
waits at the window and goes from the card to 一窗受理; the leader sees what
waits for a decision and goes from the card to the case list filtered to it."""

import pytest
from playwright.sync_api import expect

from tests.e2e.session import sign_in
from tests.e2e.test_cases import county  # noqa: F401 (fixture)
from tests.e2e.test_designers import Problems
from tests.servicehall import case_factories as cf

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_clerk_and_the_leader_start_from_the_workbench_card(
    page,
    live_server,
    county,  # noqa: F811
):
    problems = Problems(page).seen
    version = cf.item(county, issues_licence=False, name="食品经营许可")
    waiting = cf.submitted_case(county, version)

    sign_in(page, live_server, county.people.lisi)
    page.goto("/staff/")
    card = page.locator("#sh-workbench-card")
    expect(card.locator('[data-hall-count="waiting"]')).to_have_text("1")
    card.get_by_role("link", name="待受理").click()
    expect(page).to_have_url(f"{live_server.url}/staff/cases/window/?state=submitted")
    page.locator("#case-window-table").get_by_role("link", name=waiting.number).click()
    page.locator("#case-accept-open").click()
    page.locator("#case-accept").click()
    expect(page.locator(".alert-success")).to_have_text("已受理，受理通知书已出具")

    # The item has no process: right after acceptance it waits for the
    # decision, which the leader finds from the workbench.
    sign_in(page, live_server, county.people.sunqi)
    page.goto("/staff/")
    card = page.locator("#sh-workbench-card")
    expect(card.locator('[data-hall-count="to_decide"]')).to_have_text("1")
    card.get_by_role("link", name="待决定").click()
    expect(page.locator("tbody")).to_contain_text(waiting.number)
    assert problems == []
