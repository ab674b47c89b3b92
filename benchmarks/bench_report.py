"""Benchmark of ``kando run``: the whole sample workbook with PDFs.

Prints the wall time of the run, each notebook's time (execution and PDF),
the combined PDF's time, peak memory, and the floor: papermill executing an
empty notebook that only imports pandas and matplotlib, times the number of
notebooks, divided by the parallel jobs.  Target: the run within 40 s on the
2-core machine.

Usage::

    python benchmarks/bench_report.py [--jobs N] [--data DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 40.0


def empty_notebook_seconds(folder: Path) -> float:
    """Wall time of papermill on a notebook that imports pandas and matplotlib (best of 2)."""
    import nbformat
    import papermill

    from helpers.report.execute import KERNEL_NAME, _kernel_launch_settings

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("import pandas\nimport matplotlib.pyplot")]
    source = folder / "empty.ipynb"
    nbformat.write(nb, str(source))
    times = []
    for _ in range(2):
        start = time.perf_counter()
        with _kernel_launch_settings() as config:
            papermill.execute_notebook(
                str(source), str(folder / "empty-out.ipynb"), kernel_name=KERNEL_NAME, progress_bar=False, config=config
            )
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--data", default="data/sample")
    args = parser.parse_args()

    from helpers.report.pipeline import block_slow_optional_imports, default_jobs, run_workbook

    block_slow_optional_imports()
    with tempfile.TemporaryDirectory(prefix="kando-bench-") as tmp:
        start = time.perf_counter()
        result = run_workbook(data_dir=args.data, out_dir=Path(tmp) / "run", jobs=args.jobs, progress=False)
        wall = time.perf_counter() - start
        jobs = min(args.jobs or default_jobs(), len(result.notebooks))

        print(f"notebooks: {len(result.notebooks)}   jobs: {jobs}   ok: {result.ok}")
        print(f"{'notebook':<24}{'execute s':>10}{'render s':>10}{'total s':>10}{'kernel cpu':>12}{'render cpu':>12}")
        for r in result.notebooks:
            s = r.seconds
            print(
                f"{r.name:<24}{s.get('execute', 0):>10.1f}{s.get('render', 0):>10.1f}{s.get('total', 0):>10.1f}"
                f"{s.get('kernel_cpu', 0):>12.1f}{s.get('render_cpu', 0):>12.1f}" + ("" if r.ok else "   FAILED")
            )
        cpu = sum(r.seconds.get("kernel_cpu", 0) + r.seconds.get("render_cpu", 0) for r in result.notebooks)
        print(f"CPU of kernels and rendering: {cpu:.1f} s, i.e. {cpu / jobs:.1f} s on {jobs} idle cores")
        import json

        timings = json.loads(result.manifest.read_text(encoding="utf-8"))["timings"]
        print(f"validate: {timings['validate']:.1f} s   combined PDF: {timings['combined_pdf']:.1f} s")
        print(
            f"wall time: {wall:.1f} s   (target <= {TARGET_SECONDS:.0f} s: {'met' if wall <= TARGET_SECONDS else 'NOT met'})"  # noqa: E501
        )

        one = empty_notebook_seconds(Path(tmp))
        floor = one * len(result.notebooks) / jobs
        print(f"floor: empty notebook {one:.1f} s x {len(result.notebooks)} notebooks / {jobs} jobs = {floor:.1f} s")
        print(f"overhead over the floor: {wall - floor:.1f} s")

    load = os.getloadavg()[0]
    print(
        f"load average (1 min) at the end: {load:.1f} on {os.cpu_count()} CPUs (other work on the machine slows the run)"  # noqa: E501
    )
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: this process {own:.0f} MiB, largest child (worker or kernel) {children:.0f} MiB")


if __name__ == "__main__":
    main()
