"""The chronic-neglect flag says what it is (issue 12 part 4); a wrong child link can be
undone (part 7); times read as people say them; the screener's home links to the queue."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Role
from audit.models import AuditEvent, EventKind
from core.exceptions import DomainError, InvalidState, NotPermitted
from referrals.census import ConcernCategory
from referrals.models import Referral
from tests.factories import ChildFactory, ReferralFactory, UserFactory
from triage.chronology import chronology
from triage.models import ChildLinkRemoval
from triage.repeat_flags import repeat_flags, with_repeat_flags
from triage.services.screening import unlink_child

pytestmark = pytest.mark.django_db


def referral_about(child, *, days_ago: int, concerns):
    return ReferralFactory(
        child=child, received_at=timezone.now() - timedelta(days=days_ago), concerns=concerns
    )


def flags_of(referral):
    return repeat_flags(with_repeat_flags(Referral.objects.filter(pk=referral.pk)).get())


# --- The flags -------------------------------------------------------------------------

NEGLECT, PHYSICAL = ConcernCategory.NEGLECT, ConcernCategory.PHYSICAL_ABUSE


def test_three_referrals_without_neglect_are_a_repeat_pattern_not_chronic_neglect():
    child = ChildFactory()
    referral_about(child, days_ago=200, concerns=[PHYSICAL])
    referral_about(child, days_ago=100, concerns=[PHYSICAL])
    latest = referral_about(child, days_ago=0, concerns=[PHYSICAL])

    flags = flags_of(latest)

    assert flags.repeat_pattern and not flags.chronic_neglect


def test_neglect_recurring_is_possible_chronic_neglect_with_two_referrals():
    child = ChildFactory()
    referral_about(child, days_ago=100, concerns=[NEGLECT])
    latest = referral_about(child, days_ago=0, concerns=[NEGLECT])

    flags = flags_of(latest)

    assert flags.chronic_neglect and not flags.repeat_pattern


def test_a_neglect_concern_in_a_repeated_pattern_is_possible_chronic_neglect():
    child = ChildFactory()
    referral_about(child, days_ago=200, concerns=[NEGLECT])
    referral_about(child, days_ago=100, concerns=[PHYSICAL])
    latest = referral_about(child, days_ago=0, concerns=[PHYSICAL])

    assert flags_of(latest).chronic_neglect


def test_neglect_once_in_two_referrals_is_neither_flag():
    child = ChildFactory()
    referral_about(child, days_ago=100, concerns=[PHYSICAL])
    latest = referral_about(child, days_ago=0, concerns=[NEGLECT])

    flags = flags_of(latest)

    assert flags.is_repeat and not flags.chronic_neglect and not flags.repeat_pattern


def test_the_queue_decision_screen_and_chronology_label_the_pattern(manager_client):
    child = ChildFactory()
    referral_about(child, days_ago=200, concerns=[PHYSICAL])
    referral_about(child, days_ago=100, concerns=[PHYSICAL])
    latest = referral_about(child, days_ago=0, concerns=[PHYSICAL])

    for url in ("/triage/", f"/triage/referrals/{latest.pk}/decide/", f"/children/{child.pk}/"):
        page = manager_client.get(url).content.decode()
        assert "Repeat-referral pattern" in page, url
        assert "Possible chronic neglect" not in page, url


# --- Undoing a wrong link ----------------------------------------------------------------


def test_a_screener_unlinks_a_wrong_child_with_a_reason_and_the_chronology_follows():
    screener = UserFactory(role=Role.SCREENER)
    child = ChildFactory()
    referral = referral_about(child, days_ago=1, concerns=[NEGLECT])

    removal = unlink_child(
        referral_id=referral.pk, by=screener, reason="Different date of birth and school."
    )

    referral.refresh_from_db()
    assert referral.child_id is None
    assert removal.child == child and removal.removed_by == screener
    events = chronology(child)
    assert [e.kind for e in events] == ["link_removed"]
    assert referral.reference in events[0].title
    assert AuditEvent.objects.filter(kind=EventKind.CHILD_UNLINKED, object_id=child.pk).exists()
    history = referral.history.first()
    assert history.child_id is None and history.history_user == screener


def test_unlinking_needs_a_reason():
    referral = ReferralFactory(child=ChildFactory())
    with pytest.raises(DomainError) as caught:
        unlink_child(referral_id=referral.pk, by=UserFactory(role=Role.MANAGER), reason="wrong")
    assert set(caught.value.errors) == {"reason"}
    assert ChildLinkRemoval.objects.count() == 0


def test_only_screeners_and_managers_unlink_and_only_a_linked_referral():
    referral = ReferralFactory(child=ChildFactory())
    with pytest.raises(NotPermitted):
        unlink_child(
            referral_id=referral.pk,
            by=UserFactory(role=Role.AUDITOR),
            reason="Different date of birth and school.",
        )
    with pytest.raises(InvalidState):
        unlink_child(
            referral_id=ReferralFactory().pk,
            by=UserFactory(role=Role.SCREENER),
            reason="Different date of birth and school.",
        )


def test_the_referral_page_unlinks_and_refuses_a_missing_reason(screener_client):
    child = ChildFactory()
    referral = ReferralFactory(child=child)
    url = f"/triage/referrals/{referral.pk}/unlink-child/"

    assert (
        "This is the wrong child"
        in screener_client.get(f"/triage/referrals/{referral.pk}/").content.decode()
    )
    refused = screener_client.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert 'href="#unlink-reason"' in refused.content.decode()

    done = screener_client.post(url, {"reason": "Different date of birth and school."})
    assert done.status_code == 302
    referral.refresh_from_db()
    assert referral.child_id is None


# --- Times as people say them; the screener's home --------------------------------------


def test_the_queue_says_days_and_hours_overdue(screener_client):
    ReferralFactory(received_at=timezone.now() - timedelta(hours=24 + 126, minutes=6, seconds=30))

    page = screener_client.get("/triage/").content.decode()

    assert "5 days 6 hours overdue" in page
    assert "126 hours" not in page


def test_the_duration_filter_speaks_days_hours_and_minutes():
    from frontdoor.templatetags.frontdoor import duration

    assert duration(timedelta(hours=126, minutes=6)) == "5 days 6 hours"
    assert duration(timedelta(hours=3, minutes=20)) == "3 hours 20 minutes"
    assert duration(timedelta(minutes=1)) == "1 minute"
    assert duration(None) == ""


def test_the_screeners_home_page_links_to_the_queue(screener_client):
    page = screener_client.get("/").content.decode()

    assert 'href="/triage/"' in page
