"""Personal data: which columns hold it, keyed pseudonyms and age bands.

Reports never show names, emails, phone numbers or birth dates.  Customer ids
are shown pseudonymously unless a notebook's ``show_customer_ids`` says so.

A pseudonym is ``"P-"`` and the first 64 bits (16 hex digits) of
HMAC-SHA256(key, customer id).  The key is a secret of the client's data
folder, not of the code: 32 random bytes written on first use to
``DATA_DIR/.kando/pseudonym.key`` (readable by its owner only), or supplied in
the environment variable ``KANDO_PSEUDONYM_KEY``.  So the same customer has the
same pseudonym in every notebook and every run on one data folder, pseudonyms
of different folders cannot be linked, and without the key enumerating an id
format (``C000000`` .. ``C999999``) reverses nothing.  ``kando reveal`` maps
pseudonyms back with the key of the folder.

Collisions: with b = 64 bits and n ids, the chance that any two share a
pseudonym is at most n(n-1)/2 / 2**b; for n = 10,000,000 that is 2.7e-6.
:func:`pseudonymize` checks anyway and raises rather than merge two customers.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

#: Columns of the data contract that hold personal data.
PERSONAL_COLUMNS: tuple[str, ...] = ("name", "email", "phone", "birth_date")

#: Environment variable through which a user may supply the pseudonym key.
KEY_ENV = "KANDO_PSEUDONYM_KEY"
#: Folder of Kando's own files inside a data folder (never copied into reports).
KANDO_DIR = ".kando"
#: The key file inside a data folder.
KEY_FILE = Path(KANDO_DIR) / "pseudonym.key"
#: Prefix of pseudonymous ids.
PREFIX = "P-"
#: Hex digits of the HMAC shown: 16 digits = 64 bits.
PSEUDONYM_HEX_DIGITS = 16
_KEY_BYTES = 32
_MIN_USER_KEY_CHARS = 16
_BLOCK = 64  # SHA-256 block size, for HMAC's inner and outer pads


class PseudonymKeyError(RuntimeError):
    """Raised when the key of a data folder cannot be read or made."""


def key_path(data_dir: str | Path) -> Path:
    """Where the pseudonym key of a data folder lives (``DATA_DIR/.kando/pseudonym.key``)."""
    from helpers import io

    return io.resolve_path(data_dir) / KEY_FILE


def data_key(data_dir: str | Path, create: bool = True) -> bytes:
    """The secret pseudonym key of a client's data folder.

    The environment variable ``KANDO_PSEUDONYM_KEY`` wins when set (at least
    16 characters; its UTF-8 bytes are the key), so one key can serve several
    folders of the same client.  Otherwise the key is read from
    ``DATA_DIR/.kando/pseudonym.key``, which is made on first use with 32
    random bytes and permissions 0600.  The key is never written anywhere else.

    Parameters
    ----------
    data_dir : str or pathlib.Path
        The data folder; relative paths resolve against the project root.
    create : bool
        Make the key file when it is missing (``False``: raise instead).

    Returns
    -------
    bytes

    Raises
    ------
    PseudonymKeyError
        When the environment key is too short, the key file is unreadable or
        malformed, it is missing and ``create`` is False, or it cannot be written.
    """
    supplied = os.environ.get(KEY_ENV)
    if supplied:
        if len(supplied) < _MIN_USER_KEY_CHARS:
            raise PseudonymKeyError(
                f"{KEY_ENV} は{_MIN_USER_KEY_CHARS}文字以上にしてください / "
                f"{KEY_ENV} must be at least {_MIN_USER_KEY_CHARS} characters"
            )
        return supplied.encode("utf-8")
    path = key_path(data_dir)
    if not path.exists():
        if not create:
            raise PseudonymKeyError(
                f"仮名IDの鍵 {path} がありません（このフォルダで作られた仮名IDではありません） / "
                f"no pseudonym key at {path}: these pseudonyms were not made from this folder"
            )
        _write_new_key(path)
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError, UnicodeDecodeError) as err:
        raise PseudonymKeyError(
            f"仮名IDの鍵 {path} を読めません / cannot read the pseudonym key {path}: {err}"
        ) from err
    if len(key) < _MIN_USER_KEY_CHARS:
        raise PseudonymKeyError(f"仮名IDの鍵 {path} が短すぎます / the pseudonym key {path} is too short")
    return key


def _write_new_key(path: Path) -> None:
    """Write 32 random bytes (hex) to ``path``, mode 0600; when two processes race, the first one wins.

    The key is written to a private temporary file first and then hard-linked
    into place, so no reader ever sees a half-written key.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".pseudonym-", suffix=".tmp")
    except OSError as err:
        raise PseudonymKeyError(
            f"仮名IDの鍵を {path} に作れません。フォルダを書き込み可能にするか、環境変数 {KEY_ENV} で鍵を"
            f"指定してください / cannot create the pseudonym key {path}: make the folder writable or set {KEY_ENV}"
            f" ({err})"
        ) from err
    try:
        os.chmod(temporary, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(_KEY_BYTES) + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another notebook of the same run made it first: use theirs
    finally:
        os.unlink(temporary)


def _hmac_hex(texts: pd.Series, key: bytes, prefix: str) -> np.ndarray:
    """``prefix`` and the HMAC-SHA256 of each text (UTF-8) under ``key`` in lower-case hex, cut, in DuckDB.

    HMAC(K, m) = SHA256((K' xor opad) || SHA256((K' xor ipad) || m)) with K'
    the key zero-padded to the 64-byte block (RFC 2104).
    """
    import duckdb

    if len(key) > _BLOCK:
        import hashlib

        key = hashlib.sha256(key).digest()
    padded = key.ljust(_BLOCK, b"\0")
    inner = bytes(b ^ 0x36 for b in padded)
    outer = bytes(b ^ 0x5C for b in padded)
    frame = pd.DataFrame({"id": texts.to_numpy(dtype=object)})
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")
        con.register("ids", frame)
        hashed = con.execute(
            "SELECT $prefix || left(sha256($outer || unhex(sha256($inner || encode(id)))), $digits) AS h FROM ids",
            {"prefix": prefix, "outer": outer, "inner": inner, "digits": PSEUDONYM_HEX_DIGITS},
        ).fetchnumpy()["h"]
    return np.asarray(hashed, dtype=object)


def pseudonymize(ids: pd.Series, key: bytes, prefix: str = PREFIX) -> pd.Series:
    """Keyed pseudonyms such as ``"P-3f9a0c12ab34cd56"``.

    Each distinct id is hashed once (HMAC-SHA256 under ``key``, first 64
    bits), so the cost grows with the number of customers, not of rows.

    Parameters
    ----------
    ids : pandas.Series
        Customer ids (compared as text: ``"0001234"`` and ``"1234"`` differ).
    key : bytes
        The data folder's key, from :func:`data_key`.
    prefix : str
        Put before the hex digits.

    Returns
    -------
    pandas.Series
        Pseudonyms (object dtype), same index as ``ids``; missing ids stay missing.

    Raises
    ------
    ValueError
        If two distinct ids get the same pseudonym (chance below 3e-6 at
        10 million ids) or the key is empty.
    """
    if not key:
        raise ValueError("pseudonymize needs a non-empty key (helpers.privacy.data_key)")
    present = ids.notna().to_numpy()
    codes, uniques = pd.factorize(ids[present].astype(str))
    hashed = _hmac_hex(pd.Series(uniques), bytes(key), prefix)
    shared = len(hashed) - len(pd.unique(hashed))
    if shared:
        raise ValueError(
            f"{shared} pseudonyms are shared by two ids; use a longer pseudonym (PSEUDONYM_HEX_DIGITS)"
        )
    out = np.full(len(ids), None, dtype=object)
    out[present] = hashed[codes]
    return pd.Series(out, index=ids.index, dtype=object, name=ids.name)


def display_ids(customer_ids: pd.Series, show_customer_ids: bool = False, key: bytes | None = None) -> pd.Series:
    """Customer ids as a report or export may show them.

    Parameters
    ----------
    customer_ids : pandas.Series
        Real customer ids.
    show_customer_ids : bool
        ``True`` returns them unchanged (as text, zeros kept); ``False``
        pseudonymises them with ``key``.
    key : bytes, optional
        The data folder's key (:func:`data_key`, or ``Dataset.pseudonym_key``);
        needed unless ``show_customer_ids``.

    Returns
    -------
    pandas.Series

    Raises
    ------
    ValueError
        When pseudonyms are asked for without a key.
    """
    if show_customer_ids:
        return customer_ids.astype(str)
    if key is None:
        raise ValueError("display_ids needs the data folder's key (helpers.privacy.data_key(data_dir))")
    return pseudonymize(customer_ids, key)


def reveal(pseudonyms, customer_ids: pd.Series, key: bytes, prefix: str = PREFIX) -> pd.Series:
    """Real ids behind pseudonyms, by hashing every known id with the key.

    Parameters
    ----------
    pseudonyms : iterable of str
        Pseudonyms as shown in a report or export.
    customer_ids : pandas.Series
        Every customer id of the data folder (the customers table).
    key : bytes
        The folder's key.
    prefix : str

    Returns
    -------
    pandas.Series
        Indexed by the pseudonyms asked for (in order); the real id, or
        missing where no customer of the folder has that pseudonym.
    """
    ids = pd.Series(pd.unique(customer_ids.dropna().astype(str)), dtype=object)
    back = pd.Series(ids.to_numpy(), index=pseudonymize(ids, key, prefix).to_numpy(), dtype=object)
    wanted = pd.Index([str(p).strip() for p in pseudonyms], dtype=object)
    return pd.Series(back.reindex(wanted).to_numpy(), index=wanted, dtype=object, name="customer_id")


def drop_personal_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without the personal-data columns it has."""
    return frame.drop(columns=[c for c in PERSONAL_COLUMNS if c in frame.columns])


def age_band(birth_date: pd.Series, as_of) -> pd.Series:
    """Age band (``"30代"``) at ``as_of`` from birth dates; missing stays missing.

    Parameters
    ----------
    birth_date : pandas.Series
        datetime64 birth dates, may hold NaT.
    as_of : str or datetime-like
        Reference date.

    Returns
    -------
    pandas.Series
        Strings like ``"20代"``; ``<NA>`` where the birth date is missing.
    """
    as_of = pd.Timestamp(as_of)
    born = pd.to_datetime(birth_date)
    had_birthday = (born.dt.month < as_of.month) | (
        (born.dt.month == as_of.month) & (born.dt.day <= as_of.day)
    )
    age = as_of.year - born.dt.year - (~had_birthday).astype(int)
    decade = (age // 10 * 10).astype("Int64")
    return (decade.astype("string") + "代").where(decade.notna())
