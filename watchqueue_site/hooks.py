"""Hooks: where a later app takes part in a change an earlier app makes.

Imports run one way, down DESIGN.md's layers, so an earlier app cannot call a later one. When a
change must reach further up (a member leaving withdraws their votes; an added film is looked
up on TMDB; a committed event goes out to the live clients), the earlier app declares a hook
beside the code that calls it, and the later app registers its handler in its
`AppConfig.ready()`, so every handler is in place before the first request or command runs.

A hook is called like a function, in the caller's thread and transaction. Handlers run in the
order they were registered; an exception in one stops the change, as it would in the caller.
"""

from collections.abc import Callable
from typing import Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class Hook(Generic[P, R]):
    def __init__(self, name: str) -> None:
        self.name = name
        self._handlers: list[Callable[P, R]] = []

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._handlers)} handler(s)>"

    @property
    def handlers(self) -> tuple[Callable[P, R], ...]:
        return tuple(self._handlers)

    def register(self, handler: Callable[P, R]) -> Callable[P, R]:
        """Add `handler`; registering the same one again changes nothing."""
        if handler not in self._handlers:
            self._handlers.append(handler)
        return handler

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> list[R]:
        """Run every handler; returns their results in order."""
        return [handler(*args, **kwargs) for handler in self._handlers]

    def one(self, *args: P.args, **kwargs: P.kwargs) -> R:
        """Run the hook's single handler: for a question only one later app answers."""
        if len(self._handlers) != 1:
            raise RuntimeError(f"{self!r} needs exactly one handler")
        return self._handlers[0](*args, **kwargs)
