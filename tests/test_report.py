"""Tests of helpers.report: notebook discovery, parameters, execution, PDFs, manifest, privacy.

Fast tests build notebook JSON and HTML by hand.  Tests marked ``notebook``
execute notebooks with papermill; they share a few module-scoped runs:

- ``small_run``: small notebooks made here (one fails on purpose) on a tiny
  data set written here, through ``kando run`` with a YAML file and ``-p``;
- ``sample_run``: the real report notebooks of ``notebooks/`` on
  ``data/sample`` (the privacy scan of every PDF).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from helpers import report
from helpers.report import notebooks as nb_files
from helpers.report import parameters as params_mod
from helpers.report.execute import is_stray_output, output_issues, source_cell_index
from helpers.report.overview import summary_table, summary_text
from helpers.report.pipeline import run_folder_name
from helpers.report.privacy_guard import PersonalDataIndex
from helpers.report.render import notebook_body_html, report_notebook

PROJECT_ROOT = Path(__file__).resolve().parents[1]
OVERVIEW = PROJECT_ROOT / "notebooks" / "00_overview.ipynb"


# --------------------------------------------------------------------------
# building notebooks and data
# --------------------------------------------------------------------------


def make_notebook(path: Path, parameters: str, *cells: str, title: str | None = None) -> Path:
    """Write a notebook: a title cell, a ``parameters`` cell, then code (``## `` starts markdown)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells.append(nbformat.v4.new_markdown_cell(f"# {title or path.stem}\n\nテスト用のノートです。"))
    nb.cells.append(nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}))
    for source in cells:
        if source.startswith("## "):
            nb.cells.append(nbformat.v4.new_markdown_cell(source))
        else:
            nb.cells.append(nbformat.v4.new_code_cell(source))
    nbformat.write(nb, str(path))
    return path


CUSTOMERS = pd.DataFrame(
    {
        "customer_id": ["C001", "C002", "C003", "C004"],
        "name": ["山田　太郎", "佐藤　花子", "鈴木　一郎", "高橋　美咲"],
        "email": [
            "taro.yamada@example.jp",
            "hanako.sato@example.jp",
            "ichiro.suzuki@example.com",
            "misaki.t@example.com",
        ],
        "phone": ["090-1234-5678", "080-2222-3333", "070-4444-5555", "03-5555-1212"],
        "birth_date": ["1980-04-01", "1975-12-24", "", "1990-07-15"],
        "prefecture": ["東京都", "大阪府", "北海道", "福岡県"],
    }
)
ORDERS = pd.DataFrame(
    {
        "order_id": ["O1", "O2", "O3", "O4", "O5", "O6"],
        "customer_id": ["C001", "C001", "C002", "C003", "C002", "C004"],
        "order_date": ["2024-01-05", "2024-03-05", "2024-02-10", "2025-06-30", "2025-11-30", "2025-12-01"],
        "amount": [3000, 3000, 5400, 1200, 5400, 2500],
    }
)


def write_tiny_data(folder: Path) -> Path:
    """customers (with personal columns) and orders; 6 orders from 2024-01-05 to 2025-12-01."""
    folder.mkdir(parents=True, exist_ok=True)
    CUSTOMERS.to_csv(folder / "customers.csv", index=False)
    ORDERS.to_csv(folder / "orders.csv", index=False)
    return folder


def personal_values(customers: pd.DataFrame) -> list[str]:
    """Every personal value, in the forms a report could print it."""
    values = []
    for name in customers["name"].dropna():
        values += [name, name.replace("\u3000", ""), name.replace("\u3000", " ")]
    values += list(customers["email"].dropna())
    for phone in customers["phone"].dropna():
        values += [phone, phone.replace("-", "")]
    for raw in customers["birth_date"].dropna():
        if not str(raw):
            continue
        d = pd.Timestamp(raw)
        values += [
            f"{d:%Y-%m-%d}",
            f"{d:%Y/%m/%d}",
            f"{d.year}/{d.month}/{d.day}",
            f"{d.year}年{d.month}月{d.day}日",
            f"{d:%Y%m%d}",
        ]
    return values


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def pdf_fonts(path: Path) -> set[str]:
    """BaseFont names of every font resource of every page."""
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(str(path)).pages:
        fonts = page.get("/Resources", {}).get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            names.add(str(ref.get_object().get("/BaseFont")))
    return names


def compact(text: str) -> str:
    """PDF text without whitespace (pypdf may split or join lines)."""
    return re.sub(r"\s+", "", text)


def leaked(text: str, values: list[str]) -> set[str]:
    """The values that occur in ``text``, whitespace ignored.

    Every window of the text as long as some value is compared with the
    values of that length: linear in the text, whatever the number of values.
    """
    flat = compact(text)
    by_length: dict[int, set[str]] = {}
    for value in values:
        by_length.setdefault(len(compact(value)), set()).add(compact(value))
    found = set()
    for length, wanted in by_length.items():
        found |= {flat[i : i + length] for i in range(len(flat) - length + 1)} & wanted
    return found


