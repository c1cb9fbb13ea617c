from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from agencies.census import AgencyType
from agencies.models import Role
from referrals.models import Channel, Referral
from referrals.services import NotPermitted, ReferralError, submit_referrals
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

CHILD = {
    "child_first_name": "Ava",
    "child_last_name": "Testfield",
    "child_date_of_birth": date(2017, 4, 3),
}
DETAILS = {
    "worry": "No food at home over the weekend.",
    "lived_experience": "Gets herself up and to school; no breakfast.",
    "child_voice": "'Mum stays in bed.'",
    "parental_consent": "consented",
}


def refer(by, **kwargs):
    arguments = {
        "by": by,
        "children": [CHILD],
        "details": DETAILS,
        "concerns": ["neglect"],
        "channel": Channel.WEB,
        **kwargs,
    }
    return submit_referrals(**arguments)


def test_the_decision_is_due_exactly_24_hours_after_it_was_received():
    referrer = UserFactory(role=Role.REFERRER)
    with time_machine.travel("2026-03-29 00:30:00+00:00", tick=False):  # the clocks go forward
        (referral,) = refer(referrer)

    assert referral.received_at == timezone.datetime.fromisoformat("2026-03-29T00:30:00+00:00")
    assert referral.decision_due_at - referral.received_at == timedelta(hours=24)


def test_references_are_readable_unique_and_numbered_within_the_year(fresh_reference_numbering):
    referrer = UserFactory(role=Role.REFERRER)
    with time_machine.travel("2026-12-31 23:00:00+00:00", tick=False):
        first, second = refer(referrer, children=[CHILD, {**CHILD, "child_first_name": "Leo"}])
    with time_machine.travel("2027-01-01 09:00:00+00:00", tick=False):
        (third,) = refer(referrer)

    assert first.reference == "FD-2026-000001"
    assert second.reference == "FD-2026-000002"
    assert third.reference == "FD-2027-000001"


def test_the_agencys_census_source_of_referral_is_recorded():
    referrer = UserFactory(role=Role.REFERRER, agency=AgencyFactory(type=AgencyType.GP))

    (referral,) = refer(referrer)

    assert referral.source_of_referral == "3A"
    assert referral.referrer_name == referrer.display_name


def test_worry_lived_experience_and_childs_voice_are_required():
    referrer = UserFactory(role=Role.REFERRER)

    with pytest.raises(ReferralError) as caught:
        refer(referrer, details={"parental_consent": "consented"}, concerns=[])

    assert set(caught.value.errors) == {"worry", "lived_experience", "child_voice", "concerns"}
    assert not Referral.objects.exists()


def test_a_referrer_cannot_backdate_a_referral():
    referrer = UserFactory(role=Role.REFERRER)
    earlier = timezone.now() - timedelta(days=2)

    (referral,) = refer(referrer, received_at=earlier)

    assert referral.received_at > earlier + timedelta(days=1)


def test_staff_cannot_record_a_referral_received_in_the_future():
    screener = UserFactory(role=Role.SCREENER)

    with pytest.raises(ReferralError) as caught:
        refer(
            screener,
            channel=Channel.PHONE,
            received_at=timezone.now() + timedelta(hours=1),
            caller_type="family",
        )

    assert "received_at" in caught.value.errors


@pytest.mark.parametrize("role", [Role.PARTNER, Role.AUDITOR, Role.ADMIN])
def test_roles_that_do_not_refer_are_refused(role):
    with pytest.raises(NotPermitted):
        refer(UserFactory(role=role))


def test_a_referrer_cannot_record_a_phone_referral():
    with pytest.raises(NotPermitted):
        refer(UserFactory(role=Role.REFERRER), channel=Channel.PHONE)


def test_an_invalid_nhs_number_is_refused_naming_the_field():
    with pytest.raises(ReferralError) as caught:
        refer(
            UserFactory(role=Role.REFERRER), children=[{**CHILD, "child_nhs_number": "1234567890"}]
        )

    assert "child_nhs_number" in caught.value.errors


def test_every_referral_and_its_concerns_are_kept_in_history():
    referrer = UserFactory(role=Role.REFERRER)

    (referral,) = refer(referrer, concerns=["neglect", "self_harm"])

    assert referral.history.count() == 1
    assert referral.history.first().history_type == "+"
    concern_history = [c.history.count() for c in referral.concerns.all()]
    assert concern_history == [1, 1]


def test_each_first_version_names_the_submitter_even_outside_a_request():
    # audit.inserts writes the versions itself: the referral's as its concerns' (it was
    # simple-history's post_save, which names nobody outside a request).
    referrer = UserFactory(role=Role.REFERRER)

    (referral,) = refer(referrer, concerns=["neglect"])

    assert referral.history.get().history_user_id == referrer.pk
    assert referral.concerns.get().history.get().history_user_id == referrer.pk
    assert referral.history.get().history_change_reason is None


def test_each_referral_keeps_its_concerns_as_bits_for_the_queues_filter():
    """Issue 14: the queue's concern filter reads Referral.concern_mask from the open
    referrals' index; the submission sets it with the concerns, for every child."""
    from referrals.census import CONCERN_BITS, ConcernCategory

    referrer = UserFactory(role=Role.REFERRER)

    referrals = refer(
        referrer,
        children=[CHILD, {**CHILD, "child_first_name": "Leo"}],
        concerns=["self_harm", "neglect", "self_harm"],
    )

    for referral in referrals:
        referral.refresh_from_db()
        stored = {c.category for c in referral.concerns.all()}
        assert stored == {"self_harm", "neglect"}
        assert referral.concern_mask == CONCERN_BITS["self_harm"] | CONCERN_BITS["neglect"]
    # Every category has a bit of its own.
    assert len(set(CONCERN_BITS.values())) == len(ConcernCategory) == len(CONCERN_BITS)
    assert all(bit & (bit - 1) == 0 for bit in CONCERN_BITS.values())
