"""Purchase histories per customer: order sequence, gaps and first-year value.

These are the facts about buying that several subjects share: the loyalty
segments' repeat rate, the role models' 1-year LTV, the friction notebook's
second-purchase conversion, the LTV components.  Computing them once here
keeps every notebook's numbers the same.  They are computed on integer codes
of the customer ids (:func:`customer_codes`), which other modules use too:
hashing and sorting millions of string ids is the slow part.
"""

from __future__ import annotations

import ctypes

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from helpers import text_codes

#: Days in the "1-year LTV" window counted from the first purchase.
FIRST_YEAR_DAYS = 365


def end_of_day(as_of) -> pd.Timestamp:
    """The last moment of the ``as_of`` day: orders timed on that day still count."""
    return pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1) - pd.Timedelta("1ns")


def keep_rows(data, keep):
    """``data[keep]``, or ``data`` itself (a shallow copy) when every row is kept.

    Filtering copies every column, and a copied Arrow array has to be hashed
    again by :func:`customer_codes`; a date cut-off usually keeps every row.

    Parameters
    ----------
    data : pandas.DataFrame, pandas.Series or array
        Rows to filter.
    keep : array-like of bool
        One flag per row.

    Returns
    -------
    Same type as ``data``.
    """
    keep = np.asarray(keep, dtype=bool)
    if keep.all():
        return data.copy(deep=False) if isinstance(data, (pd.DataFrame, pd.Series)) else data
    return data.loc[keep] if isinstance(data, (pd.DataFrame, pd.Series)) else data[keep]


def up_to(frame: pd.DataFrame, as_of, column: str) -> pd.DataFrame:
    """Rows of ``frame`` dated on or before ``as_of`` (the whole day); undated rows stay.

    Parameters
    ----------
    frame : pandas.DataFrame
        Orders or survey answers.
    as_of : str or datetime-like
        Reference date.
    column : str
        The date column; a frame without it is returned as it is.

    Returns
    -------
    pandas.DataFrame
        :func:`keep_rows` of the rows not after ``as_of``.
    """
    if column not in frame.columns:
        return frame
    return keep_rows(frame, ~(frame[column] > end_of_day(as_of)).to_numpy())


#: Below this many rows plain ``pd.factorize`` is as fast.
_IDENTITY_MIN_ROWS = 100_000
#: Largest address range (in object slots per row) grouped with a direct table.
_DIRECT_TABLE_SLOTS_PER_ROW = 8


