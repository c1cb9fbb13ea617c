"""Recovering a forgotten password (ASVS 2.5.6): there is no self-service reset. An
administrator, having confirmed who is asking (docs/SECURITY.md), sets a new password in
the Django admin and gives it to the person by phone or in person. The account is then
marked ``must_change_password``: until its owner chooses their own password on the
password page, that page, its strength meter, the second step and signing out are all
they can reach (frontdoor.middleware.NewPasswordMiddleware), the API refuses them
(agencies.api_auth) and no API token is issued to them (agencies.api). Choosing their own
password takes the mark off.

Each mark is written to the security log (ids only) and sent as
``password_set_by_administrator`` for the audit trail: agencies sits beside audit
(import-linter's layers), so it cannot write the audit event itself; the project's
receiver does (frontdoor.signals), in the same transaction, so that the mark and its
audit event are kept or lost together.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.dispatch import Signal

from core import security_log

# What a page shows, and an API answer says, to someone whose password an administrator
# set.
PAGE_MESSAGE = "An administrator set your password. Choose a new one before you go on."
API_MESSAGE = (
    "An administrator set your password. Sign in on the website and choose a new one "
    "before you use the API."
)
API_CODE = "password_change_required"

# Sent with ``user`` (whose password was set), ``by`` (the administrator, or None when not
# known) and ``new_account`` (True when the account was made with the password).
password_set_by_administrator = Signal()

_administrator: ContextVar[object | None] = ContextVar("acting_administrator", default=None)


@contextmanager
def administrator_acting(user) -> Iterator[None]:
    """The admin's password form, used inside, knows which administrator sends it (Django
    builds the form with the account and the data only)."""
    token = _administrator.set(user)
    try:
        yield
    finally:
        _administrator.reset(token)


def acting_administrator():
    return _administrator.get()


def set_by_administrator(*, user, by, new_account: bool = False) -> None:
    """``user``'s password was just saved by ``by`` with ``must_change_password`` set:
    logged, and sent for the audit trail. Call it inside the save's transaction. An
    administrator setting their own password is not marked (it is theirs)."""
    security_log.new_password_required(
        user_id=user.pk, event="set-by-administrator", by=getattr(by, "pk", None)
    )
    password_set_by_administrator.send(
        sender=user.__class__, user=user, by=by, new_account=new_account
    )


def chosen_by_owner(*, user) -> None:
    """The owner chose their own password on the password page: the mark is off."""
    security_log.new_password_required(user_id=user.pk, event="chosen-by-owner", by=user.pk)


def refused(*, user_id: int, via: str) -> None:
    """A request refused because the user has not yet chosen their own password."""
    security_log.new_password_required(user_id=user_id, event=f"refused-{via}", by=None)
