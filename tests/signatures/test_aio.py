"""Validation works from code that runs inside an event loop (async views, browser tests)."""

import asyncio

from madoguchi.signatures.aio import run_coroutine


async def _answer() -> int:
    await asyncio.sleep(0)
    return 42


def test_a_coroutine_runs_outside_any_loop():
    assert run_coroutine(_answer) == 42


def test_a_coroutine_runs_from_inside_a_running_loop():
    async def caller() -> int:
        return run_coroutine(_answer)  # a synchronous call made while this loop runs

    # The outer call itself may be made under a running loop (Playwright's, in a full run).
    assert run_coroutine(caller) == 42
