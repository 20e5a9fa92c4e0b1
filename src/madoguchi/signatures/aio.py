"""Running pyHanko's asynchronous validation from synchronous code.

pyHanko and pyhanko-certvalidator are asyncio-first, and their synchronous wrappers call
``asyncio.run``, which refuses to start in a thread whose event loop is running (an async
view, or a test process driving a browser with Playwright). Such callers get a short-lived
worker thread with its own loop instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def outside_event_loop(function: Callable[..., T], /, *args, **kwargs) -> T:
    """Call ``function`` (which may use ``asyncio.run``) where that is allowed."""
    if not _loop_running():
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def run_coroutine(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run the coroutine ``make()`` returns to completion, in or outside a running loop.

    Takes a factory rather than a coroutine so that none is created in one thread and
    left un-awaited when it has to run in another.
    """
    return outside_event_loop(lambda: asyncio.run(make()))
