"""``kando import``: shop exports in, the data contract's tables out.

:func:`run_import` reads the export files as sent, recognises the shop system
(or takes a mapping), turns line items into orders, sets cancelled and
returned orders aside, identifies customers, and writes ``orders.csv``,
``customers.csv``, ``order_items.csv``, ``mapping.yaml`` and
``import_report.md`` into the data directory.  It never asks: a choice it
cannot make raises :class:`~helpers.importers.mapping.MappingError` naming
the candidates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from helpers import privacy
from helpers.importers import cells, detect, identity, raw, suggest
from helpers.importers.mapping import (
    CUSTOMER_ROLES,
    PERSONAL_ROLES,
    REQUIRED_ORDER_ROLES,
    FileMapping,
    Mapping,
    MappingError,
    dump_mapping,
    load_mapping,
    load_preset,
)
from helpers.importers.orders import build_orders, join_parts, role_frame
from helpers.importers.problems import ImportProblems, ProblemSink
from helpers.io import Problem

#: Files written into the data directory.
OUTPUT_FILES = (
    "orders.csv",
    "customers.csv",
    "order_items.csv",
    "mapping.yaml",
    "import_report.md",
    "import_summary.json",
)


@dataclass(frozen=True)
class FileRead:
    """One export file read: its role, encoding, rows and the headers nothing used."""

    name: str
    role: str
    encoding: str
    rows: int
    unmapped: tuple[str, ...]


@dataclass
class ImportResult:
    """What an import made and the numbers its report states."""

    mapping: Mapping
    out_dir: Path
    files: list[FileRead]
    ignored: list[str]
    orders: pd.DataFrame
    items: pd.DataFrame
    customers: pd.DataFrame
    item_rows: int
    orders_made: int
    excluded: pd.DataFrame
    identified_by: dict[str, int]
    customers_from_file: int
    customers_derived: int
    keep_cancelled: bool
    notes: list[tuple[str, str]] = field(default_factory=list)


def resolve_mapping(exports: list[raw.ExportFile], preset: str | None, mapping_path: str | Path | None) -> Mapping:
    """The mapping to use: the given file, the given preset, or the preset recognised from the headers."""
    if mapping_path is not None:
        return load_mapping(mapping_path)
    if preset is not None:
        return load_preset(preset)
    platform = detect.detect_platform(exports)
    if platform is None:
        listing = "\n".join(
            f"  {e.path.name}: {', '.join(e.headers[:12])}{' ...' if len(e.headers) > 12 else ''}" for e in exports
        )
        raise MappingError(
            "どのショップシステムの出力か、見出しから判別できません。--suggest-mapping FILE.yaml で対応づけの下書きを"
            "作り、確認・修正してから --mapping FILE.yaml で取り込んでください。\n"
            "The headers match no known shop system (EC-CUBE, Shopify, 楽天 RMS). Write a draft mapping with "
            "--suggest-mapping FILE.yaml, check it, then import with --mapping FILE.yaml.\n" + listing
        )
    return load_preset(platform)


#: Roles a preset may find switched off in a shop's export (EC-CUBE shops can
#: turn columns off): the import goes on without them and says so.
OPTIONAL_IN_PRESETS: tuple[str, ...] = (
    *PERSONAL_ROLES,
    "quantity",
    "price",
    "order_time",
    "channel",
    "member_status",
    "acquisition_channel",
)


def _column_names(
    export: raw.ExportFile, fm: FileMapping, role: str, optional: tuple[str, ...] = ()
) -> tuple[dict[str, list[str]], list[str]]:
    """Role -> unique column names in ``export``, and the headers of ``optional`` roles it lacks.

    Raises
    ------
    MappingError
        Listing the real headers, when a header of any other role is missing.
    """
    names, missing, skipped = {}, [], []
    for r in fm.columns:
        found = [(h, export.find(h)) for h in fm.headers(r)]
        absent = [h for h, n in found if n is None]
        (skipped if r in optional else missing).extend(absent)
        present = [n for _, n in found if n is not None]
        if present and (r in optional or not absent):
            names[r] = present
    missing += [rule.column for rule in fm.exclude or () if export.find(rule.column) is None]
    if missing:
        raise MappingError(
            f"{export.path.name}: 対応づけ（{role}）の列がファイルにありません / the mapping ({role}) names columns "
            f"that are not in the file: {', '.join(dict.fromkeys(missing))}\n"
            f"ファイルの見出し / headers of the file: {', '.join(export.headers)}"
        )
    return names, skipped


def _check_choices(mapping: Mapping, orders_export: raw.ExportFile) -> None:
    """Exit with the candidates when a business choice is missing (amount column, cancelled statuses)."""
    fm = mapping.orders
    needed = [r for r in REQUIRED_ORDER_ROLES if not (r == "amount" and fm.amount_from_items)]
    if fm.amount_from_items:
        needed += ["product", "price"]
    for role in needed:
        if not fm.headers(role):
            candidates = suggest.candidates(orders_export, role)
            raise MappingError(
                f"対応づけに {role} の列がありません。候補 / the mapping does not say which column is {role}. "
                f"Candidates: {', '.join(candidates) or '(なし / none)'}\n"
                f"  orders: columns: {role}: <見出し / header>"
            )
    if fm.exclude is None:
        status = fm.headers("status")
        if status:
            frame, _ = raw.read_columns(orders_export, [orders_export.find(status[0])])
            values = cells.clean(frame.iloc[:, 0]).value_counts()
            listing = ", ".join(f"{v} ({n:,})" for v, n in values.items())
            hint = f"  orders: exclude: [{{column: {status[0]}, values: [...], status: cancelled}}]"
        else:
            listing = ", ".join(suggest.candidates(orders_export, "status")) or "(なし / none)"
            hint = "  orders: exclude: []   # 状態の列がなく、すべて売上として数える / no status: count every order"
        raise MappingError(
            "取消・返品を表す状態が対応づけで決まっていません（exclude）。値の候補 / the mapping does not say which "
            f"statuses are cancelled or returned (exclude). Candidates: {listing}\n{hint}"
        )


def _read_role(exports, indices, fm: FileMapping, role: str, sink: ProblemSink, optional, notes, left_out: set):
    """Rows of all files of one role, as a role frame with ``_file`` and ``_row``.

    Headers of ``optional`` roles that a file lacks are added to ``left_out``, with a note.
    """
    frames, used = [], {}
    for index in indices:
        export = exports[index]
        names, skipped = _column_names(export, fm, role, optional)
        left_out.update(skipped)
        if skipped:
            notes.append(
                (
                    f"{export.path.name}: 出力にない列は使いませんでした: {', '.join(skipped)}",
                    f"{export.path.name}: not in the export, left out: {', '.join(skipped)}",
                )
            )
        rule_names = [export.find(rule.column) for rule in fm.exclude or ()] if role == "orders" else []
        body, problems = raw.read_columns(export, [n for ns in names.values() for n in ns] + rule_names)
        sink.problems.extend(problems)
        frame = role_frame({r: [body[n] for n in ns] for r, ns in names.items()}, [body[n] for n in rule_names])
        frame["_file"], frame["_row"] = index, body["_row"].to_numpy()
        frames.append(frame)
        used[index] = {n for ns in names.values() for n in ns} | set(rule_names)
    return pd.concat(frames, ignore_index=True), used


def _dates(text: pd.Series, sink: ProblemSink, files, rows, header: str) -> pd.Series:
    """``YYYY-MM-DD`` of date cells (birth dates: the day as written, no zone)."""
    values, bad = cells.parse_timestamps(cells.clean(text), None)
    bad = bad.to_numpy()
    if bad.any():
        sink.add_rows(files[bad], rows[bad], header, text[bad].tolist(), "日付として読めません", "not a date")
    return values.dt.strftime("%Y-%m-%d").fillna("")


def run_import(
    sources: list[str | Path],
    out_dir: str | Path,
    preset: str | None = None,
    mapping: str | Path | None = None,
    keep_cancelled: bool = False,
) -> ImportResult:
    """Import shop exports into a data directory.

    Parameters
    ----------
    sources : list of str or pathlib.Path
        Export files, or folders holding them, as the client sent them.
    out_dir : str or pathlib.Path
        Data directory to write.
    preset : {"eccube", "shopify", "rakuten"}, optional
        Skip recognising the platform.
    mapping : str or pathlib.Path, optional
        Mapping YAML file (wins over ``preset``).
    keep_cancelled : bool
        Keep cancelled and returned orders, with ``status`` and ``shop_status`` columns.

    Returns
    -------
    ImportResult

    Raises
    ------
    MappingError
        No usable mapping, a mapped column missing, or a choice not made.
    ImportProblems
        Cells that cannot be read; every one with file, line and column.
    """
    paths = raw.list_exports(sources)
    if not paths:
        raise MappingError(
            f"取り込むCSVがありません / no export files (.csv, .tsv, .txt) in {', '.join(map(str, sources))}"
        )
    sink = ProblemSink([])
    exports = []
    for path in paths:
        try:
            exports.append(raw.sniff(path))
        except ValueError as err:
            sink.problems.append(Problem(path.name, 1, None, None, "ファイルが空です", str(err)))
    sink.exports = exports
    chosen = resolve_mapping(exports, preset, mapping)
    optional = OPTIONAL_IN_PRESETS if chosen.source.startswith("preset:") else ()
    roles = [detect.role_of(e, chosen) for e in exports]
    order_files = [i for i, r in enumerate(roles) if r == "orders"]
    customer_files = [i for i, r in enumerate(roles) if r == "customers"]
    if not order_files:
        best = max(exports, key=lambda e: sum(e.find(h) is not None for h in chosen.orders.used_headers()))
        _column_names(best, chosen.orders, "orders", optional)  # names the missing columns and the real headers
        raise MappingError(
            f"注文ファイルが見つかりません（見出し {', '.join(chosen.orders.detect)}）/ no order export "
            f"with the headers {', '.join(chosen.orders.detect)}"
        )
    _check_choices(chosen, exports[order_files[0]])
    fm = chosen.orders
    headers = {role: " + ".join(fm.headers(role)) for role in fm.columns if fm.headers(role)}
    notes: list[tuple[str, str]] = []
    left_out: set[str] = set()
    rows, used = _read_role(exports, order_files, fm, "orders", sink, optional, notes, left_out)
    built = build_orders(rows, fm, headers, sink, chosen.timezone)
    if "birth_date" in built.orders:
        orders = built.orders
        orders["birth_date"] = _dates(
            orders["birth_date"], sink, orders["_file"].to_numpy(), orders["_row"].to_numpy(), headers["birth_date"]
        )
    members = None
    if customer_files and chosen.customers is not None:
        member_rows, member_used = _read_role(
            exports, customer_files, chosen.customers, "customers", sink, optional, notes, left_out
        )
        used.update(member_used)
        members = identity.member_frame(join_parts(member_rows, CUSTOMER_ROLES[1:]))
        _member_problems(members, chosen.customers, sink)
        if "birth_date" in members:
            members["birth_date"] = _dates(
                members["birth_date"],
                sink,
                members["_file"].to_numpy(),
                members["_row"].to_numpy(),
                chosen.customers.headers("birth_date")[0],
            )
    problems = sink.resolve()
    if problems:
        raise ImportProblems(problems)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    orders = built.orders
    excluded = (orders["status"] != "").to_numpy()
    keep = np.ones(len(orders), dtype=bool) if keep_cancelled else ~excluded
    kept = orders[keep].reset_index(drop=True)
    who = identity.identify(kept, members, privacy.data_key(out_dir.resolve()))  # the key beside the data written
    order_table = _order_table(kept, who.customer_id, keep_cancelled)
    items = built.items[keep[built.items["_code"].to_numpy()]]
    items = pd.concat(
        [
            pd.DataFrame({"order_id": orders["order_id"].to_numpy()[items["_code"].to_numpy()]}),
            items.drop(columns="_code").reset_index(drop=True),
        ],
        axis=1,
    )
    files = [
        FileRead(
            e.path.name,
            roles[i],
            e.encoding,
            int((rows["_file"] == i).sum()) if roles[i] == "orders" else _count_rows(members, i),
            tuple(n for n in e.names if n not in used.get(i, ())),
        )
        for i, e in enumerate(exports)
        if roles[i] is not None
    ]
    result = ImportResult(
        mapping=_without(chosen, left_out),
        out_dir=out_dir,
        files=files,
        ignored=[e.path.name for i, e in enumerate(exports) if roles[i] is None],
        orders=order_table,
        items=items,
        customers=who.customers,
        item_rows=built.item_rows,
        orders_made=len(orders),
        excluded=orders.loc[excluded, ["status", "shop_status", "amount"]].reset_index(drop=True),
        identified_by=who.identified_by.value_counts().to_dict(),
        customers_from_file=0 if members is None else len(members),
        customers_derived=who.derived,
        keep_cancelled=keep_cancelled,
        notes=notes,
    )
    _write(result)
    return result


def _without(mapping: Mapping, headers: set[str]) -> Mapping:
    """``mapping`` without the (optional) ``headers`` the export lacks: the mapping actually used."""
    if not headers:
        return mapping

    def trim(fm: FileMapping | None) -> FileMapping | None:
        if fm is None:
            return None
        columns = {}
        for role, value in fm.columns.items():
            kept = [h for h in fm.headers(role) if h not in headers]
            columns[role] = None if not kept else kept[0] if isinstance(value, str) or len(kept) == 1 else tuple(kept)
        return replace(fm, columns=columns)

    return replace(mapping, orders=trim(mapping.orders), customers=trim(mapping.customers))


def _count_rows(members: pd.DataFrame | None, index: int) -> int:
    return 0 if members is None else int((members["_file"] == index).sum())


def _member_problems(members: pd.DataFrame, fm: FileMapping, sink: ProblemSink) -> None:
    header = fm.headers("customer_id")[0]
    for mask, rule in (
        (members["customer_id"] == "", ("顧客IDが空欄です", "customer id is blank")),
        (
            members["customer_id"].duplicated() & (members["customer_id"] != ""),
            ("顧客IDが重複しています", "customer id appears twice"),
        ),
    ):
        mask = cells.mask(mask).to_numpy()
        if mask.any():
            sink.add_rows(
                members["_file"].to_numpy()[mask],
                members["_row"].to_numpy()[mask],
                header,
                members.loc[mask, "customer_id"].tolist(),
                *rule,
            )


def _order_table(orders: pd.DataFrame, customer_id: pd.Series, keep_cancelled: bool) -> pd.DataFrame:
    """The contract's orders: no personal column."""
    at = orders["order_at"]
    table = pd.DataFrame(
        {
            "order_id": orders["order_id"].astype(str),
            "customer_id": customer_id.astype(str).to_numpy(),
            "order_date": at.dt.strftime("%Y-%m-%d"),
        }
    )
    if (at != at.dt.normalize()).any():
        table["order_time"] = at.dt.strftime("%H:%M:%S")
    amount = orders["amount"]
    table["amount"] = amount.astype(np.int64) if (amount % 1 == 0).all() else amount
    if "channel" in orders:
        table["channel"] = orders["channel"].astype(str)
    if keep_cancelled:
        table["status"] = orders["status"].where(orders["status"] != "", "ok").astype(str)
        table["shop_status"] = orders["shop_status"].astype(str)
    return table


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 with a BOM (Excel opens the Japanese), quoted only where needed; pyarrow writes millions of rows fast."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with path.open("wb") as handle:
        handle.write(b"\xef\xbb\xbf")
        pacsv.write_csv(table, handle, write_options=pacsv.WriteOptions(quoting_style="needed"))


def _write(result: ImportResult) -> None:
    from helpers.importers import import_report

    out = result.out_dir
    _write_csv(result.orders, out / "orders.csv")
    _write_csv(result.customers, out / "customers.csv")
    items = result.items.astype({c: "Int64" for c in ("quantity",) if c in result.items})
    if "price" in items and (items["price"].dropna() % 1 == 0).all():
        items["price"] = items["price"].astype("Int64")
    _write_csv(items, out / "order_items.csv")
    (out / "mapping.yaml").write_text(dump_mapping(result.mapping), encoding="utf-8")
    (out / "import_report.md").write_text(import_report.format_report(result), encoding="utf-8")
    (out / "import_summary.json").write_text(
        json.dumps(import_report.summary(result), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
