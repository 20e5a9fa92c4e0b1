"""Readiness checks: can this instance serve residents and staff now, and what needs attention?

A check is a function without arguments, registered once (usually in an ``AppConfig.ready``)::

    from madoguchi.observability.health import register_check
    register_check("operations.recurring_jobs", recurring_jobs_health, critical=False)

It returns a :class:`CheckResult`, or — so that any app's own health function can be
registered as it is — ``True``/``False``, a state string (``"ok"``, ``"warn"``, ``"fail"``),
or a mapping with ``state`` (or ``status``/``ok``) and optionally ``detail`` and ``items``. A
check that raises fails, with the exception's class as its detail.

``critical`` decides what a failure means: a failing critical check (database, migrations,
disk) makes ``/health/ready`` answer 503, because this instance cannot do its work; a failing
non-critical one (a stale CRL stops only residents' signatures, which already answer their own
503) is reported as ``degraded`` with 200, so a load balancer does not take every instance out
of service for something no instance can fix. Details are short, fixed texts and public codes
(a municipality's code, a queue's name): never personal data, paths or secrets.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

logger = logging.getLogger("madoguchi.health")

State = Literal["ok", "warn", "fail"]
STATES: tuple[State, ...] = ("ok", "warn", "fail")
_SEVERITY = {state: index for index, state in enumerate(STATES)}


@dataclass(frozen=True)
class CheckResult:
    state: State
    detail: str = ""
    # Per-part states, e.g. per municipality: {"082015": "ok", "082023": "warn"}.
    items: Mapping[str, State] = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    name: str
    func: Callable[[], object]
    critical: bool


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    critical: bool
    result: CheckResult
    seconds: float

    def as_dict(self) -> dict:
        entry: dict = {"state": self.result.state, "critical": self.critical, "seconds": round(self.seconds, 4)}
        if self.result.detail:
            entry["detail"] = self.result.detail
        if self.result.items:
            entry["items"] = dict(self.result.items)
        return entry


@dataclass(frozen=True)
class Readiness:
    outcomes: tuple[CheckOutcome, ...]

    @property
    def ready(self) -> bool:
        return not any(o.critical and o.result.state == "fail" for o in self.outcomes)

    @property
    def status(self) -> str:
        """``ok``, ``degraded`` (something warns or a non-critical check fails) or ``fail``."""
        if not self.ready:
            return "fail"
        return "ok" if all(o.result.state == "ok" for o in self.outcomes) else "degraded"


_checks: dict[str, Check] = {}


def register_check(name: str, func: Callable[[], object], *, critical: bool) -> None:
    """Add a readiness check; a second registration under one name replaces the first."""
    _checks[name] = Check(name=name, func=func, critical=critical)


def unregister_check(name: str) -> None:
    _checks.pop(name, None)


def registered_checks() -> tuple[Check, ...]:
    return tuple(_checks.values())


def worst(states) -> State:
    return max(states, key=_SEVERITY.__getitem__, default="ok")


def _state(value: object) -> State:
    text = str(value).lower()
    if text in STATES:
        return text  # type: ignore[return-value]
    return {"warning": "warn", "degraded": "warn", "error": "fail", "failed": "fail", "true": "ok"}.get(text, "fail")


def as_result(value: object) -> CheckResult:
    """Normalise what a check returned into a :class:`CheckResult`."""
    if isinstance(value, CheckResult):
        return value
    if isinstance(value, bool):
        return CheckResult("ok" if value else "fail")
    if isinstance(value, str):
        return CheckResult(_state(value))
    if isinstance(value, Mapping):
        if "state" in value or "status" in value:
            state = _state(value.get("state", value.get("status")))
        else:
            state = "ok" if value.get("ok") else "fail"
        items = {str(k): _state(v) for k, v in (value.get("items") or {}).items()}
        return CheckResult(worst([state, *items.values()]), str(value.get("detail", ""))[:200], items)
    return CheckResult("fail", f"unexpected result {type(value).__name__}")


def run_check(check: Check) -> CheckOutcome:
    started = time.perf_counter()
    try:
        result = as_result(check.func())
    except Exception as exc:
        logger.warning("Health check %s raised %s", check.name, type(exc).__name__, exc_info=True)
        result = CheckResult("fail", type(exc).__name__)
    return CheckOutcome(check.name, check.critical, result, time.perf_counter() - started)


def readiness() -> Readiness:
    """Run every registered check, in registration order."""
    return Readiness(tuple(run_check(check) for check in registered_checks()))
