"""网上办事大厅: the public catalog shows published versions only, browsable
by audience, theme and department, searchable, with a printable 办事指南 and
material templates to download."""

import re

import pytest
from django.test import Client

from egov.servicehall import catalog_actions as actions
from tests.servicehall.factories import (
    docx_upload,
    draft,
    item_fields,
    material,
    published,
)

pytestmark = pytest.mark.django_db


def _names(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'<div class="fw-semibold sh-item-name">([^<]+)</div>', html)


@pytest.fixture
def hall(county):
    """Three published items, a draft and a retired one."""
    food = published(
        county,
        themes=[county.themes.business],
        materials=[
            material("食品经营许可申请书", template_upload=docx_upload("申请书.docx")),
            material("营业执照", form="copy", for_individuals=False),
        ],
    )
    birth = published(
        county,
        code="000131007000-139921104",
        name="出生医学证明办理",
        kind="public_service",
        for_entities=False,
        themes=[county.themes.birth],
        issues_licence=False,
        licence_type="",
        materials=[material("父母身份证", for_entities=False)],
    )
    building = published(
        county,
        code="000149002000-139921104",
        name="建筑工程施工许可",
        for_individuals=False,
        themes=[county.themes.health],
        charges_fee=True,
        fee_fen=8000,
        fee_basis="发改价格规〔2016〕2559号",
        materials=[material("施工合同", for_individuals=False)],
    )
    unpublished = draft(county, code="DRAFT-0001", name="尚未发布的事项")
    retired = published(county, code="RETIRED-0001", name="已废止的事项")
    actions.retire_item(actor=county.people.sunqi, item=retired.item, reason="取消")
    return {
        "food": food,
        "birth": birth,
        "building": building,
        "draft": unpublished,
        "retired": retired,
    }


def test_the_hall_opens_on_personal_services_with_themes_and_departments(hall):
    response = Client().get("/hall/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-current="page" href="/hall/?for=individual"' in html
    assert sorted(_names(response)) == ["出生医学证明办理", "食品经营许可"]
    assert '<span class="sh-tile-name">出生</span>' in html
    assert '<span class="sh-tile-name">开办企业</span>' in html
    assert '<span class="sh-tile-name">医疗卫生</span>' not in html
    assert "示范县市场监督管理局" in html


def test_the_company_tab_lists_services_for_legal_entities(hall):
    response = Client().get("/hall/?for=entity")

    assert sorted(_names(response)) == ["建筑工程施工许可", "食品经营许可"]
    assert '<span class="sh-tile-name">医疗卫生</span>' in response.content.decode()


def test_browsing_a_theme_lists_its_published_items(hall):
    response = Client().get("/hall/items/?for=individual&theme=birth")

    assert response.status_code == 200
    assert _names(response) == ["出生医学证明办理"]


def test_browsing_a_department_lists_its_published_items(hall):
    response = Client().get("/hall/items/?for=entity&dept=139921-104")

    assert _names(response) == ["建筑工程施工许可", "食品经营许可"]


def test_search_finds_by_name_or_code_and_never_drafts(hall):
    client = Client()

    assert _names(client.get("/hall/items/?q=许可")) == ["食品经营许可"]
    assert _names(client.get("/hall/items/?for=entity&q=000149002000")) == [
        "建筑工程施工许可"
    ]
    assert _names(client.get("/hall/items/?q=事项")) == []
    nothing = client.get("/hall/items/?q=不存在的事项").content.decode()
    assert "没有找到相关事项，请换个关键词试试。" in nothing


@pytest.mark.parametrize(
    "url",
    ["/hall/items/?theme=no-such-theme", "/hall/items/?dept=no-such-dept"],
)
def test_an_unknown_theme_or_department_answers_404(hall, url):
    assert Client().get(url).status_code == 404


def test_odd_query_values_are_harmless(hall):
    client = Client()

    assert client.get("/hall/?for=<script>").status_code == 200
    assert client.get("/hall/items/?page=abc&q=" + "长" * 500).status_code == 200
    assert client.get("/hall/items/?q=%00").status_code == 200
    assert client.get("/hall/items/?theme=%00").status_code == 404
    assert client.get("/hall/items/?dept=%00x").status_code == 404
    assert _names(client.get("/hall/items/?q=%E9%A3%9F%00%E5%93%81")) == [
        "食品经营许可"
    ]


def test_the_guide_lists_everything_about_the_item(hall):
    response = Client().get("/hall/items/000149002000-139921104/")

    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "建筑工程施工许可",
        "000149002000-139921104",
        "行政许可",
        "示范县市场监督管理局",
        "法人",
        "10个工作日",
        "5个工作日",
        "最多跑一次",
        "收费，80元",
        "发改价格规〔2016〕2559号",
        "食品经营许可证（电子证照）",
        "《中华人民共和国食品安全法》第三十五条",
        "具有与经营的食品品种、数量相适应的场所。",
        "施工合同",
        "示范县政务服务中心3号窗口",
        "工作日 9:00—17:00",
        'href="tel:0399-8123104"',
        'href="tel:12345"',
        "医疗卫生",
    ):
        assert text in html, text


