"""The data overview of a report (notebook ``00_overview``): rows, customers, period per table.

Counts only: no personal data, no customer ids.  The numbers come from the
validation of the data directory (:func:`helpers.io.validate_data_dir`).
"""

from __future__ import annotations

from pathlib import Path

from helpers import labels


def checked_data(data_dir: str | Path, as_of=None):
    """Validate a data directory; raise when it has problems.

    Parameters
    ----------
    data_dir : str or pathlib.Path
        Relative paths resolve against the project root.
    as_of : str or datetime-like, optional
        Reference date.

    Returns
    -------
    helpers.io.ValidationReport
        With ``summaries`` (one per table file found) and ``notes``.

    Raises
    ------
    helpers.io.DataValidationError
        Listing every problem, when there is any.
    """
    from helpers import io

    report = io.validate_data_dir(data_dir, as_of=as_of)
    if not report.ok:
        raise io.DataValidationError(report)
    return report


def _date(value, lang: str) -> str:
    import pandas as pd

    if value is None or pd.isna(value):
        return "—"
    stamp = pd.Timestamp(value)
    return f"{stamp.year}年{stamp.month}月{stamp.day}日" if lang == "ja" else f"{stamp:%Y-%m-%d}"


def _period(summary, lang: str) -> str:
    if summary.first_date is None:
        return "—"
    sep = " 〜 " if lang == "ja" else " – "
    return _date(summary.first_date, lang) + sep + _date(summary.last_date, lang)


def summary_table(summaries, lang: str = "ja"):
    """One row per table: file, rows, customers, period.

    Parameters
    ----------
    summaries : list of helpers.io.TableSummary
        ``report.summaries`` of a validation.
    lang : {"ja", "en"}

    Returns
    -------
    pandas.DataFrame
        Indexed by the table's display name; customers and period are
        ``"—"`` where a table has no customer id or no date.
    """
    import pandas as pd

    labels.check_lang(lang)
    file_label = "ファイル" if lang == "ja" else "File"
    rows = [
        {
            "table": labels.label(s.table, lang),
            file_label: s.file,
            labels.label("rows", lang): f"{s.rows:,}",
            labels.label("customers_n", lang): "—" if s.customers is None else f"{s.customers:,}",
            labels.label("period", lang): _period(s, lang),
        }
        for s in summaries
    ]
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame = frame.set_index("table").rename_axis(None)
    # the columns' name sits in the header's corner cell: one header row, not two
    return frame.rename_axis(columns="表" if lang == "ja" else "Table")


