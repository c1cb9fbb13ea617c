"""The security log: sign-ins, failed sign-ins, two-step verification, API tokens, break
the glass and refused requests, each with the user's id and never a name, a username or a
password. Production may forward it to a collector as well (core.log_forwarding).

It lives in core, with no Django import, because every layer writes to it: the sign-in
signals (audit), the token API and verification pages (agencies) and the middleware that
sees every refusal (frontdoor). One logger, ``frontdoor.security``, one line format of
``event key=value ...``, so a log search finds every event of one user by ``user=<id>``.

An event written while a request is answered ends with ``address=<client address>``
(ASVS 7.1.4): the connection's own address, or the one X-Forwarded-For gives when
FRONTDOOR_PROXY_COUNT says proxies of our own are in front, resolved as django-axes
resolves it (frontdoor.middleware.ClientAddressMiddleware, agencies.lockout). Events
outside a request (a Celery task, a management command) have no address.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import quote

logger = logging.getLogger("frontdoor.security")

_address: ContextVar[str | None] = ContextVar("security_log_address", default=None)

# A value keeps a path's usual characters; everything else (spaces, newlines, control
# and non-ASCII characters) is percent-encoded, so a value can neither end its line nor
# start another ``key=value`` pair, and no one can forge an event (ASVS 7.3.1).
_SAFE = "/:@-._~!$&'()*+,;=?"


def _text(value: object) -> str:
    return quote(str(value), safe=_SAFE) or "-"


def _user(user_id: int | None) -> str:
    return str(user_id) if user_id is not None else "-"


@contextmanager
def client_address(address: str | None) -> Iterator[None]:
    """Every event written inside names this client address (a request's)."""
    token = _address.set(address)
    try:
        yield
    finally:
        _address.reset(token)


def _log(level: int, message: str, *args: object) -> None:
    address = _address.get()
    if address is not None:
        message += " address=%s"
        args = (*args, _text(address))
    logger.log(level, message, *args)


def sign_in(*, user_id: int, via: str, path: str) -> None:
    _log(
        logging.INFO, "sign-in succeeded: user=%s via=%s path=%s", user_id, _text(via), _text(path)
    )


def sign_in_failed(*, user_id: int | None, account: str, via: str, path: str) -> None:
    """``user_id`` is None when no account has that username; ``account`` is a keyed hash
    of the username tried, to see repeated attempts on one name without naming it."""
    _log(
        logging.WARNING,
        "sign-in failed: user=%s account=%s via=%s path=%s",
        _user(user_id),
        _text(account),
        _text(via),
        _text(path),
    )


def sign_in_locked(*, account: str, path: str) -> None:
    _log(logging.WARNING, "sign-in locked out: account=%s path=%s", _text(account), _text(path))


def sign_out(*, user_id: int | None, path: str) -> None:
    _log(logging.INFO, "sign-out: user=%s path=%s", _user(user_id), _text(path))


def second_factor(*, user_id: int, outcome: str) -> None:
    """``outcome``: verified, failed, reused (the last code accepted, given again),
    throttled, enrolled, reset, key-undecryptable."""
    level = logging.INFO if outcome in {"verified", "enrolled"} else logging.WARNING
    _log(level, "two-step verification %s: user=%s", _text(outcome), user_id)


def reauth(*, user_id: int, outcome: str) -> None:
    """Confirming it is them before a sensitive action (agencies.reauth): ``outcome`` is
    asked (a write sent without a recent confirmation, not applied), confirmed, or
    refused-password, refused-code, refused-key."""
    level = logging.WARNING if outcome.startswith("refused") else logging.INFO
    _log(level, "re-authentication %s: user=%s", _text(outcome), _user(user_id))


def security_key(
    *, user_id: int, event: str, key_id: int | None = None, by: int | None = None
) -> None:
    """A security key (WebAuthn) as a second step: ``event`` is added, removed (by its
    owner, or an administrator: ``by``), verified, failed, unknown-key (an answer from a
    key not the user's), sign-count-regressed (a possible copy of the key), throttled.
    The key by its id, never the name its owner gave it."""
    level = logging.INFO if event in {"added", "verified"} else logging.WARNING
    _log(
        level,
        "security key %s: user=%s key=%s by=%s",
        _text(event),
        _user(user_id),
        _user(key_id),
        _user(by),
    )


def token(*, user_id: int, event: str, token_id: int | None = None, by: int | None = None) -> None:
    """``event``: issued, ended (its owner signed out with it), revoked (by its owner or
    an administrator: ``by``), ended-all (sign-out or a password change)."""
    _log(
        logging.INFO,
        "api token %s: user=%s token=%s by=%s",
        _text(event),
        user_id,
        _user(token_id),
        _user(by),
    )


def break_glass(*, user_id: int, record: str, record_id: int) -> None:
    """A closed record opened with a stated reason (referrals.break_glass), which the
    auditors are alerted to. The reason is kept in the access log, never here: people
    write names in it."""
    _log(
        logging.WARNING,
        "break the glass: user=%s record=%s id=%s",
        user_id,
        _text(record),
        record_id,
    )


def refused(*, user_id: int | None, status: int, method: str, path: str) -> None:
    _log(
        logging.WARNING,
        "access refused: status=%s user=%s method=%s path=%s",
        status,
        _user(user_id),
        _text(method),
        _text(path),
    )


def rejected(*, user_id: int | None, status: int, method: str, path: str) -> None:
    """A request turned away for what it was, not who sent it: 400 (input that failed
    validation), 405 (a method the address does not take), 413 and 415 (a body too
    large or of the wrong type), 429 (throttled)."""
    _log(
        logging.WARNING,
        "request rejected: status=%s user=%s method=%s path=%s",
        status,
        _user(user_id),
        _text(method),
        _text(path),
    )


def owner_not_told(*, user_id: int, change: str, error: str) -> None:
    """Telling someone that their sign-in details changed failed (agencies.changes): the
    change stands; the notice was not written."""
    _log(
        logging.ERROR,
        "sign-in change not told: user=%s change=%s error=%s",
        user_id,
        _text(change),
        _text(error),
    )


def email_changed(*, user_id: int) -> None:
    """The account's email address changed (agencies.signals): neither address is
    written here, only whose account it is."""
    _log(logging.WARNING, "sign-in email changed: user=%s", user_id)


def new_browser(*, user_id: int, browser_id: int, outcome: str) -> None:
    """A sign-in completed in a browser the account had not seen (agencies.
    known_browsers): ``outcome`` is told (its owner was sent a notice) or first (the
    account's first known browser, learnt without a notice). ``browser`` is the known
    browser's id, never its cookie."""
    _log(
        logging.WARNING if outcome == "told" else logging.INFO,
        "sign-in from a new browser: user=%s browser=%s outcome=%s",
        user_id,
        browser_id,
        _text(outcome),
    )


def lockout_not_alerted(*, error: str) -> None:
    """Alerting the administrators to a sign-in lockout failed (notices.receivers): the
    lockout stands; no alert was written."""
    _log(logging.ERROR, "sign-in lockout not alerted: error=%s", _text(error))


def rate_not_alerted(*, user_id: int | None, via: str, error: str) -> None:
    """Alerting the administrators and auditors to requests refused for their rate failed
    (agencies.rates, notices.receivers): the refusal stands; no alert was written."""
    _log(
        logging.ERROR,
        "rate refusal not alerted: user=%s via=%s error=%s",
        _user(user_id),
        _text(via),
        _text(error),
    )


def refusals_not_alerted(*, user_id: int, error: str) -> None:
    """Counting an account's refused accesses, or alerting the administrators and auditors
    that it went over the number (agencies.refusals, notices.receivers), failed: the
    refusal stands; no alert was written."""
    _log(logging.ERROR, "refusals not alerted: user=%s error=%s", user_id, _text(error))


def lockout_lifted(*, by: int, attempts: int) -> None:
    """An administrator deleted sign-in lockout records (the admin's access attempts),
    lifting those lockouts before their cool-off ended."""
    _log(logging.WARNING, "sign-in lockout lifted: by=%s attempts=%s", _user(by), attempts)


def browser_session(
    *, user_id: int, event: str, session_id: int | None = None, by: int | None = None
) -> None:
    """``event``: ended (one of the user's other browser sessions, by its owner),
    ended-others (all but the one asking), ended-all (by an administrator, ``by``, or the
    account made inactive, by nobody)."""
    _log(
        logging.INFO,
        "browser session %s: user=%s session=%s by=%s",
        _text(event),
        user_id,
        _user(session_id),
        _user(by),
    )


def new_password_required(*, user_id: int, event: str, by: int | None = None) -> None:
    """A password set by an administrator, which its owner must replace (agencies.
    recovery): ``event`` is set-by-administrator (``by``), chosen-by-owner (the mark taken
    off), refused-api or refused-token (an API request or a token refused until then)."""
    _log(
        logging.WARNING if event.startswith("refused") else logging.INFO,
        "new password required %s: user=%s by=%s",
        _text(event),
        user_id,
        _user(by),
    )


def account_data_exported(*, user_id: int) -> None:
    """Someone downloaded what Front Door holds about them (frontdoor.account_export),
    having confirmed it is them: a session taken over could use it to read what the
    account did and opened, so it is worth a line of its own."""
    _log(logging.INFO, "account data exported: user=%s", user_id)
