"""Domain errors raised by services. Views turn them into messages or status codes."""

from __future__ import annotations


class NotPermitted(Exception):
    """The acting user's role may not do this (403)."""


class DomainError(Exception):
    """Input that breaks a rule; ``errors`` maps field names to messages (400)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


class InvalidState(Exception):
    """The record is not in a state that allows this (409)."""


class AlreadyDecided(InvalidState):
    pass
