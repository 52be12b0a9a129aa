"""Compare the SM2/SM3/SM4 (国密) bindings side by side in one run.

    .venv/bin/python -m bench.crypto_bench [--budget 0.4] [--rounds 3]

Candidates: gmssl-pyx (GmSSL in C, the current binding), gmssl-fast (GmSSL in
Rust/C), tongsuopy (Tongsuo, an OpenSSL fork) and the pure-Python `gmssl`
package, the baseline every ratio is given against. A candidate that is not
installed is reported and skipped. Before any timing, each candidate must give
the standard SM3 and SM4 answers and the same SM4-CBC bytes as the baseline,
and its SM2 signatures must verify with another binding, so that a fast but
wrong binding can never win. docs/adr/0002-sm-crypto.md records the decision.
"""

import argparse
import os
import platform
import secrets
import statistics
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from importlib import metadata

SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
SM4_KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")
SM4_BLOCK = "681edf34d206965e86b3e94f536e4246"
ZERO_IV = bytes(16)
BASELINE = "gmssl"


def _pkcs7(data: bytes) -> bytes:
    n = 16 - len(data) % 16
    return data + bytes([n]) * n


def _unpkcs7(data: bytes) -> bytes:
    return data[: -data[-1]]


def _der_to_raw(signature: bytes) -> bytes:
    """SEQUENCE { INTEGER r, INTEGER s } to r||s (32 bytes each)."""
    body = signature[2:]
    out = b""
    for _ in range(2):
        length = body[1]
        out += int.from_bytes(body[2 : 2 + length], "big").to_bytes(32, "big")
        body = body[2 + length :]
    return out


class Candidate(ABC):
    """One binding behind the same calls, so the timing loop is shared."""

    name = ""
    package = ""

    @abstractmethod
    def sm3(self, data: bytes) -> bytes:
        """The 32-byte SM3 digest."""

    @abstractmethod
    def sm4_cbc_encrypt(self, key: bytes, iv: bytes, data: bytes) -> bytes:
        """SM4-CBC with PKCS#7 padding, without the IV in front."""

    @abstractmethod
    def sm4_cbc_decrypt(self, key: bytes, iv: bytes, data: bytes) -> bytes:
        """The inverse of sm4_cbc_encrypt."""


class Sm2Candidate(Candidate):
    """A binding that also signs with SM2."""

    signature_format = "der"

    @abstractmethod
    def sm2_new_key(self) -> tuple[bytes, bytes]:
        """Makes this candidate's signing key; returns (private 32, public 64)."""

    @abstractmethod
    def sm2_sign(self, message: bytes) -> bytes:
        """Signs with SM3 and the default signer ID, in the binding's format."""

    @abstractmethod
    def sm2_verify(self, message: bytes, signature: bytes) -> bool:
        """Whether the signature is valid for the message."""

    def raw_signature(self, signature: bytes) -> bytes:
        if self.signature_format == "der":
            return _der_to_raw(signature)
        return signature


class PureGmssl(Sm2Candidate):
    name = "gmssl"
    package = "gmssl"
    signature_format = "raw"

    def __init__(self):
        from gmssl import func, sm2, sm3, sm4

        self._func, self._sm2, self._sm3, self._sm4 = func, sm2, sm3, sm4

    def sm3(self, data):
        return bytes.fromhex(self._sm3.sm3_hash(self._func.bytes_to_list(data)))

    def _cipher(self, key, mode):
        cipher = self._sm4.CryptSM4()
        cipher.set_key(key, mode)
        return cipher

    def sm4_cbc_encrypt(self, key, iv, data):
        return self._cipher(key, self._sm4.SM4_ENCRYPT).crypt_cbc(iv, data)

    def sm4_cbc_decrypt(self, key, iv, data):
        return self._cipher(key, self._sm4.SM4_DECRYPT).crypt_cbc(iv, data)

    def sm2_new_key(self):
        curve = self._sm2.default_ecc_table
        d = 1 + secrets.randbelow(int(curve["n"], 16) - 2)
        signer = self._sm2.CryptSM2(private_key=f"{d:064x}", public_key="00" * 64)
        public = bytes.fromhex(signer._kg(d, curve["g"]))
        self.use_key(d.to_bytes(32, "big"), public)
        return d.to_bytes(32, "big"), public

    def use_key(self, private, public):
        self._signer = self._sm2.CryptSM2(
            private_key=private.hex(), public_key=public.hex()
        )

    def sm2_sign(self, message):
        return bytes.fromhex(self._signer.sign_with_sm3(message))

    def sm2_verify(self, message, signature):
        return bool(self._signer.verify_with_sm3(signature.hex(), message))


