"""The kernel manager and client of report runs: jupyter_client's, without their fixed waits.

jupyter_client waits 0.2 s of IOPub silence before a kernel counts as
ready, and checks every 0.1 s whether a kernel asked to shut down has
ended: about 0.3 s a notebook, in which the core that runs it stands idle.
It also interrupts a kernel before shutting it down, which papermill's
timing turns into an error line on the user's terminal.  The classes here
keep jupyter_client's protocol and change those three steps.
"""

from __future__ import annotations

import time
import uuid

from helpers.report import kernel_forks

#: Seconds between the checks whether a kernel asked to shut down has ended (jupyter_client: 0.1).
SHUTDOWN_POLL = 0.01
#: Seconds without an IOPub message after which a starting kernel is asked again whether it is
#: ready (its first answers can be lost while IOPub connects).
IOPUB_SILENCE = 0.05


def _client_class():
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient

    class ReportKernelClient(AsyncKernelClient):
        """``AsyncKernelClient`` that is ready as soon as the kernel is.

        jupyter_client's ``wait_for_ready`` ends by reading IOPub until it has
        been silent for 0.2 s, a fixed wait on every kernel.  Here the kernel
        is ready when it has answered a ``kernel_info`` request and that
        request's idle status has come through IOPub: the IOPub connection
        then works, and what follows on it belongs to requests of its own,
        which nbclient tells apart by their parent.
        """

        async def wait_for_ready(self, timeout=None):
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                self.kernel_info()
                try:
                    reply = await self.get_shell_msg(timeout=1)
                except Empty:
                    reply = None
                if reply is not None and reply["msg_type"] == "kernel_info_reply":
                    if await self._idle_after(reply["parent_header"].get("msg_id")):
                        self._handle_kernel_info_reply(reply)
                        return
                if not await self.is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

        async def _idle_after(self, request: str | None) -> bool:
            """Whether IOPub brings the idle status of ``request`` with no silence of :data:`IOPUB_SILENCE`."""
            while True:
                try:
                    message = await self.get_iopub_msg(timeout=IOPUB_SILENCE)
                except Empty:
                    return False
                if (
                    message["msg_type"] == "status"
                    and message["parent_header"].get("msg_id") == request
                    and message["content"].get("execution_state") == "idle"
                ):
                    return True

    return ReportKernelClient


def kernel_manager_class():
    """The ``AsyncKernelManager`` report runs use.

    - Its kernels come from the fork server when one runs
      (:mod:`helpers.report.kernel_forks`), and start the usual way otherwise.
    - Its clients are ready as soon as the kernel is (:func:`_client_class`).
    - It checks every :data:`SHUTDOWN_POLL` s whether an ending kernel has ended.
    - At shutdown it does not interrupt the kernel first, as jupyter_client's
      manager does.  papermill shuts a kernel down the moment the reply to its
      last request arrives, while the kernel may still be inside that
      request's handler, where an interrupt is caught and logged as
      ``KeyboardInterrupt caught in kernel`` on the user's terminal.  A report
      kernel runs no cell at shutdown (papermill sets no cell timeout), so the
      shutdown request alone ends it; one that does not end is killed after
      ``shutdown_wait_time``.
    """
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import Type

    provisioner = kernel_forks.provisioner_class()

    class ReportKernelManager(AsyncKernelManager):
        client_factory = Type(_client_class())

        async def _async_pre_start_kernel(self, **kw):
            if self.provisioner is None:
                self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
                self.provisioner = provisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
            return await super()._async_pre_start_kernel(**kw)

        async def _async_interrupt_kernel(self):
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

        async def _async_finish_shutdown(self, waittime=None, pollinterval=0.1, restart=False):
            # a report kernel ends within a few hundredths of a second of the request
            await super()._async_finish_shutdown(waittime, min(pollinterval, SHUTDOWN_POLL), restart)

    return ReportKernelManager
