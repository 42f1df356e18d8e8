"""SHA-256 without OpenSSL for a small input (matrix/safety/digest.py) and the cache folder
without platformdirs where its answer is certain (matrix/safety/cache.py): issue 27."""

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
        assert digest._builtin()(data).hexdigest() == hashlib.sha256(data).hexdigest()
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


# ── the user's cache folder, said without platformdirs where its answer is certain ───────────

import os  # noqa: E402

import pytest  # noqa: E402


@pytest.mark.parametrize("xdg, home", [("/tmp/x-cache", "/root"), ("/tmp/x-cache/", None),
                                       (None, "/home/someone"), ("", "/home/someone/"),
                                       ("relative/cache", "/home/someone"), ("  ", "/root"),
                                       (None, "relative-home"), (None, None)])
def test_the_cache_folder_is_platformdirs_answer(monkeypatch, xdg, home):
    import platformdirs

    from matrix.safety.cache import user_cache_dir

    for name, value in (("XDG_CACHE_HOME", xdg), ("HOME", home)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    try:
        expected = platformdirs.user_cache_dir("dutymatrix", appauthor=False)
    except RuntimeError:  # platformdirs cannot tell (no absolute home): no cache
        assert user_cache_dir() is None
        return
    assert user_cache_dir() == expected
    assert os.path.isabs(expected) or home is None or not os.path.isabs(home)


def test_a_parse_does_not_import_platformdirs(tmp_path):
    code = ("import sys\nfrom matrix.load.pipeline import parse_file\n"
            f"parse_file({str(ROOT / 'seeds' / '001_5afa0209a0ae242f.txt')!r})\n"
            "print('platformdirs' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path)}
    for _run in range(2):  # the first run writes the caches, the second reads them
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                             text=True, check=True, env=env).stdout
        assert out.split() == ["False"]
    assert (tmp_path / "dutymatrix" / "departments").is_dir()
