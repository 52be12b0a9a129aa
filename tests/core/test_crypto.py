"""The SM2/SM3/SM4 adapter: standard test vectors, round trips, refusals."""

import hmac

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from egov.core import crypto

# GB/T 32905-2016 appendix A.
SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
SM3_ABCD_16 = "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
# GB/T 32907-2016 appendix A.
SM4_KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")
SM4_ONCE = "681edf34d206965e86b3e94f536e4246"
SM4_MILLION = "595298c7c6fd271f0402f804c33d3f66"


class _Sm3ForHmac:
    """Our SM3 shaped as a hashlib object, so that the standard library's own
    HMAC construction can check `sm3_hmac` independently."""

    digest_size = 32
    block_size = 64

    def __init__(self, data=b""):
        self._data = bytes(data)

    def update(self, data):
        self._data += bytes(data)

    def copy(self):
        return _Sm3ForHmac(self._data)

    def digest(self):
        return crypto.sm3(self._data)


def test_sm3_of_abc_is_the_standard_digest():
    assert crypto.sm3_hex(b"abc") == SM3_ABC


def test_sm3_of_64_bytes_abcd_is_the_standard_digest():
    assert crypto.sm3_hex(b"abcd" * 16) == SM3_ABCD_16


def test_sm3_returns_32_bytes():
    assert crypto.sm3(b"abc") == bytes.fromhex(SM3_ABC)


@given(st.lists(st.binary(max_size=300), max_size=8))
def test_sm3_stream_gives_the_same_digest_as_one_buffer(chunks):
    assert crypto.sm3_stream(chunks) == crypto.sm3_hex(b"".join(chunks))


@given(key=st.binary(min_size=1, max_size=100), data=st.binary(max_size=300))
def test_sm3_hmac_matches_the_standard_hmac_construction(key, data):
    expected = hmac.new(key, data, digestmod=_Sm3ForHmac).digest()

    assert crypto.sm3_hmac(key, data) == expected


def test_sm3_hmac_refuses_an_empty_key():
    with pytest.raises(ValueError, match="an HMAC-SM3 key must not be empty"):
        crypto.sm3_hmac(b"", b"data")


def test_sm4_block_of_the_standard_key_is_the_standard_ciphertext():
    assert crypto.sm4_encrypt_block(SM4_KEY, SM4_KEY).hex() == SM4_ONCE


def test_sm4_block_encrypted_a_million_times_is_the_standard_ciphertext():
    # GB/T 32907-2016 A.2: the plaintext encrypted 1,000,000 times with one key.
    block = SM4_KEY
    for _ in range(1_000_000):
        block = crypto.sm4_encrypt_block(SM4_KEY, block)

    assert block.hex() == SM4_MILLION


def test_sm4_block_refuses_a_block_that_is_not_16_bytes():
    with pytest.raises(ValueError, match="an SM4 block is 16 bytes"):
        crypto.sm4_encrypt_block(SM4_KEY, b"short")


@given(st.binary(max_size=200))
def test_sm4_cbc_round_trip_returns_the_plaintext(plaintext):
    sealed = crypto.sm4_cbc_encrypt(SM4_KEY, plaintext)

    assert crypto.sm4_cbc_decrypt(SM4_KEY, sealed) == plaintext


def test_sm4_cbc_of_empty_plaintext_is_one_padding_block():
    sealed = crypto.sm4_cbc_encrypt(SM4_KEY, b"")

    assert len(sealed) == 32
    assert crypto.sm4_cbc_decrypt(SM4_KEY, sealed) == b""


def test_sm4_cbc_output_is_iv_then_padded_ciphertext():
    sealed = crypto.sm4_cbc_encrypt(SM4_KEY, b"x" * 16)

    assert len(sealed) == 16 + 32


def test_sm4_cbc_first_block_with_its_iv_matches_the_block_cipher():
    # CBC encrypts the first block as E(K, P1 xor IV): the standard construction.
    plaintext = bytes(range(16))
    sealed = crypto.sm4_cbc_encrypt(SM4_KEY, plaintext)
    iv, first = sealed[:16], sealed[16:32]

    mixed = bytes(p ^ v for p, v in zip(plaintext, iv, strict=True))
    assert crypto.sm4_encrypt_block(SM4_KEY, mixed) == first


