"""Kernels forked from the fork server behave as kernels started afresh (helpers.report.kernel_forks)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
from pathlib import Path

import nbformat
import pytest

from helpers.report import execute, kernel_forks, kernel_manager, pipeline

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the fork server needs fork()")

#: Cells whose outputs depend on how the kernel was set up: pandas' display
#: defaults, the inline figure backend, the working directory, the environment.
CELLS = [
    "import os, sys\nprint(sys.argv[0].endswith('ipykernel_launcher.py'), os.environ.get('KANDO_FORK_TEST'))",
    "print(os.getcwd())",
    "import pandas as pd\npd.DataFrame({f'column_{i}': [i * 1000] for i in range(30)})",
    "print(pd.get_option('display.max_columns'), pd.get_option('display.width'))",
    (
        "import matplotlib.pyplot as plt\nimport helpers.plotting\nhelpers.plotting.use_style()\n"
        '%config InlineBackend.figure_formats = ["png"]\n'
        "fig, ax = plt.subplots(figsize=(3, 2))\nax.plot([1, 2, 3], [2, 1, 3])\nax.set_title('感情曲線')\nplt.show()"
    ),
    "import warnings\nwarnings.warn('shown once per kernel')",
]


def _notebook(path: Path, cells: list[str]) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, str(path))
    return path


def _outputs(notebook) -> list:
    """Execution counts and outputs; a warning names the kernel's process id in its file name."""
    text = nbformat.writes(notebook)
    notebook = nbformat.reads(re.sub(r"ipykernel_\d+", "ipykernel_N", text), as_version=4)
    return [(cell.get("execution_count"), cell.get("outputs")) for cell in notebook.cells]


def _server():
    return pipeline._kernel_fork_server(keep_freed_memory=False)


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("KANDO_FORK_TEST", "passed on")
    with _server() as path:
        yield path


def test_a_forked_kernel_gives_the_outputs_of_a_fresh_one(tmp_path, monkeypatch):
    monkeypatch.setenv("KANDO_FORK_TEST", "passed on")
    source = _notebook(tmp_path / "probe.ipynb", CELLS)
    fresh = execute.execute_notebook(source, tmp_path / "fresh.ipynb", {})
    with _server():
        forked = execute.execute_notebook(source, tmp_path / "forked.ipynb", {})
    assert kernel_forks.SOCKET_ENV not in os.environ

    assert forked.failure is None and fresh.failure is None
    assert _outputs(forked.notebook) == _outputs(fresh.notebook)
    outputs = [cell.outputs for cell in forked.notebook.cells]
    assert outputs[0][0]["text"] == "True passed on\n"
    assert outputs[1][0]["text"].strip() == str(tmp_path)
    assert "[1 rows x 30 columns]" in outputs[2][0]["data"]["text/plain"]  # a kernel's 20 columns, not a terminal's
    assert "image/png" in outputs[4][0]["data"]
    assert outputs[5][0]["name"] == "stderr" and "shown once per kernel" in outputs[5][0]["text"]
    assert forked.kernel_cpu > 0


def test_the_kernel_comes_from_the_server_with_the_libraries_imported(tmp_path, server):
    probe = (
        "import gc, os, sys\nprint('pandas' in sys.modules, 'scipy.stats' in sys.modules, gc.get_freeze_count() > 0,"
        " os.getpriority(os.PRIO_PROCESS, 0))"
    )
    source = _notebook(tmp_path / "probe.ipynb", [probe])
    forked = execute.execute_notebook(source, tmp_path / "forked.ipynb", {})
    # the imported objects are frozen: the kernel's garbage collections pass them by; and the kernel
    # runs at the run's own priority, not at that of the thread that imported them
    assert forked.notebook.cells[0].outputs[0]["text"] == f"True True True {os.getpriority(os.PRIO_PROCESS, 0)}\n"


def test_a_second_kernel_starts_clean(tmp_path, server):
    first = _notebook(tmp_path / "first.ipynb", ["import helpers\nhelpers.left_behind = 1\nprint(1)"])
    second = _notebook(tmp_path / "second.ipynb", ["import helpers\nprint(hasattr(helpers, 'left_behind'))"])
    execute.execute_notebook(first, tmp_path / "first.out.ipynb", {})
    run = execute.execute_notebook(second, tmp_path / "second.out.ipynb", {})
    assert run.notebook.cells[0].outputs[0]["text"] == "False\n"