def summary_text(summaries, as_of=None, lang: str = "ja") -> str:
    """A short narrative of the data, as Markdown, every number computed.

    Parameters
    ----------
    summaries : list of helpers.io.TableSummary
    as_of : str or datetime-like, optional
        Reference date of the report.
    lang : {"ja", "en"}

    Returns
    -------
    str
    """
    from helpers import schemas

    labels.check_lang(lang)
    # an optional table with a header and no rows counts as absent
    empty = [s for s in summaries if s.rows == 0 and s.table not in schemas.REQUIRED_TABLES]
    by_table = {s.table: s for s in summaries if s not in empty}
    ja = lang == "ja"
    lines = []
    orders = by_table.get("orders")
    customers = by_table.get("customers")
    if orders is not None:
        if ja:
            lines.append(
                f"注文データは **{orders.rows:,} 件**（購入顧客 {orders.customers:,} 人）、"
                f"期間は **{_period(orders, lang)}** です。"
            )
        else:
            lines.append(
                f"The order data hold **{orders.rows:,} orders** from {orders.customers:,} customers, "
                f"**{_period(orders, lang)}**."
            )
    if customers is not None:
        if ja:
            share = ""
            if orders is not None and customers.rows:
                share = f"うち購入実績のある顧客は {orders.customers / customers.rows:.1%} です。"
            lines.append(f"顧客マスタには {customers.rows:,} 人が登録されています。{share}")
        else:
            share = ""
            if orders is not None and customers.rows:
                share = f" {orders.customers / customers.rows:.1%} of them have bought."
            lines.append(f"The customer table lists {customers.rows:,} customers.{share}")
    surveys = [by_table[t] for t in ("nps", "fan_survey", "touchpoint_ratings") if t in by_table]
    for s in surveys:
        who = "" if s.customers is None else (f"（{s.customers:,} 人）" if ja else f" from {s.customers:,} customers")
        if ja:
            lines.append(f"{labels.label(s.table, lang)}は {s.rows:,} 件{who}、期間は {_period(s, lang)} です。")
        else:
            lines.append(f"{labels.label(s.table, lang)}: {s.rows:,} rows{who}, {_period(s, lang)}.")
    journey = by_table.get("journey")
    if journey is not None:
        lines.append(
            f"{labels.label('journey', lang)}は {journey.rows:,} 行です。"
            if ja
            else f"{labels.label('journey', lang)}: {journey.rows:,} rows."
        )
    from helpers.report.render import format_date

    for s in empty:
        lines.append(
            f"{labels.label(s.table, lang)}（{s.file}）は見出しだけで行がないため、ないものとして扱います。"
            if ja
            else f"{s.file} ({labels.label(s.table, lang)}) has a header but no rows: treated as absent."
        )
    missing = [labels.label(t, lang) for t in schemas.TABLES if t not in by_table]
    if missing:
        lines.append(
            f"このデータにない表: {'、'.join(missing)}（その表を使う分析は行えません）。"
            if ja
            else f"Tables not in this data: {', '.join(missing)} (analyses that need them cannot run)."
        )
    if as_of is not None:
        lines.append(
            f"分析の基準日は {format_date(as_of, lang)} です。"
            if ja
            else f"The reference date is {format_date(as_of, lang)}."
        )
    lines.append(
        "氏名・メールアドレス・電話番号・生年月日は集計にのみ使い、本レポートには表示しません。"
        if ja
        else "Names, emails, phone numbers and birth dates are used for counting only and never shown."
    )
    return "\n\n".join(lines)


def import_text(data_dir: str | Path, lang: str = "ja") -> str:
    """What ``kando import`` counted and set aside, as Markdown; ``""`` when the data were not imported.

    Reads ``import_summary.json``, which ``kando import`` writes beside the
    tables (counts and yen only).

    Parameters
    ----------
    data_dir : str or pathlib.Path
    lang : {"ja", "en"}

    Returns
    -------
    str
    """
    import json

    from helpers import io

    path = io.resolve_path(data_dir) / "import_summary.json"
    if not path.exists():
        return ""
    summary = json.loads(path.read_text(encoding="utf-8"))
    ja = labels.check_lang(lang) == "ja"
    counted, excluded = summary["orders_counted"], summary["orders_excluded"]
    if ja:
        text = (
            f"このデータは {summary['platform']} の出力から取り込みました（明細 {summary['item_rows']:,} 行）。"
            f"売上として数えた注文は **{counted['orders']:,} 件**（{counted['amount']:,.0f} 円）、"
            f"取消・返品などで除いた注文は **{excluded['orders']:,} 件**（{excluded['amount']:,.0f} 円）です。"
        )
        if summary.get("kept_with_status"):
            text += "除いた注文も status 列つきでデータに残しています。"
        return text
    text = (
        f"These data were imported from a {summary['platform']} export ({summary['item_rows']:,} item rows). "
        f"**{counted['orders']:,} orders** ({counted['amount']:,.0f} JPY) are counted as sales; "
        f"**{excluded['orders']:,} orders** ({excluded['amount']:,.0f} JPY) were cancelled, returned or "
        "never completed and are excluded."
    )
    if summary.get("kept_with_status"):
        text += " They are kept in the data, marked in the status column."
    return text
