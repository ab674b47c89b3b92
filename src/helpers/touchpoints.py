"""Customer touchpoints: the journey worksheet's steps and the data behind them.

The journey worksheet lists, per persona and scenario, every step of the
customer's journey: its stage, the touchpoint, the channel, what the customer
does (action) and thinks (thought).  The data show touchpoints too: orders by
channel and product, survey answers by source and month, the touchpoints
customers rated.  This module lays both out and matches them, so that a
worksheet touchpoint without data behind it (or the reverse) stands out.

Touchpoint and channel names are matched after Unicode NFKC normalisation,
trimming and collapsing of white space (full-width and half-width spellings
match); otherwise they must be spelled the same.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

from helpers import purchases
from helpers.labels import CHANNELS, JOURNEY_STAGES, SCENARIOS

#: Shown where the worksheet leaves a channel (or another text cell) empty.
MISSING_TEXT = "-"

#: Coverage status of a touchpoint or channel, in display order.
COVERAGE_STATUSES: tuple[str, ...] = ("both", "worksheet_only", "data_only")

_JOURNEY_KEYS = ["persona", "scenario", "step"]


def normalize_names(names: pd.Series) -> pd.Series:
    """Names as matched: NFKC, trimmed, inner white space collapsed to one space.

    Each distinct value is normalised once, so long columns are cheap.

    Parameters
    ----------
    names : pandas.Series
        Touchpoint or channel names; missing values stay missing.

    Returns
    -------
    pandas.Series
        Object dtype, same index.
    """
    return _normalized_with_spelling(names)[0]


def _normalize(text) -> str:
    return " ".join(unicodedata.normalize("NFKC", str(text)).split())


def _normalized_with_spelling(names: pd.Series) -> tuple[pd.Series, dict[str, str]]:
    """Normalised names and, per normalised name, its first spelling in ``names``."""
    codes, uniques = pd.factorize(names, use_na_sentinel=True)
    keys = [_normalize(u) for u in uniques]
    spelling: dict[str, str] = {}
    for key, original in zip(keys, uniques, strict=False):
        spelling.setdefault(key, str(original))
    normalised = np.array(keys + [None], dtype=object)
    return pd.Series(normalised[codes], index=names.index, dtype=object), spelling


def stage_order(stages) -> list[str]:
    """Journey stages in time order.

    The standard stages of :data:`helpers.labels.JOURNEY_STAGES` come first in
    their order; any other stage follows in order of first appearance.

    Parameters
    ----------
    stages : iterable of str
        Stage names as they appear (in step order), repeats allowed.

    Returns
    -------
    list of str
        Distinct stages.
    """
    seen = list(dict.fromkeys(s for s in stages if isinstance(s, str) and s))
    standard = [s for s in JOURNEY_STAGES if s in seen]
    return standard + [s for s in seen if s not in JOURNEY_STAGES]


def channel_order(channels) -> list[str]:
    """Channels in display order: the standard :data:`helpers.labels.CHANNELS`
    first, then others by first appearance, :data:`MISSING_TEXT` last."""
    seen = list(dict.fromkeys(c for c in channels if isinstance(c, str) and c))
    standard = [c for c in CHANNELS if c in seen]
    others = [c for c in seen if c not in CHANNELS and c != MISSING_TEXT]
    return standard + others + ([MISSING_TEXT] if MISSING_TEXT in seen else [])


def journey_steps(journey: pd.DataFrame, scenario: str | None = None) -> pd.DataFrame:
    """The worksheet's steps in time order, per persona and scenario.

    Parameters
    ----------
    journey : pandas.DataFrame
        The ``journey`` table (persona, scenario, step, stage, touchpoint,
        emotion; optional channel, action, thought, expectation, evaluation,
        improvement).
    scenario : {"as_is", "to_be"} or None
        Keep one scenario; ``None`` keeps both.

    Returns
    -------
    pandas.DataFrame
        Sorted by persona (in order of first appearance in the worksheet),
        scenario (as-is first) and step; ``persona`` is an ordered
        Categorical.  Every optional column is present (missing when the
        worksheet lacks it); ``channel`` is :data:`MISSING_TEXT` when empty.
        ``position`` numbers the steps of each curve 0, 1, 2, ...

    Raises
    ------
    ValueError
        When a persona and scenario hold the same step number twice (the
        curve would be ambiguous; the message names them), or for an unknown
        ``scenario``.
    """
    if scenario is not None and scenario not in SCENARIOS:
        raise ValueError(
            f"シナリオは {' / '.join(SCENARIOS)} のどれかです / scenario must be one of {SCENARIOS}, got {scenario!r}"
        )
    steps = journey.copy()
    for column in ("channel", "action", "thought", "improvement"):
        if column not in steps.columns:
            steps[column] = pd.Series(pd.NA, index=steps.index, dtype="string")
    for column in ("expectation", "evaluation"):
        if column not in steps.columns:
            steps[column] = pd.Series(pd.NA, index=steps.index, dtype="Int64")
    steps["channel"] = steps["channel"].astype("string").fillna(MISSING_TEXT).replace("", MISSING_TEXT)
    personas = list(dict.fromkeys(steps["persona"].astype(str)))
    steps["persona"] = pd.Categorical(steps["persona"].astype(str), categories=personas, ordered=True)
    steps["scenario"] = steps["scenario"].astype(str)
    duplicated = steps.duplicated(_JOURNEY_KEYS, keep=False)
    if duplicated.any():
        pairs = steps.loc[duplicated, _JOURNEY_KEYS].drop_duplicates().astype(str)
        listing = ", ".join(f"{p} / {s} / {n}" for p, s, n in pairs.itertuples(index=False))
        raise ValueError(
            "ジャーニーで同じペルソナ・シナリオに同じステップ番号が2回以上あります / "
            f"the journey repeats a step number within a persona and scenario: {listing}"
        )
    if scenario is not None:
        steps = steps[steps["scenario"] == scenario]
    scenario_rank = steps["scenario"].map({"as_is": 0, "to_be": 1}).fillna(2)
    steps = (
        steps.assign(_scenario_rank=scenario_rank)
        .sort_values(["persona", "_scenario_rank", "step"], kind="stable")
        .drop(columns="_scenario_rank")
        .reset_index(drop=True)
    )
    steps["position"] = steps.groupby(["persona", "scenario"], observed=True, sort=False).cumcount()
    return steps


def persona_names(steps: pd.DataFrame) -> list[str]:
    """Personas present in :func:`journey_steps` output, in worksheet order."""
    present = set(steps["persona"].astype(str))
    return [str(p) for p in steps["persona"].cat.categories if str(p) in present]


def curve_keys(steps: pd.DataFrame) -> list[tuple[str, str]]:
    """(persona, scenario) of every curve in :func:`journey_steps` output, in its order."""
    pairs = steps[["persona", "scenario"]].astype(str).drop_duplicates()
    return list(pairs.itertuples(index=False, name=None))


def journey_order(journey: pd.DataFrame) -> list[str]:
    """Touchpoints of the worksheet in journey order.

    A touchpoint's place is its earliest stage (in :func:`stage_order`),
    then the mean of its step numbers over all personas and scenarios, then
    its first appearance.

    Parameters
    ----------
    journey : pandas.DataFrame
        The ``journey`` table.

    Returns
    -------
    list of str
        Distinct touchpoint names as written in the worksheet (first spelling).
    """
    if journey is None or journey.empty:
        return []
    steps = journey_steps(journey)
    stages = stage_order(steps["stage"])
    frame = pd.DataFrame(
        {
            "touchpoint": steps["touchpoint"].astype(str),
            "key": normalize_names(steps["touchpoint"]),
            "stage_rank": steps["stage"].map({s: i for i, s in enumerate(stages)}),
            "step": steps["step"].astype(float),
            "appearance": np.arange(len(steps)),
        }
    )
    grouped = frame.groupby("key", sort=False)
    keys = pd.DataFrame(
        {
            "touchpoint": grouped["touchpoint"].first(),
            "stage_rank": grouped["stage_rank"].min(),
            "mean_step": grouped["step"].mean(),
            "appearance": grouped["appearance"].min(),
        }
    ).sort_values(["stage_rank", "mean_step", "appearance"], kind="stable")
    return keys["touchpoint"].tolist()


def order_touchpoints(names: pd.Series, journey: pd.DataFrame | None) -> list[str]:
    """Distinct names in journey order, then those not in the worksheet by first appearance.

    Parameters
    ----------
    names : pandas.Series
        Touchpoint names from the data (e.g. ``touchpoint_ratings.touchpoint``).
    journey : pandas.DataFrame or None
        The worksheet; ``None`` keeps the order of first appearance.

    Returns
    -------
    list of str
        The distinct values of ``names`` (their spelling in the data).
    """
    present = pd.Series(pd.unique(names.dropna().astype(str)), dtype=object)
    keys = normalize_names(present)
    ordered_keys = [] if journey is None else list(normalize_names(pd.Series(journey_order(journey), dtype=object)))
    rank = {k: i for i, k in enumerate(ordered_keys)}
    position = keys.map(rank).fillna(len(rank)).to_numpy() * (len(present) + 1) + np.arange(len(present))
    return present.iloc[np.argsort(position, kind="stable")].tolist()


def swimlane(journey: pd.DataFrame, persona: str, scenario: str = "as_is") -> pd.DataFrame:
    """A persona's touchpoints laid out by stage (columns) and channel (rows).

    Parameters
    ----------
    journey : pandas.DataFrame
        The ``journey`` table.
    persona : str
        Persona name as in the worksheet.
    scenario : {"as_is", "to_be"}
        Scenario.

    Returns
    -------
    pandas.DataFrame
        Index: channels (:func:`channel_order`); columns: stages
        (:func:`stage_order`); cells: ``"<step>. <touchpoint>"`` of the steps
        in that stage and channel, one per line in step order, ``""`` when none.

    Raises
    ------
    ValueError
        When the persona has no step in that scenario.
    """
    steps = journey_steps(journey, scenario)
    steps = steps[steps["persona"].astype(str) == persona]
    if steps.empty:
        raise ValueError(
            f"ペルソナ「{persona}」の {scenario} のステップがありません / "
            f"no {scenario} steps for persona {persona!r}"
        )
    cell = steps["step"].astype(str) + ". " + steps["touchpoint"].astype(str)
    lanes = (
        pd.DataFrame({"channel": steps["channel"].astype(str), "stage": steps["stage"].astype(str), "cell": cell})
        .groupby(["channel", "stage"], sort=False)["cell"]
        .agg("\n".join)
        .unstack("stage")
    )
    lanes = lanes.reindex(index=channel_order(steps["channel"]), columns=stage_order(steps["stage"]))
    lanes.index.name, lanes.columns.name = "channel", "stage"
    return lanes.fillna("").astype(object)


# ---------------------------------------------------------------------------
# Touchpoints in the data
# ---------------------------------------------------------------------------
def order_mix(orders: pd.DataFrame, by: str = "channel") -> pd.DataFrame:
    """Orders, customers and revenue per value of an order column.

    Parameters
    ----------
    orders : pandas.DataFrame
        ``customer_id``, ``amount`` and the column ``by``.
    by : str
        ``"channel"`` or ``"product"`` (any column of the orders).

    Returns
    -------
    pandas.DataFrame
        Indexed by the values of ``by`` (missing ones as :data:`MISSING_TEXT`),
        most orders first (ties by name), with ``orders``, ``customers``,
        ``revenue`` and ``share`` (of all orders).

    Raises
    ------
    ValueError
        When the orders have no column ``by``.
    """
    if by not in orders.columns:
        raise ValueError(f"注文データに列 {by} がありません / the orders have no column {by!r}")
    # integer codes: grouping millions of strings directly is several times slower
    column = orders[by]
    if isinstance(column.array, pd.arrays.ArrowStringArray):  # text as loaded: Arrow's hash, no Python strings
        key_codes, key_values = purchases.customer_codes(column.fillna(MISSING_TEXT).array)
    else:
        key_codes, key_values = pd.factorize(column.astype(object).where(column.notna(), MISSING_TEXT).to_numpy())
    customer_codes, customer_ids = purchases.customer_codes(orders["customer_id"].array)
    k, n_customers = len(key_values), max(len(customer_ids), 1)
    pairs = pd.unique(key_codes.astype(np.int64) * n_customers + customer_codes)  # hashing beats sorting here
    mix = pd.DataFrame(
        {
            "orders": np.bincount(key_codes, minlength=k),
            "customers": np.bincount(pairs // n_customers, minlength=k),
            "revenue": np.bincount(key_codes, weights=orders["amount"].to_numpy(dtype=float), minlength=k),
        },
        index=pd.Index(np.asarray(key_values, dtype=object), name=by),
    ).sort_index()
    mix["share"] = mix["orders"] / max(len(orders), 1)
    return mix.sort_values("orders", ascending=False, kind="stable")


def product_mix(order_items: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """Orders, customers and item revenue per product, from the order lines.

    Parameters
    ----------
    order_items : pandas.DataFrame
        ``order_id``, ``product`` and, when known, ``quantity`` and ``price``
        (unit price; item revenue is ``price * quantity``, quantity 1 when blank).
    orders : pandas.DataFrame
        ``order_id`` and ``customer_id``; items of other orders are left out.

    Returns
    -------
    pandas.DataFrame
        As :func:`order_mix` by ``"product"``: ``orders`` (orders holding the
        product), ``customers``, ``revenue`` (NaN-free; 0 where no price) and
        ``share`` (of all orders).
    """
    quantity = order_items["quantity"] if "quantity" in order_items else pd.Series(1, index=order_items.index)
    price = order_items["price"] if "price" in order_items else pd.Series(0.0, index=order_items.index)
    lines = pd.DataFrame(
        {
            "order_id": order_items["order_id"].astype(str),
            "product": order_items["product"],
            "amount": price.astype(float).fillna(0.0) * quantity.astype(float).fillna(1.0),
        }
    )
    per_order = lines.groupby(["order_id", "product"], sort=False, as_index=False)["amount"].sum()
    per_order = per_order.merge(
        orders[["order_id", "customer_id"]].astype({"order_id": str}), on="order_id", how="inner"
    )
    mix = order_mix(per_order, "product")
    mix["share"] = mix["orders"] / max(len(orders), 1)
    return mix

def survey_responses(
    nps: pd.DataFrame | None = None, fan_survey: pd.DataFrame | None = None, freq: str = "M"
) -> pd.DataFrame:
    """Survey answers per month, by survey and source.

    Parameters
    ----------
    nps : pandas.DataFrame, optional
        NPS answers (``response_date``; ``source`` when known).
    fan_survey : pandas.DataFrame, optional
        Fan-survey answers (``response_date``).
    freq : str
        Period of the rows (``"M"`` month, ``"Q"`` quarter).

    Returns
    -------
    pandas.DataFrame
        Index: period start dates (every period from the first to the last
        answer); columns: ``"nps:<source>"`` per NPS source (``"nps:-"``
        without a source) and ``"fan_survey"``; cells: answer counts.
    """
    parts = []
    if nps is not None and len(nps):
        source = nps["source"].astype("string").fillna(MISSING_TEXT) if "source" in nps.columns else MISSING_TEXT
        column = "nps:" + pd.Series(source, index=nps.index).astype(str)
        parts.append(pd.DataFrame({"date": nps["response_date"], "column": column}))
    if fan_survey is not None and len(fan_survey):
        parts.append(pd.DataFrame({"date": fan_survey["response_date"], "column": "fan_survey"}))
    if not parts:
        return pd.DataFrame(index=pd.DatetimeIndex([], name="period"))
    answers = pd.concat(parts, ignore_index=True).dropna(subset=["date"])
    period = answers["date"].dt.to_period(freq)
    counts = answers.groupby([period.rename("period"), "column"]).size().unstack("column", fill_value=0)
    periods = pd.period_range(period.min(), period.max(), freq=freq)
    counts = counts.reindex(periods, fill_value=0)
    counts.index = counts.index.to_timestamp()
    counts.index.name = "period"
    nps_columns = sorted(c for c in counts.columns if c.startswith("nps:"))
    return counts[nps_columns + [c for c in counts.columns if c == "fan_survey"]].astype(np.int64)


def survey_totals(responses: pd.DataFrame) -> pd.DataFrame:
    """Totals of :func:`survey_responses` per column.

    Returns
    -------
    pandas.DataFrame
        Indexed like the columns of ``responses``, with ``survey``
        (``"nps"``/``"fan_survey"``), ``source`` and ``responses``.
    """
    columns = pd.Index(responses.columns, dtype=object)
    return pd.DataFrame(
        {
            "survey": np.where(columns.str.startswith("nps:"), "nps", "fan_survey"),
            "source": [c.split(":", 1)[1] if c.startswith("nps:") else MISSING_TEXT for c in columns],
            "responses": responses.sum().to_numpy(dtype=np.int64),
        },
        index=columns,
    )


def _latest_rows(cell: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """Row of the latest date in each cell, the last such row on a tie; in row order.

    Cells are few per row (customers x touchpoints): a maximum per cell in
    one pass is many times faster than sorting millions of answers.
    """
    if len(cell) == 0:
        return np.zeros(0, dtype=np.int64)
    n_cells = int(cell.max()) + 1
    if n_cells > 8 * len(cell):  # sparse cells: sort instead of one slot per cell
        order = np.argsort(dates, kind="stable")
        _, last_in_reversed = np.unique(cell[order][::-1], return_index=True)
        return np.sort(order[::-1][last_in_reversed])
    newest = np.full(n_cells, np.iinfo(np.int64).min)
    np.maximum.at(newest, cell, dates)
    candidates = np.flatnonzero(dates == newest[cell])
    last = np.full(n_cells, -1, dtype=np.int64)
    np.maximum.at(last, cell[candidates], candidates)
    chosen = np.zeros(len(cell), dtype=bool)
    chosen[last[last >= 0]] = True
    return np.flatnonzero(chosen)


def latest_ratings(ratings: pd.DataFrame) -> pd.DataFrame:
    """One rating per customer and touchpoint: the latest.

    "Latest" is by ``response_date`` when present (ties and missing dates by
    row order); without dates, the last row.  Touchpoint names are
    normalised (:func:`normalize_names`) so spellings of one touchpoint count
    together; the first spelling is kept for display.

    Parameters
    ----------
    ratings : pandas.DataFrame
        ``touchpoint_ratings``: customer_id, touchpoint, rating.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``touchpoint`` (display spelling), ``key``
        (normalised name), ``rating`` (float).
    """
    ratings = purchases.keep_rows(ratings, ratings["touchpoint"].notna())
    codes, uniques = purchases.customer_codes(ratings["touchpoint"].array)  # any text column: Arrow's hash
    unique_keys, keys = pd.factorize(np.array([_normalize(u) for u in uniques], dtype=object))
    key_code = unique_keys[codes]
    # display spelling of a key: its first spelling in the data
    spelling = np.asarray(uniques, dtype=object)[np.unique(unique_keys, return_index=True)[1]]
    # one cell per (customer, touchpoint) on integer codes: fast for millions of answers
    customer_code, _ = purchases.customer_codes(ratings["customer_id"].array)
    cell = customer_code * max(len(keys), 1) + key_code
    # as integers NaT is the smallest value: undated answers count as the oldest
    dates = (
        ratings["response_date"].to_numpy(dtype="datetime64[ns]").view(np.int64)
        if "response_date" in ratings.columns
        else np.zeros(len(cell), dtype=np.int64)
    )
    latest = _latest_rows(cell, dates)
    latest_key = key_code[latest]
    return pd.DataFrame(
        {
            "customer_id": purchases.text_array(ratings["customer_id"].array.take(latest)),
            "touchpoint": purchases.take_text(spelling, latest_key),
            "key": purchases.take_text(keys, latest_key),
            "rating": ratings["rating"].astype("float64").to_numpy()[latest],
        }
    )


def rating_counts(ratings: pd.DataFrame, journey: pd.DataFrame | None = None) -> pd.DataFrame:
    """How many customers rated each touchpoint, and their mean rating.

    Parameters
    ----------
    ratings : pandas.DataFrame
        ``touchpoint_ratings``.
    journey : pandas.DataFrame, optional
        The worksheet, for the journey order of the rows.

    Returns
    -------
    pandas.DataFrame
        Indexed by touchpoint (journey order, then others), with
        ``customers`` (distinct raters), ``ratings`` (answer rows),
        ``mean_rating`` (of each customer's latest rating).
    """
    latest = latest_ratings(ratings)
    rows = normalize_names(ratings["touchpoint"]).value_counts()
    grouped = latest.groupby("key", sort=False)
    counts = pd.DataFrame(
        {
            "touchpoint": grouped["touchpoint"].first(),
            "customers": grouped.size(),
            "ratings": rows,
            "mean_rating": grouped["rating"].mean(),
        }
    )
    order = order_touchpoints(counts["touchpoint"], journey)
    counts = counts.set_index("touchpoint").loc[order]
    counts.index.name = "touchpoint"
    counts["ratings"] = counts["ratings"].astype(np.int64)
    return counts


def touchpoint_coverage(
    journey: pd.DataFrame | None,
    ratings: pd.DataFrame | None = None,
    orders: pd.DataFrame | None = None,
    nps: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The worksheet's touchpoints and channels next to the data behind them.

    Two levels are matched by name (:func:`normalize_names`):

    * ``touchpoint``: worksheet touchpoints against the rated touchpoints of
      ``touchpoint_ratings``;
    * ``channel``: worksheet channels against order channels
      (``orders.channel``) and NPS survey sources (``nps.source``).

    Parameters
    ----------
    journey : pandas.DataFrame or None
        The worksheet (``None``: everything in the data is ``data_only``).
    ratings, orders, nps : pandas.DataFrame, optional
        Data tables; absent ones contribute nothing.

    Returns
    -------
    pandas.DataFrame
        One row per distinct name and level: ``level``, ``name``,
        ``worksheet_steps`` (rows of the worksheet, all personas and
        scenarios), ``personas``, ``rated_customers``, ``orders``,
        ``survey_responses`` and ``status`` (``"both"``, ``"worksheet_only"``,
        ``"data_only"``).  Sorted by status, level, then journey / display
        order.
    """
    sheet = []
    if journey is not None and len(journey):
        steps = journey_steps(journey)
        for level in ("touchpoint", "channel"):
            values = steps[level].astype(str)
            frame = pd.DataFrame(
                {"name": values, "key": normalize_names(values), "persona": steps["persona"].astype(str)}
            )
            if level == "channel":
                frame = frame[frame["name"] != MISSING_TEXT]
            grouped = frame.groupby("key", sort=False)
            sheet.append(
                pd.DataFrame(
                    {
                        "level": level,
                        "name": grouped["name"].first(),
                        "worksheet_steps": grouped.size(),
                        "personas": grouped["persona"].nunique(),
                    }
                )
            )
    data = []
    if ratings is not None and len(ratings):
        latest = latest_ratings(ratings)
        grouped = latest.groupby("key", sort=False)
        rated = {"level": "touchpoint", "name": grouped["touchpoint"].first(), "rated_customers": grouped.size()}
        data.append(pd.DataFrame(rated))
    if orders is not None and len(orders) and "channel" in orders.columns:
        channel = orders["channel"].dropna().astype(str)
        counts = channel.groupby(normalize_names(channel).to_numpy(), sort=False).agg(["first", "size"])
        data.append(pd.DataFrame({"level": "channel", "name": counts["first"], "orders": counts["size"]}))
    if nps is not None and len(nps) and "source" in nps.columns:
        source = nps["source"].dropna().astype(str)
        counts = source.groupby(normalize_names(source).to_numpy(), sort=False).agg(["first", "size"])
        data.append(pd.DataFrame({"level": "channel", "name": counts["first"], "survey_responses": counts["size"]}))

    def _combine(parts: list[pd.DataFrame]) -> pd.DataFrame:
        if not parts:
            empty = pd.MultiIndex.from_arrays([[], []], names=["level", "key"])
            return pd.DataFrame({"name": pd.Series([], dtype=object)}, index=empty)
        frame = pd.concat(parts)
        frame.index.name = "key"
        frame = frame.reset_index().set_index(["level", "key"])
        names = frame.groupby(level=[0, 1], sort=False)["name"].first()
        sums = frame.drop(columns="name").groupby(level=[0, 1], sort=False).sum(min_count=1)
        return sums.assign(name=names)

    worksheet, evidence = _combine(sheet), _combine(data)
    table = worksheet.join(evidence.rename(columns={"name": "name_data"}), how="outer")
    if "name_data" in table.columns:
        table["name"] = table["name"].fillna(table["name_data"]) if "name" in table.columns else table["name_data"]
        table = table.drop(columns="name_data")
    for column in ("worksheet_steps", "personas", "rated_customers", "orders", "survey_responses"):
        if column not in table.columns:
            table[column] = 0
        table[column] = table[column].fillna(0).astype(np.int64)
    in_sheet = table["worksheet_steps"] > 0
    in_data = table[["rated_customers", "orders", "survey_responses"]].sum(axis=1) > 0
    table["status"] = np.select([in_sheet & in_data, in_sheet], ["both", "worksheet_only"], default="data_only")
    table = table.reset_index()
    sheet_order = {} if journey is None or journey.empty else {
        k: i for i, k in enumerate(normalize_names(pd.Series(journey_order(journey), dtype=object)))
    }
    channel_rank = {c: i for i, c in enumerate(channel_order(table.loc[table["level"] == "channel", "name"]))}
    table["_status"] = table["status"].map({s: i for i, s in enumerate(COVERAGE_STATUSES)})
    table["_level"] = (table["level"] == "channel").astype(int)
    table["_order"] = np.where(
        table["level"] == "touchpoint",
        table["key"].map(sheet_order).fillna(len(sheet_order)).to_numpy(dtype=float),
        table["name"].map(channel_rank).fillna(len(channel_rank)).to_numpy(dtype=float),
    )
    table = table.sort_values(["_status", "_level", "_order", "name"], kind="stable")
    columns = [
        "level", "name", "worksheet_steps", "personas", "rated_customers", "orders", "survey_responses", "status",
    ]
    return table[columns].reset_index(drop=True)
