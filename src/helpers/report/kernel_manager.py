"""The kernel manager and client of report runs: jupyter_client's, without their fixed waits.

jupyter_client waits 0.2 s of IOPub silence before a kernel counts as
ready, and checks every 0.1 s whether a kernel asked to shut down has
ended: about 0.3 s a notebook, in which the core that runs it stands idle.
It also interrupts a kernel before shutting it down, which papermill's
timing turns into an error line on the user's terminal when the kernel is
idle.  The classes here keep jupyter_client's protocol and change those
three steps.
"""

from __future__ import annotations

import functools
import time
import uuid
import weakref

from helpers.report import kernel_forks

#: Seconds between the checks whether a kernel asked to shut down has ended (jupyter_client: 0.1).
SHUTDOWN_POLL = 0.01
#: Seconds without an IOPub message after which a starting kernel is asked again whether it is
#: ready (its first answers can be lost while IOPub connects).
IOPUB_SILENCE = 0.05


@functools.cache
def _client_class():
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.channels import AsyncZMQSocketChannel
    from traitlets import Type

    class StateChannel(AsyncZMQSocketChannel):
        """IOPub channel that remembers the last execution state (busy, idle) read from it."""

        execution_state = None

        async def get_msg(self, timeout=None):
            message = await super().get_msg(timeout)
            if message.get("msg_type") == "status":
                self.execution_state = message["content"].get("execution_state")
            return message

    class ReportKernelClient(AsyncKernelClient):
        """``AsyncKernelClient`` that is ready as soon as the kernel is.

        jupyter_client's ``wait_for_ready`` ends by reading IOPub until it has
        been silent for 0.2 s, a fixed wait on every kernel.  Here the kernel
        is ready when it has answered a ``kernel_info`` request and that
        request's idle status has come through IOPub: the IOPub connection
        then works, and what follows on it belongs to requests of its own,
        which nbclient tells apart by their parent.  The client also knows
        whether the kernel was last seen busy (:attr:`seen_busy`).
        """

        iopub_channel_class = Type(StateChannel)

        @property
        def seen_busy(self) -> bool:
            """Whether the last status read from IOPub said busy (a cell may be running)."""
            channel = self._iopub_channel
            return channel is not None and channel.execution_state == "busy"

        async def wait_for_ready(self, timeout=None):
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            idle: set[str] = set()  # requests whose idle status has come through
            while True:
                self.kernel_info()
                try:
                    reply = await self.get_shell_msg(timeout=1)
                except Empty:
                    reply = None
                # the reply may answer an earlier request, whose statuses were read before it
                if reply is not None and reply["msg_type"] == "kernel_info_reply":
                    if await self._idle_seen(reply["parent_header"].get("msg_id"), idle, deadline):
                        self._handle_kernel_info_reply(reply)
                        return
                if not await self.is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

        async def _idle_seen(self, request: str | None, idle: set, deadline: float) -> bool:
            """Read IOPub, noting every idle status, until ``request``'s is among them.

            False after :data:`IOPUB_SILENCE` without a message (or at the deadline).
            """
            while request not in idle:
                if time.monotonic() > deadline:
                    return False
                try:
                    message = await self.get_iopub_msg(timeout=IOPUB_SILENCE)
                except Empty:
                    return False
                if message["msg_type"] == "status" and message["content"].get("execution_state") == "idle":
                    idle.add(message["parent_header"].get("msg_id"))
            return True

    return ReportKernelClient


@functools.cache
def kernel_manager_class():
    """The ``AsyncKernelManager`` report runs use.

    - Its kernels come from the fork server when one runs
      (:mod:`helpers.report.kernel_forks`), and start the usual way otherwise.
    - Its clients are ready as soon as the kernel is (:func:`_client_class`).
    - It checks every :data:`SHUTDOWN_POLL` s whether an ending kernel has ended.
    - At shutdown it interrupts the kernel first, as jupyter_client's manager
      does, only when its client last saw the kernel busy (a run stopped in
      the middle of a cell, by Ctrl-C or an error).  After the last cell
      papermill shuts a kernel down the moment the reply to its last request
      arrives, while the kernel may still be inside that request's handler,
      where an interrupt is caught and logged as ``KeyboardInterrupt caught
      in kernel`` on the user's terminal; the shutdown request alone ends an
      idle kernel.
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

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self._clients = weakref.WeakSet()

        def client(self, **kwargs):
            client = super().client(**kwargs)
            self._clients.add(client)
            return client

        async def _async_interrupt_kernel(self):
            # at shutdown, only a kernel a client last saw busy (Ctrl-C in the middle of a cell)
            if self.shutting_down and not any(client.seen_busy for client in self._clients):
                return
            await super()._async_interrupt_kernel()

        async def _async_finish_shutdown(self, waittime=None, pollinterval=0.1, restart=False):
            # a report kernel ends within a few hundredths of a second of the request
            await super()._async_finish_shutdown(waittime, min(pollinterval, SHUTDOWN_POLL), restart)

    return ReportKernelManager