def test_sm4_accepts_keys_and_data_as_bytearrays():
    key = bytearray(SM4_KEY)

    sealed = crypto.sm4_cbc_encrypt(key, bytearray(b"data"))

    assert crypto.sm4_cbc_decrypt(key, bytearray(sealed)) == b"data"
    assert crypto.sm4_encrypt_block(key, bytearray(SM4_KEY)).hex() == SM4_ONCE


def test_sm4_cbc_uses_a_fresh_iv_each_time():
    assert crypto.sm4_cbc_encrypt(SM4_KEY, b"same") != crypto.sm4_cbc_encrypt(
        SM4_KEY, b"same"
    )


def test_sm4_refuses_a_key_that_is_not_16_bytes():
    with pytest.raises(ValueError, match="an SM4 key is 16 bytes"):
        crypto.sm4_cbc_encrypt(b"k" * 15, b"data")


def test_sm4_decrypt_of_a_value_with_broken_padding_raises_value_error():
    # Given one block that decrypts, under a zero IV, to sixteen zero bytes:
    # a final padding byte of 0 is never valid PKCS#7
    broken = bytes(16) + crypto.sm4_encrypt_block(SM4_KEY, bytes(16))

    # When it is decrypted, then the failure is a plain ValueError
    with pytest.raises(ValueError) as caught:
        crypto.sm4_cbc_decrypt(SM4_KEY, broken)

    assert str(caught.value) == "SM4 ciphertext cannot be decrypted with this key"


@pytest.mark.parametrize("data", [b"", b"x" * 16, b"x" * 40])
def test_sm4_decrypt_refuses_data_that_is_not_iv_and_whole_blocks(data):
    with pytest.raises(ValueError, match="too short or not whole blocks"):
        crypto.sm4_cbc_decrypt(SM4_KEY, data)


@given(st.text(max_size=60))
def test_encrypt_text_round_trip_returns_the_text(value):
    assert crypto.decrypt_text(crypto.encrypt_text(value)) == value


def test_encrypt_text_of_blank_stays_blank():
    assert crypto.encrypt_text("") == ""
    assert crypto.decrypt_text("") == ""


def test_encrypted_text_does_not_contain_the_plaintext():
    sealed = crypto.encrypt_text("110101199003077777")

    assert "110101199003077777" not in sealed
    assert b"110101199003077777".hex() not in sealed


def test_decrypt_text_refuses_a_value_that_is_not_hexadecimal():
    with pytest.raises(ValueError, match="encrypted text is not hexadecimal"):
        crypto.decrypt_text("not-hex")


def test_configured_sm4_key_is_used_for_personal_data(settings):
    settings.EGOV_SM4_KEY = SM4_KEY.hex()

    sealed = bytes.fromhex(crypto.encrypt_text("张三"))

    assert crypto.data_key() == SM4_KEY
    assert crypto.sm4_cbc_decrypt(SM4_KEY, sealed) == "张三".encode()


def test_data_key_without_configuration_is_derived_and_stable(settings):
    settings.EGOV_SM4_KEY = ""

    first = crypto.data_key()

    assert len(first) == 16
    assert crypto.data_key() == first


def test_data_key_follows_the_secret_key_when_not_configured(settings):
    settings.EGOV_SM4_KEY = ""
    first = crypto.data_key()

    settings.SECRET_KEY = "another-secret-key-for-this-test-0123456789abcdef"

    assert crypto.data_key() != first


def test_sm4_key_of_the_wrong_length_is_a_clear_configuration_error(settings):
    settings.EGOV_SM4_KEY = "0123456789abcdef"

    with pytest.raises(ImproperlyConfigured) as caught:
        crypto.encrypt_text("张三")

    assert str(caught.value) == (
        "EGOV_SM4_KEY must be 32 hexadecimal characters (a 16-byte SM4 key); "
        "the configured value has 16 characters"
    )


def test_sm4_key_that_is_not_hexadecimal_is_a_clear_configuration_error(settings):
    settings.EGOV_SM4_KEY = "z" * 32

    with pytest.raises(ImproperlyConfigured) as caught:
        crypto.data_key()

    assert str(caught.value) == (
        "EGOV_SM4_KEY must be 32 hexadecimal characters (a 16-byte SM4 key); "
        "the configured value is not hexadecimal"
    )


