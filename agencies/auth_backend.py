"""Django's model backend (sign-in by username and password), with the signed-in user
read together with their agency, by a statement compiled once a process.

Every signed-in page reads the user from the session (``get_user``) and the header
names their agency (templates/base.html): two statements, one after the other, on every
page, each compiled afresh by the ORM (compiling them cost more than running them).
Here they are one, a join on the agency's primary key, compiled once for each database
(agencies.compiled_reads) and read into the same models the ORM would make. Everything
else is Django's: how a password is checked, who may sign in (active accounts only), the
permissions."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db import router

from agencies.compiled_reads import CompiledRead, compiled
from agencies.models import User

# For each database alias: the user's read by their id, with their agency.
_statements: dict[str, CompiledRead] = {}


def _user_with_agency_by_id():
    return User._default_manager.select_related("agency").filter(pk=0)


def user_with_agency(user_id) -> User | None:
    """The user with this id, their ``agency`` read with them (None if there is none)."""
    alias = router.db_for_read(User)
    users = compiled(_statements, alias, _user_with_agency_by_id, [0]).objects([user_id])
    return users[0] if users else None


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        user = user_with_agency(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    async def aget_user(self, user_id):
        try:
            user = await User._default_manager.select_related("agency").aget(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
