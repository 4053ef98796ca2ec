"""A batch's PDFs rendered on the machine's other cores, while this process does the rest.

The workers are *spawned* (a fresh interpreter each, nothing inherited but the
environment): forking a process that holds the Peppol validator (Saxon's native threads)
or the books' lock is not safe. They ignore Ctrl-C; the interrupted command terminates
them, so an interrupt leaves no process behind and, the write never committed, the books
as they were. A worker killed (out of memory, kill -9) is an error of the command, which
then changes nothing either.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from ledger.errors import BooksError
from ledger.i18n import _

J = TypeVar("J")
R = TypeVar("R")

# Below this many jobs the workers' start (a fresh Python importing reportlab, ≈ 0.3 s
# each) costs more than they save (benchmarks/bench_perf.py, P3, measures the batch).
MIN_JOBS = 16
MAX_WORKERS = 4


def cores() -> int:
    """The cores this process may run on (its affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _start_worker(modules: tuple[str, ...]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the command terminates its workers
    for name in modules:
        importlib.import_module(name)


def _ready() -> None:
    """A first job for each worker, so that each starts at once (a pool starts its
    processes as jobs come)."""


class Workers:
    """Worker processes started ahead of their jobs (their start, a fresh interpreter and
    its imports, overlaps the caller's own work); without a pool, the jobs run here."""

    def __init__(self, pool: ProcessPoolExecutor | None, count: int) -> None:
        self._pool = pool
        self._count = count

    def map(self, func: Callable[[J], R], jobs: Sequence[J]) -> Callable[[], list[R]]:
        """Start ``func`` over ``jobs``; returns the function that gives the results in the
        order of ``jobs``, waiting for them (and raising a job's exception). ``func`` must
        be a module-level function, its jobs and results picklable."""
        if self._pool is None:
            return lambda: [func(job) for job in jobs]
        chunk = max(1, len(jobs) // (self._count * 4))
        try:
            pending = self._pool.map(func, jobs, chunksize=chunk)
        except BrokenProcessPool:
            raise _stopped() from None

        def results() -> list[R]:
            try:
                return list(pending)
            except BrokenProcessPool:
                raise _stopped() from None

        return results


def _stopped() -> BooksError:
    """A worker was killed (out of memory, kill -9): the pool cannot finish its jobs."""
    return BooksError(_("a worker process stopped before its work was done (out of memory?)"))


@contextlib.contextmanager
def workers(
    jobs: int, *, preload: Sequence[str] = (), min_jobs: int = MIN_JOBS
) -> Iterator[Workers]:
    """Workers for ``jobs`` jobs, each importing the modules ``preload`` as it starts: a
    pool when there are at least ``min_jobs`` and more than one core, else none. Leaving
    the block by an exception (Ctrl-C included) terminates them."""
    count = min(cores(), MAX_WORKERS)
    if count < 2 or jobs < min_jobs:
        yield Workers(None, 1)
        return
    pool = ProcessPoolExecutor(
        count, mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker, initargs=(tuple(preload),),
    )  # fmt: skip
    try:
        for _n in range(count):
            pool.submit(_ready)
        yield Workers(pool, count)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        for child in multiprocessing.active_children():  # the pool's: this process has no other
            child.terminate()
        for child in multiprocessing.active_children():
            child.join()
        raise
    pool.shutdown()


@contextlib.contextmanager
def mapped(
    func: Callable[[J], R], jobs: Sequence[J], *, min_jobs: int = MIN_JOBS
) -> Iterator[Callable[[], list[R]]]:
    """``func`` started over ``jobs`` (see :meth:`Workers.map`) on workers of their own."""
    with workers(len(jobs), min_jobs=min_jobs) as pool:
        yield pool.map(func, jobs)