def _factorize_objects(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize`` of an object array, grouping rows by object identity first.

    Hashing ten million Python strings costs seconds because every row sends
    the hash table to a string object somewhere in memory.  But rows of one
    customer mostly hold the *same* string object (pandas reuses objects when
    it takes, merges or parses repeated values).  So the rows are first
    grouped by the object's address - integers, looked up in a direct table
    (or sorted, when the objects are spread widely in memory) - and only one
    object per group is hashed by value; groups of equal strings then merge.
    The codes are renumbered in order of first appearance, so the result
    equals ``pd.factorize(values)``.
    """
    n = len(values)
    values = np.ascontiguousarray(values)
    # The array's buffer holds one PyObject pointer per row; read it as integers
    # (a view: nothing is copied, and CPython objects never move).
    address = np.ctypeslib.as_array((ctypes.c_ssize_t * n).from_address(values.ctypes.data))
    slot = address - address.min()
    slot >>= _trailing_zero_bits(int(np.bitwise_or.reduce(slot)))  # drop the alignment bits
    n_slots = int(slot.max()) + 1
    if n_slots <= _DIRECT_TABLE_SLOTS_PER_ROW * n:
        used = np.zeros(n_slots, dtype=bool)
        used[slot] = True
        used_slots = np.flatnonzero(used)
        del used
        table = np.empty(n_slots, dtype=np.int32 if len(used_slots) < 2**31 else np.int64)
        table[used_slots] = np.arange(len(used_slots), dtype=table.dtype)
        object_code = table[slot]
        n_objects = len(used_slots)
        del table
    else:
        used_slots, object_code = np.unique(slot, return_inverse=True)
        n_objects = len(used_slots)
    del slot, used_slots
    rows = np.arange(n)
    representative = np.empty(n_objects, dtype=np.int64)
    representative[object_code] = rows  # any row of the group will do
    value_code, uniques = pd.factorize(values[representative], sort=False, use_na_sentinel=True)
    codes = value_code[object_code]
    del object_code
    if (codes < 0).any():
        return codes, uniques  # missing ids: the caller reports them
    # renumber by first appearance
    first_row = np.full(len(uniques), n, dtype=np.int64)
    np.minimum.at(first_row, codes, rows)
    order = np.argsort(first_row)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank[codes], uniques[order]


def _trailing_zero_bits(value: int) -> int:
    return (value & -value).bit_length() - 1 if value else 0


def customer_codes(ids, sort: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes 0..k-1 of customer ids, and the ids they stand for.

    The same result as ``pd.factorize(ids, sort=sort)`` (missing ids get -1),
    faster for millions of ids: Arrow-backed text (as :func:`helpers.io.load_data`
    gives) is encoded once per column by Arrow's hash kernel
    (:func:`helpers.text_codes.arrow_codes`; columns loaded from the cache
    come with their codes), Python-string ids by :func:`_factorize_objects`.

    Parameters
    ----------
    ids : numpy.ndarray, pandas.Series or pandas.api.extensions.ExtensionArray
        One customer id per row (an object array for string ids).
    sort : bool
        ``False``: codes in order of first appearance.  ``True``: in id order.

    Returns
    -------
    codes : numpy.ndarray
        int64 code per row.
    uniques : numpy.ndarray
        The id of each code.
    """
    arrow = text_codes.arrow_codes(ids, sort)
    if arrow is not None:
        return arrow
    values = np.asarray(ids)
    if values.dtype == object and len(values) >= _IDENTITY_MIN_ROWS:
        codes, uniques = _factorize_objects(values)
        # with missing ids (-1) the codes are not renumbered: pandas' route below gives the exact result
        if not sort and (codes >= 0).all():
            return codes, uniques
        if sort and (codes >= 0).all():
            try:
                order = np.argsort(uniques, kind="stable")
            except TypeError:  # ids of mixed types: leave the ordering to pandas
                pass
            else:
                rank = np.empty(len(order), dtype=np.int64)
                rank[order] = np.arange(len(order))
                return rank[codes], uniques[order]
    return pd.factorize(values, sort=sort, use_na_sentinel=True)


def text_array(values) -> pd.api.extensions.ExtensionArray:
    """Text as pandas' ``str`` array, built by Arrow: no Python string per row.

    Parameters
    ----------
    values : pyarrow.Array, pandas text array or numpy.ndarray
        The text, missing values as null or None.

    Returns
    -------
    pandas.api.extensions.ExtensionArray
        Arrow-backed ``str`` (missing as NaN, as pandas gives for text columns).
    """
    if isinstance(values, pd.arrays.ArrowStringArray):
        return values.astype("str")
    if not isinstance(values, (pa.Array, pa.ChunkedArray)):
        values = pa.array(np.asarray(values, dtype=object), type=pa.large_string(), from_pandas=True)
    return pd.arrays.ArrowStringArray(pa.chunked_array([values.cast(pa.large_string())])).astype("str")


def take_text(uniques, codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``uniques[codes]`` as a ``str`` array (:func:`text_array`), for few uniques and many rows."""
    return text_array(pa.array(np.asarray(uniques, dtype=object), type=pa.large_string()).take(pa.array(codes)))


def id_isin(values, ids) -> np.ndarray:
    """Which ``values`` are among ``ids``: ``pd.Index(values).isin(ids)`` by Arrow's hash kernel for text.

    pandas checks membership in an Arrow-backed text array one Python object
    per id; Arrow's ``is_in`` does it in C.  Other types go to pandas.

    Parameters
    ----------
    values, ids : array-like
        Customer ids (or any values) to check, and the ids to look for.

    Returns
    -------
    numpy.ndarray
        bool per value.
    """
    left, right = _as_arrow_text(values), _as_arrow_text(ids)
    if left is None or right is None:
        return np.asarray(pd.Index(values).isin(pd.Index(ids)))
    # a missing id is never found, as in pandas' lookups of text ids
    return pc.is_in(left, value_set=right, skip_nulls=True).to_numpy(zero_copy_only=False).astype(bool)


def id_positions(index, values) -> np.ndarray:
    """Position of each of ``values`` in ``index`` (-1 when absent): ``pd.Index(index).get_indexer(values)``.

    For text ids Arrow's hash kernel does it, without the Python string per
    row that pandas makes of Arrow-backed text; other types go to pandas.

    Parameters
    ----------
    index : array-like
        Unique ids (e.g. a customer-indexed frame's index).
    values : array-like
        Ids to look up.

    Returns
    -------
    numpy.ndarray
        int64 position per value.
    """
    left, right = _as_arrow_text(values), _as_arrow_text(index)
    if left is None or right is None:
        return pd.Index(index).get_indexer(values)
    found = pc.index_in(left, value_set=right, skip_nulls=True)
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _as_arrow_text(values) -> pa.Array | None:
    array = values.array if isinstance(values, (pd.Series, pd.Index)) else values
    if isinstance(array, pd.arrays.ArrowStringArray):
        return pa.chunked_array(array.__arrow_array__()).combine_chunks().cast(pa.large_string())
    # a list stays Python objects: numpy would make text of mixed values ([ "C1", 1002 ] -> "1002")
    array = np.asarray(array, dtype=object) if isinstance(array, (list, tuple)) else np.asarray(array)
    if array.dtype.kind == "U":
        return pa.array(array, type=pa.large_string())
    if array.dtype != object:
        return None
    try:
        return pa.array(array, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # not all text: pandas compares them
        return None


def customer_runs(customer_ids, order_dates: np.ndarray, sort: bool = True):
    """Orders grouped per customer in time order, on integer codes.

    Sorting on integer codes is far faster than on string ids; lexsort is
    stable, so orders at the same moment keep their input order.

    Parameters
    ----------
    customer_ids : array-like
        Customer id per order (:func:`customer_codes` takes them).
    order_dates : numpy.ndarray
        datetime64 per order.
    sort : bool
        Runs in id order (else in order of first appearance).

    Returns
    -------
    order : numpy.ndarray
        Row positions that put the orders in (customer, date) order.
    ids : numpy.ndarray
        The customer ids, one per run, in run order: sorted when ``sort``,
        else in order of first appearance.
    starts : numpy.ndarray
        Where each customer's run starts in the ordered rows.
    """
    codes, ids = customer_codes(customer_ids, sort=sort)
    order = np.lexsort((order_dates, codes))
    codes = codes[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]][: len(codes)])
    return order, ids, starts


def order_sequence(orders: pd.DataFrame) -> pd.DataFrame:
    """Orders in time order per customer, numbered, with the gap to the previous one.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``customer_id``, ``order_date``, ``amount``; orders at the same
        moment keep their input order.

    Returns
    -------
    pandas.DataFrame
        The orders sorted by customer and date with ``order_number`` (1 for
        the first purchase), ``days_since_previous`` (NaN for the first) and
        ``days_since_first``.
    """
    order, _, starts = customer_runs(orders["customer_id"].array, orders["order_date"].to_numpy())
    seq = orders.iloc[order].reset_index(drop=True)
    new_customer = np.zeros(len(seq), dtype=bool)
    new_customer[starts] = True
    run_start = starts[np.cumsum(new_customer) - 1]
    seq["order_number"] = np.arange(len(seq)) - run_start + 1
    day = seq["order_date"].dt.normalize().to_numpy()
    previous = np.r_[day[:1], day[:-1]]
    gap = pd.Series((day - previous) / np.timedelta64(1, "D"), index=seq.index)
    seq["days_since_previous"] = gap.where(~new_customer)
    seq["days_since_first"] = (day - day[run_start]) / np.timedelta64(1, "D")
    return seq


def customer_purchases(
    orders: pd.DataFrame, as_of, first_year_days: int = FIRST_YEAR_DAYS, *, sort: bool = True
) -> pd.DataFrame:
    """One row per buying customer: counts, spend, dates and first-year value.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``customer_id``, ``order_date``, ``amount``.  Orders after ``as_of``
        are not counted.
    as_of : str or datetime-like
        Reference date (the end of the observation).
    first_year_days : int
        Length of the first-year window: purchases on days
        ``0 .. first_year_days - 1`` after the first purchase count.
    sort : bool
        ``True`` (default): rows in ``customer_id`` order.  ``False``: in
        order of each customer's first appearance in ``orders`` (saves
        sorting the ids).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id`` with ``first_order``, ``last_order``,
        ``n_orders``, ``revenue``, ``aov`` (average order value),
        ``is_repeat`` (two or more orders), ``tenure_days`` (days from the
        first purchase to ``as_of``), ``first_year_value`` (spend in the
        first-year window) and ``first_year_complete`` (the window has ended
        by ``as_of``, i.e. ``tenure_days >= first_year_days``).
    """
    as_of = pd.Timestamp(as_of)
    on_time = (orders["order_date"] <= end_of_day(as_of)).to_numpy()
    if not on_time.any():
        empty = pd.DataFrame(columns=["first_order", "last_order", "n_orders", "revenue", "aov", "is_repeat",
                                      "tenure_days", "first_year_value", "first_year_complete"])
        return empty.rename_axis("customer_id")
    dates = orders["order_date"].to_numpy()[on_time]
    order, ids, starts = customer_runs(keep_rows(orders["customer_id"].array, on_time), dates, sort)
    dates = dates[order]
    amounts = orders["amount"].to_numpy(dtype="float64")[on_time][order]
    ends = np.r_[starts[1:], len(dates)] - 1
    n_orders = ends - starts + 1
    day = dates.astype("datetime64[D]").astype(np.int64)
    first_day = day[starts]
    in_first_year = day - np.repeat(first_day, n_orders) < first_year_days
    revenue = np.add.reduceat(amounts, starts)
    tenure_days = np.datetime64(as_of.date(), "D").astype(np.int64) - first_day
    return pd.DataFrame(
        {
            "first_order": dates[starts],
            "last_order": dates[ends],
            "n_orders": n_orders,
            "revenue": revenue,
            "first_year_value": np.add.reduceat(np.where(in_first_year, amounts, 0.0), starts),
            "aov": revenue / n_orders,
            "is_repeat": n_orders >= 2,
            "tenure_days": tenure_days,
            "first_year_complete": tenure_days >= first_year_days,
        },
        index=pd.Index(ids, name="customer_id"),
    )


def nth_purchase_conversion(orders: pd.DataFrame, max_n: int = 6) -> pd.DataFrame:
    """The repeat funnel: how many customers made a k-th purchase, and the step rate.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``customer_id``, ``order_date``.
    max_n : int
        Last purchase number shown.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``n`` (1..max_n) with ``customers`` (made at least n
        purchases) and ``conversion`` (share of those with n-1 purchases who
        made an n-th; NaN for n = 1).  n = 2 is the F2 conversion (F2転換率).
    """
    codes, _ = customer_codes(orders["customer_id"].array)
    counts = np.bincount(codes[codes >= 0])
    # customers per order count (capped at max_n), then "at least n" from the top down
    per_count = np.bincount(np.minimum(counts, max_n), minlength=max_n + 1)
    reached = np.cumsum(per_count[::-1])[::-1][1:]
    n = np.arange(1, max_n + 1)
    previous = np.concatenate([[np.nan], reached[:-1]])
    with np.errstate(invalid="ignore", divide="ignore"):
        conversion = np.where(previous > 0, reached / previous, np.nan)
    return pd.DataFrame({"customers": reached, "conversion": conversion}, index=pd.Index(n, name="n"))


def order_products(order_items: pd.DataFrame, sep: str = " / ") -> pd.Series:
    """The products of each order, as one text: ``"青汁 / 黒酢"`` (each product once, in item order).

    Parameters
    ----------
    order_items : pandas.DataFrame
        ``order_id`` and ``product`` (the ``order_items`` table).
    sep : str
        Put between product names.

    Returns
    -------
    pandas.Series
        Indexed by ``order_id``.
    """
    items = order_items[["order_id", "product"]].dropna().astype(str).drop_duplicates()
    return items.groupby("order_id", sort=False)["product"].agg(sep.join)