def text_outputs(executed: Path) -> list[str]:
    """The text of every output, in order, without execution metadata."""
    nb = nbformat.read(str(executed), as_version=4)
    texts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                texts.append(output["text"])
            elif "data" in output:
                texts += [
                    output["data"][m] for m in ("text/plain", "text/html", "text/markdown") if m in output["data"]
                ]
    return texts


# --------------------------------------------------------------------------
# fast tests: notebooks and parameters
# --------------------------------------------------------------------------


def test_discover_notebooks_takes_numbered_notebooks_in_name_order(tmp_path):
    for name in ["02_b.ipynb", "00_a.ipynb", "10_c.ipynb", "workshop.ipynb", "1_short.ipynb", "03_d.txt"]:
        (tmp_path / name).write_text("{}", encoding="utf-8")
    found = nb_files.discover_notebooks(tmp_path)
    assert [p.name for p in found] == ["00_a.ipynb", "02_b.ipynb", "10_c.ipynb"]


def test_select_notebooks_by_number_and_name(tmp_path):
    paths = [tmp_path / n for n in ["00_overview.ipynb", "01_loyalty.ipynb", "04_emotion_curve.ipynb", "06_ltv.ipynb"]]
    assert nb_files.select_notebooks(paths, "06,01") == [paths[1], paths[3]]
    assert nb_files.select_notebooks(paths, ["ltv", "4"]) == [paths[2], paths[3]]
    assert nb_files.select_notebooks(paths, None) == paths
    with pytest.raises(report.ReportUsageError) as err:
        nb_files.select_notebooks(paths, "01,99")
    assert "99" in str(err.value) and "06_ltv" in str(err.value)


def test_notebook_title_is_the_first_markdown_heading(tmp_path):
    path = make_notebook(tmp_path / "01_x.ipynb", "a = 1  # a", title="ロイヤルティ **分析**")
    assert nb_files.notebook_title(path) == "ロイヤルティ 分析"


def test_notebook_parameters_reads_literal_defaults_and_comments(tmp_path):
    path = make_notebook(
        tmp_path / "01_x.ipynb", 'brand = "青汁"  # ブランド\ntop_n = 10  # 件数\nshow = False  # 表示'
    )
    declared = params_mod.notebook_parameters(path)
    assert list(declared) == ["brand", "top_n", "show"]
    assert declared["brand"].default == "青汁" and declared["brand"].help == "ブランド"
    assert declared["top_n"].default == 10 and declared["show"].default is False


def test_parameters_papermill_cannot_read_are_still_known(tmp_path):
    path = make_notebook(tmp_path / "01_x.ipynb", 'segment = "high"  # high=推奨者, low=批判者\ntop_n = 5  # 件数')
    declared = params_mod.notebook_parameters(path)
    assert list(declared) == ["segment", "top_n"]
    assert declared["segment"].default == "high" and declared["segment"].help == "high=推奨者, low=批判者"
    assert params_mod.papermill_unreadable(path) == ["segment"]


def _known(**defaults):
    return {k: params_mod.NotebookParameter(k, v, type(v).__name__, "") for k, v in defaults.items()}


def test_overrides_are_yaml_scalars_but_string_parameters_keep_their_text():
    known = _known(brand="x", top_n=10, rate=0.5, show=False, as_of="2025-12-31", label=None)
    values = params_mod.merge_parameters(
        known,
        overrides=[
            ("top_n", "25"),
            ("rate", "0.25"),
            ("show", "true"),
            ("brand", "2025"),
            ("as_of", "2025-06-30"),
            ("label", "2024-01-01"),
        ],
    )
    assert values == {
        "top_n": 25,
        "rate": 0.25,
        "show": True,
        "brand": "2025",
        "as_of": "2025-06-30",
        "label": "2024-01-01",
    }


