"""`egov demo` builds a working catalog: ten published items across the demo
departments with materials and blank forms, and a reload changes nothing."""

import io
import zipfile

import pytest
from django.test import Client

from egov.core.files import open_stored_file
from egov.core.management.commands.demo import load_demo
from egov.servicehall.demo import ITEMS, load_demo_catalog
from egov.servicehall.models import RequiredMaterial, ServiceItemVersion, Theme

pytestmark = pytest.mark.django_db
Status = ServiceItemVersion.Status


def test_the_demo_publishes_real_looking_items_across_departments():
    created = load_demo()

    assert created["servicehall.items"] == len(ITEMS) >= 8
    versions = ServiceItemVersion.objects.select_related("item__organization")
    assert {v.status for v in versions} == {Status.PUBLISHED}
    by_name = {v.name: v for v in versions}
    assert by_name["食品经营许可"].item.organization.name == "示范县市场监督管理局"
    assert by_name["建设工程规划许可"].item.organization.name == "示范县自然资源局"
    assert by_name["城乡居民最低生活保障"].item.organization.name == "示范县民政局"
    assert by_name["出生医学证明办理"].item.organization.name == "示范县卫生健康局"
    assert by_name["个体工商户设立登记"].max_visits == 0
    assert by_name["不动产首次登记"].fee_fen == 8000
    assert len({v.item.organization_id for v in versions}) >= 6
    for version in versions:
        assert version.materials.exists(), version.name
        assert version.themes.exists(), version.name
        assert version.legal_basis and version.conditions


def test_the_demo_blank_forms_are_real_word_documents():
    load_demo()
    template = RequiredMaterial.objects.filter(template_file__isnull=False).first()

    with open_stored_file(template.template_file) as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))

    document = archive.read("word/document.xml").decode()
    assert template.name in document
    assert "申请人（签字/盖章）：" in document


def test_the_demo_catalog_is_browsable_in_the_hall():
    load_demo()
    client = Client()

    assert (
        "城乡居民最低生活保障" in client.get("/hall/?for=individual").content.decode()
    )
    assert "建设工程规划许可" in client.get("/hall/items/?for=entity").content.decode()
    guide = client.get("/hall/items/000172012000-139921104/")
    assert guide.status_code == 200


def test_loading_twice_changes_nothing():
    load_demo()
    counts = (
        Theme.objects.count(),
        ServiceItemVersion.objects.count(),
        RequiredMaterial.objects.count(),
    )

    created = load_demo()

    assert created == {}
    assert counts == (
        Theme.objects.count(),
        ServiceItemVersion.objects.count(),
        RequiredMaterial.objects.count(),
    )


def test_items_of_missing_departments_are_skipped_with_a_note():
    out = io.StringIO()

    created = load_demo_catalog(stdout=out)

    assert created == {"themes": 13}
    assert "跳过事项“食品经营许可”：机构 139921-104 不存在" in out.getvalue()
