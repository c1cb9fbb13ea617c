"""The intake API and issue 12's fields: the three houses, new or a pattern, identity
asked (with documented defaults for clients that do not send them), placeholders refused."""

from __future__ import annotations

import pytest

from referrals.models import Referral
from tests.clients import api_as
from tests.referrals.api_helpers import MISSING, post, referral_body

pytestmark = pytest.mark.django_db


def test_the_api_accepts_the_three_houses_and_new_or_a_pattern(referrer):
    body = referral_body(
        child_voice=MISSING,
        voice_worries="When dad shouts",
        voice_good_things="My cat",
        voice_dreams="Going to the sea",
        new_or_pattern="dont_know",
        child_interpreter_needed=None,
        child_first_language="Declined",
    )

    response = post(api_as(referrer), body)

    assert response.status_code == 201, response.json()
    referral = Referral.objects.get(pk=response.json()["id"])
    assert referral.voice_houses == ("When dad shouts", "My cat", "Going to the sea")
    assert referral.child_voice == ""
    assert referral.new_or_pattern == "dont_know"
    assert referral.child_interpreter_needed is None


def test_a_client_that_leaves_the_new_fields_out_gets_the_documented_defaults(referrer):
    body = referral_body(
        child_ethnicity=MISSING, child_religion=MISSING, child_interpreter_needed=MISSING
    )

    response = post(api_as(referrer), body)

    assert response.status_code == 201
    referral = Referral.objects.get(pk=response.json()["id"])
    assert referral.new_or_pattern == "not_asked"
    assert (referral.child_ethnicity, referral.child_religion) == ("NOBT", "not_known")
    assert referral.child_interpreter_needed is None
    assert referral.child_first_language == ""


@pytest.mark.parametrize("field", ["worry", "lived_experience", "child_voice"])
def test_a_placeholder_is_refused_with_400_naming_the_field(referrer, field):
    response = post(api_as(referrer), referral_body(**{field: "n/a"}))

    assert response.status_code == 400
    assert "is not enough" in response.json()[field][0]


def test_no_childs_voice_and_no_houses_is_refused_naming_child_voice(referrer):
    response = post(api_as(referrer), referral_body(child_voice=MISSING))

    assert response.status_code == 400
    assert list(response.json()) == ["child_voice"]


def test_an_unknown_pattern_answer_is_refused_naming_the_field(referrer):
    response = post(api_as(referrer), referral_body(new_or_pattern="sometimes"))

    assert response.status_code == 400
    assert "new_or_pattern" in response.json()


def test_the_schema_documents_the_new_fields_and_their_defaults(referrer):
    schema = api_as(referrer).get("/api/schema/", {"format": "json"}).json()
    fields = schema["components"]["schemas"]["ReferralInput"]["properties"]

    assert "not_asked" in fields["new_or_pattern"]["description"]
    assert "null (not known)" in fields["child_interpreter_needed"]["description"]
    for house in ("voice_worries", "voice_good_things", "voice_dreams"):
        assert "three houses" in fields[house]["description"]
