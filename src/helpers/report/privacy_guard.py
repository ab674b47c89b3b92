"""A last check that no personal value of the customers table reached a report.

Notebooks show pseudonymous ids and never the personal columns; this guard
catches a slip before a PDF leaves the building.  It looks for the exact
values of ``name``, ``email``, ``phone`` and ``birth_date`` (in the usual
written forms) in the text of a report, in time linear in the text length
whatever the number of customers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_SPACE = re.compile(r"\s+")
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d\-\s()]{7,}\d")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")


def _normal(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII), no whitespace, lower case."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).lower()


def _digits(text: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text))


@dataclass
class PersonalDataIndex:
    """The personal values of a customers table, ready to be looked for.

    Build it with :meth:`from_customers`; :meth:`find` returns which
    personal columns have a value in a text.
    """

    names: dict[int, set[str]] = field(default_factory=dict)
    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    birth_dates: set[str] = field(default_factory=set)

    @classmethod
    def from_customers(cls, customers) -> PersonalDataIndex:
        """Index the ``name``, ``email``, ``phone`` and ``birth_date`` columns.

        Parameters
        ----------
        customers : pandas.DataFrame or None
            The customers table as loaded by :func:`helpers.io.load_data`.

        Returns
        -------
        PersonalDataIndex
        """
        import pandas as pd

        index = cls()
        if customers is None:
            return index
        if "name" in customers:
            names = customers["name"].dropna().astype(str).map(_normal)
            for length, group in names[names.str.len() >= 2].groupby(names.str.len()):
                index.names[int(length)] = set(group)
        if "email" in customers:
            index.emails = set(customers["email"].dropna().astype(str).map(_normal))
        if "phone" in customers:
            phones = customers["phone"].dropna().astype(str).map(_digits)
            index.phones = set(phones[phones.str.len() >= 8])
        if "birth_date" in customers:
            dates = pd.to_datetime(customers["birth_date"], errors="coerce").dropna()
            index.birth_dates = set(dates.dt.strftime("%Y-%m-%d"))
        return index

    def __bool__(self) -> bool:
        return bool(self.names or self.emails or self.phones or self.birth_dates)

    def find(self, text: str) -> dict[str, int]:
        """How many personal values of each column occur in ``text``.

        Parameters
        ----------
        text : str
            Visible text of a report.

        Returns
        -------
        dict of str to int
            Column -> number of distinct values found; empty when clean.
        """
        found: dict[str, set[str]] = {}
        compact = _normal(text)
        for length, values in self.names.items():
            hits = {compact[i : i + length] for i in range(len(compact) - length + 1)} & values
            if hits:
                found.setdefault("name", set()).update(hits)
        emails = {_normal(m) for m in _EMAIL.findall(unicodedata.normalize("NFKC", text))} & self.emails
        if emails:
            found["email"] = emails
        phones = {_digits(m) for m in _PHONE.findall(unicodedata.normalize("NFKC", text))} & self.phones
        if phones:
            found["phone"] = phones
        dates = set()
        for match in _DATE.finditer(unicodedata.normalize("NFKC", text)):
            y, m, d = (match.group(1), match.group(2), match.group(3)) if match.group(1) else match.group(4, 5, 6)
            dates.add(f"{int(y):04d}-{int(m):02d}-{int(d):02d}")
        dates &= self.birth_dates
        if dates:
            found["birth_date"] = dates
        return {column: len(values) for column, values in found.items()}


def cache_copies(folder, cache_root) -> list:
    """Files in a report folder that are copies of the validated-data cache, or Kando's own folder.

    The cache (:mod:`helpers.cache`) holds every column of the client's
    data, personal ones included; nothing of it, nor of the ``.kando``
    folder beside the data (which also holds the pseudonym key), may travel
    with a report.

    Parameters
    ----------
    folder : pathlib.Path
        A report folder.
    cache_root : pathlib.Path or None
        The run's cache folder.

    Returns
    -------
    list of pathlib.Path
        The offending files and ``.kando`` folders; empty when clean.
    """
    import hashlib
    from pathlib import Path

    from helpers import cache

    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = [p for p in folder.rglob(cache.KANDO_DIR) if p.is_dir()]
    reports = {}  # size -> report files of that size
    for path in folder.rglob("*"):
        if path.is_file() and not any(parent in found for parent in path.parents):
            reports.setdefault(path.stat().st_size, []).append(path)
    # only a cache file of a report file's size can have a copy there: the others are not read
    cached = {}  # size -> hashes of the cache files of that size
    for path in cache.entries(Path(cache_root)) if cache_root is not None else []:
        size = path.stat().st_size
        if size in reports:
            cached.setdefault(size, set()).add(hashlib.sha256(path.read_bytes()).hexdigest())
    for size, hashes in cached.items():
        found += [path for path in reports[size] if hashlib.sha256(path.read_bytes()).hexdigest() in hashes]
    return sorted(found)
