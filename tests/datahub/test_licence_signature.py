"""The canonical form, its SM3 digest and SM2 signature: stable, verifiable,
and any change to a signed field in the database shows as tampering."""

import json
from datetime import date, timedelta

import pytest

from egov.core import crypto
from egov.datahub import licence_keys, licence_queries, licence_signature
from egov.datahub.models import ELicense
from tests.datahub import factories

pytestmark = pytest.mark.django_db


def _fresh(licence) -> ELicense:
    return ELicense.objects.select_related("organization", "case").get(pk=licence.pk)


def test_the_canonical_form_is_sorted_compact_utf8_json(issued):
    text = licence_signature.canonical_bytes(_fresh(issued)).decode("utf-8")

    fields = json.loads(text)
    assert list(fields) == sorted(fields)
    assert text == json.dumps(
        fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert "食品经营许可证" in text
    assert fields["v"] == 1
    assert fields["number"] == issued.number
    assert fields["holder_id"] == issued.case.applicant_id_number
    assert fields["issued_at"].endswith("Z")
    assert fields["valid_until"] == issued.valid_until.isoformat()
    assert fields["case_number"] == issued.case.number
    assert fields["key_id"] == licence_keys.signing_key().key_id


def test_the_canonical_form_is_the_same_after_a_round_trip_through_the_database(
    issued,
):
    assert licence_signature.canonical_bytes(
        _fresh(issued)
    ) == licence_signature.canonical_bytes(_fresh(issued))
    assert crypto.sm3_hex(licence_signature.canonical_bytes(_fresh(issued))) == (
        issued.digest
    )


def test_the_signature_verifies_under_the_platform_public_key(issued):
    licence = _fresh(issued)
    key = licence_keys.signing_key()

    assert crypto.sm2_verify(
        key.public,
        licence_signature.canonical_bytes(licence),
        bytes.fromhex(licence.signature),
    )
    assert licence_signature.is_intact(licence)
    assert licence_queries.verify(licence.code).status == "valid"


OTHER_ORG = object()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("number", "JY139921202699999"),
        ("licence_type", "食品生产许可证"),
        ("holder_kind", "entity"),
        ("holder_name", "李四"),
        ("data", {"item_name": "食品经营许可", "item_code": "x", "fields": []}),
        ("issuer_name", "邻县人民政府"),
        ("issued_at", "shift"),
        ("valid_from", date(2020, 1, 1)),
        ("valid_until", date(2099, 12, 31)),
        ("digest", "0" * 64),
        ("signature", "3045" + "00" * 70),
        ("key_id", "0123456789abcdef"),
        ("organization", OTHER_ORG),
    ],
)
def test_changing_any_signed_field_in_the_database_shows_tampering(
    issued, county, field, value
):
    if value is OTHER_ORG:
        value = county.orgs.neighbour
    if value == "shift":
        value = issued.issued_at + timedelta(seconds=1)

    ELicense.objects.filter(pk=issued.pk).update(**{field: value})

    assert licence_queries.verify(issued.code).status == "tampered"


def test_a_replaced_holder_id_shows_tampering(issued):
    replaced = ELicense(holder_kind="individual")
    replaced.holder_id = "110101199003070011"

    ELicense.objects.filter(pk=issued.pk).update(
        holder_id_encrypted=replaced.holder_id_encrypted
    )

    assert licence_queries.verify(issued.code).status == "tampered"


def test_an_unreadable_holder_id_shows_tampering(issued):
    ELicense.objects.filter(pk=issued.pk).update(holder_id_encrypted="zz")

    assert licence_queries.verify(issued.code).status == "tampered"


def test_a_licence_moved_to_another_case_shows_tampering(issued, county):
    other = factories.approved_case(county)

    ELicense.objects.filter(pk=issued.pk).update(case=other)

    assert licence_queries.verify(issued.code).status == "tampered"


def test_a_changed_code_shows_tampering_under_the_new_code(issued):
    ELicense.objects.filter(pk=issued.pk).update(code="forged-code-0000000000")

    assert licence_queries.verify("forged-code-0000000000").status == "tampered"


def test_re_signing_with_a_foreign_key_shows_tampering(issued):
    licence = _fresh(issued)
    licence.holder_name = "冒名者"
    public, private = crypto.sm2_generate_keypair()
    message = licence_signature.canonical_bytes(licence)

    ELicense.objects.filter(pk=issued.pk).update(
        holder_name="冒名者",
        digest=crypto.sm3_hex(message),
        signature=crypto.sm2_sign(private, public, message).hex(),
    )

    assert licence_queries.verify(issued.code).status == "tampered"


def test_a_licence_signed_before_a_key_rotation_verifies_with_the_retired_key(
    issued, settings, tmp_path
):
    old_public = licence_keys.signing_key().public
    new_key = tmp_path / "new.key"
    factories.write_key_file(new_key)
    settings.EGOV_LICENCE_SM2_KEY_FILE = str(new_key)

    assert licence_queries.verify(issued.code).status == "tampered"

    settings.EGOV_LICENCE_SM2_RETIRED_PUBLIC_KEYS = [old_public.hex()]
    assert licence_queries.verify(issued.code).status == "valid"


def test_the_state_is_not_signed_so_revoking_keeps_the_licence_intact(issued):
    ELicense.objects.filter(pk=issued.pk).update(
        state="revoked", revoked_at=issued.issued_at
    )

    assert licence_queries.verify(issued.code).status == "revoked"
