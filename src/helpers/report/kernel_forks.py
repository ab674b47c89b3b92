"""Notebook kernels forked from a process that has already imported the libraries.

A fresh ``python3`` kernel spends about 1.4 s of CPU importing pandas,
pyarrow, scipy, matplotlib, IPython and the helpers before a notebook's
first line does any work; a run of ten notebooks pays it ten times.  A run
therefore starts one *fork server* (:func:`serve`, ``python -m
helpers.report.kernel_forks SOCKET``) that imports them once and forks a
kernel for each notebook: the child is the same interpreter, with the same
environment a freshly started kernel gets, and runs the same
``ipykernel_launcher`` command.  Only the imports are shared; nothing a
notebook computes is, because each kernel is a new copy of a process that
has run no notebook code.

The server holds no sockets, event loops or threads of its own when it
forks; the one other thread in it is jemalloc's background thread (pyarrow
starts it at import, as in every kernel), which jemalloc's own at-fork
handlers make safe to fork.  It reaps its children and keeps their exit codes and CPU
times for the kernel provisioners (:func:`provisioner_class`), which talk to
it over a Unix socket.  When it cannot be reached, or a kernel command is
not the plain ``ipykernel_launcher`` on the server's interpreter, a kernel
is started the usual way.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

#: Environment variable through which notebook runs find the fork server's socket.
SOCKET_ENV = "KANDO_KERNEL_FORK_SERVER"
#: Environment variable holding the fork server's process id (a server that died is not waited for).
SERVER_PID_ENV = "KANDO_KERNEL_FORK_SERVER_PID"
#: Backend matplotlib gets in a kernel (what ipykernel sets when none is set).
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
#: What the server imports before it forks, besides the helpers' analysis, table and plotting
#: modules (:func:`_preload`): the libraries the notebooks use, and the kernel itself.
PRELOADED = (
    "pyarrow.compute",
    "pyarrow.parquet",
    "scipy.optimize",
    "scipy.special",
    "scipy.stats",
    "matplotlib.pyplot",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.debugger",  # a kernel imports it as it starts; debugpy then runs `uname -p` once, not per kernel
    "helpers.report.key_figures",
)
#: Seconds a kernel start waits for the server to finish its imports.
READY_TIMEOUT = 60.0
#: Seconds an ending kernel waits for its control thread to answer the shutdown request.
CONTROL_THREAD_TIMEOUT = 5.0
_KERNEL_MODULE = "ipykernel_launcher"
#: Modules of ``helpers`` no notebook imports.
_NOT_PRELOADED = {"helpers.cli", "helpers.sample", "helpers.__main__"}


def _import_pandas_as_in_a_kernel() -> None:
    """Import pandas as a kernel does: its display defaults depend on whether it runs in one.

    pandas sets ``display.max_columns`` at import, to 20 in a Jupyter kernel
    and 0 in a terminal, by asking ``get_ipython()`` whether there is a kernel.
    """
    import builtins
    import types

    builtins.get_ipython = lambda: types.SimpleNamespace(kernel=None)
    try:
        import pandas  # noqa: F401
    finally:
        del builtins.get_ipython


def _preload() -> None:
    import importlib
    import pkgutil

    _import_pandas_as_in_a_kernel()
    names = list(PRELOADED)
    import helpers
    import helpers.plotting
    import helpers.tables

    # every analysis, table and plotting module a notebook may import
    for package in (helpers, helpers.plotting, helpers.tables):
        names += [
            module.name
            for module in pkgutil.iter_modules(package.__path__, package.__name__ + ".")
            if not module.ispkg and module.name not in _NOT_PRELOADED
        ]
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:  # the kernel that needs it imports it, and shows the error there
            pass


#: Niceness added to the thread that imports the libraries (the run validates the data meanwhile).
PRELOAD_NICENESS = 10


def _preload_at_low_priority() -> None:
    """:func:`_preload` in a thread of low priority, so that the validation running meanwhile does not wait.

    On Linux a thread has a priority of its own.  Once the thread has ended,
    the server forks its kernels from the main thread, whose priority is the
    usual one.  Elsewhere the imports run in the main thread.
    """
    if not sys.platform.startswith("linux"):
        _preload()
        return
    import threading

    def run() -> None:
        thread = threading.get_native_id()
        try:
            niceness = os.getpriority(os.PRIO_PROCESS, thread)
            os.setpriority(os.PRIO_PROCESS, thread, min(19, niceness + PRELOAD_NICENESS))
        except OSError:
            pass
        _preload()

    thread = threading.Thread(target=run, name="kando-preload")
    thread.start()
    thread.join()


def forkable(argv: list[str]) -> bool:
    """True when ``argv`` starts an ipykernel on this interpreter, which a fork can stand in for."""
    return (
        len(argv) >= 3
        and os.path.realpath(argv[0]) == os.path.realpath(sys.executable)
        and argv[1:3] == ["-m", _KERNEL_MODULE]
    )


def _run_kernel(argv: list[str], env: dict, cwd: str) -> int:
    """In the forked child: become the kernel ``argv`` would start; returns its exit code."""
    os.setsid()  # its own process group, as jupyter_client starts kernels
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    # the kernel stops when the server goes (ipykernel read JPY_PARENT_PID when the server imported it)
    os.environ["JPY_PARENT_PID"] = str(os.getppid())
    import ipykernel_launcher
    from ipykernel import kernelapp

    sys.argv = [ipykernel_launcher.__file__, *argv[3:]]
    kernelapp.launch_new_instance(argv=[*argv[3:], f"--IPKernelApp.parent_handle={os.getppid()}"])
    # The control thread may still be finishing the shutdown request, flushing output through the
    # IOPub thread; closing the app (an exit function) stops that thread, and the flush would then
    # wait 10 s.  A fresh kernel's exit is slower and hides this.
    control = kernelapp.IPKernelApp.instance().control_thread
    if control is not None:
        control.join(timeout=CONTROL_THREAD_TIMEOUT)
    return 0


def _fork_kernel(request: dict, listener: socket.socket, wakeup: tuple[int, int]) -> int:
    import warnings

    with warnings.catch_warnings():  # Python 3.12+ warns of any other thread; see the module's notes
        warnings.filterwarnings("ignore", r".*use of fork\(\) may lead to deadlocks", DeprecationWarning)
        pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        listener.close()
        for fd in wakeup:
            os.close(fd)
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        code = _run_kernel(request["argv"], request["env"], request["cwd"])
        import atexit

        atexit._run_exitfuncs()  # what the interpreter does at exit: IPython's history, ...
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve(path: str) -> None:
    """Import the libraries, then fork a kernel for each request on the Unix socket ``path``.

    Requests are one JSON line each: ``{"op": "fork", "argv": [...], "env":
    {...}, "cwd": "..."}`` answers ``{"pid": n}``; ``{"op": "poll", "pid":
    n}`` answers ``{"returncode": code or null, "cpu": seconds}``.  The
    server stops on SIGTERM and then ends the kernels still running.
    """
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the run's to handle; it stops the server itself
    _preload_at_low_priority()
    # The imported modules' objects live as long as a kernel: frozen, the kernels' garbage
    # collections (IPython's full one at exit took 0.1 s each) skip them and leave their pages
    # shared.  What the imports left as garbage is collected first, so that none is kept.
    gc.collect()
    gc.freeze()
    finished: dict[int, tuple[int, float]] = {}
    running: set[int] = set()
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    stopping = []
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(16)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(wake_read, selectors.EVENT_READ)

    def reap() -> None:
        while running:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            running.discard(pid)
            finished[pid] = (os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime)

    while not stopping:
        for key, _ in selector.select():
            if key.fileobj is listener:
                connection, _ = listener.accept()
                with connection:
                    request = json.loads(connection.makefile("rb").readline())
                    if request["op"] == "fork":
                        pid = _fork_kernel(request, listener, (wake_read, wake_write))
                        running.add(pid)
                        answer = {"pid": pid}
                    else:
                        reap()
                        code, cpu = finished.get(request["pid"], (None, 0.0))
                        answer = {"returncode": code, "cpu": cpu}
                    connection.sendall(json.dumps(answer).encode() + b"\n")
            else:  # a signal: SIGCHLD, or SIGTERM (the loop then ends)
                try:
                    os.read(wake_read, 4096)
                except BlockingIOError:
                    pass
                reap()
    for pid in running:
        try:
            os.killpg(pid, signal.SIGTERM)
        except OSError:
            pass


def _alive(pid: int | None) -> bool:
    """False only when process ``pid`` is known to have ended."""
    try:
        if pid is not None:
            os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        pass
    return True


def _ask(path: str, request: dict, wait: float = 0.0, server_pid: int | None = None) -> dict:
    """Send one request to the server at ``path``; retry for ``wait`` seconds while it starts.

    Raises OSError when it cannot be reached in time, or its process
    ``server_pid`` has ended.
    """
    deadline = time.monotonic() + wait
    while True:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
                client.connect(path)
                client.sendall(json.dumps(request).encode() + b"\n")
                answer = client.makefile("rb").readline()
            if not answer:
                raise ConnectionResetError(f"the fork server at {path} closed the connection")
            return json.loads(answer)
        except (FileNotFoundError, ConnectionRefusedError):
            if time.monotonic() >= deadline or not _alive(server_pid):
                raise
            time.sleep(0.02)


class ForkedKernel:
    """The part of :class:`subprocess.Popen` jupyter_client uses, for a kernel the server forked."""

    stdin = stdout = stderr = None

    def __init__(self, server: str, pid: int):
        self.server = server
        self.pid = pid
        self.returncode: int | None = None
        self.cpu = 0.0

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                answer = _ask(self.server, {"op": "poll", "pid": self.pid})
            except OSError:  # the server is gone, and with it the kernel
                answer = {"returncode": -signal.SIGTERM, "cpu": 0.0}
            self.returncode, self.cpu = answer["returncode"], answer["cpu"]
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


#: CPU seconds of the forked kernels that ended in this process, by pid.
FINISHED_CPU: dict[int, float] = {}


def provisioner_class():
    """A ``LocalProvisioner`` that asks the fork server for the kernel process, when one runs."""
    from jupyter_client.provisioning import LocalProvisioner

    class ForkedKernelProvisioner(LocalProvisioner):
        """:class:`LocalProvisioner` that asks the fork server for the kernel process."""

        async def launch_kernel(self, cmd, **kwargs):
            server = os.environ.get(SOCKET_ENV)
            if not server or not forkable(cmd):
                return await super().launch_kernel(cmd, **kwargs)
            env = dict(kwargs.get("env") or os.environ)
            cwd = str(kwargs.get("cwd") or os.getcwd())
            server_pid = int(os.environ.get(SERVER_PID_ENV) or 0) or None
            request = {"op": "fork", "argv": list(cmd), "env": env, "cwd": cwd}
            try:
                answer = await asyncio.to_thread(_ask, server, request, READY_TIMEOUT, server_pid)
            except (OSError, ValueError):  # no server: start the kernel the usual way
                return await super().launch_kernel(cmd, **kwargs)
            self.process = ForkedKernel(server, answer["pid"])
            self.pid = self.pgid = answer["pid"]
            self.cwd = cwd
            return self.connection_info

        async def wait(self):
            process = self.process
            code = await super().wait()
            if isinstance(process, ForkedKernel):
                FINISHED_CPU[process.pid] = process.cpu
            return code

    return ForkedKernelProvisioner


@contextmanager
def fork_server(env: dict):
    """Start a fork server with environment ``env`` for the duration of a run.

    Yields the socket path, which is also set in :data:`SOCKET_ENV` of this
    process (the notebook runs it starts inherit it).
    """
    import tempfile

    from helpers.report.environment import environment

    folder = tempfile.mkdtemp(prefix="kando-forks-")
    path = str(Path(folder) / "server")
    server = subprocess.Popen(
        [sys.executable, "-m", "helpers.report.kernel_forks", path], env=env, stdin=subprocess.DEVNULL
    )
    try:
        with environment({SOCKET_ENV: path, SERVER_PID_ENV: str(server.pid)}):
            yield path
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    serve(sys.argv[1])
