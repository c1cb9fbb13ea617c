"""A version of the lists of agencies and staff that pages offer to choose from (the
queue's agency and "Allocated to" filters), so that a web process may keep those lists
between requests and read them again only when one has changed.

The version is a token in the shared cache (Redis in production, one for every web
process). Saving or deleting an agency, or a user's name, username, role or activity,
drops it (agencies.signals), both at once and again once the change is committed; a
process that finds the token missing or different from the one its list was read
under reads the list again. A list is read after its token, so one read before a change
was committed is kept under a token that the commit then drops: no process keeps a list
older than the last committed change. A change made without Django's signals (SQL, a
queryset's ``update()``, ``bulk_create``) must call ``changed()`` itself."""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import transaction

KEY = "agencies:lists-version"

# The user's fields a list of staff shows or chooses by (triage.forms.StaffChoices and
# agencies.policy.allocatable_users): a save of only others (the last sign-in's time, a
# password) changes no list.
LISTED_USER_FIELDS = frozenset({"first_name", "last_name", "username", "role", "is_active"})


def current() -> str:
    """The lists' version now: a token that changes whenever an agency or a listed user
    changes (and when the cache loses it)."""
    token = cache.get(KEY)
    if token is None:
        mine = uuid.uuid4().hex
        token = mine if cache.add(KEY, mine, timeout=None) else (cache.get(KEY) or mine)
    return token


def changed() -> None:
    """An agency or a listed user changed: the token goes now (this process's own reads,
    in the same transaction, see the change) and again when the change is committed
    (another process that read the list in between read it as it was before)."""
    cache.delete(KEY)
    transaction.on_commit(lambda: cache.delete(KEY))


def user_change_is_listed(update_fields) -> bool:
    return update_fields is None or not LISTED_USER_FIELDS.isdisjoint(update_fields)
