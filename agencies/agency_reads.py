"""A user's agency read by a statement compiled once a process: for every referral a
referrer submits (issue 14: the POST's CPU). ``user.agency`` builds and compiles a
queryset for each request (a twentieth of a POST's CPU); this runs the SQL that queryset
compiles to (agencies.compiled_reads), with the same converters on the values, and
leaves the agency cached on the user as the descriptor would."""

from __future__ import annotations

from django.db import router

from agencies.compiled_reads import CompiledRead, compiled
from agencies.models import Agency, User

# For each database alias: the agency's read by its id.
_STATEMENTS: dict[str, CompiledRead] = {}


def _agency_by_id():
    return Agency._base_manager.filter(pk=0)


def agency_of(user: User) -> Agency | None:
    """``user.agency``: the same row, the same values, cached on ``user`` in the same
    place (a second ``user.agency`` asks nothing); None for a user without one."""
    field = User._meta.get_field("agency")
    if field.is_cached(user):
        return field.get_cached_value(user)
    agency = None
    if user.agency_id is not None:
        alias = router.db_for_read(Agency, instance=user)
        agencies = compiled(_STATEMENTS, alias, _agency_by_id, [0]).objects([user.agency_id])
        if not agencies:
            raise User.agency.RelatedObjectDoesNotExist(f"User has no agency {user.agency_id}.")
        agency = agencies[0]
    field.set_cached_value(user, agency)
    return agency
