import pytest

from tests.identity.factories import no_staff_2fa
from tests.supervision import factories

__all__ = ["no_staff_2fa"]


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.EGOV_UPLOAD_ROOT = tmp_path / "uploads"


@pytest.fixture
def county(db):
    return factories.rating_county()
