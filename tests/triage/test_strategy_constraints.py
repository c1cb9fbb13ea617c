"""What the database itself refuses in the strategy discussion tables."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.database import refused
from tests.factories import (
    AgencyContributionFactory,
    AttendeeFactory,
    DiscussionActionFactory,
    DiscussionDecisionFactory,
    StrategyDiscussionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("fields", "ok"),
    [
        ({"kind": "chat"}, False),
        ({"kind": "mash_meeting"}, True),
        ({"format": "letter"}, False),
        ({"section47_outcome": "maybe"}, False),
        ({"section47_outcome": "no_enquiry"}, False),
        ({"section47_outcome": "no_enquiry", "no_enquiry_reason": "Accidental injury"}, True),
        ({"section47_outcome": "joint_police", "no_enquiry_reason": "Stray"}, False),
        ({"child_seen_at": timezone.now()}, False),
        ({"child_seen_at": timezone.now(), "child_seen_by": "Duty social worker"}, True),
        ({"child_seen_by": "Duty social worker"}, False),
        ({"advocate_offered": "perhaps"}, False),
        ({"advocate_offered": "not_applicable"}, True),
    ],
)
def test_a_discussion_holds_known_values_and_paired_fields(fields, ok):
    assert refused(lambda: StrategyDiscussionFactory(**fields)) is not ok


def test_minutes_are_due_after_the_discussion():
    now = timezone.now()
    assert refused(lambda: StrategyDiscussionFactory(held_at=now, minutes_due_at=now))
    assert not refused(
        lambda: StrategyDiscussionFactory(held_at=now, minutes_due_at=now + timedelta(days=1))
    )


def test_attendees_have_a_known_role_and_a_name():
    assert refused(lambda: AttendeeFactory(role="wizard"))
    assert refused(lambda: AttendeeFactory(name=""))
    assert not refused(lambda: AttendeeFactory(role="school_nurse"))


def test_decisions_carry_their_rationale_and_actions_their_owner():
    assert refused(lambda: DiscussionDecisionFactory(rationale=""))
    assert refused(lambda: DiscussionDecisionFactory(decision=""))
    assert refused(lambda: DiscussionActionFactory(owner=""))
    assert refused(lambda: DiscussionActionFactory(description=""))
    assert refused(lambda: AgencyContributionFactory(information=""))
    assert not refused(DiscussionActionFactory)


def test_the_factorys_discussion_is_held_after_its_referral_was_received():
    # Tests that say when a discussion was held get a referral received before it.
    long_ago = timezone.now() - timedelta(days=40)

    held_then = StrategyDiscussionFactory(held_at=long_ago)
    held_now = StrategyDiscussionFactory()

    assert held_then.referral.received_at < held_then.held_at == long_ago
    assert held_now.referral.received_at < held_now.held_at
