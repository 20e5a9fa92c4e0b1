"""The shape of every extension point: a registry of named items with unique ids.

Open Forms' plugin registry is the model: an app registers into another app's registry at
start (``AppConfig.ready()``) with a decorator, ids are unique, and the owner iterates over
what was registered without importing the registrant. Registering the same object under the
same id again is a no-op, so a ``ready()`` that runs twice (tests) does no harm.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Items of one kind by id, in registration order."""

    def __init__(self, name: str):
        self.name = name
        self._items: dict[str, T] = {}

    def register(self, item_id: str) -> Callable[[T], T]:
        """Return a decorator that registers its target under ``item_id``."""

        def decorator(item: T) -> T:
            self.add(item_id, item)
            return item

        return decorator

    def add(self, item_id: str, item: T) -> None:
        existing = self._items.get(item_id)
        if existing is not None and existing is not item:
            raise ValueError(f"{self.name}: {item_id!r} is already registered ({existing!r})")
        self._items[item_id] = item

    def __getitem__(self, item_id: str) -> T:
        return self._items[item_id]

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._items

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._items.values()))

    def items(self) -> list[tuple[str, T]]:
        return list(self._items.items())

    def ids(self) -> list[str]:
        return list(self._items)
