import pytest

from tests.eforms import factories


@pytest.fixture
def admin(db):
    return factories.form_admin()


@pytest.fixture
def clerk(db):
    return factories.staff("lisi", "李四")