def test_the_guide_is_printable_without_inline_styles(hall):
    html = Client().get("/hall/items/000172012000-139921104/").content.decode()

    assert "servicehall/catalog.css" in html
    assert "data-sh-print" in html
    assert "servicehall/catalog_public.js" in html
    assert "style=" not in html
    assert "onclick" not in html
    assert not re.search(r"<script>[^<]", html)


def test_a_draft_a_retired_item_and_an_unknown_code_all_answer_404(hall):
    client = Client()

    assert client.get("/hall/items/DRAFT-0001/").status_code == 404
    assert client.get("/hall/items/RETIRED-0001/").status_code == 404
    assert client.get("/hall/items/NOPE-0001/").status_code == 404


def test_the_guide_shows_the_version_in_force_not_a_newer_draft(county, hall):
    actions.new_item_version(actor=county.people.wangwu, item=hall["food"].item)
    draft_version = hall["food"].item.versions.get(number=2)
    actions.edit_item_draft(
        actor=county.people.wangwu,
        version=draft_version,
        fields=item_fields(name="食品经营许可（修订中）"),
        materials=[material()],
    )

    html = Client().get("/hall/items/000172012000-139921104/").content.decode()

    assert "食品经营许可（修订中）" not in html
    assert "第1版" in html


def test_a_material_template_downloads_as_an_attachment(hall):
    template = hall["food"].materials.get(name="食品经营许可申请书")

    response = Client().get(
        f"/hall/items/000172012000-139921104/materials/{template.pk}/template/"
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "%E7%94%B3%E8%AF%B7%E4%B9%A6.docx" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"PK")


def test_material_files_outside_the_published_version_answer_404(county, hall):
    template = hall["food"].materials.get(name="食品经营许可申请书")
    licence = hall["food"].materials.get(name="营业执照")
    hidden = draft(
        county,
        code="DRAFT-0002",
        materials=[material(template_upload=docx_upload())],
    ).materials.get()
    client = Client()

    assert (
        client.get(
            f"/hall/items/000172012000-139921104/materials/{licence.pk}/template/"
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"/hall/items/000172012000-139921104/materials/{template.pk}/example/"
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"/hall/items/000172012000-139921104/materials/{template.pk}/other/"
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"/hall/items/000131007000-139921104/materials/{template.pk}/template/"
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"/hall/items/DRAFT-0002/materials/{hidden.pk}/template/"
        ).status_code
        == 404
    )


def test_the_public_navigation_leads_to_the_hall(db):
    html = Client().get("/").content.decode()

    assert '<a class="nav-link" href="/hall/">网上办事大厅</a>' in html
