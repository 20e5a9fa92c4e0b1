"""Domain events: how a domain says what happened without importing who cares.

Dependencies point one way (doors → domains → ground). ``cases`` sits at the centre and must
not import the domains that react to its changes, so it publishes typed events through
:class:`Hook` objects it owns, and ``approvals``, ``signatures``, ``notifications`` (and later
``insights`` and ``benefits``) subscribe in their ``AppConfig.ready()``.

A subscriber says when it runs:

* ``IN_TRANSACTION`` — synchronously, where the event is published, inside the transaction of
  the change. It may refuse the change by raising (a :class:`~madoguchi.core.errors.DomainError`);
  the whole change then rolls back. Use it for rules (the approval route guards a decision)
  and for records that must exist exactly when the change does (the organisation's signature
  over a decision, the e-mail in the outbox).
* ``ON_COMMIT`` — after the transaction commits; an error is logged and never undoes the
  change. Use it for work that must follow the commit (queueing a job).

Subscribers run in registration order within each phase. A subscriber's work is a service
function like any other; the hook only routes. Registering the same function twice is a
no-op, so a ``ready()`` that runs again is harmless.
"""

from __future__ import annotations

import enum
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db import transaction

E = TypeVar("E")
logger = logging.getLogger(__name__)


class Phase(enum.StrEnum):
    IN_TRANSACTION = "in_transaction"
    ON_COMMIT = "on_commit"


@dataclass(frozen=True)
class Subscription(Generic[E]):
    name: str
    handler: Callable[[E], object]
    phase: Phase


class Hook(Generic[E]):
    """One kind of event, e.g. ``cases.case.status_changed``, and who subscribes to it."""

    def __init__(self, name: str, event_type: type[E]):
        self.name = name
        self.event_type = event_type
        self._subscriptions: list[Subscription[E]] = []

    def __repr__(self) -> str:
        return f"<Hook {self.name}>"

    def subscribe(
        self, handler: Callable[[E], object] | None = None, *, phase: Phase = Phase.IN_TRANSACTION
    ) -> Callable:
        """Subscribe ``handler`` (also usable as a decorator, with or without arguments)."""

        def add(target: Callable[[E], object]) -> Callable[[E], object]:
            name = f"{target.__module__}.{target.__qualname__}"
            for existing in self._subscriptions:
                if existing.name == name:
                    if existing.handler is not target or existing.phase != phase:
                        raise ValueError(f"{self.name}: another subscriber is already registered as {name}")
                    return target
            self._subscriptions.append(Subscription(name=name, handler=target, phase=phase))
            return target

        return add(handler) if handler is not None else add

    @property
    def subscriptions(self) -> list[Subscription[E]]:
        return list(self._subscriptions)

    def publish(self, event: E) -> None:
        """Run the in-transaction subscribers now and schedule the rest for after the commit."""
        if not isinstance(event, self.event_type):
            raise TypeError(f"{self.name} carries {self.event_type.__name__}, not {type(event).__name__}")
        for subscription in self._subscriptions:
            if subscription.phase is Phase.IN_TRANSACTION:
                subscription.handler(event)
            else:
                transaction.on_commit(functools.partial(_run_after_commit, self, subscription, event))


def _run_after_commit(hook: Hook, subscription: Subscription, event: object) -> None:
    try:
        subscription.handler(event)
    except Exception:
        # After the commit nothing can be undone: log with the hook's name and carry on.
        logger.exception("%s: subscriber %s failed after commit", hook.name, subscription.name)