def test_a_failing_cell_is_reported_as_from_a_fresh_kernel(tmp_path, server):
    source = _notebook(tmp_path / "fails.ipynb", ["x = 1", "1 / 0"])
    run = execute.execute_notebook(source, tmp_path / "fails.out.ipynb", {})
    assert run.failure is not None and run.failure.cell_index == 1
    assert run.failure.exception.startswith("ZeroDivisionError")
    assert (tmp_path / "fails.out.ipynb").exists()


@pytest.mark.parametrize("forks", [True, False], ids=["forked", "fresh"])
def test_a_kernel_that_dies_is_reported_without_pointing_at_a_notebook_it_did_not_write(tmp_path, monkeypatch, forks):
    source = _notebook(tmp_path / "dies.ipynb", ["x = 1", "import os\nos._exit(3)"])
    executed = tmp_path / "dies.out.ipynb"
    executed.write_text("a previous run's notebook", encoding="utf-8")
    if forks:
        with _server():
            run = execute.execute_notebook(source, executed, {})
    else:
        run = execute.execute_notebook(source, executed, {})
    assert run.failure is not None and run.failure.cell_index is None
    assert run.failure.exception.startswith("DeadKernelError")
    assert run.failure.executed_path is None and not executed.exists()
    assert "dies.out.ipynb" not in run.failure.format("dies.ipynb", "en")


#: Makes the kernel linger in its handler after it has answered papermill's last
#: request (its ``kernel_info_request``), as a busy machine does for a moment.
LINGERING_HANDLER = """
import inspect, time
kernel = get_ipython().kernel
answer = kernel.shell_handlers["kernel_info_request"]

async def answer_then_linger(*args):
    result = answer(*args)
    if inspect.isawaitable(result):
        await result
    time.sleep(1)

kernel.shell_handlers["kernel_info_request"] = answer_then_linger
"""


@pytest.mark.parametrize("forks", [True, False], ids=["forked", "fresh"])
def test_a_kernel_still_in_its_last_handler_is_shut_down_without_an_interrupt(tmp_path, capfd, forks):
    source = _notebook(tmp_path / "lingers.ipynb", [LINGERING_HANDLER, "print('done')"])
    if forks:
        with _server():
            run = execute.execute_notebook(source, tmp_path / "out.ipynb", {})
    else:
        run = execute.execute_notebook(source, tmp_path / "out.ipynb", {})
    assert run.failure is None and run.notebook.cells[1].outputs[0]["text"] == "done\n"
    assert "KeyboardInterrupt" not in capfd.readouterr().err


def test_a_kernel_is_interrupted_at_shutdown_only_when_it_was_last_seen_busy():
    from jupyter_client.utils import run_sync

    manager = kernel_manager.kernel_manager_class()(kernel_name="python3")
    run_sync(manager.start_kernel)()
    try:
        sent = []
        manager.provisioner.send_signal = _record(sent)
        client = manager.client()
        interrupt = run_sync(manager._async_interrupt_kernel)  # what shutdown_kernel calls
        interrupt()  # an interrupt asked for outside shutdown
        assert sent == [signal.SIGINT]
        manager.shutting_down = True
        client.iopub_channel.execution_state = "idle"  # papermill's last reply read
        interrupt()
        assert sent == [signal.SIGINT]
        client.iopub_channel.execution_state = "busy"  # stopped in the middle of a cell (Ctrl-C)
        interrupt()
        assert sent == [signal.SIGINT, signal.SIGINT]
    finally:
        manager.shutting_down = False
        run_sync(manager.shutdown_kernel)(now=True)


def _record(sent):
    async def send_signal(signum):
        sent.append(signum)

    return send_signal


class _KernelStartingSlowly:
    """A kernel whose first ``kernel_info`` answer comes late, its statuses lost (IOPub not yet connected)."""

    def __init__(self):
        self.requests, self.shell, self.iopub = [], [], []

    def kernel_info(self):
        request = f"k{len(self.requests) + 1}"
        self.requests.append(request)
        if len(self.requests) == 2:  # the kernel is up: the first answer arrives, its statuses are gone
            self.shell.append(self._reply("k1"))
        if len(self.requests) >= 2:
            self.shell.append(self._reply(request))
            self.iopub += [self._status(request, "busy"), self._status(request, "idle")]
        return request

    @staticmethod
    def _reply(request):
        return {"msg_type": "kernel_info_reply", "parent_header": {"msg_id": request},
                "content": {"protocol_version": "5.4"}}

    @staticmethod
    def _status(request, state):
        return {"msg_type": "status", "parent_header": {"msg_id": request}, "content": {"execution_state": state}}


