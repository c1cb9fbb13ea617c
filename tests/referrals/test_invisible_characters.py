"""Input bounds (issue 13, part 7), characters: control, bidirectional-override and
zero-width characters are taken out of names and text before anything is stored, by the
referral form, its drafts and the API, and by the front door's own forms and API inputs;
a name of nothing else is missing. The other bounds are in test_input_bounds.py."""

import pytest

from agencies.models import Role
from referrals.forms import ChildForm
from referrals.models import Referral
from tests.clients import api_as
from tests.referrals.api_helpers import referral_body
from tests.referrals.helpers import CHILD, CONCERNS, fill_referral, start_draft, stored_draft
from triage.api import DecisionInputSerializer
from triage.challenge_api import ChallengeInputSerializer
from triage.strategy_api import AttendeeSerializer
from triage.strategy_forms import AttendeeForm

pytestmark = pytest.mark.django_db


def test_a_draft_stores_names_and_text_without_invisible_characters(referrer_client):
    draft = start_draft(referrer_client)

    referrer_client.post(
        f"/referrals/new/{draft.pk}/child/new/",
        {
            **CHILD,
            "child_first_name": "\u202eAva\u200b",
            "child_last_name": "Test\x00field\ufeff",
            "child_address": "1 Test Road\u2066\r\nTestford\x07",
        },
    )

    [stored] = stored_draft(draft)["children"]
    assert stored["child_first_name"] == ["Ava"]
    assert stored["child_last_name"] == ["Testfield"]
    assert stored["child_address"] == ["1 Test Road\nTestford"]


def test_a_referral_sent_from_the_form_has_clean_names_and_text(referrer_client):
    draft = fill_referral(
        referrer_client,
        children=(
            {**CHILD, "child_first_name": "A\u202eva", "child_last_name": "Test\u200dfield"},
        ),
        concerns={**CONCERNS, "worry": CONCERNS["worry"] + "\u202e\nShe\u2067 was crying."},
    )

    referrer_client.post(f"/referrals/new/{draft.pk}/check/")

    referral = Referral.objects.get()
    assert (referral.child_first_name, referral.child_last_name) == ("Ava", "Testfield")
    assert referral.worry == CONCERNS["worry"] + "\nShe was crying."


def test_a_name_of_only_invisible_characters_is_missing_not_accepted():
    form = ChildForm({**CHILD, "child_first_name": "\u200b\u202e\u200b"})

    assert not form.is_valid()
    assert form.errors["child_first_name"] == [
        "Enter the child's first name, or 'Unborn' for an unborn baby"
    ]


def test_the_api_strips_invisible_characters_from_names_and_text(make_user):
    body = referral_body(
        child_first_name="\u202eAda\u200b\x00",
        child_last_name="Test\x1bchild",
        worry="Came to school hungry\u2028and cold\u200f this week, four days running.",
        household=[{"name": "Parent\u2066 One", "relationship": "mo\u00adther\x85"}],
    )

    response = api_as(make_user(Role.REFERRER)).post("/api/v1/referrals/", body, format="json")

    assert response.status_code == 201, response.json()
    referral = Referral.objects.get()
    assert (referral.child_first_name, referral.child_last_name) == ("Ada", "Testchild")
    assert referral.worry == "Came to school hungry\nand cold this week, four days running."
    member = referral.household.get()
    assert member.name == "Parent One"
    assert member.relationship == "mo\u00adther"  # a soft hyphen is not a control


def test_the_api_refuses_a_name_that_is_only_invisible_characters(make_user):
    response = api_as(make_user(Role.REFERRER)).post(
        "/api/v1/referrals/", referral_body(child_first_name="\u202e\u200b"), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["child_first_name"]


def test_a_one_line_name_sent_with_a_line_break_gets_a_space(make_user):
    response = api_as(make_user(Role.REFERRER)).post(
        "/api/v1/referrals/", referral_body(child_other_names="Ada\nJo\tQuist"), format="json"
    )

    assert response.status_code == 201
    assert Referral.objects.get().child_other_names == "Ada Jo Quist"


def test_the_front_doors_own_api_inputs_are_cleaned_too():
    decision = DecisionInputSerializer(
        data={
            "outcome": "early_help",
            "threshold_level": 2,
            "rationale": "First\u202e point: the school's worries.\nSecond\u200b point: "
            "mum accepts help from the family worker.",
            "feedback": "Early help will call you.",
        }
    )
    challenge = ChallengeInputSerializer(
        data={"reason": "We\u2066 disagree.\r\nBecause the bruising is new."}
    )
    attendee = AttendeeSerializer(
        data={"agency": 1, "role": "gp", "name": "Dr\nA\u200b Tester", "attended": True}
    )

    assert decision.is_valid(), decision.errors
    assert challenge.is_valid(), challenge.errors
    assert attendee.is_valid(), attendee.errors
    assert decision.validated_data["rationale"] == (
        "First point: the school's worries.\nSecond point: mum accepts help from the family worker."
    )
    assert challenge.validated_data["reason"] == "We disagree.\nBecause the bruising is new."
    assert attendee.validated_data["name"] == "Dr A Tester"


def test_the_front_doors_own_forms_are_cleaned_too():
    form = AttendeeForm({"name": "Dr\u202e A Tester\x00"})

    form.is_valid()

    assert form.cleaned_data["name"] == "Dr A Tester"
