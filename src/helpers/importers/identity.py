"""Who placed each order: member ids, e-mail addresses, and keyed pseudonyms.

An order's customer is, in this order of preference:

1. its member id (EC-CUBE 会員ID);
2. the member of the customer export with the same e-mail address
   (Shopify and 楽天 orders carry no customer id);
3. a keyed pseudonym of the normalised e-mail address, ``G-...`` (a guest,
   or a 楽天 buyer: the same address is the same customer);
4. an id of its own, ``U-...`` (neither id nor e-mail: one order, one customer).

Customers that the orders name but the customer export lacks (guests,
withdrawn or deleted members, every 楽天 buyer) are derived from their first
order, personal columns included.  Personal data goes only to ``customers``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers import privacy
from helpers.importers import cells
from helpers.importers.mapping import CUSTOMER_ROLES

#: Columns of the customers table, in output order.
CUSTOMER_COLUMNS: tuple[str, ...] = (*CUSTOMER_ROLES, "identified_by")
#: How a customer was identified (``identified_by`` codes).
IDENTIFIED_BY: tuple[str, ...] = ("member_id", "email_member", "email", "order")


@dataclass(frozen=True)
class Identity:
    """The customer of every order, and the customers table.

    Attributes
    ----------
    customer_id : pandas.Series
        Per order (same index as the orders).
    identified_by : pandas.Series
        Per order, one of :data:`IDENTIFIED_BY`.
    customers : pandas.DataFrame
        Customer export rows first, then derived customers, columns from
        :data:`CUSTOMER_COLUMNS` that have values.
    derived : int
        Customers made from orders.
    """

    customer_id: pd.Series
    identified_by: pd.Series
    customers: pd.DataFrame
    derived: int


def identify(orders: pd.DataFrame, members: pd.DataFrame | None, key: bytes) -> Identity:
    """Give every order a customer and build the customers table.

    Parameters
    ----------
    orders : pandas.DataFrame
        From :func:`helpers.importers.orders.build_orders`: ``order_id``,
        cleaned ``customer_id`` and ``email_key``, personal fields as written.
    members : pandas.DataFrame or None
        The customer export: cleaned ``customer_id``, ``email_key`` and the
        other customer columns, one row per customer.
    key : bytes
        Pseudonym secret (:func:`helpers.privacy.data_key`).

    Returns
    -------
    Identity
    """
    customer_id = orders["customer_id"].astype(object).copy()
    by = pd.Series(np.where(customer_id != "", "member_id", ""), index=orders.index, dtype=object)
    email = orders["email_key"].astype(object)
    if members is not None and len(members):
        known = members.loc[members["email_key"] != "", ["email_key", "customer_id"]].drop_duplicates("email_key")
        linked = email.map(known.set_index("email_key")["customer_id"])
        use = (by == "") & linked.notna()
        customer_id[use], by[use] = linked[use], "email_member"
    guest = (by == "") & (email != "")
    customer_id[guest] = privacy.pseudonymize(email[guest], key, prefix="G-")
    by[guest] = "email"
    alone = by == ""
    customer_id[alone] = privacy.pseudonymize(orders.loc[alone, "order_id"], key, prefix="U-")
    by[alone] = "order"

    first = orders.assign(customer_id=customer_id, identified_by=by).drop_duplicates("customer_id")
    if members is not None:
        first = first[~first["customer_id"].isin(members["customer_id"])]
    derived = first.reindex(columns=CUSTOMER_COLUMNS).astype(object).fillna("")
    if members is not None:
        own = members.reindex(columns=CUSTOMER_COLUMNS).astype(object).fillna("").assign(identified_by="member_id")
        customers = pd.concat([own, derived], ignore_index=True)
    else:
        customers = derived.reset_index(drop=True)
    filled = [c for c in CUSTOMER_COLUMNS if c == "customer_id" or (customers[c].astype(str) != "").any()]
    return Identity(customer_id, by, customers[filled], len(derived))


def member_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """Customer export rows with cleaned ``customer_id`` and ``email_key`` (text columns as written)."""
    out = rows.copy()
    out["customer_id"] = cells.clean(rows["customer_id"]).astype(object)
    out["email_key"] = cells.normalize_email(rows["email"]).astype(object) if "email" in rows else ""
    return out
