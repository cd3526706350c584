"""Values worked out once per request: small lookups a page repeats many times.

A template filter such as ``agency_name`` runs once per row of a list; asking the database
each time cost a sixth of the family page. Inside a request (`RequestIdMiddleware` opens
a memo for it) the first call keeps its answer for the rest of that request only, so a
change made by one request is seen by the next. Outside a request nothing is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_memo: ContextVar[dict[str, object] | None] = ContextVar("wraparound_request_memo", default=None)


@contextmanager
def request_scope() -> Iterator[None]:
    """Open a memo for the duration of one request."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remember(key: str, compute: Callable[[], T]) -> T:
    """``compute()``'s value, worked out at most once per request under ``key``."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]  # type: ignore[return-value]
