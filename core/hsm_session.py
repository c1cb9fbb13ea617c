"""This process's one session on a token in a PKCS#11 security module, for core.hsm,
whose SecurityModule does the key operations through it.

One session per process, opened at first use (never at import) and opened again in a
process forked from one that had it (gunicorn's and Celery's workers): a PKCS#11 session
is not valid across fork(). Calls through one session are serialised by a lock: a
session may not run two operations at once. A session the module has dropped (it
restarted, the network to it broke) is opened again once before an error is raised.

Errors that mean the module cannot be used raise ``ModuleUnavailable`` with a message that
names the FRONTDOOR_PKCS11_* setting to look at, and never its value.

This module imports python-pkcs11 only when it is used, so that the application runs
without it when no module is configured.
"""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass


class ModuleUnavailable(Exception):
    """The security module cannot be used: not loadable, no such token, the PIN refused,
    a key missing or not as required, or the module failing. The message names the
    setting to look at."""


@dataclass(frozen=True)
class Config:
    library: str
    token_label: str
    pin: str = ""

    def __repr__(self) -> str:  # never the PIN, in a traceback or a log
        return f"Config(library={self.library!r}, token_label={self.token_label!r})"


# One loaded library per path and process: C_Initialize may be called once per process,
# so every SecurityModule on the same library shares it.
_libraries: dict[str, tuple[int, object]] = {}
_libraries_lock = threading.Lock()


def _library(path: str):
    import pkcs11
    from pkcs11.exceptions import PKCS11Error

    with _libraries_lock:
        pid = os.getpid()
        known = _libraries.get(path)
        if known is not None and known[0] == pid:
            return known[1]
        if known is not None:
            # Forked from a process that had initialised it: the child must initialise
            # the library again. A library that noticed the fork already counts itself
            # uninitialised here (C_Finalize then fails harmlessly); one that did not
            # drops the parent's state first.
            library = known[1]
            with contextlib.suppress(PKCS11Error):
                library.finalize()
            try:
                library.initialize()
            except PKCS11Error as exc:
                raise ModuleUnavailable(
                    f"FRONTDOOR_PKCS11_MODULE could not be initialised after a fork: {cause(exc)}."
                ) from None
        else:
            try:
                library = pkcs11.lib(path)
            except (PKCS11Error, OSError, RuntimeError) as exc:
                raise ModuleUnavailable(
                    f"FRONTDOOR_PKCS11_MODULE names a file that is not a PKCS#11 library "
                    f"that can be loaded: {cause(exc)}."
                ) from None
        _libraries[path] = (pid, library)
        return library


def cause(exc: BaseException) -> str:
    """What went wrong, without anything from the caller (PKCS#11 errors carry no
    secrets: the library's class name says which CKR_ code it was)."""
    text = str(exc).strip()
    return f"{type(exc).__name__}{': ' + text if text else ''}"


def _is_session_lost(exc: BaseException) -> bool:
    from pkcs11 import exceptions as e

    return isinstance(
        exc,
        (
            e.SessionClosed,
            e.SessionHandleInvalid,
            e.DeviceRemoved,
            e.TokenNotPresent,
            e.UserNotLoggedIn,
            e.ObjectHandleInvalid,
            e.KeyHandleInvalid,
        ),
    )


class _Token:
    """The one session this process holds on a token, shared by every SecurityModule on
    it: PKCS#11 logs in per application and token, not per session, and logging one
    session out logs out all of them, so two sessions of one process would trip over each
    other. Used under ``lock``."""

    def __init__(self):
        self.lock = threading.RLock()
        self.pid: int | None = None
        self.session = None
        self.pin: str | None = None
        self.writable = False
        self.keys: dict[str, object] = {}

    def forget(self) -> None:
        self.session, self.pin, self.writable, self.keys = None, None, False, {}

    def close(self) -> None:
        session = self.session
        mine = self.pid == os.getpid()
        self.forget()
        if session is not None and mine:
            # C_Logout and C_CloseSession; a session the module dropped already fails.
            with contextlib.suppress(Exception):
                session.close()