class GmsslPyx(Sm2Candidate):
    name = "gmssl-pyx"
    package = "gmssl-pyx"

    def __init__(self):
        import gmssl_pyx

        self._m = gmssl_pyx

    def sm3(self, data):
        return self._m.sm3_hash(data)

    def sm4_cbc_encrypt(self, key, iv, data):
        return self._m.sm4_cbc_padding_encrypt(key, iv, data)

    def sm4_cbc_decrypt(self, key, iv, data):
        return self._m.sm4_cbc_padding_decrypt(key, iv, data)

    def sm2_new_key(self):
        self._public, self._private = self._m.sm2_key_generate()
        return self._private, self._public

    def sm2_sign(self, message):
        return self._m.sm2_sign(self._private, self._public, message)

    def sm2_verify(self, message, signature):
        return bool(self._m.sm2_verify(self._public, message, signature))


class GmsslFast(Sm2Candidate):
    name = "gmssl-fast"
    package = "gmssl-fast"
    signature_format = "raw"

    def __init__(self):
        from gmssl_fast import _core

        self._core = _core

    def sm3(self, data):
        return self._core.sm3(data)

    def sm4_cbc_encrypt(self, key, iv, data):
        return self._core.sm4_cbc_encrypt(key, iv, data)

    def sm4_cbc_decrypt(self, key, iv, data):
        return self._core.sm4_cbc_decrypt(key, iv, data)

    def sm2_new_key(self):
        private, public = self._core.sm2_generate()
        self._key = self._core.Sm2KeyHandle(private, public)
        return bytes.fromhex(private), bytes.fromhex(public)[1:]

    def sm2_sign(self, message):
        return self._key.sign(message)

    def sm2_verify(self, message, signature):
        return bool(self._key.verify(message, signature))


class PycaCryptography(Candidate):
    """pyca/cryptography offers SM3 and SM4 from its OpenSSL, but not SM2."""

    name = "cryptography"
    package = "cryptography"

    def __init__(self):
        from cryptography.hazmat.primitives import hashes, padding
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        self._hashes, self._padding = hashes, padding
        self._cipher, self._algorithms, self._modes = Cipher, algorithms, modes

    def sm3(self, data):
        digest = self._hashes.Hash(self._hashes.SM3())
        digest.update(data)
        return digest.finalize()

    def _sm4(self, key, iv):
        return self._cipher(self._algorithms.SM4(key), self._modes.CBC(iv))

    def sm4_cbc_encrypt(self, key, iv, data):
        pad = self._padding.PKCS7(128).padder()
        enc = self._sm4(key, iv).encryptor()
        return enc.update(pad.update(data) + pad.finalize()) + enc.finalize()

    def sm4_cbc_decrypt(self, key, iv, data):
        dec = self._sm4(key, iv).decryptor()
        unpad = self._padding.PKCS7(128).unpadder()
        return unpad.update(dec.update(data) + dec.finalize()) + unpad.finalize()


