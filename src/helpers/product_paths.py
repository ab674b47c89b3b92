"""Product paths: which first product (フロント商品) leads to which second product.

Definitions:

* a customer's orders are put in order by ``order_date``, then ``order_id``;
* first product = the product of the first order, second product = the
  product of the second order (none when there is no second order up to
  ``as_of``);
* an order's product is ``orders.product``, or - when an ``order_items``
  table (``order_id``, ``product``, optional ``quantity``, ``price``) is
  given - its main item: the line with the largest ``price × quantity``
  (quantity 1 and price 0 when missing), ties to the product name first in
  sort order.  ``order_items`` wins over ``orders.product`` for the orders it
  lists; other orders keep ``orders.product``.
* days to the second purchase = calendar days between the two order dates.

Orders without a product keep a missing product, which forms its own group.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import purchases

#: Columns of :func:`product_paths` (and of ``product_paths.csv``).
PATH_COLUMNS: tuple[str, ...] = ("first_product", "second_product", "customers", "share_of_first", "median_days")


def has_products(orders: pd.DataFrame, order_items: pd.DataFrame | None = None) -> bool:
    """Whether products are known: a filled ``orders.product`` or a non-empty ``order_items``."""
    if order_items is not None and len(order_items) and "product" in order_items.columns:
        return bool(order_items["product"].notna().any())
    return "product" in orders.columns and bool(orders["product"].notna().any())


def order_products(orders: pd.DataFrame, order_items: pd.DataFrame | None = None) -> pd.Series:
    """The product of each order: ``orders.product`` or the main item of ``order_items``.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``order_id`` and optionally ``product``.
    order_items : pandas.DataFrame, optional
        ``order_id``, ``product``, optionally ``quantity`` and ``price``.

    Returns
    -------
    pandas.Series
        string dtype, aligned with ``orders`` (same index); ``<NA>`` where
        unknown.
    """
    if "product" in orders.columns:
        product = orders["product"].astype("string")
    else:
        product = pd.Series(pd.NA, index=orders.index, dtype="string")
    if order_items is None or not len(order_items):
        return product
    items = order_items[order_items["product"].notna()]
    quantity = items["quantity"].astype("float64").fillna(1.0) if "quantity" in items else 1.0
    price = items["price"].astype("float64").fillna(0.0) if "price" in items else 0.0
    lines = pd.DataFrame(
        {
            "order_id": items["order_id"].to_numpy(),
            "product": items["product"].astype(str).to_numpy(),
            "line": np.asarray(price * quantity, dtype="float64") * np.ones(len(items)),
        }
    )
    main = lines.sort_values(["order_id", "line", "product"], ascending=[True, False, True], kind="stable")
    main = main.drop_duplicates("order_id").set_index("order_id")["product"]
    from_items = orders["order_id"].map(main).astype("string")
    return from_items.fillna(product)


def first_two_orders(orders: pd.DataFrame, as_of, order_items: pd.DataFrame | None = None) -> pd.DataFrame:
    """The first and second order of each buying customer.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``order_id``, ``customer_id``, ``order_date`` and products
        (:func:`order_products`); orders after ``as_of`` are not counted.
    as_of : str or datetime-like
        Reference date.
    order_items : pandas.DataFrame, optional
        Order lines (:func:`order_products`).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id``: ``first_product``, ``second_product``
        (Categoricals over the products; missing without a second order or
        product), ``days_to_second`` (NaN without a second order).
    """
    kept = (orders["order_date"] <= purchases.end_of_day(as_of)).to_numpy()
    columns = ["order_id", "customer_id", "order_date"] + (["product"] if "product" in orders.columns else [])
    kept_orders = purchases.keep_rows(orders[columns], kept)
    # products as integer codes: comparing and grouping codes is far cheaper than strings
    product_code, product_names = pd.factorize(order_products(kept_orders, order_items), use_na_sentinel=True)
    codes, ids = purchases.customer_codes(kept_orders["customer_id"].array)
    dates = kept_orders["order_date"].to_numpy()
    order = _date_then_order_id(codes, dates, kept_orders["order_id"].to_numpy(dtype=object))
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    ends = np.r_[starts[1:], len(order)]
    has_second = ends - starts >= 2
    first_row = order[starts]
    second_row = order[np.where(has_second, starts + 1, starts)]
    day = dates.astype("datetime64[D]").astype(np.int64)
    categories = pd.Index(product_names, dtype="string")
    return pd.DataFrame(
        {
            "first_product": pd.Categorical.from_codes(product_code[first_row], categories),
            "second_product": pd.Categorical.from_codes(np.where(has_second, product_code[second_row], -1), categories),
            "days_to_second": np.where(has_second, day[second_row] - day[first_row], np.nan),
        },
        index=pd.Index(ids[sorted_codes[starts]], name="customer_id"),
    )


def _date_then_order_id(codes: np.ndarray, dates: np.ndarray, order_ids: np.ndarray) -> np.ndarray:
    """Row order by customer code, date, then order id.

    Sorting millions of string order ids is slow and rarely needed: rows are
    sorted on the integers first, and only runs of one customer's orders at
    the same moment are re-sorted by order id.
    """
    order = np.lexsort((dates, codes))
    sorted_codes, sorted_dates = codes[order], dates[order]
    tied = (sorted_codes[1:] == sorted_codes[:-1]) & (sorted_dates[1:] == sorted_dates[:-1])
    if tied.any():
        in_run = np.r_[tied, False] | np.r_[False, tied]
        positions = np.flatnonzero(in_run)
        rows = order[positions]
        runs = pd.DataFrame({"code": codes[rows], "date": dates[rows], "order_id": order_ids[rows], "row": rows})
        # the positions of a run are contiguous and in (code, date) order, so the re-sorted rows fit back
        order[positions] = runs.sort_values(["code", "date", "order_id"], kind="stable")["row"].to_numpy()
    return order


def product_paths(firsts: pd.DataFrame) -> pd.DataFrame:
    """Customers per first → second product, with the share of the first product's buyers.

    Parameters
    ----------
    firsts : pandas.DataFrame
        :func:`first_two_orders` output.

    Returns
    -------
    pandas.DataFrame
        :data:`PATH_COLUMNS`, one row per observed pair; ``second_product``
        ``<NA>`` is the row of customers without a second order (its
        ``median_days`` is NaN).  ``share_of_first`` = customers / first
        product's buyers, so the shares of a first product sum to 1.  Sorted
        by the first product's buyers, then customers (descending), then names.
    """
    first, second, names = _codes(firsts)
    coded = pd.DataFrame({"first": first, "second": second, "days": firsts["days_to_second"].to_numpy()})
    table = coded.groupby(["first", "second"], sort=False).agg(
        customers=("days", "size"), median_days=("days", "median")
    )
    table = table.reset_index()
    buyers = table.groupby("first")["customers"].transform("sum")
    table.insert(3, "share_of_first", table["customers"] / buyers)
    table["first_product"] = _names(table["first"], names)
    table["second_product"] = _names(table["second"], names)
    table["_buyers"] = buyers
    table = table.sort_values(
        ["_buyers", "first_product", "customers", "second_product"],
        ascending=[False, True, False, True],
        kind="stable",
        na_position="last",
    )
    return table.reset_index(drop=True)[list(PATH_COLUMNS)]


def _codes(firsts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """First and second product as integer codes (-1 = missing) over one list of names."""
    both = pd.Categorical(firsts["first_product"])
    names = both.categories.union(pd.Categorical(firsts["second_product"]).categories)
    first = pd.Categorical(firsts["first_product"], categories=names).codes.astype(np.int64)
    second = pd.Categorical(firsts["second_product"], categories=names).codes.astype(np.int64)
    return first, second, pd.Index(names, dtype="string")


def _names(codes: pd.Series, names: pd.Index) -> pd.Series:
    values = np.asarray(codes, dtype=np.int64)
    return pd.Series(
        pd.array(np.where(values >= 0, names.to_numpy(dtype=object)[values], None), dtype="string"), index=codes.index
    )


def first_product_conversion(firsts: pd.DataFrame) -> pd.DataFrame:
    """F2 conversion and days to the second purchase by first product.

    Parameters
    ----------
    firsts : pandas.DataFrame
        :func:`first_two_orders` output.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``first_product`` (most buyers first): ``customers``,
        ``second_buyers``, ``f2_conversion`` (second buyers / customers),
        ``median_days`` to the second purchase, ``same_product_share``
        (second buyers who bought the same product again),
        ``top_second_product`` (the most common *other* second product - the
        product the first one leads to; ties to the name first in sort
        order; ``<NA>`` when all second buyers repeat the first) and
        ``top_second_share`` (its share of the second buyers).
    """
    first, second, names = _codes(firsts)
    days = firsts["days_to_second"].to_numpy(dtype="float64")
    repeat = second >= 0
    coded = pd.DataFrame({"first": first[repeat], "second": second[repeat], "days": days[repeat]})
    table = pd.DataFrame(
        {
            "customers": pd.Series(first).value_counts(sort=False),
            "second_buyers": coded.groupby("first").size(),
            "median_days": coded.groupby("first")["days"].median(),
        }
    )
    table["second_buyers"] = table["second_buyers"].fillna(0).astype(np.int64)
    table.insert(2, "f2_conversion", table["second_buyers"] / table["customers"])
    same = coded["first"] == coded["second"]
    other = coded[~same | (coded["first"] < 0)]
    pairs = other.groupby(["first", "second"]).size().rename("n").reset_index()
    pairs["name"] = _names(pairs["second"], names)
    pairs = pairs.sort_values(["first", "n", "name"], ascending=[True, False, True], kind="stable")
    top = pairs.drop_duplicates("first").set_index("first")
    buyers = table["second_buyers"].where(table["second_buyers"] > 0)
    same_n = same[coded["first"] >= 0].groupby(coded["first"]).sum().reindex(table.index)
    table["same_product_share"] = same_n / buyers
    table["top_second_product"] = top["name"].reindex(table.index)
    table["top_second_share"] = top["n"].reindex(table.index) / buyers
    table.index = pd.Index(_names(pd.Series(table.index), names).array, name="first_product")
    order = np.lexsort((np.arange(len(table)), -table["customers"].to_numpy()))
    return table.iloc[order]
