"""Keyed pseudonyms: the key of a data folder, HMAC-SHA256 ids, no collisions, the way back."""

from __future__ import annotations

import hashlib
import hmac
import stat

import numpy as np
import pandas as pd
import pytest

from helpers import privacy
from helpers.cli import main


@pytest.fixture(autouse=True)
def _no_user_key(monkeypatch):
    monkeypatch.delenv(privacy.KEY_ENV, raising=False)


def _hmac_id(key: bytes, customer_id: str) -> str:
    """The pseudonym computed with the standard library, independently of DuckDB."""
    return "P-" + hmac.new(key, customer_id.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def test_key_is_made_once_per_folder_readable_by_its_owner_only(tmp_path):
    first, second = tmp_path / "client_a", tmp_path / "client_b"
    first.mkdir()
    second.mkdir()
    key = privacy.data_key(first)
    path = first / ".kando" / "pseudonym.key"
    assert path.exists() and len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert privacy.data_key(first) == key  # stable across runs
    assert privacy.data_key(second) != key  # each client its own
    assert [p.name for p in (first / ".kando").iterdir()] == ["pseudonym.key"]  # no temporary left


def test_key_supplied_by_the_user_wins_and_no_file_is_made(tmp_path, monkeypatch):
    monkeypatch.setenv(privacy.KEY_ENV, "our-own-secret-of-the-client")
    assert privacy.data_key(tmp_path) == b"our-own-secret-of-the-client"
    assert not (tmp_path / ".kando").exists()
    monkeypatch.setenv(privacy.KEY_ENV, "short")
    with pytest.raises(privacy.PseudonymKeyError, match="16"):
        privacy.data_key(tmp_path)


def test_missing_key_is_an_error_when_it_may_not_be_made(tmp_path):
    with pytest.raises(privacy.PseudonymKeyError, match="pseudonym.key"):
        privacy.data_key(tmp_path, create=False)


def test_pseudonyms_are_hmac_sha256_of_the_id_text():
    key = bytes(range(32))
    ids = pd.Series(["C000001", "0001234", "1234", "顧客-７", None, "C000001"], index=[10, 11, 12, 13, 14, 15])
    shown = privacy.pseudonymize(ids, key)
    expected = [_hmac_id(key, i) for i in ["C000001", "0001234", "1234", "顧客-７"]]
    assert shown.tolist() == [*expected, None, expected[0]]
    assert shown.index.tolist() == ids.index.tolist()
    assert shown[11] != shown[12]  # zero-padded ids stay distinct


def test_long_keys_follow_rfc_2104():
    key = b"x" * 100  # longer than the SHA-256 block: hashed first
    assert privacy.pseudonymize(pd.Series(["A1"]), key).iloc[0] == _hmac_id(key, "A1")


def test_display_ids_need_the_key_unless_real_ids_are_asked_for():
    ids = pd.Series(["0007", "0008"])
    assert privacy.display_ids(ids, show_customer_ids=True).tolist() == ["0007", "0008"]
    with pytest.raises(ValueError, match="data_key"):
        privacy.display_ids(ids)
    key = b"k" * 32
    assert privacy.display_ids(ids, key=key).tolist() == [_hmac_id(key, "0007"), _hmac_id(key, "0008")]


def test_a_million_distinct_ids_give_a_million_pseudonyms():
    ids = pd.Series(np.char.add("C", np.char.zfill(np.arange(1_000_000).astype(str), 7)))
    shown = privacy.pseudonymize(ids, b"k" * 32)
    assert shown.nunique() == 1_000_000
    assert shown.str.len().eq(2 + 16).all()
    # birthday bound: P(any collision among n ids) <= n(n-1)/2 / 2**bits; at 10 million ids
    n, bits = 10_000_000, 4 * privacy.PSEUDONYM_HEX_DIGITS
    assert bits >= 64 and n * (n - 1) / 2 / 2**bits < 3e-6


def test_folders_are_unlinkable(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    ids = pd.Series([f"C{i:06d}" for i in range(10_000)])
    a = privacy.pseudonymize(ids, privacy.data_key(tmp_path / "a"))
    b = privacy.pseudonymize(ids, privacy.data_key(tmp_path / "b"))
    assert not set(a) & set(b)


def test_reveal_maps_pseudonyms_back_with_the_folder(tmp_path, capsys):
    (tmp_path / "customers.csv").write_text("customer_id,name\n0001234,山田\nC000002,佐藤\n", encoding="utf-8")
    key = privacy.data_key(tmp_path)
    wanted = [_hmac_id(key, "0001234"), _hmac_id(key, "C000002")]
    assert main(["reveal", "--data", str(tmp_path), *wanted]) == 0
    assert capsys.readouterr().out.splitlines() == [f"{wanted[0]}\t0001234", f"{wanted[1]}\tC000002"]
    assert main(["reveal", "--data", str(tmp_path), "--lang", "en", "P-0000000000000000"]) == 1
    assert capsys.readouterr().out.strip() == "P-0000000000000000\t(not found)"


def test_reveal_without_the_folders_key_reveals_nothing(tmp_path, capsys):
    (tmp_path / "customers.csv").write_text("customer_id\nC000001\n", encoding="utf-8")
    assert main(["reveal", "--data", str(tmp_path), _hmac_id(b"k" * 32, "C000001")]) == 2
    assert "pseudonym.key" in capsys.readouterr().err
    assert not (tmp_path / ".kando").exists()  # reveal never makes a key


def test_notebooks_starting_together_share_one_key(tmp_path):
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(4) as pool:
        keys = pool.map(privacy.data_key, [tmp_path] * 8)
    assert len(set(keys)) == 1 and keys[0] == privacy.data_key(tmp_path)
    assert [p.name for p in (tmp_path / ".kando").iterdir()] == ["pseudonym.key"]
