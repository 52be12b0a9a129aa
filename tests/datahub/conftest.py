import pytest

from tests.datahub import factories
from tests.identity.factories import no_staff_2fa

__all__ = ["no_staff_2fa"]


@pytest.fixture(scope="session")
def _licence_key_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("keys") / "licence_sm2.key"
    factories.write_key_file(path)
    return path


@pytest.fixture(autouse=True)
def _licence_key(settings, _licence_key_file):
    settings.EGOV_LICENCE_SM2_KEY_FILE = str(_licence_key_file)
    settings.EGOV_PUBLIC_URL = "https://zwfw.example.gov.cn"


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.EGOV_UPLOAD_ROOT = tmp_path / "uploads"


@pytest.fixture
def county(db):
    return factories.licence_county()


@pytest.fixture
def issued(county):
    """An approved case of 张三 and the licence 王五 issued for it."""
    from egov.datahub.licence_actions import issue_licence

    case = factories.approved_case(county)
    return issue_licence(actor=county.people.wangwu, case=case)
