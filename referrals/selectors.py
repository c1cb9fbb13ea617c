"""Reads about referrals. ``referrals_visible_to`` is the one place that decides which
referrals a user may see; every list and detail view, HTML or API, starts from it."""

from __future__ import annotations

from django.db.models import QuerySet

from agencies.policy import Capability, can
from referrals.models import Referral


def referrals_visible_to(user) -> QuerySet[Referral]:
    if can(user, Capability.VIEW_ALL_REFERRALS):
        return Referral.objects.all()
    if can(user, Capability.VIEW_AGENCY_REFERRALS) and user.agency_id:
        return Referral.objects.filter(agency_id=user.agency_id)
    if can(user, Capability.VIEW_OWN_REFERRALS):
        return Referral.objects.filter(referrer=user)
    return Referral.objects.none()


def referrals_for_listing(user) -> QuerySet[Referral]:
    """What a list shows, with what each row needs fetched in a fixed number of queries."""
    return (
        referrals_visible_to(user)
        .select_related("agency", "referrer", "decision", "submission")
        .prefetch_related(
            "concerns",
            "decision__amendments",
            "decision__challenges__stage",
            "strategy_discussions__challenges__stage",
        )
    )
