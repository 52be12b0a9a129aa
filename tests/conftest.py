import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_lockout_leaks(settings):
    # Each test process keeps its own cache: parallel workers must not clear
    # or share each other's SMS codes and rate limits.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    from django.core.cache import cache

    cache.clear()
    # Pages kept rendered in this process (egov.web.pagecache) likewise.
    from egov.web import pagecache

    pagecache.forget_all()


@pytest.fixture(autouse=True)
def _platform_language():
    """Each test starts in the platform's language (Chinese). A request in
    English activates English for the rest of the thread (LocaleMiddleware
    leaves it active), which would leak into the next test's messages."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()
