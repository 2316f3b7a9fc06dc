"""What a Module holds (its parameters, buffers and submodules), in ordered dicts that count
their changes: a reader that keeps something derived from the modules (mg.compile's
signature, compile/__init__.py) derives it again only when `changes` moved, instead of
walking every module at every call.

>>> before = mg.nn.store.changes
>>> layer = nn.Linear(2, 3)
>>> layer.weight = nn.Parameter(mg.ones(3, 2))
>>> mg.nn.store.changes > before
True
"""

from __future__ import annotations

from collections import OrderedDict

__all__ = ["Store", "changed", "changes"]

changes = 0  # every Store's changes, and every module attribute assigned or mode switched


def changed() -> None:
    """Count a change (the count only grows: equal counts mean nothing changed)."""
    global changes
    changes += 1


class Store(OrderedDict):
    """An OrderedDict that counts each change to what it holds in `changes`."""

    def __setitem__(self, key, value) -> None:
        changed()
        super().__setitem__(key, value)

    def __delitem__(self, key) -> None:
        changed()
        super().__delitem__(key)

    def clear(self) -> None:
        changed()
        super().clear()

    def pop(self, *args):  # noqa: ANN201 - OrderedDict.pop's
        changed()
        return super().pop(*args)

    def popitem(self, last: bool = True) -> tuple:
        changed()
        return super().popitem(last)

    def setdefault(self, key, default=None):  # noqa: ANN201 - OrderedDict.setdefault's
        changed()
        return super().setdefault(key, default)

    def update(self, *args, **kwargs) -> None:
        changed()
        super().update(*args, **kwargs)