def test_a_kernel_whose_first_answers_are_lost_is_still_found_ready():
    from queue import Empty

    from jupyter_client.utils import run_sync

    kernel = _KernelStartingSlowly()

    class Client(kernel_manager._client_class()):
        def kernel_info(self):
            return kernel.kernel_info()

        async def get_shell_msg(self, timeout=None):
            if not kernel.shell:
                raise Empty
            return kernel.shell.pop(0)

        async def get_iopub_msg(self, timeout=None):
            if not kernel.iopub:
                raise Empty
            return kernel.iopub.pop(0)

        async def is_alive(self):
            return True

    run_sync(Client().wait_for_ready)(timeout=2)
    # ready on the second request's idle status, read while the first request's late answer was read
    assert kernel.requests == ["k1", "k2", "k3"]


def test_without_a_server_the_kernel_starts_the_usual_way(tmp_path, monkeypatch):
    monkeypatch.setenv(kernel_forks.SOCKET_ENV, str(tmp_path / "no-server"))
    monkeypatch.setenv(kernel_forks.SERVER_PID_ENV, str(2**22 + 12345))  # no such process
    source = _notebook(tmp_path / "probe.ipynb", ["import sys\nprint('scipy.stats' in sys.modules)"])
    run = execute.execute_notebook(source, tmp_path / "out.ipynb", {})
    assert run.failure is None
    assert run.notebook.cells[0].outputs[0]["text"] == "False\n"


def test_only_an_ipykernel_on_this_interpreter_is_forked():
    assert kernel_forks.forkable([sys.executable, "-m", "ipykernel_launcher", "-f", "k.json"])
    assert not kernel_forks.forkable(["/opt/other/python", "-m", "ipykernel_launcher", "-f", "k.json"])
    assert not kernel_forks.forkable([sys.executable, "-m", "other_kernel", "-f", "k.json"])
    assert not kernel_forks.forkable(["R", "--slave"])


def test_the_run_turns_the_server_off_when_asked(monkeypatch):
    task = pipeline._Task(
        source=Path("a.ipynb"), executed=Path("b.ipynb"), pdf=None, parameters={}, brand="b", title="t", lang="ja"
    )
    monkeypatch.setenv(pipeline.KERNEL_FORKS_ENV, "0")
    with pipeline._kernel_fork_server(keep_freed_memory=True) as path:
        assert path is None and kernel_forks.SOCKET_ENV not in os.environ
    with pipeline._fork_server_for([task]):
        assert kernel_forks.SOCKET_ENV not in os.environ


@pytest.mark.parametrize("keep", [True, False], ids=["keeps-freed-memory", "lean"])
def test_the_run_starts_its_server_before_validation_and_keeps_it_when_the_allocator_fits(
    sample_copy, tmp_path, monkeypatch, keep
):
    events = []
    start_server, plan_run = pipeline._kernel_fork_server, pipeline.plan_run

    @contextlib.contextmanager
    def recorded_server(keep_freed_memory):
        events.append(("server", keep_freed_memory))
        with start_server(keep_freed_memory) as path:
            yield path

    monkeypatch.setattr(pipeline, "_kernel_fork_server", recorded_server)
    monkeypatch.setattr(pipeline, "plan_run", lambda *a, **k: events.append("validate") or plan_run(*a, **k))
    monkeypatch.setattr(pipeline, "keep_freed_memory", lambda rows, jobs: keep)
    folder = tmp_path / "notebooks"
    folder.mkdir()
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [
        nbformat.v4.new_code_cell('data_dir = "data/sample"', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import sys\nprint('scipy.stats' in sys.modules)"),
    ]
    nbformat.write(notebook, str(folder / "00_probe.ipynb"))
    result = pipeline.run_workbook(
        data_dir=sample_copy, notebooks_dir=folder, out_dir=tmp_path / "out", pdf=False, progress=False, jobs=1
    )
    assert result.ok
    # the server imports while the data is validated; data too large to keep freed memory gets a lean one
    assert events == [("server", True), "validate"] + ([] if keep else [("server", False)])
    executed = nbformat.read(str(result.out_dir / "00_probe.ipynb"), as_version=4)
    assert executed.cells[-1].outputs[0]["text"] == "True\n"  # forked from the server
    assert kernel_forks.SOCKET_ENV not in os.environ


def test_a_notebook_run_uses_the_server_already_running(server, monkeypatch):
    task = pipeline._Task(
        source=Path("a.ipynb"), executed=Path("b.ipynb"), pdf=None, parameters={}, brand="b", title="t", lang="ja"
    )
    with pipeline._fork_server_for([task]):
        assert os.environ[kernel_forks.SOCKET_ENV] == server
