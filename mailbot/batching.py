"""Slicing a list of ids into fixed-size batches: used by every runner and edge, so it sits below them all.

Python 3.11 has no `itertools.batched`, and three lines do not justify a dependency.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")


def chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