def test_blind_index_ignores_surrounding_space_and_letter_case():
    assert crypto.blind_index(" 11010119900307777x ") == crypto.blind_index(
        "11010119900307777X"
    )


def test_blind_index_differs_for_different_values():
    assert crypto.blind_index("13800138000") != crypto.blind_index("13800138001")


def test_blind_index_depends_on_the_data_key(settings):
    settings.EGOV_SM4_KEY = SM4_KEY.hex()
    first = crypto.blind_index("13800138000")

    settings.EGOV_SM4_KEY = "ff" * 16

    assert crypto.blind_index("13800138000") != first


def test_blind_index_is_not_the_plain_sm3_of_the_value():
    assert crypto.blind_index("13800138000") != crypto.sm3_hex(b"13800138000")


@pytest.fixture(scope="module")
def keypair():
    return crypto.sm2_generate_keypair()


def test_sm2_keypair_has_the_standard_sizes(keypair):
    public, private = keypair

    assert (len(public), len(private)) == (64, 32)


def test_sm2_signature_verifies_for_its_message(keypair):
    public, private = keypair

    signature = crypto.sm2_sign(private, public, "公文交换报文".encode())

    assert crypto.sm2_verify(public, "公文交换报文".encode(), signature) is True


def test_sm2_signature_is_der_encoded(keypair):
    public, private = keypair

    signature = crypto.sm2_sign(private, public, b"message")

    assert signature[0] == 0x30
    assert signature[1] == len(signature) - 2


def test_sm2_public_key_with_the_uncompressed_prefix_is_accepted(keypair):
    public, private = keypair

    signature = crypto.sm2_sign(private, b"\x04" + public, b"message")

    assert crypto.sm2_verify(b"\x04" + public, b"message", signature) is True


def test_sm2_signature_fails_for_a_tampered_message(keypair):
    public, private = keypair
    signature = crypto.sm2_sign(private, public, b"amount=100")

    assert crypto.sm2_verify(public, b"amount=900", signature) is False


def test_sm2_signature_fails_with_another_public_key(keypair):
    public, private = keypair
    other_public, _ = crypto.sm2_generate_keypair()
    signature = crypto.sm2_sign(private, public, b"message")

    assert crypto.sm2_verify(other_public, b"message", signature) is False


def test_sm2_signature_with_a_flipped_bit_fails(keypair):
    public, private = keypair
    signature = bytearray(crypto.sm2_sign(private, public, b"message"))
    signature[-1] ^= 1

    assert crypto.sm2_verify(public, b"message", bytes(signature)) is False


@pytest.mark.parametrize(
    "signature",
    [
        b"",
        b"junk",
        b"\x30\x44" + b"\x00" * 68,
        b"\x30\x06\x02\x01\x01\x02\x01\x01",
        b"\x00" * 64,
        "3045022100",
        None,
    ],
    ids=[
        "empty",
        "junk",
        "zeros-in-der",
        "r-s-one",
        "raw-zeros",
        "text",
        "none",
    ],
)
def test_sm2_malformed_signature_is_invalid_without_an_exception(keypair, signature):
    public, _ = keypair

    assert crypto.sm2_verify(public, b"message", signature) is False


def test_sm2_verify_with_a_malformed_public_key_is_invalid(keypair):
    public, private = keypair
    signature = crypto.sm2_sign(private, public, b"message")

    assert crypto.sm2_verify(public[:10], b"message", signature) is False


def test_sm2_sign_refuses_a_private_key_of_the_wrong_size(keypair):
    public, _ = keypair

    with pytest.raises(ValueError, match="an SM2 private key is 32 bytes"):
        crypto.sm2_sign(b"short", public, b"message")


@hypothesis_settings(max_examples=20, deadline=None)
@given(st.binary(max_size=500))
def test_sm2_signs_and_verifies_any_message(message):
    public, private = crypto.sm2_generate_keypair()

    assert crypto.sm2_verify(public, message, crypto.sm2_sign(private, public, message))
