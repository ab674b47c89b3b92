"""Personal data: which columns hold it, pseudonymous ids and age bands.

Reports never show names, emails, phone numbers or birth dates.  Customer ids
are shown pseudonymously unless a notebook's ``show_customer_ids`` says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Columns of the data contract that hold personal data.
PERSONAL_COLUMNS: tuple[str, ...] = ("name", "email", "phone", "birth_date")

_HASH_KEY = "kando-pseudonym1"  # 16 bytes, as pandas' hash_key requires


def pseudonymize(customer_ids: pd.Series, key: str = _HASH_KEY) -> pd.Series:
    """Stable pseudonymous ids such as ``"P-3f9a0c12"``.

    The same id and key always give the same pseudonym, so tables from
    different notebooks of one report can be matched by eye.

    Parameters
    ----------
    customer_ids : pandas.Series
        Customer ids (any dtype; compared as strings).
    key : str
        16-character hash key.  Change it to unlink pseudonyms across clients.

    Returns
    -------
    pandas.Series
        Pseudonyms, same index as ``customer_ids``.
    """
    hashed = pd.util.hash_pandas_object(
        customer_ids.astype(str), index=False, hash_key=key
    ).to_numpy(dtype=np.uint64)
    hex_ids = pd.Series(hashed & np.uint64(0xFFFFFFFF), index=customer_ids.index)
    return "P-" + hex_ids.map("{:08x}".format).astype(object)  # object even when empty


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
    return pseudonymize(customer_ids)


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