_tokens: dict[tuple[str, str], _Token] = {}


def _new_locks_in_a_forked_child() -> None:
    """A lock another thread held at fork() stays held for ever in the child: give the
    child fresh ones (its sessions are opened again anyway, by pid)."""
    global _libraries_lock
    _libraries_lock = threading.Lock()
    for token in _tokens.values():
        token.lock = threading.RLock()


os.register_at_fork(after_in_child=_new_locks_in_a_forked_child)


def _token(config: Config) -> _Token:
    with _libraries_lock:
        return _tokens.setdefault((config.library, config.token_label), _Token())


class TokenSession:
    """A token in a PKCS#11 module, reached through this process's one session on it."""

    def __init__(self, config: Config, *, writable: bool = False):
        """``writable``: a read-write session, which only making keys needs."""
        self.config = config
        self.writable = writable
        self._token = _token(config)

    # --- Sessions ---------------------------------------------------------------------

    def _open(self):
        from pkcs11 import exceptions as e

        library = _library(self.config.library)
        try:
            token = library.get_token(token_label=self.config.token_label)
        except e.NoSuchToken:
            raise ModuleUnavailable(
                "FRONTDOOR_PKCS11_TOKEN_LABEL names no token in the module "
                "FRONTDOOR_PKCS11_MODULE loads."
            ) from None
        except e.MultipleTokensReturned:
            raise ModuleUnavailable(
                "FRONTDOOR_PKCS11_TOKEN_LABEL names more than one token: give each its own label."
            ) from None
        except e.PKCS11Error as exc:
            raise ModuleUnavailable(
                f"The module FRONTDOOR_PKCS11_MODULE loads failed listing tokens: {cause(exc)}."
            ) from None
        try:
            return token.open(rw=self.writable, user_pin=self.config.pin)
        except (e.PinIncorrect, e.PinInvalid, e.PinLenRange):
            raise ModuleUnavailable(
                "FRONTDOOR_PKCS11_PIN (or the file FRONTDOOR_PKCS11_PIN_FILE names) is not "
                "the token's user PIN: the token refused it."
            ) from None
        except (e.PinLocked, e.PinExpired) as exc:
            raise ModuleUnavailable(
                f"FRONTDOOR_PKCS11_PIN: the token's user PIN is locked or expired "
                f"({cause(exc)}): its security officer must reset it."
            ) from None
        except e.UserPinNotInitialized:
            raise ModuleUnavailable(
                "FRONTDOOR_PKCS11_TOKEN_LABEL names a token whose user PIN was never set."
            ) from None
        except e.PKCS11Error as exc:
            raise ModuleUnavailable(
                f"The token FRONTDOOR_PKCS11_TOKEN_LABEL names could not be opened: {cause(exc)}."
            ) from None

    def _current_session(self):
        """The token's session, opened if need be; called under the token's lock."""
        token = self._token
        pid = os.getpid()
        if token.pid != pid:
            # A session inherited through fork() is not this process's: forget it without
            # closing it (closing it would log the parent out).
            token.forget()
            token.pid = pid
        if token.session is not None and (
            token.pin != self.config.pin or (self.writable and not token.writable)
        ):
            # Another configuration's session (tests; a command making keys): log it out
            # and log in with this one's PIN, so that a wrong PIN is never hidden by a
            # session someone else opened.
            token.close()
            token.pid = pid
        if token.session is None:
            token.session = self._open()
            token.pin, token.writable = self.config.pin, self.writable
        return token.session

    def close(self) -> None:
        """Close this process's session on the token (the library stays loaded)."""
        with self._token.lock:
            self._token.close()

    def _run(self, operation):
        """operation(session) under the token's lock, opening the session again once if the
        module dropped it."""
        from pkcs11.exceptions import PKCS11Error

        with self._token.lock:
            for attempt in (1, 2):
                session = self._current_session()
                try:
                    return operation(session)
                except PKCS11Error as exc:
                    if attempt == 1 and _is_session_lost(exc):
                        self._token.forget()
                        continue
                    raise
        raise AssertionError("unreachable")
