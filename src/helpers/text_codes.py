"""Integer codes of Arrow-backed text columns, computed once per column.

Hashing millions of customer ids is the slow part of most analyses, and
every notebook does it on the same columns.  Arrow arrays never change, so
the codes of one are kept while it lives (:func:`arrow_codes`), and the
validated-data cache stores the codes of its id columns beside the tables:
a notebook loading from the cache gets them by :func:`remember`, without
hashing anything.

The codes are those of Arrow's ``dictionary_encode``: values numbered in
order of first appearance, as ``pandas.factorize`` numbers them, missing
values -1.  Sorted codes number the values in UTF-8 byte order, which is
code-point order: the order in which Python sorts the strings.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


class _Encoded:
    """First-appearance codes of one array and its dictionary; the sorted form made on demand."""

    def __init__(self, codes: np.ndarray, dictionary: pa.Array):
        self.codes = codes
        self.dictionary = dictionary
        self._uniques: np.ndarray | None = None
        self._sorted: tuple[np.ndarray, np.ndarray] | None = None

    def first_appearance(self) -> tuple[np.ndarray, np.ndarray]:
        if self._uniques is None:
            self._uniques = self.dictionary.to_numpy(zero_copy_only=False)
        return self.codes, self._uniques

    def sorted(self) -> tuple[np.ndarray, np.ndarray]:
        if self._sorted is None:
            order = pc.sort_indices(self.dictionary).to_numpy()
            rank = np.empty(len(order), dtype=np.int64)
            rank[order] = np.arange(len(order))
            codes = np.where(self.codes >= 0, rank[np.maximum(self.codes, 0)], -1)
            self._sorted = codes, self.dictionary.take(pa.array(order)).to_numpy(zero_copy_only=False)
        return self._sorted


#: Codes by id of the (immutable) Arrow array: an entry, or a function that reads one; entries leave with the array.
_ENCODED: dict[int, _Encoded | Callable[[], tuple[np.ndarray, pa.Array]]] = {}


def _chunked(values) -> pa.ChunkedArray | None:
    array = values.array if isinstance(values, (pd.Series, pd.Index)) else values
    if not isinstance(array, pd.arrays.ArrowStringArray):
        return None
    return array.__arrow_array__()


def encode(values: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, pa.Array]:
    """First-appearance codes (int64, missing -1) and the dictionary of Arrow text.

    Parameters
    ----------
    values : pyarrow.ChunkedArray or pyarrow.Array
        Text.

    Returns
    -------
    codes : numpy.ndarray
    dictionary : pyarrow.Array
        The value of each code.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    encoded = pc.dictionary_encode(values, null_encoding="mask")
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, encoded.dictionary


def _entry(chunked: pa.ChunkedArray) -> _Encoded:
    key = id(chunked)
    known = _ENCODED.get(key)
    if isinstance(known, _Encoded):
        return known
    if known is None:
        weakref.finalize(chunked, _ENCODED.pop, key, None)
    _ENCODED[key] = _Encoded(*(_given(known, len(chunked)) or encode(chunked)))
    return _ENCODED[key]


def _given(read, rows: int) -> tuple[np.ndarray, pa.Array] | None:
    """The codes :func:`remember` was given, or None when there are none usable."""
    if read is None:
        return None
    try:
        codes, dictionary = read()
    except (OSError, ValueError, pa.ArrowException):  # e.g. the cache entry was removed meanwhile
        return None
    return (codes, dictionary) if len(codes) == rows else None  # another column's codes: never trusted


def arrow_codes(values, sort: bool) -> tuple[np.ndarray, np.ndarray] | None:
    """``pandas.factorize`` of Arrow-backed text by Arrow's hash kernel, or None for other arrays.

    Parameters
    ----------
    values : pandas.Series, pandas.Index or pandas array
        Text, e.g. customer ids.
    sort : bool
        ``False``: codes in order of first appearance; ``True``: in value order.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray) or None
        int64 code per row (missing -1) and the value of each code, as new
        arrays the caller may write into; None when ``values`` is not
        Arrow-backed text.
    """
    chunked = _chunked(values)
    if chunked is None:
        return None
    entry = _entry(chunked)
    codes, uniques = entry.sorted() if sort else entry.first_appearance()
    return codes.copy(), uniques.copy()


def remember(values, read: Callable[[], tuple[np.ndarray, pa.Array]]) -> None:
    """Give the codes of ``values`` ahead of time: ``read()`` returns what :func:`encode` would.

    Parameters
    ----------
    values : pandas.Series or pandas array
        Arrow-backed text (anything else is ignored).
    read : callable
        Called at the first use, e.g. reading the codes a cache stored.
    """
    chunked = _chunked(values)
    if chunked is None or id(chunked) in _ENCODED:
        return
    _ENCODED[id(chunked)] = read
    weakref.finalize(chunked, _ENCODED.pop, id(chunked), None)