def test_params_file_then_overrides(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("brand: 2025\ntop_n: 5\nas_of: 2025-06-30\n", encoding="utf-8")
    file_values = params_mod.load_params_file(path)
    assert file_values == {"brand": 2025, "top_n": 5, "as_of": "2025-06-30"}
    values = params_mod.merge_parameters(_known(brand="x", top_n=10, as_of="2025-12-31"), file_values, [("top_n", "7")])
    assert values == {"brand": "2025", "top_n": 7, "as_of": "2025-06-30"}


def test_params_file_must_hold_a_mapping(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(report.ReportUsageError):
        params_mod.load_params_file(path)


def test_unknown_parameter_lists_the_known_ones():
    with pytest.raises(report.UnknownParameterError) as err:
        params_mod.merge_parameters(_known(brand="x", top_n=10), {"brnad": "y"}, [("colour", "red")])
    assert err.value.unknown == ["brnad", "colour"]
    assert err.value.known == ["brand", "top_n"]
    assert "brand, top_n" in str(err.value) and "brnad" in str(err.value)


def test_a_params_file_may_hold_parameters_of_notebooks_that_do_not_run():
    known = _known(brand="x")
    values = params_mod.merge_parameters(known, {"brand": "y", "mood": "上々"}, file_known={"brand", "mood"})
    assert values == {"brand": "y"}
    with pytest.raises(report.UnknownParameterError):
        params_mod.merge_parameters(known, {"brand": "y"}, [("mood", "上々")], file_known={"brand", "mood"})


def test_each_notebook_gets_only_what_it_declares():
    declared = _known(data_dir="d", brand="b")
    assert params_mod.parameters_for(declared, {"data_dir": "/abs", "top_n": 3}) == {"data_dir": "/abs"}
    assert params_mod.effective_parameters(declared, {"data_dir": "/abs"}) == {"data_dir": "/abs", "brand": "b"}


def test_run_arguments():
    parser = argparse.ArgumentParser()
    report.add_run_arguments(parser)
    args = parser.parse_args(
        [
            "--data",
            "d",
            "-p",
            "brand",
            "青汁",
            "-p",
            "top_n",
            "5",
            "--notebooks",
            "01,04",
            "--no-pdf",
            "--jobs",
            "1",
            "--lang",
            "en",
            "--params",
            "p.yaml",
            "--out",
            "o",
        ]
    )
    assert args.overrides == [["brand", "青汁"], ["top_n", "5"]]
    assert (args.data, args.notebooks, args.pdf, args.jobs, args.lang, args.params, args.out) == (
        "d",
        "01,04",
        False,
        1,
        "en",
        "p.yaml",
        "o",
    )
    assert parser.parse_args([]).pdf is True


def test_run_folder_name_is_safe():
    import datetime as dt

    when = dt.datetime(2025, 12, 31, 9, 5, 7)
    assert run_folder_name("すこやか 青汁/本舗", when) == "すこやか_青汁_本舗-20251231-090507"


# --------------------------------------------------------------------------
# fast tests: outputs, HTML, privacy guard, overview
# --------------------------------------------------------------------------


def _executed_like() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    injected = nbformat.v4.new_code_cell("brand = 'x'", metadata={"tags": ["injected-parameters"]})
    plot = nbformat.v4.new_code_cell("plt.plot([1])")
    plot.outputs = [
        nbformat.v4.new_output(
            "execute_result", {"text/plain": "[<matplotlib.lines.Line2D at 0x7f>]"}, execution_count=1
        ),
        nbformat.v4.new_output(
            "display_data", {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure size 1200x675 with 1 Axes>"}
        ),
    ]
    warn = nbformat.v4.new_code_cell("warnings.warn('x')")
    warn.outputs = [nbformat.v4.new_output("stream", name="stderr", text="/tmp/x.py:1: UserWarning: 注意\n  warn()\n")]
    table = nbformat.v4.new_code_cell("df")
    table.outputs = [
        nbformat.v4.new_output(
            "execute_result",
            {
                "text/plain": "df",
                "text/html": "<table class='dataframe'><thead><tr style='text-align: right;'><th></th><th>商品</th>"
                "<th>売上</th></tr></thead><tbody><tr><th>0</th><td>青汁</td><td>1,200</td></tr>"
                "<tr><th>1</th><td>サプリ</td><td>—</td></tr></tbody></table>",
            },
            execution_count=3,
        )
    ]
    axes = nbformat.v4.new_code_cell("ax")
    axes.outputs = [
        nbformat.v4.new_output("execute_result", {"text/plain": "<Axes: title={'center': '売上'}>"}, execution_count=4)
    ]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 題"),
        nbformat.v4.new_code_cell("brand = 'a'"),
        injected,
        plot,
        warn,
        table,
        axes,
    ]
    return nb


def test_output_issues_name_the_source_cell():
    issues = output_issues(_executed_like())
    # the injected cell (index 2) is papermill's: source indices skip it
    assert [(i.cell_index, i.kind) for i in issues] == [(2, "repr"), (3, "stderr"), (5, "repr")]
    assert issues[1].text == "/tmp/x.py:1: UserWarning: 注意"
    assert source_cell_index(_executed_like(), 6) == 5


def test_stray_output_keeps_figures_and_tables():
    nb = _executed_like()
    assert is_stray_output(nb.cells[3].outputs[1]) is None  # the image of a figure
    assert is_stray_output(nb.cells[5].outputs[0]) is None  # a DataFrame


def test_report_html_has_no_code_no_stray_output_and_aligned_numbers():
    nb = _executed_like()
    body = notebook_body_html(nb)
    assert "Line2D" not in body and "UserWarning" not in body and "<Axes" not in body
    assert "plt.plot" not in body and "brand = " not in body
    assert "data:image/png;base64,iVBORw0KGgo=" in body
    assert 'style="text-align: right;"' not in body
    soup = BeautifulSoup(body, "html.parser")
    classes = {cell.get_text(strip=True): cell.get("class", []) for cell in soup.find_all(["td", "th"])}
    assert "num" in classes["1,200"] and "num" in classes["売上"]  # an all-number column, header included
    assert "num" in classes["—"]  # a missing value in a number column
    assert "num" not in classes["青汁"] and "num" not in classes["商品"]
    assert len(report_notebook(nb).cells) == len(nb.cells)


def _table_html(frame: pd.DataFrame) -> str:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("df")
    cell.outputs = [
        nbformat.v4.new_output("execute_result", {"text/html": frame.to_html(), "text/plain": "df"}, execution_count=1)
    ]
    nb.cells = [cell]
    return notebook_body_html(nb)


def test_index_name_row_folds_into_the_corner_cell():
    frame = pd.DataFrame({"顧客数": [113, 172]}, index=pd.Index(["高", "中"], name="セグメント"))
    soup = BeautifulSoup(_table_html(frame), "html.parser")
    header_rows = soup.find("thead").find_all("tr")
    assert len(header_rows) == 1
    assert [c.get_text(strip=True) for c in header_rows[0].find_all("th")] == ["セグメント", "顧客数"]


def test_short_labels_keep_whole_only_when_the_table_still_fits():
    short = pd.DataFrame({"タッチポイント": ["カスタマーサポート", "配送"], "率": ["35.7%", "53.2%"]})
    soup = BeautifulSoup(_table_html(short), "html.parser")
    assert "nw" in soup.find("td", string="カスタマーサポート")["class"]
    # 12 columns of 14-character labels cannot all stay whole on an A4 line at 6.5 pt
    crowded = pd.DataFrame({f"列{i}": ["長い長い長い長い長い長いラベル"] for i in range(12)})
    soup = BeautifulSoup(_table_html(crowded), "html.parser")
    assert "wide" in soup.find("table")["class"]
    assert not any("nw" in c.get("class", []) and len(c.get_text(strip=True)) > 4 for c in soup.find_all("td"))


def test_privacy_guard_finds_each_personal_value_in_any_written_form():
    guard = PersonalDataIndex.from_customers(CUSTOMERS.assign(birth_date=pd.to_datetime(CUSTOMERS["birth_date"])))
    assert guard.find("売上は 1,200 円、顧客 C001、2024-01-05 の注文") == {}
    assert guard.find("担当: 山田 太郎 様") == {"name": 1}
    assert guard.find("連絡先 Taro.Yamada@example.jp / ０９０－１２３４－５６７８") == {"email": 1, "phone": 1}
    assert guard.find("誕生日 1975年12月24日 と 1990/7/15") == {"birth_date": 2}
    assert guard.find("19800401") == {"birth_date": 1}


def _summaries():
    from helpers.io import TableSummary

    return [
        TableSummary("customers", "customers.csv", 4, 4, None, None),
        TableSummary("orders", "orders.csv", 6, 3, pd.Timestamp("2024-01-05"), pd.Timestamp("2025-12-01")),
    ]


def test_overview_table_counts_each_table():
    table = summary_table(_summaries(), lang="ja")
    assert list(table.index) == ["顧客", "注文"]
    assert table.loc["注文", "行数"] == "6" and table.loc["注文", "顧客数"] == "3"
    assert table.loc["注文", "期間"] == "2024年1月5日 〜 2025年12月1日"
    assert table.loc["顧客", "期間"] == "—"


def test_overview_text_is_computed_from_the_summaries():
    text = summary_text(_summaries(), as_of="2025-12-31", lang="ja")
    assert "**6 件**（購入顧客 3 人）" in text
    assert "4 人が登録" in text and "75.0%" in text  # 3 of 4 customers bought
    assert "2025年12月31日" in text
    english = summary_text(_summaries(), lang="en")
    assert "**6 orders** from 3 customers" in english


def test_overview_text_counts_an_empty_optional_table_as_absent():
    from helpers.io import TableSummary

    summaries = [*_summaries(), TableSummary("nps", "nps.csv", 0, 0, None, None)]
    text = summary_text(summaries, lang="ja")
    assert "NPS回答（nps.csv）は見出しだけで行がないため、ないものとして扱います。" in text
    assert "NPS回答は 0 件" not in text
    assert "このデータにない表: NPS回答、ファン調査" in text
    english = summary_text(summaries, lang="en")
    assert "nps.csv (NPS responses) has a header but no rows: treated as absent." in english


def test_overview_notebook_follows_the_conventions():
    nb = nbformat.read(str(OVERVIEW), as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# データ概要")
    assert nb.cells[1].metadata.get("tags") == ["parameters"]
    assert [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])] == [nb.cells[1]]
    declared = params_mod.notebook_parameters(OVERVIEW)
    assert list(declared) == ["data_dir", "brand", "as_of", "lang", "show_customer_ids"]
    assert declared["data_dir"].default == "data/sample" and declared["as_of"].default == "2025-12-31"
    assert declared["lang"].default == "ja" and declared["show_customer_ids"].default is False
    assert all(p.help for p in declared.values())
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")


# --------------------------------------------------------------------------
# the command without kernels: usage errors and bad data
# --------------------------------------------------------------------------


@pytest.fixture
def small_notebooks(tmp_path) -> Path:
    folder = tmp_path / "nb"
    folder.mkdir()
    shutil.copy(OVERVIEW, folder / OVERVIEW.name)
    make_notebook(folder / "01_ok.ipynb", 'data_dir = "data/sample"  # データ\ntop_n = 3  # 件数')
    return folder


def test_unknown_parameter_stops_before_running(small_notebooks, tmp_path, capsys):
    from helpers.cli import main

    data = write_tiny_data(tmp_path / "data")
    out = tmp_path / "out"
    code = main(
        ["run", "--data", str(data), "--notebooks-dir", str(small_notebooks), "--out", str(out), "-p", "colour", "red"]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "colour" in err
    assert "as_of, brand, data_dir, lang, show_customer_ids, top_n" in err
    assert not out.exists()


def test_bad_data_stops_the_run_with_the_validation_report(small_notebooks, tmp_path, capsys):
    from helpers.cli import main

    data = write_tiny_data(tmp_path / "data")
    bad = ORDERS.copy()
    bad.loc[2, "amount"] = -500  # line 4 of the file (header = line 1)
    bad.to_csv(data / "orders.csv", index=False)
    out = tmp_path / "out"
    code = main(["run", "--data", str(data), "--notebooks-dir", str(small_notebooks), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert "orders.csv:4" in err and "-500" in err
    assert not out.exists()


def test_bad_sample_copy_stops_the_run(sample_copy, small_notebooks, tmp_path):
    orders = sample_copy / "orders.csv"
    lines = orders.read_text(encoding="utf-8").splitlines()
    lines.append("BAD-1,C000001,2025-13-45,100,すこやか青汁 お試し7包,Web,False")
    orders.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(Exception) as err:
        report.run_workbook(
            data_dir=sample_copy, notebooks_dir=small_notebooks, out_dir=tmp_path / "out", progress=False
        )
    from helpers.io import DataValidationError

    assert isinstance(err.value, DataValidationError)
    assert any(p.line == len(lines) and p.value == "2025-13-45" for p in err.value.report.problems)
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------
# notebook runs
# --------------------------------------------------------------------------

OK_CELLS = (
    "import numpy as np\nimport pandas as pd\nimport matplotlib.pyplot as plt\n"
    "from IPython.display import Markdown\nfrom helpers import io\nfrom helpers.plotting import use_style\nuse_style()",
    "## 売上の集計",
    "ds = io.load_data(data_dir, as_of=as_of)\n"
    "by_customer = ds.orders.groupby('customer_id')['amount'].sum().sort_values(ascending=False).head(top_n)\n"
    "rng = np.random.default_rng(7)\n"
    "pd.DataFrame({'売上（円）': by_customer.to_numpy(), '乱数': rng.normal(size=len(by_customer)).round(6)})",
    "Markdown(f'{brand} の売上合計は **{ds.orders.amount.sum():,.0f} 円**、上位 {top_n} 件を示します。')",
    "fig, ax = plt.subplots()\nax.bar(range(len(by_customer)), by_customer.to_numpy())\nax.set_title('顧客別売上')\nplt.show()",  # noqa: E501
)
OK_PARAMETERS = (
    'data_dir = "data/sample"  # データ\nbrand = "既定ブランド"  # ブランド\nas_of = "2025-12-31"  # 基準日\n'
    "top_n = 3  # 上位件数"
)
FAIL_CELLS = (
    "x = 1",
    "# 集計する\ntotal = 1 / 0",
    "print('ここは実行されない')",
)


@pytest.fixture(scope="module")
def small_workbook(tmp_path_factory):
    root = tmp_path_factory.mktemp("workbook")
    folder = root / "notebooks"
    folder.mkdir()
    shutil.copy(OVERVIEW, folder / OVERVIEW.name)
    make_notebook(folder / "01_sales.ipynb", OK_PARAMETERS, *OK_CELLS, title="売上レポート")
    make_notebook(folder / "02_broken.ipynb", 'data_dir = "data/sample"  # データ', *FAIL_CELLS, title="壊れたレポート")
    make_notebook(
        folder / "03_plain.ipynb", 'mood = "良い"  # 気分', "print(f'気分は{mood}です')", title="素朴なレポート"
    )
    make_notebook(
        folder / "04_leak.ipynb",
        'data_dir = "data/sample"  # データ',
        "from helpers import io\nio.load_data(data_dir).customers[['customer_id', 'email']]",
        title="漏洩レポート",
    )
    (folder / "workshop.ipynb").write_text(OVERVIEW.read_text(encoding="utf-8"), encoding="utf-8")
    data = write_tiny_data(root / "data")
    return root, folder, data


@pytest.fixture(scope="module")
def small_run(small_workbook):
    """``kando run`` over the small notebooks: YAML params, -p override, one notebook failing."""
    import contextlib
    import io as _io

    from helpers.cli import main

    root, folder, data = small_workbook
    params = root / "params.yaml"
    params.write_text("brand: 青汁テスト本舗\ntop_n: 2\nmood: 上々\n", encoding="utf-8")
    out = root / "out"
    stdout, stderr = _io.StringIO(), _io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(
            [
                "run",
                "--data",
                str(data),
                "--notebooks-dir",
                str(folder),
                "--out",
                str(out),
                "--params",
                str(params),
                "-p",
                "top_n",
                "4",
                "--jobs",
                "2",
            ]
        )
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {
        "code": code,
        "out": out,
        "stdout": stdout.getvalue(),
        "stderr": stderr.getvalue(),
        "manifest": manifest,
        "data": data,
        "params": params,
        "folder": folder,
    }


@pytest.mark.notebook
def test_failing_notebook_is_named_with_its_cell_and_saved_notebook(small_run):
    out = small_run["out"]
    assert small_run["code"] == 1
    message = small_run["stderr"]
    assert "02_broken.ipynb" in message
    assert "セル 3" in message  # title 0, parameters 1, "x = 1" 2, the division 3
    assert "ZeroDivisionError" in message
    assert "# 集計する" in message  # first line of the cell's source
    assert str(out / "02_broken.ipynb") in message
    executed = nbformat.read(str(out / "02_broken.ipynb"), as_version=4)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert [e.ename for e in errors] == ["ZeroDivisionError"]
    assert not (out / "02_broken.pdf").exists()


@pytest.mark.notebook
def test_other_reports_survive_a_failure(small_run):
    out = small_run["out"]
    for name in ["00_overview", "01_sales", "03_plain"]:
        assert (out / f"{name}.ipynb").exists() and (out / f"{name}.pdf").exists()
    assert (out / "combined.pdf").exists()
    assert not (out / "workshop.ipynb").exists()
    statuses = {n["name"]: n["status"] for n in small_run["manifest"]["notebooks"]}
    assert statuses == {
        "00_overview": "ok",
        "01_sales": "ok",
        "02_broken": "failed",
        "03_plain": "ok",
        "04_leak": "failed",
    }


@pytest.mark.notebook
def test_pdfs_embed_ipaexgothic_and_show_japanese_text(small_run):
    out = small_run["out"]
    titles = {"00_overview": "データ概要", "01_sales": "売上レポート", "03_plain": "素朴なレポート"}
    for name, title in titles.items():
        path = out / f"{name}.pdf"
        assert any(f.endswith("IPAexGothic") for f in pdf_fonts(path)), pdf_fonts(path)
        text = compact(pdf_text(path))
        assert title in text
        assert "青汁テスト本舗" in text  # the running header
    combined = compact(pdf_text(out / "combined.pdf"))
    assert all(title in combined for title in titles.values())
    # the failed reports are only named in the summary, as what was skipped
    after_summary = combined[combined.index("目次") :]
    assert "壊れたレポート" not in after_summary and "漏洩レポート" not in after_summary
    assert "「壊れたレポート」の章は実行できませんでした" in combined
    assert "2024年1月5日〜2025年12月1日" in combined  # data period on the cover, from orders.csv
    # the total of the 6 orders: 3000 + 3000 + 5400 + 1200 + 5400 + 2500
    assert "20,500円" in compact(pdf_text(out / "01_sales.pdf"))


@pytest.mark.notebook
def test_contents_page_numbers_point_at_the_sections(small_run):
    from pypdf import PdfReader

    reader = PdfReader(str(small_run["out"] / "combined.pdf"))
    pages = [compact(p.extract_text() or "") for p in reader.pages]
    assert pages[1].startswith("サマリー") and "サマリー（続き）" in pages[2]
    contents = pages[3]
    for title in ["データ概要", "売上レポート", "素朴なレポート"]:
        listed = int(re.search(re.escape(title) + r"[.．]*(\d+)", contents).group(1))
        assert pages[listed - 1].find(title) >= 0, (title, listed)
        assert f"{listed}/{len(pages)}" in pages[listed - 1]  # the page footer


@pytest.mark.notebook
def test_parameters_from_file_and_overrides_reach_only_their_notebooks(small_run):
    by_name = {n["name"]: n for n in small_run["manifest"]["notebooks"]}
    data = str(small_run["data"].resolve())
    assert by_name["01_sales"]["injected_parameters"] == {"data_dir": data, "brand": "青汁テスト本舗", "top_n": 4}
    assert by_name["01_sales"]["parameters"]["as_of"] == "2025-12-31"
    assert by_name["03_plain"]["injected_parameters"] == {"mood": "上々"}
    assert by_name["02_broken"]["injected_parameters"] == {"data_dir": data}
    assert "上位4件" in compact(pdf_text(small_run["out"] / "01_sales.pdf"))
    changed = small_run["manifest"]["parameters"]["changed_from_defaults"]
    assert changed["top_n"] == 4 and changed["mood"] == "上々" and changed["brand"] == "青汁テスト本舗"


@pytest.mark.notebook
def test_manifest_records_inputs_versions_and_timings(small_run):
    manifest = small_run["manifest"]
    data = small_run["data"]
    for name in ["customers.csv", "orders.csv"]:
        entry = next(v for k, v in manifest["inputs"].items() if k.endswith("/" + name))
        assert entry["sha256"] == hashlib.sha256((data / name).read_bytes()).hexdigest()
    assert any(k.endswith("params.yaml") for k in manifest["inputs"])
    assert any(k.endswith("01_sales.ipynb") for k in manifest["inputs"])
    versions = manifest["versions"]
    for package in ["pandas", "numpy", "scipy", "matplotlib", "papermill", "nbconvert", "weasyprint", "helpers"]:
        assert versions[package], package
    assert versions["pandas"] == pd.__version__
    assert manifest["data_period"] == ["2024-01-05", "2025-12-01"]
    assert set(manifest["timings"]["notebooks"]) == {"00_overview", "01_sales", "02_broken", "03_plain", "04_leak"}
    assert all(t["total"] > 0 for t in manifest["timings"]["notebooks"].values())
    assert manifest["combined_pdf"] == "combined.pdf"
    assert "git" in manifest


@pytest.mark.notebook
def test_progress_lines_name_each_notebook_with_its_time(small_run):
    for name in ["00_overview.ipynb", "01_sales.ipynb", "02_broken.ipynb", "03_plain.ipynb", "04_leak.ipynb"]:
        assert re.search(re.escape(name) + r"\s+\d+\.\d s", small_run["stdout"]), name


@pytest.mark.notebook
def test_own_notebook_has_no_warnings_or_stray_output(small_run):
    by_name = {n["name"]: n for n in small_run["manifest"]["notebooks"]}
    assert by_name["00_overview"]["issues"] == []
    assert by_name["01_sales"]["issues"] == []


@pytest.mark.notebook
def test_reports_hold_no_personal_data(small_run):
    values = personal_values(CUSTOMERS)
    assert leaked("担当は山田 太郎、連絡先 090-1234-5678", values) == {"山田太郎", "090-1234-5678"}  # the scan works
    pdfs = list(small_run["out"].glob("*.pdf"))
    assert len(pdfs) == 4
    for pdf in pdfs:
        assert leaked(pdf_text(pdf), values) == set(), pdf.name


@pytest.mark.notebook
def test_same_inputs_give_the_same_numbers(small_run, small_workbook, tmp_path):
    _, folder, data = small_workbook
    again = report.run_workbook(
        data_dir=data,
        params=small_run["params"],
        overrides=[("top_n", "4")],
        notebooks="00,01",
        notebooks_dir=folder,
        out_dir=tmp_path / "again",
        pdf=False,
        jobs=2,
        progress=False,
    )
    assert again.ok
    for name in ["00_overview", "01_sales"]:
        first = text_outputs(small_run["out"] / f"{name}.ipynb")
        second = text_outputs(tmp_path / "again" / f"{name}.ipynb")
        assert first and first == second, name


@pytest.mark.notebook
def test_no_pdf_writes_executed_notebooks_and_manifest_only(small_workbook, tmp_path):
    _, folder, data = small_workbook
    result = report.run_workbook(
        data_dir=data, notebooks="03", notebooks_dir=folder, out_dir=tmp_path / "o", pdf=False, progress=False
    )
    assert result.ok and result.combined_pdf is None
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [
        "03_plain.ipynb", "03_plain.key_figures.json", "manifest.json"
    ]
    assert result.notebooks[0].pdf is None


@pytest.mark.notebook
def test_guard_withholds_a_report_that_shows_personal_data(small_run):
    out = small_run["out"]
    leak = next(n for n in small_run["manifest"]["notebooks"] if n["name"] == "04_leak")
    assert leak["pdf"] is None and not (out / "04_leak.pdf").exists()
    assert "personal data: email (4)" in leak["error"]  # the 4 emails of the customers table
    assert "04_leak.ipynb" in small_run["stderr"] and "email (4)" in small_run["stderr"]


# --------------------------------------------------------------------------
# the real workbook on the sample data
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    from helpers.io import PROJECT_ROOT

    sample = PROJECT_ROOT / "data" / "sample"
    if not (sample / "customers.csv").exists():
        pytest.skip("data/sample is missing: run `make sample`")
    out = tmp_path_factory.mktemp("sample_run")
    result = report.run_workbook(data_dir=sample, out_dir=out, progress=False)
    return result, pd.read_csv(sample / "customers.csv", dtype=str)


@pytest.mark.notebook
def test_sample_workbook_reports_hold_no_personal_data(sample_run):
    result, customers = sample_run
    values = personal_values(customers)
    pdfs = [r.pdf for r in result.notebooks if r.pdf is not None] + [result.combined_pdf]
    assert result.combined_pdf is not None and len(pdfs) >= 2
    for pdf in pdfs:
        found = leaked(pdf_text(pdf), values)
        assert found == set(), (pdf.name, sorted(found)[:10])
    assert all(r.personal_data == {} for r in result.notebooks)


@pytest.mark.notebook
def test_sample_workbook_runs_every_report_notebook(sample_run):
    result, _ = sample_run
    expected = [p.stem for p in nb_files.discover_notebooks()]
    assert [r.name for r in result.notebooks] == expected
    overview = next(r for r in result.notebooks if r.name == "00_overview")
    assert overview.ok and overview.issues == []


@pytest.mark.notebook
def test_sample_report_ids_reverse_only_with_the_folders_key(sample_run, tmp_path):
    import numpy as np

    from helpers import privacy
    from helpers.io import PROJECT_ROOT

    result, customers = sample_run
    listed = set(pd.read_csv(result.out_dir / "outputs" / "role_model_interviews.csv", encoding="utf-8-sig").iloc[:, 0])
    assert len(listed) >= 10 and all(re.fullmatch(r"P-[0-9a-f]{16}", p) for p in listed)
    assert customers["customer_id"].str.fullmatch(r"C\d{6}").all()  # the id format an attacker would enumerate
    guesses = pd.Series(np.char.add("C", np.char.zfill(np.arange(1_000_000).astype(str), 6)))  # C000000..C999999
    (tmp_path / "other_client").mkdir()
    assert not listed & set(privacy.pseudonymize(guesses, privacy.data_key(tmp_path / "other_client")))
    # the same enumeration with the folder's key reverses every id: the key alone protects them
    assert listed <= set(privacy.pseudonymize(guesses, privacy.data_key(PROJECT_ROOT / "data" / "sample")))


@pytest.mark.notebook
def test_pseudonym_key_and_kando_files_never_reach_the_run_folder(sample_run):
    from helpers import privacy
    from helpers.io import PROJECT_ROOT

    result, _ = sample_run
    key = privacy.data_key(PROJECT_ROOT / "data" / "sample")
    files = [p for p in result.out_dir.rglob("*") if p.is_file()]
    assert any(p.suffix == ".pdf" for p in files) and any(p.name == "manifest.json" for p in files)
    for path in files:
        data = path.read_bytes()
        assert key not in data and key.hex().encode() not in data, path.name
        if path.suffix == ".pdf":
            assert key.hex() not in compact(pdf_text(path)), path.name
    assert not [p for p in result.out_dir.rglob("*") if privacy.KANDO_DIR in p.parts]


def test_default_jobs_fit_the_kernels_in_memory(monkeypatch):
    import os
    from types import SimpleNamespace

    import psutil

    from helpers.report import pipeline

    gib = 1024**3
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    monkeypatch.setattr(psutil, "virtual_memory", lambda: SimpleNamespace(available=10 * gib))
    assert pipeline.default_jobs() == 4  # no size known: one per core
    small = int(0.5 * gib / pipeline.KERNEL_BYTES_PER_ROW)  # 0.5 GiB per kernel: 16 fit in 8 GiB
    assert pipeline.default_jobs(small) == 4
    three = int(8 * gib / 3 / pipeline.KERNEL_BYTES_PER_ROW)  # just under 8/3 GiB each: 3 fit, not 4
    assert pipeline.default_jobs(three) == 3
    assert pipeline.default_jobs(84_000_000) == 1  # 10M customers: 27 GB a kernel, one at a time


def test_freed_memory_is_kept_only_when_the_kernels_have_room(monkeypatch):
    import os
    from types import SimpleNamespace

    import psutil

    from helpers.report import pipeline

    gib = 1024**3
    monkeypatch.setattr(psutil, "virtual_memory", lambda: SimpleNamespace(available=24 * gib))
    assert pipeline.keep_freed_memory(8_400_000, 2)  # 1M customers: 2 x 3.5 GB of 19 GB
    assert not pipeline.keep_freed_memory(84_000_000, 1)  # 10M customers: 35 GB would not fit
    assert not pipeline.keep_freed_memory(None, 1)
    per_kernel = pipeline.KERNEL_BYTES_PER_ROW * pipeline.KEEP_FREED_MEMORY_PEAK
    edge = int(0.8 * 24 * gib / 3 / per_kernel)
    assert pipeline.keep_freed_memory(edge, 3) and not pipeline.keep_freed_memory(edge + 10, 3)

    for variable in pipeline.KEEP_FREED_MEMORY:
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "123")  # the user's own setting is kept
    pipeline.kernel_environment(keep_freed_memory=False)
    assert "MALLOC_MMAP_THRESHOLD_" not in os.environ
    pipeline.kernel_environment(keep_freed_memory=True)
    assert os.environ["MALLOC_MMAP_THRESHOLD_"] == pipeline.KEEP_FREED_MEMORY["MALLOC_MMAP_THRESHOLD_"]
    assert os.environ["NUMPY_MADVISE_HUGEPAGE"] == "0" and os.environ["MALLOC_TRIM_THRESHOLD_"] == "123"
