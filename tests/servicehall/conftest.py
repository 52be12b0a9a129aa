import pytest

from tests.identity.factories import no_staff_2fa
from tests.servicehall import factories

__all__ = ["no_staff_2fa"]


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.EGOV_UPLOAD_ROOT = tmp_path / "uploads"


@pytest.fixture(autouse=True)
def _fresh_process_cache():
    """Compiled processes are cached by definition id, and ids repeat between
    tests: each test starts and ends with an empty cache."""
    from egov.workflow import runtime

    runtime.forget_compiled()
    yield
    runtime.forget_compiled()


@pytest.fixture
def county(db):
    return factories.catalog_county()
