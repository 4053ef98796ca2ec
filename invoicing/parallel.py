"""A batch's PDFs rendered on the machine's other cores, while this process does the rest.

The workers are *spawned* (a fresh interpreter each, nothing inherited but the
environment): forking a process that holds the Peppol validator (Saxon's native threads)
or the books' lock is not safe. They ignore Ctrl-C; the interrupted command terminates
them, so an interrupt leaves no process behind and, the write never committed, the books
as they were.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

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


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def mapped(
    func: Callable[[J], R], jobs: Sequence[J], *, min_jobs: int = MIN_JOBS
) -> Iterator[Callable[[], list[R]]]:
    """Start ``func`` over ``jobs`` and give the function that returns the results, in
    the order of ``jobs`` (waiting for them). On worker processes when there are at least
    ``min_jobs`` and more than one core, else in this process when the results are asked
    for. ``func`` must be a module-level function, its jobs and results picklable. An
    exception in a job is raised by the results' function; leaving the block by an
    exception (Ctrl-C included) terminates the workers."""
    workers = min(cores(), MAX_WORKERS)
    if workers < 2 or len(jobs) < min_jobs:
        yield lambda: [func(job) for job in jobs]
        return
    pool = multiprocessing.get_context("spawn").Pool(workers, initializer=_ignore_interrupts)
    try:
        pending = pool.map_async(func, jobs, chunksize=max(1, len(jobs) // (workers * 4)))
        yield pending.get
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
