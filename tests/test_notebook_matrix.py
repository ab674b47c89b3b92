"""Every report notebook runs on every data variant that ``kando validate`` accepts.

A run passes when the executed notebook holds no error, and each section that
cannot be computed on the variant says so: the expected notes below are
built from numbers counted here with plain pandas, worded by
:func:`helpers.narrative.explain`.  A notebook whose declared required tables
are absent is not run: the run logic skips it, with the reason.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import variants

from helpers import io, notebook_tables
from helpers.narrative import explain
from helpers.role_models import CRITERIA, RoleModelCriteria
from helpers.tables.role_models import criterion_labels

pytest.importorskip("papermill")

NOTEBOOKS = sorted(p.stem for p in (io.PROJECT_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="session")
def variant_dirs(tmp_path_factory) -> dict[str, Path]:
    """All variants written once per test process."""
    root = tmp_path_factory.mktemp("variants")
    base = variants.base_tables()
    return {name: variants.write_variant(name, root / name, base) for name in variants.VARIANTS}


def _tables(data_dir: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_csv(p, dtype=str) for p in data_dir.glob("*.csv")}


def _ja(reason: str, **numbers) -> str:
    return explain(reason, **numbers)[0]


def expected_notes(variant: str, notebook: str, data_dir: Path) -> list[str]:
    """The notes a run must show: the sections the variant leaves out, with their numbers."""
    t = _tables(data_dir)
    orders = t["orders"]
    paid = orders[orders["amount"].astype(int) > 0]
    per_customer = paid.groupby("customer_id")["order_date"].nunique()
    buyers, repeaters = len(per_customer), int((per_customer > 1).sum())
    notes = []
    empty = [name for name, frame in t.items() if frame.empty and name in variants.OPTIONAL]
    if notebook in ("00_overview",):
        return notes
    notes += [_ja("empty_table", file=f"{name}.csv") for name in empty if name in _declared(notebook)]
    if notebook == "06_ltv":
        clv_what = ("予測CLV（BG/NBDモデル）と離脱予兆リスト", "")
        if variant == "free_samples":
            notes.append(_ja("free_orders_excluded", n=len(orders) - len(paid), share=1 - len(paid) / len(orders)))
        if buyers < 20:
            notes.append(_ja("too_few_customers", what=clv_what, n=buyers, minimum=20))
        elif repeaters < 5:
            notes.append(_ja("too_few_repeat_buyers", what=clv_what, n=repeaters, minimum=5))
        history = (pd.Timestamp(variants.AS_OF) - pd.to_datetime(orders["order_date"]).min()).days
        if history <= 182:
            notes.append(_ja("history_shorter_than_holdout", history_days=history, holdout_days=182))
    if notebook == "02_role_models":
        funnel = _role_model_funnel(t)
        if funnel[-1] == 0:
            step = next(i for i, n in enumerate(funnel) if n == 0)
            criterion = criterion_labels(RoleModelCriteria(), "ja")[("all", *CRITERIA)[step]]
            notes.append(_ja("no_role_models", n=funnel[0], criterion=(criterion, ""), before=funnel[step - 1]))
    rated = "touchpoint_ratings" in t and len(t["touchpoint_ratings"]) > 0
    if notebook == "09_voice_of_customer" and repeaters == 0 and rated:
        notes.append("F2転換（2回目購入）のキードライバーは計算できません")
    if notebook == "01_loyalty" and variant == "bare_columns":
        # no acquisition_channel or birth_date, no product or is_subscription: nothing to group by
        tried = ("初回購入商品・定期購入・年代", "")
        notes.append(_ja("no_grouping", column=("獲得チャネル", ""), tried=tried, fallback=""))
    return notes


def _role_model_funnel(t: dict[str, pd.DataFrame]) -> list[int]:
    """Customers left after each role-model criterion (the notebook's defaults), counted with plain pandas."""
    as_of = pd.Timestamp(variants.AS_OF)
    customers = t["customers"].set_index("customer_id")
    orders = t["orders"].assign(
        order_date=pd.to_datetime(t["orders"]["order_date"]), amount=t["orders"]["amount"].astype(int)
    )
    nps = t["nps"].assign(response_date=pd.to_datetime(t["nps"]["response_date"]), score=t["nps"]["score"].astype(int))
    latest = nps.sort_values("response_date", kind="stable").groupby("customer_id")["score"].last()
    first = orders.groupby("customer_id")["order_date"].min()
    in_first_year = orders["order_date"] - orders["customer_id"].map(first) < pd.Timedelta(days=365)
    first_year = orders[in_first_year].groupby("customer_id")["amount"].sum()
    ids = customers.index
    passes = [
        latest.reindex(ids).ge(9),
        (as_of - first.reindex(ids)).dt.days.ge(365),
        first_year.reindex(ids).fillna(0).ge(50_000),
        orders.groupby("customer_id").size().reindex(ids).fillna(0).ge(3),
        customers["birth_date"].notna() if "birth_date" in customers else pd.Series(False, index=ids),
    ]
    counts, alive = [len(ids)], pd.Series(True, index=ids)
    for passed in passes:
        alive &= passed.fillna(False).astype(bool).to_numpy()
        counts.append(int(alive.sum()))
    return counts


def _declared(notebook: str) -> tuple[str, ...]:
    return notebook_tables.read_needs(notebook).tables


@pytest.mark.notebook
@pytest.mark.parametrize("variant", list(variants.VARIANTS))
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_runs_on_variant(notebook, variant, variant_dirs, tmp_path, project_root, run_notebook, outputs_of):
    data_dir = variant_dirs[variant]
    present = notebook_tables.present_tables(io.validate_data_dir(data_dir, as_of=variants.AS_OF))
    (supported,) = notebook_tables.support([notebook_tables.read_needs(notebook)], present)
    if not supported.supported:
        # the run logic skips it and says why; the notebook itself refuses with a clear message
        assert supported.missing
        (reason,) = notebook_tables.skip_reasons([supported], "en")
        assert notebook.split("_")[0] in reason and "not provided" in reason
        with pytest.raises(io.MissingTableError, match=supported.missing[0]):
            notebook_tables.load_for_notebook(notebook, data_dir, as_of=variants.AS_OF)
        return
    executed = run_notebook(
        notebook, tmp_path, project_root, data_dir=str(data_dir), as_of=variants.AS_OF,
        output_dir=str(tmp_path / "exports"),
    )
    text, bad, _ = outputs_of(executed)
    errors = [o for o in bad if o["output_type"] == "error"]
    assert errors == [], f"{notebook} on {variant}: {errors[0]['ename']}: {errors[0]['evalue']}" if errors else ""
    for note in expected_notes(variant, notebook, data_dir):
        assert note in text, f"{notebook} on {variant}: missing note {note!r}"