class Tongsuopy(Sm2Candidate):
    name = "tongsuopy"
    package = "tongsuopy"

    def __init__(self):
        from tongsuopy.crypto import hashes, serialization
        from tongsuopy.crypto.asymciphers import ec
        from tongsuopy.crypto.ciphers import Cipher, algorithms, modes
        from tongsuopy.crypto.exceptions import InvalidSignature

        self._hashes, self._serialization, self._ec = hashes, serialization, ec
        self._cipher, self._algorithms, self._modes = Cipher, algorithms, modes
        self._invalid = InvalidSignature

    def sm3(self, data):
        digest = self._hashes.Hash(self._hashes.SM3())
        digest.update(data)
        return digest.finalize()

    def _sm4(self, key, iv):
        return self._cipher(self._algorithms.SM4(key), self._modes.CBC(iv))

    # tongsuopy has no padding module; padding in Python costs little next to
    # the cipher and is what an adapter over it would have to do as well.
    def sm4_cbc_encrypt(self, key, iv, data):
        enc = self._sm4(key, iv).encryptor()
        return enc.update(_pkcs7(data)) + enc.finalize()

    def sm4_cbc_decrypt(self, key, iv, data):
        dec = self._sm4(key, iv).decryptor()
        return _unpkcs7(dec.update(data) + dec.finalize())

    def sm2_new_key(self):
        self._private = self._ec.generate_private_key(self._ec.SM2())
        self._public = self._private.public_key()
        point = self._public.public_bytes(
            self._serialization.Encoding.X962,
            self._serialization.PublicFormat.UncompressedPoint,
        )
        value = self._private.private_numbers().private_value
        return value.to_bytes(32, "big"), point[1:]

    def sm2_sign(self, message):
        return self._private.sign(message, self._ec.ECDSA(self._hashes.SM3()))

    def sm2_verify(self, message, signature):
        try:
            self._public.verify(signature, message, self._ec.ECDSA(self._hashes.SM3()))
        except self._invalid:
            return False
        return True


CANDIDATES = [PureGmssl, GmsslPyx, GmsslFast, Tongsuopy, PycaCryptography]


def load_candidates() -> tuple[list[Candidate], list[str]]:
    loaded, missing = [], []
    for cls in CANDIDATES:
        try:
            loaded.append(cls())
        except ImportError as exc:
            missing.append(f"{cls.name} ({exc})")
    return loaded, missing


def check(candidates: list[Candidate]) -> None:
    """Refuses to time a candidate that gives a wrong answer."""
    baseline = next(c for c in candidates if c.name == BASELINE)
    key, iv = os.urandom(16), os.urandom(16)
    message = os.urandom(3000)
    expected_cbc = baseline.sm4_cbc_encrypt(key, iv, message)
    witness = PureGmssl()
    for c in candidates:
        if c.sm3(b"abc").hex() != SM3_ABC:
            raise SystemExit(f"{c.name}: wrong SM3('abc')")
        block = c.sm4_cbc_encrypt(SM4_KEY, ZERO_IV, SM4_KEY)[:16]
        if block.hex() != SM4_BLOCK:
            raise SystemExit(f"{c.name}: wrong SM4 test vector")
        if c.sm4_cbc_encrypt(key, iv, message) != expected_cbc:
            raise SystemExit(f"{c.name}: SM4-CBC differs from the baseline")
        if c.sm4_cbc_decrypt(key, iv, expected_cbc) != message:
            raise SystemExit(f"{c.name}: SM4-CBC does not decrypt")
        if not isinstance(c, Sm2Candidate):
            continue
        private, public = c.sm2_new_key()
        signature = c.sm2_sign(message)
        if not c.sm2_verify(message, signature):
            raise SystemExit(f"{c.name}: SM2 signature does not verify")
        if c.sm2_verify(message + b"x", signature):
            raise SystemExit(f"{c.name}: SM2 accepts a tampered message")
        # The pure-Python code is the independent witness that each binding
        # signs standard SM2 (with the default signer ID), not a private dialect.
        witness.use_key(private, public)
        if not witness.sm2_verify(message, c.raw_signature(signature)):
            raise SystemExit(f"{c.name}: SM2 signature is not standard")


