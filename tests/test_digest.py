"""SHA-256 without OpenSSL for a small input (matrix/safety/digest.py, issue 27)."""

from __future__ import annotations

import hashlib
import subprocess
import sys

from matrix.safety import digest
from matrix.safety.cache import fingerprint
from tests.conftest import ROOT


def test_the_same_digest_as_hashlib_small_and_large():
    for data in (b"", b"abc", "国务院".encode() * 1000, bytes(range(256)) * (digest.SMALL // 128)):
        assert digest.sha256_hex(data) == hashlib.sha256(data).hexdigest()
    h = digest.sha256(size=10)
    h.update(b"ab")
    h.update(b"c")
    assert h.hexdigest() == hashlib.sha256(b"abc").hexdigest()


def test_a_fingerprint_names_its_parts_apart():
    assert fingerprint(b"ab", b"c") != fingerprint(b"a", b"bc")
    assert fingerprint(b"ab", b"c") == fingerprint(b"ab", b"c")


def test_a_small_input_does_not_load_openssl():
    code = ("import sys\nfrom matrix.safety.digest import sha256_hex\n"
            "sha256_hex(b'x' * 1000)\nprint('_hashlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-S", "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True, env={"PYTHONPATH": str(ROOT)}).stdout
    assert out.split() == ["False"]
