"""Personal data: which columns hold it, pseudonymous ids and age bands.

Reports never show names, emails, phone numbers or birth dates.  Customer ids
are shown pseudonymously unless a notebook's ``show_customer_ids`` says so.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

import numpy as np
import pandas as pd

#: Columns of the data contract that hold personal data.
PERSONAL_COLUMNS: tuple[str, ...] = ("name", "email", "phone", "birth_date")

_DEFAULT_KEY = b"kando-pseudonym1"
#: Where a data directory keeps its pseudonym secret.
KEY_FILE = Path(".kando") / "pseudonym.key"


def data_key(data_dir: str | Path) -> bytes:
    """The pseudonym secret of a data directory, created on first use.

    The secret lives in ``DATA_DIR/.kando/pseudonym.key`` (32 random bytes,
    hex-encoded) and is never printed.  Pseudonyms made with it cannot be
    reversed or recomputed without the file.

    Parameters
    ----------
    data_dir : str or pathlib.Path
        The data directory.

    Returns
    -------
    bytes
        The secret.
    """
    path = Path(data_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32) + "\n", encoding="ascii")
        path.chmod(0o600)
    return path.read_text(encoding="ascii").strip().encode("ascii")


def pseudonymize(ids: pd.Series, key: bytes = _DEFAULT_KEY, prefix: str = "P-") -> pd.Series:
    """Keyed pseudonymous ids such as ``"P-3f9a0c12d4e5b6a7"`` (HMAC-SHA256, 64 bits).

    The same id and key always give the same pseudonym, so tables from
    different notebooks of one report can be matched by eye; without the key
    they cannot be linked back to the ids.

    Parameters
    ----------
    ids : pandas.Series
        Ids (any dtype; compared as strings).  Missing values stay missing.
    key : bytes
        Secret, e.g. from :func:`data_key`.
    prefix : str
        Put in front of the 16 hex digits.

    Returns
    -------
    pandas.Series
        Pseudonyms (object dtype), same index as ``ids``.
    """
    present = ids.notna()
    codes, uniques = pd.factorize(ids[present].astype(str))
    # one HMAC per distinct id: hashlib has no vectorised form
    digests = np.array(
        [prefix + hmac.new(key, u.encode("utf-8"), hashlib.sha256).hexdigest()[:16] for u in uniques], dtype=object
    )
    out = pd.Series(None, index=ids.index, dtype=object)
    out[present] = digests[codes] if len(codes) else []
    return out


def display_ids(customer_ids: pd.Series, show_customer_ids: bool = False) -> pd.Series:
    """Customer ids as a report may show them.

    Parameters
    ----------
    customer_ids : pandas.Series
        Real customer ids.
    show_customer_ids : bool
        ``True`` returns them unchanged (as strings); ``False`` pseudonymises.

    Returns
    -------
    pandas.Series
    """
    if show_customer_ids:
        return customer_ids.astype(str)
    return _short_pseudonym(customer_ids)


def _short_pseudonym(customer_ids: pd.Series) -> pd.Series:
    """``P-`` and 8 hex digits of an unkeyed hash (the report pseudonyms until keyed ones replace them)."""
    hashed = pd.util.hash_pandas_object(
        customer_ids.astype(str), index=False, hash_key=_DEFAULT_KEY.decode("ascii")
    ).to_numpy(dtype=np.uint64)
    hex_ids = pd.Series(hashed & np.uint64(0xFFFFFFFF), index=customer_ids.index)
    return "P-" + hex_ids.map("{:08x}".format).astype(object)  # object even when empty


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
