import pytest

from tests.docgen import factories
from tests.identity.factories import demo_county, no_staff_2fa

__all__ = ["no_staff_2fa"]


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.EGOV_UPLOAD_ROOT = tmp_path / "uploads"


@pytest.fixture
def county(db):
    return demo_county()


@pytest.fixture
def admin(db):
    return factories.template_admin()


@pytest.fixture
def defaults(db):
    from egov.docgen.actions import ensure_default_templates

    ensure_default_templates()
