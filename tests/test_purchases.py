"""Per-customer purchase facts on a hand-computed case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from helpers import purchases, text_codes


@pytest.fixture
def orders():
    return pd.DataFrame(
        {
            "order_id": ["o1", "o2", "o3", "o4", "o5", "o6"],
            "customer_id": ["A", "A", "A", "B", "C", "C"],
            "order_date": pd.to_datetime(
                ["2024-01-01", "2024-01-04", "2024-12-31", "2024-06-01", "2024-03-01", "2026-01-05"]
            ),
            "amount": [1000.0, 2000.0, 4000.0, 500.0, 300.0, 999.0],
        }
    )


def test_order_sequence_numbers_and_gaps(orders):
    seq = purchases.order_sequence(orders.sample(frac=1, random_state=1))
    a = seq[seq.customer_id == "A"]
    assert a["order_number"].tolist() == [1, 2, 3]
    assert a["days_since_previous"].iloc[1:].tolist() == [3, 362]
    assert np.isnan(a["days_since_previous"].iloc[0])
    assert a["days_since_first"].tolist() == [0, 3, 365]


def test_customer_purchases_hand_computed(orders):
    result = purchases.customer_purchases(orders, as_of="2025-12-31")
    a = result.loc["A"]
    assert (a.n_orders, a.revenue, a.aov, bool(a.is_repeat)) == (3, 7000.0, 7000.0 / 3, True)
    # 2024-12-31 is day 365 after 2024-01-01 (leap year): outside the 365-day window
    assert a.first_year_value == 3000.0
    assert a.tenure_days == (pd.Timestamp("2025-12-31") - pd.Timestamp("2024-01-01")).days
    # C's 2026 order is after as_of and not counted
    assert result.loc["C", "n_orders"] == 1 and result.loc["C", "revenue"] == 300.0
    b = purchases.customer_purchases(orders, as_of="2025-05-31").loc["B"]
    assert b.tenure_days == 364 and not b.first_year_complete
    assert purchases.customer_purchases(orders, as_of="2025-06-01").loc["B", "first_year_complete"]


def test_repeat_funnel(orders):
    funnel = purchases.nth_purchase_conversion(orders, max_n=4)
    assert funnel["customers"].tolist() == [3, 2, 1, 0]
    assert np.isnan(funnel.loc[1, "conversion"])
    assert funnel.loc[2, "conversion"] == pytest.approx(2 / 3)
    assert funnel.loc[3, "conversion"] == pytest.approx(1 / 2)
    assert funnel.loc[4, "conversion"] == 0.0


@pytest.mark.parametrize("sort", [False, True])
def test_customer_codes_on_a_large_log_equal_pandas_factorize(sort):
    """Above 100,000 rows ids are grouped by object identity first; codes must equal pd.factorize."""
    rng = np.random.default_rng(3)
    ids = np.array([f"C{i:05d}" for i in rng.permutation(3_000)], dtype=object)[rng.integers(0, 3_000, 120_000)]
    ids[::7] = np.array(["".join(s) for s in ids[::7]], dtype=object)  # equal values, distinct objects
    codes, uniques = purchases.customer_codes(ids, sort=sort)
    expected_codes, expected_uniques = pd.factorize(ids, sort=sort)
    np.testing.assert_array_equal(codes, expected_codes)
    assert list(uniques) == list(expected_uniques)
    assert (list(uniques) == sorted(uniques)) == sort


def test_customer_purchases_on_a_large_log_against_groupby():
    rng = np.random.default_rng(4)
    n = 120_000
    ids = np.array([f"C{i:05d}" for i in range(5_000)], dtype=object)[rng.integers(0, 5_000, n)]
    orders = pd.DataFrame(
        {
            "customer_id": pd.array(ids, dtype="str"),
            "order_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D"),
            "amount": rng.integers(100, 10_000, n).astype(float),
        }
    )
    as_of = "2025-12-31"
    result = purchases.customer_purchases(orders, as_of)
    kept = orders[orders["order_date"] <= as_of]
    grouped = kept.groupby("customer_id")
    assert result.index.tolist() == sorted(kept["customer_id"].unique())
    np.testing.assert_array_equal(result["n_orders"], grouped.size())
    np.testing.assert_array_equal(result["revenue"], grouped["amount"].sum())
    np.testing.assert_array_equal(result["first_order"], grouped["order_date"].min())
    np.testing.assert_array_equal(result["last_order"], grouped["order_date"].max())
    first = kept["customer_id"].map(grouped["order_date"].min())
    in_year = kept[(kept["order_date"] - first).dt.days < purchases.FIRST_YEAR_DAYS]
    np.testing.assert_array_equal(result["first_year_value"], in_year.groupby("customer_id")["amount"].sum())
    unsorted = purchases.customer_purchases(orders, as_of, sort=False)
    assert unsorted.index.tolist() == list(pd.unique(kept["customer_id"]))
    pd.testing.assert_frame_equal(unsorted.loc[result.index], result)
    funnel = purchases.nth_purchase_conversion(orders, max_n=40)
    np.testing.assert_array_equal(
        funnel["customers"], [(orders.groupby("customer_id").size() >= k).sum() for k in range(1, 41)]
    )


def _ids(values) -> pd.Series:
    return pd.Series(values, dtype="string[pyarrow]")


@pytest.mark.parametrize("arrow", [True, False])
def test_id_lookups_equal_pandas(arrow):
    rng = np.random.default_rng(7)
    pool = np.array([f"C{i:06d}" for i in range(500)], dtype=object)
    values = pool[rng.integers(0, 500, 3000)]
    values[::97] = None  # missing ids are never found
    index = pool[rng.permutation(500)[:300]]
    left = _ids(values) if arrow else pd.Series(values, dtype=object)
    right = pd.Index(_ids(index)) if arrow else pd.Index(index, dtype=object)
    expected_in = pd.Index(values, dtype=object).isin(index) & pd.notna(values)
    np.testing.assert_array_equal(purchases.id_isin(left, right), expected_in)
    expected_at = pd.Index(index, dtype=object).get_indexer(pd.Index(values, dtype=object))
    np.testing.assert_array_equal(purchases.id_positions(right, left), expected_at)


def test_id_lookups_in_a_list_of_names_equal_pandas():
    names = ["お届け", "同梱物", "問い合わせ"]  # a plain list: numpy makes it a fixed-width text array
    values = _ids(["同梱物", "サイト", None, "お届け", "同梱物"])
    expected = pd.Index(names, dtype=object).get_indexer(pd.Index(values.to_numpy(dtype=object), dtype=object))
    np.testing.assert_array_equal(purchases.id_positions(names, values), expected)
    np.testing.assert_array_equal(expected, [1, -1, -1, 0, 1])
    np.testing.assert_array_equal(purchases.id_isin(values, names), [True, False, False, True, True])
    np.testing.assert_array_equal(purchases.id_isin(values, np.array(names)), [True, False, False, True, True])


def test_id_lookups_in_a_list_of_mixed_values_equal_pandas():
    # numpy would make text of such a list: "1002" and "nan" would then be found
    values = _ids(["C1", "1002", None, "nan"])
    for mixed in (["C1", 1002], ["C1", float("nan")]):
        as_objects = pd.Index(values.to_numpy(dtype=object), dtype=object)
        np.testing.assert_array_equal(purchases.id_isin(values, mixed), as_objects.isin(mixed))
        np.testing.assert_array_equal(
            purchases.id_positions(mixed, values), pd.Index(mixed, dtype=object).get_indexer(as_objects)
        )


def test_id_lookups_on_numbers_go_to_pandas():
    np.testing.assert_array_equal(purchases.id_isin(np.array([1, 2, 3]), [3, 1]), [True, False, True])
    np.testing.assert_array_equal(purchases.id_positions([3, 1], np.array([1, 2, 3])), [1, -1, 0])


def test_text_arrays_keep_values_and_missing():
    uniques = np.array(["定期便", "単品", "(none)"], dtype=object)
    codes = np.array([2, 0, 0, 1, 2])
    taken = purchases.take_text(uniques, codes)
    assert str(taken.dtype) == "str"
    assert list(taken) == ["(none)", "定期便", "定期便", "単品", "(none)"]
    made = purchases.text_array(np.array(["a", None, "b"], dtype=object))
    assert str(made.dtype) == "str" and made[0] == "a" and pd.isna(made[1]) and made[2] == "b"


def test_arrow_codes_are_kept_per_array_and_callers_get_copies():
    ids = _ids(["b", "a", "b", None, "c"])
    first, uniques = purchases.customer_codes(ids)
    np.testing.assert_array_equal(first, [0, 1, 0, -1, 2])
    first[:] = 99  # a caller writing into its codes does not change the next caller's
    again, _ = purchases.customer_codes(ids)
    np.testing.assert_array_equal(again, [0, 1, 0, -1, 2])
    key = id(ids.array.__arrow_array__())
    assert key in text_codes._ENCODED
    del ids, first, again
    import gc

    gc.collect()
    assert key not in text_codes._ENCODED  # the entry leaves with the array


def test_up_to_keeps_the_whole_as_of_day_and_undated_rows():
    answers = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "response_date": pd.to_datetime(["2025-12-31 23:59", "2026-01-01 00:00", None, "2025-06-01 00:00"]),
        }
    )
    kept = purchases.up_to(answers, "2025-12-31", "response_date")
    assert list(kept["customer_id"]) == ["a", "c", "d"]
    assert purchases.up_to(answers, "2026-01-01", "response_date")["customer_id"].tolist() == ["a", "b", "c", "d"]
    assert purchases.up_to(answers, "2025-12-31", "order_date") is answers  # no such column: as it is


def test_codes_given_ahead_fall_back_to_hashing_when_unreadable_or_wrong():
    for reader in (
        lambda: (_ for _ in ()).throw(FileNotFoundError("entry removed")),  # the cache entry is gone
        lambda: (np.array([0, 0]), pa.array(["x"])),  # codes of another column
    ):
        ids = _ids(["b", "a", "b", None, "c"])
        text_codes.remember(ids, reader)
        codes, uniques = purchases.customer_codes(ids)
        np.testing.assert_array_equal(codes, [0, 1, 0, -1, 2])
        assert list(uniques) == ["b", "a", "c"]