def ops_per_second(fn: Callable[[], object], budget: float) -> float:
    calls = 0
    started = time.perf_counter()
    elapsed = 0.0
    while calls == 0 or elapsed < budget:
        fn()
        calls += 1
        elapsed = time.perf_counter() - started
    return calls / elapsed


def operations(c: Candidate, data: dict[str, bytes]) -> dict[str, Callable]:
    key, iv = os.urandom(16), os.urandom(16)
    sealed = {size: c.sm4_cbc_encrypt(key, iv, data[size]) for size in data}
    ops = {}
    for size, payload in data.items():
        ops[f"SM3 {size}"] = lambda p=payload: c.sm3(p)
    for size, payload in data.items():
        ops[f"SM4-CBC encrypt {size}"] = lambda p=payload: c.sm4_cbc_encrypt(key, iv, p)
        ops[f"SM4-CBC decrypt {size}"] = lambda s=sealed[size]: c.sm4_cbc_decrypt(
            key, iv, s
        )
    if isinstance(c, Sm2Candidate):
        message = data["1 KiB"]
        signature = c.sm2_sign(message)
        ops["SM2 sign 1 KiB"] = lambda: c.sm2_sign(message)
        ops["SM2 verify 1 KiB"] = lambda: c.sm2_verify(message, signature)
    return ops


def measure(candidates, budget: float, rounds: int) -> dict[str, dict[str, float]]:
    data = {"1 KiB": os.urandom(1024), "64 KiB": os.urandom(64 * 1024)}
    per_candidate = {c.name: operations(c, data) for c in candidates}
    names = list(dict.fromkeys(op for ops in per_candidate.values() for op in ops))
    samples = {op: {} for op in names}
    # Rounds interleave the candidates so that a noisy moment on the machine
    # hits every candidate alike; the median of the rounds is reported.
    for _ in range(rounds):
        for op in names:
            for c in candidates:
                if op in per_candidate[c.name]:
                    rate = ops_per_second(per_candidate[c.name][op], budget)
                    samples[op].setdefault(c.name, []).append(rate)
    return {
        op: {name: statistics.median(v) for name, v in row.items()}
        for op, row in samples.items()
    }


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def _ratio(value: float) -> str:
    return f"{value:,.0f}×" if value >= 10 else f"{value:.1f}×"


def report(candidates, results, missing, budget, rounds) -> str:
    header = ["operation"] + [c.name for c in candidates]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|",
    ]
    for op, row in results.items():
        base = row[BASELINE]
        cells = [op]
        for c in candidates:
            if c.name not in row:
                cells.append("—")
            elif c.name == BASELINE:
                cells.append(f"{row[c.name]:,.0f}")
            else:
                cells.append(f"{row[c.name]:,.0f} ({_ratio(row[c.name] / base)})")
        lines.append("| " + " | ".join(cells) + " |")
    versions = ", ".join(f"{c.package} {_version(c.package)}" for c in candidates)
    lines += [
        "",
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs; {versions}; {rounds} rounds of {budget} s per "
        "operation and candidate, median; figures are operations per second, "
        "(×) the ratio to pure-Python gmssl, — not offered.",
    ]
    if missing:
        lines.append("Not installed, skipped: " + "; ".join(missing))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.crypto_bench")
    parser.add_argument("--budget", type=float, default=0.4, help="seconds per sample")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    candidates, missing = load_candidates()
    if not any(c.name == BASELINE for c in candidates):
        raise SystemExit("the pure-Python baseline `gmssl` is not installed")
    check(candidates)
    results = measure(candidates, args.budget, args.rounds)
    print(report(candidates, results, missing, args.budget, args.rounds))


if __name__ == "__main__":
    main()
