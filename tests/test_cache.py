"""The validated-data cache: same tables as validating directly, invalidated by any change, safe to fill at once."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading

import numpy as np
import pandas as pd
import pytest

from helpers import cache, io, purchases, text_codes
from helpers.report.privacy_guard import cache_copies

AS_OF = "2025-12-31"


def _entries(data_dir):
    root = data_dir / ".kando" / "cache"
    return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.exists() else []


def _assert_same_dataset(got: io.Dataset, expected: io.Dataset):
    assert got.tables.keys() == expected.tables.keys()
    for table, frame in expected.tables.items():
        if frame is None:
            assert got.tables[table] is None
        else:
            pd.testing.assert_frame_equal(got.tables[table], frame, check_exact=True)
    assert got.notes == expected.notes
    assert got.files == expected.files
    assert got.as_of == expected.as_of and got.data_dir == expected.data_dir


def test_cached_tables_equal_the_directly_validated_ones(sample_copy, monkeypatch):
    (sample_copy / "fan_survey.csv").write_text("customer_id,response_date,fan_stage,liking\n", encoding="utf-8")
    (sample_copy / "nps.csv").unlink()
    direct = io.load_data(sample_copy, as_of=AS_OF, use_cache=False)
    assert direct.fan_survey is None and direct.notes
    filled = io.load_data(sample_copy, as_of=AS_OF)  # validates and fills
    assert len(_entries(sample_copy)) == 1

    def no_validation(*args, **kwargs):
        raise AssertionError("the cache was not used")

    monkeypatch.setattr(io, "_read_directory", no_validation)
    cached = io.load_data(sample_copy, as_of=AS_OF)
    _assert_same_dataset(filled, direct)
    _assert_same_dataset(cached, direct)
    monkeypatch.undo()
    for tables in (["orders", "nps"], ["touchpoint_ratings", "fan_survey"], ["journey"]):
        expected = io.load_data(sample_copy, as_of=AS_OF, tables=tables, use_cache=False)
        monkeypatch.setattr(io, "_read_directory", no_validation)
        _assert_same_dataset(io.load_data(sample_copy, as_of=AS_OF, tables=tables), expected)
        monkeypatch.undo()


def test_cached_id_codes_are_the_codes_of_the_loaded_column(sample_copy, monkeypatch):
    # first appearance in the orders is not id order
    orders = pd.read_csv(sample_copy / "orders.csv", dtype=str)
    orders = orders.iloc[::-1]
    orders.to_csv(sample_copy / "orders.csv", index=False)
    direct = io.load_data(sample_copy, as_of=AS_OF, use_cache=False)
    io.load_data(sample_copy, as_of=AS_OF)  # validates and fills
    (entry,) = _entries(sample_copy)
    assert sorted(p.name for p in (sample_copy / ".kando" / "cache" / entry).glob("*.codes.arrow")) == [
        f"{t}.customer_id.codes.arrow" for t in ("customers", "fan_survey", "nps", "orders", "touchpoint_ratings")
    ]

    def no_hashing(*args, **kwargs):
        raise AssertionError("codes were computed again")

    monkeypatch.setattr(text_codes, "encode", no_hashing)
    cached = io.load_data(sample_copy, as_of=AS_OF)
    for table in ("customers", "orders", "nps", "touchpoint_ratings"):
        ids = np.asarray(direct.tables[table]["customer_id"], dtype=object)
        for sort in (False, True):
            codes, uniques = purchases.customer_codes(cached.tables[table]["customer_id"], sort=sort)
            expected_codes, expected_uniques = pd.factorize(ids, sort=sort)
            np.testing.assert_array_equal(codes, expected_codes)
            np.testing.assert_array_equal(uniques, np.asarray(expected_uniques, dtype=object))


def test_cached_report_equals_the_validation(sample_copy, monkeypatch):
    (sample_copy / "nps.csv").unlink()
    expected = io.validate_data_dir(sample_copy, as_of=AS_OF)
    first = io.checked_report(sample_copy, as_of=AS_OF)  # validates and fills
    monkeypatch.setattr(io, "_read_directory", lambda *a, **k: pytest.fail("the cache was not used"))
    cached = io.checked_report(sample_copy, as_of=AS_OF)
    for report in (first, cached):
        assert report.problems == [] and report.notes == expected.notes
        assert report.summaries == expected.summaries
        assert report.format("ja") == expected.format("ja") and report.format("en") == expected.format("en")


def test_any_change_to_an_input_or_as_of_makes_a_new_entry(sample_copy):
    io.load_data(sample_copy, as_of=AS_OF)
    orders = sample_copy / "orders.csv"
    lines = orders.read_text(encoding="utf-8").splitlines()
    first = lines[1].split(",")
    first[3] = str(int(first[3]) + 1)  # one yen more on the first order
    orders.write_text("\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n", encoding="utf-8")
    changed = io.load_data(sample_copy, as_of=AS_OF)
    assert changed.orders.loc[changed.orders["order_id"] == first[0], "amount"].item() == int(first[3])
    assert len(_entries(sample_copy)) == 2
    io.load_data(sample_copy, as_of="2026-01-31")
    assert len(_entries(sample_copy)) == 3


def test_bad_data_is_reported_as_before_and_not_cached(sample_copy):
    orders = sample_copy / "orders.csv"
    orders.write_text(orders.read_text(encoding="utf-8") + "X1,C9999999,2025-13-45,-1\n", encoding="utf-8")
    with pytest.raises(io.DataValidationError) as cached_err:
        io.load_data(sample_copy, as_of=AS_OF)
    with pytest.raises(io.DataValidationError) as direct_err:
        io.load_data(sample_copy, as_of=AS_OF, use_cache=False)
    assert cached_err.value.report.problems == direct_err.value.report.problems
    assert {p.column for p in cached_err.value.report.problems} == {"customer_id", "order_date", "amount"}
    assert _entries(sample_copy) == []
    # a notebook that does not need the broken table still loads, as without a cache
    subset = io.load_data(sample_copy, as_of=AS_OF, tables=["customers", "nps"])
    _assert_same_dataset(subset, io.load_data(sample_copy, as_of=AS_OF, tables=["customers", "nps"], use_cache=False))


def test_concurrent_fills_leave_one_complete_entry(sample_copy):
    errors, results = [], []

    def load():
        try:
            results.append(io.load_data(sample_copy, as_of=AS_OF, tables=["orders"]).orders)
        except Exception as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(_entries(sample_copy)) == 1
    root = sample_copy / ".kando" / "cache"
    assert not [p for p in root.iterdir() if p.name.startswith(".tmp-")]
    for frame in results[1:]:
        pd.testing.assert_frame_equal(frame, results[0], check_exact=True)


def test_cache_folder_is_with_the_data_or_named_but_never_under_reports(tmp_path, monkeypatch):
    assert cache.cache_root(tmp_path) == tmp_path / ".kando" / "cache"
    assert cache.cache_root(tmp_path, tmp_path / "elsewhere") == tmp_path / "elsewhere"
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(tmp_path / "env"))
    assert cache.cache_root(tmp_path) == tmp_path / "env"
    with pytest.raises(cache.CacheLocationError):
        cache.cache_root(tmp_path, io.PROJECT_ROOT / "reports" / "x")
    with pytest.raises(cache.CacheLocationError):
        cache.cache_root(tmp_path, tmp_path / "reports" / "cache")


def test_privacy_scan_finds_cache_copies_in_a_report_folder(sample_copy, tmp_path):
    io.load_data(sample_copy, as_of=AS_OF)
    root = cache.cache_root(sample_copy)
    report = tmp_path / "report"
    (report / "outputs").mkdir(parents=True)
    (report / "outputs" / "segments.csv").write_text("segment,n\nA,1\n", encoding="utf-8")
    assert cache_copies(report, root) == []
    entry = next(p for p in root.iterdir() if p.is_dir())
    shutil.copy(entry / "customers.parquet", report / "outputs" / "renamed.bin")
    shutil.copytree(sample_copy / ".kando", report / "copy" / ".kando")
    assert cache_copies(report, root) == [report / "copy" / ".kando", report / "outputs" / "renamed.bin"]


def test_run_fills_the_cache_and_its_folder_holds_none_of_it(sample_copy, tmp_path, monkeypatch):
    import nbformat

    from helpers.report import run_workbook

    folder = tmp_path / "notebooks"
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 件数"),
        nbformat.v4.new_code_cell(
            'data_dir = "data/sample"  # データ\nas_of = "2025-12-31"  # 基準日', metadata={"tags": ["parameters"]}
        ),
        nbformat.v4.new_code_cell(
            "import os\nfrom helpers import io\nds = io.load_data(data_dir, as_of=as_of, tables=['orders'])\n"
            "print(len(ds.orders), os.environ.get('KANDO_CACHE_DIR'))"
        ),
    ]
    nbformat.write(nb, str(folder / "01_count.ipynb"))
    cache_dir = tmp_path / "named-cache"
    result = run_workbook(
        data_dir=sample_copy, notebooks_dir=folder, out_dir=tmp_path / "out", pdf=False, progress=False,
        cache_dir=cache_dir,
    )
    assert result.ok
    assert len([p for p in cache_dir.iterdir() if p.is_dir()]) == 1
    assert not (sample_copy / ".kando").exists()  # the named folder, not the default one
    executed = nbformat.read(str(result.out_dir / "01_count.ipynb"), as_version=4)
    printed = executed.cells[-1].outputs[0]["text"]
    assert printed.split() == [str(len(io.load_data(sample_copy, as_of=AS_OF, use_cache=False).orders)), str(cache_dir)]
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["cache_copies_removed"] == []
    assert cache_copies(result.out_dir, cache_dir) == []

    # a second run on the same data takes the stored validation: the files are not read again
    def no_validation(*args, **kwargs):
        raise AssertionError("the data was validated again")

    monkeypatch.setattr(io, "_read_directory", no_validation)
    again = run_workbook(
        data_dir=sample_copy, notebooks_dir=folder, out_dir=tmp_path / "again", pdf=False, progress=False,
        cache_dir=cache_dir,
    )
    assert again.ok
    second = json.loads(again.manifest.read_text(encoding="utf-8"))
    assert second["inputs"] == manifest["inputs"] and second["data_notes"] == manifest["data_notes"]
    assert second["data_period"] == manifest["data_period"]
    monkeypatch.undo()
    (sample_copy / "orders.csv").write_text(
        (sample_copy / "orders.csv").read_text(encoding="utf-8") + "BAD-ID,C0001,2025-01-01,100\n", encoding="utf-8"
    )
    with pytest.raises(io.DataValidationError):  # a changed file is validated (and its problem found)
        run_workbook(
            data_dir=sample_copy, notebooks_dir=folder, out_dir=tmp_path / "changed", pdf=False, progress=False,
            cache_dir=cache_dir,
        )


def test_small_scale_benchmark_checks_cached_against_direct(tmp_path):
    """The CI version of benchmarks/bench_scale.py: tiny, untimed, checks the tables only."""
    script = io.PROJECT_ROOT / "benchmarks" / "bench_scale.py"
    done = subprocess.run(
        [sys.executable, str(script), "--customers", "300", "--scratch", str(tmp_path / "scratch"), "--check-only"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    generated = sorted((tmp_path / "scratch").glob("customers-300/*.csv"))
    assert len(generated) >= 6  # every table the sample generator writes is compared
    assert f"cached tables equal direct tables: {len(generated)} tables" in done.stdout
