"""The licence signing key: made once under VAR_DIR for development, read from
EGOV_LICENCE_SM2_KEY_FILE in production, refused when broken; licence types
from settings."""

import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from egov.core import crypto
from egov.datahub import licence_keys
from egov.datahub.licence_types import LicenceType, licence_type, parse_types


def test_without_a_key_file_a_key_pair_is_made_once_under_var_dir(settings, tmp_path):
    settings.EGOV_LICENCE_SM2_KEY_FILE = ""
    settings.VAR_DIR = tmp_path

    first = licence_keys.signing_key()
    second = licence_keys.signing_key()

    path = tmp_path / "licence_sm2.key"
    assert first == second
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert crypto.sm2_verify(
        first.public, b"x", crypto.sm2_sign(first.private, first.public, b"x")
    )
    assert licence_keys.read_key_file(path) == first


def test_a_configured_key_file_is_used(settings, tmp_path):
    public, private = crypto.sm2_generate_keypair()
    path = tmp_path / "site.key"
    path.write_text(licence_keys.format_key(licence_keys.SigningKey(private, public)))
    settings.EGOV_LICENCE_SM2_KEY_FILE = str(path)

    key = licence_keys.signing_key()

    assert key.public == public
    assert key.key_id == crypto.sm3_hex(public)[:16]


def test_a_key_file_whose_halves_do_not_match_is_refused(settings, tmp_path):
    public, _private = crypto.sm2_generate_keypair()
    _other_public, other_private = crypto.sm2_generate_keypair()
    path = tmp_path / "mixed.key"
    path.write_text(f"private {other_private.hex()}\npublic {public.hex()}\n")
    settings.EGOV_LICENCE_SM2_KEY_FILE = str(path)

    with pytest.raises(ImproperlyConfigured, match="does not hold a matching SM2"):
        licence_keys.signing_key()


def test_a_missing_key_file_is_refused_naming_it(settings, tmp_path):
    settings.EGOV_LICENCE_SM2_KEY_FILE = str(tmp_path / "none.key")

    with pytest.raises(ImproperlyConfigured, match="none.key cannot be read"):
        licence_keys.signing_key()


def test_a_malformed_retired_public_key_is_refused(settings, tmp_path):
    settings.EGOV_LICENCE_SM2_KEY_FILE = ""
    settings.VAR_DIR = tmp_path
    settings.EGOV_LICENCE_SM2_RETIRED_PUBLIC_KEYS = ["abcd"]

    with pytest.raises(ImproperlyConfigured, match="RETIRED_PUBLIC_KEYS"):
        licence_keys.trusted_public_keys()


def test_licence_types_parse_years_and_prefixes():
    assert parse_types("食品经营许可证=3:sp; 某某证=0 ;") == {
        "食品经营许可证": LicenceType("食品经营许可证", 3, "SP"),
        "某某证": LicenceType("某某证", None, "DZ"),
    }


@pytest.mark.parametrize(
    "text", ["食品经营许可证", "某证=x", "某证=-1", "=5", "某证=5:J-Y"]
)
def test_unreadable_licence_types_are_refused(text):
    with pytest.raises(ImproperlyConfigured, match="EGOV_LICENCE_TYPES entry"):
        parse_types(text)


def test_the_default_food_licence_type_is_five_years_numbered_jy(settings):
    settings.EGOV_LICENCE_TYPES = ""

    assert licence_type("食品经营许可证") == LicenceType("食品经营许可证", 5, "JY")
