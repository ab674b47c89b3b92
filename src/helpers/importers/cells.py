"""Cell values of shop exports: ids, e-mails, amounts, quantities and timestamps.

Every parser is vectorised and returns the values together with a mask of
the filled cells it could not read, so the caller can report each with its
file, line and column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_TIMESTAMP = (
    r"^(?P<y>\d{4})(?:[-/.]|年)(?P<m>\d{1,2})(?:[-/.]|月)(?P<d>\d{1,2})日?"
    r"(?:[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?(?:\.\d+)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?$"
)
_COMPACT_DATE = r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"
_TIME = (
    r"^(?:(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?"
    r"|(?P<h6>\d{2})(?P<m6>\d{2})(?P<s6>\d{2})|(?P<h4>\d{1,2})(?P<m4>\d{2}))$"
)


def free_text(raw: pd.Series) -> pd.Series:
    """Free text (names, products) as written, only trimmed: ``～`` and ``髙`` stay as they are."""
    return raw.astype("string[pyarrow]").fillna("").str.strip()


def mask(values: pd.Series) -> pd.Series:
    """A boolean mask as plain numpy-backed bools (pyarrow comparisons give ``bool[pyarrow]``)."""
    return pd.Series(np.asarray(values.fillna(False), dtype=bool), index=values.index)


def clean(raw: pd.Series) -> pd.Series:
    """Codes, ids, amounts and dates: trimmed, NFKC-normalised where not ASCII, Excel's leading ``'`` removed."""
    text = raw.astype("string[pyarrow]").fillna("").str.strip()
    wide = ~text.str.isascii()
    if wide.any():
        text = text.copy()
        text[wide] = text[wide].str.normalize("NFKC").str.strip()
    return text.str.removeprefix("'")


def normalize_email(raw: pd.Series) -> pd.Series:
    """E-mail as an identity: trimmed, NFKC, lower-case; ``""`` when blank."""
    return clean(raw).str.lower()


def parse_amounts(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Yen amounts from ``1200``, ``1200.00``, ``1,200``, ``¥1,200``, ``1200円``.

    Parameters
    ----------
    text : pandas.Series
        Cleaned cells (:func:`clean`).

    Returns
    -------
    values : pandas.Series of float
        NaN where blank or unreadable.
    unreadable : pandas.Series of bool
    """
    values = pd.to_numeric(text.where(text != ""), errors="coerce").astype("float64")
    rest = values.isna() & (text != "")
    if rest.any():
        stripped = text[rest].str.replace(r"^(?:¥|\\|JPY)\s*|\s*円$|,", "", regex=True)
        values[rest] = pd.to_numeric(stripped, errors="coerce").astype("float64")
    return values, mask(values.isna() & (text != ""))


def parse_quantities(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Whole quantities (``2``, ``2.00``); fractions and text are unreadable."""
    values, bad = parse_amounts(text)
    fractional = values.notna() & (values % 1 != 0)
    return values.where(~fractional).round().astype("Int64"), mask(bad | fractional)


def parse_timestamps(date: pd.Series, time: pd.Series | None = None, timezone: str = "Asia/Tokyo"):
    """Local timestamps in ``timezone`` from the spellings shops write.

    ``2024-01-05 10:23:11``, ``2024-01-05 10:23:11 +0900`` (converted to
    ``timezone``), ``2024/1/5 10:23``, ``2024年1月5日``, ``20240105``; with a
    separate ``time`` column (``10:23:11``, ``102311``, ``10:23``).  A time
    written without an offset is taken as local time in ``timezone``.

    Parameters
    ----------
    date : pandas.Series
        Cleaned date or date-time cells.
    time : pandas.Series, optional
        Cleaned time cells of the same rows.
    timezone : str
        IANA zone of the shop.

    Returns
    -------
    values : pandas.Series of datetime64[ns]
        Naive local date-times in ``timezone``; NaT where blank or unreadable.
    unreadable : pandas.Series of bool
        Filled date cells (or time cells) that could not be read.
    """
    values = pd.to_datetime(date, format="%Y-%m-%d %H:%M:%S", errors="coerce")
    rest = values.isna() & (date != "")
    if rest.any():
        parts = date[rest].str.extract(_TIMESTAMP)
        compact = date[rest].str.extract(_COMPACT_DATE)
        parts = parts.fillna(compact.reindex(columns=parts.columns))
        hit = parts["y"].notna()
        parts = parts[hit]
        stamp = (
            pd.to_datetime(
                {
                    "year": parts["y"].astype(int),
                    "month": parts["m"].astype(int),
                    "day": parts["d"].astype(int),
                    "hour": parts["H"].fillna("0").astype(int),
                    "minute": parts["M"].fillna("0").astype(int),
                    "second": parts["S"].fillna("0").astype(int),
                },
                errors="coerce",
            )
            if len(parts)
            else pd.Series(dtype="datetime64[ns]")
        )
        offset = parts["tz"].dropna()
        if len(offset):
            minutes = _offset_minutes(offset)
            local_minutes = _zone_offset_minutes(stamp[offset.index] - pd.to_timedelta(minutes, unit="min"), timezone)
            stamp[offset.index] = stamp[offset.index] + pd.to_timedelta(local_minutes - minutes, unit="min")
        values[parts.index] = stamp
    bad = values.isna() & (date != "")
    if time is not None:
        clock, time_bad = _parse_times(time)
        has_clock = clock.notna()
        values = values.where(~has_clock, values.dt.normalize() + clock)
        bad |= time_bad
    return values.astype("datetime64[ns]"), mask(bad)


def _offset_minutes(tz: pd.Series) -> np.ndarray:
    text = tz.str.replace(":", "", regex=False).replace("Z", "+0000")
    sign = np.where(text.str[0] == "-", -1, 1)
    return sign * (text.str[1:3].astype(int).to_numpy() * 60 + text.str[3:5].astype(int).to_numpy())


def _zone_offset_minutes(utc: pd.Series, timezone: str) -> np.ndarray:
    """UTC offset of ``timezone`` in minutes at each naive UTC instant."""
    aware = utc.dt.tz_localize("UTC").dt.tz_convert(timezone)
    return ((aware.dt.tz_localize(None) - utc) / pd.Timedelta(minutes=1)).to_numpy().astype(np.int64)


def _parse_times(time: pd.Series) -> tuple[pd.Series, pd.Series]:
    filled = time != ""
    parts = time[filled].str.extract(_TIME)
    hours = parts["H"].fillna(parts["h6"]).fillna(parts["h4"])
    minutes = parts["M"].fillna(parts["m6"]).fillna(parts["m4"])
    seconds = parts["S"].fillna(parts["s6"]).fillna("0")
    ok = hours.notna()
    h, m, s = (x[ok].astype(int) for x in (hours, minutes, seconds))
    valid = (h < 24) & (m < 60) & (s < 60)
    clock = pd.Series(pd.NaT, index=time.index, dtype="timedelta64[ns]")
    good = valid[valid].index
    clock[good] = pd.to_timedelta(h[good] * 3600 + m[good] * 60 + s[good], unit="s")
    bad = pd.Series(False, index=time.index)
    bad[filled] = clock[filled].isna().to_numpy()
    return clock, bad
