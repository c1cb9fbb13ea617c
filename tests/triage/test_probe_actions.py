"""The screening page's actions (a note, the quality rating, a recommendation, claiming,
unlinking a child and creating one) probed as an attacker and a clumsy user would: every
role and method, text with a NUL or past its bound, a referral already decided. Refused
requests write nothing; a mistake in a form is a 400 naming its field."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import Role
from referrals.models import Child, Referral
from tests.clients import client_for
from tests.factories import ChildFactory, DecisionFactory, ReferralFactory, UserFactory
from triage.models import QualityRating, ScreeningNote

pytestmark = pytest.mark.django_db

ACTIONS = {
    "note": {"text": "Spoke to the school nurse about the bruise."},
    "quality": {"specific_worry": "on", "comment": "Clear about what was seen."},
    "recommend": {"outcome": "nfa", "rationale": "Nothing in the referral needs us to act."},
    "claim": {},
    "unlink-child": {"reason": "The date of birth does not match this child at all."},
    "create-child": {},
}
OUTSIDE = [Role.REFERRER, Role.AGENCY_LEAD, Role.PARTNER, Role.AUDITOR, Role.ADMIN]


def _written(referral: Referral) -> tuple:
    referral.refresh_from_db()
    return (
        ScreeningNote.objects.count(),
        QualityRating.objects.count(),
        Child.objects.count(),
        referral.assigned_to_id,
        referral.recommended_outcome,
        referral.child_id,
        referral.history.count(),
    )


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
@pytest.mark.parametrize("role", [*OUTSIDE, None], ids=lambda r: r.value if r else "anonymous")
def test_a_role_without_screening_is_refused_and_nothing_is_written(action, method, role):
    referral = ReferralFactory(child=ChildFactory())
    client = client_for(UserFactory(role=role)) if role else Client()
    before = _written(referral)

    response = getattr(client, method)(
        reverse(f"triage:{action}", args=[referral.pk]), ACTIONS[action]
    )

    assert response.status_code == (302 if role is None else 403)
    assert referral.child_first_name not in response.content.decode()
    assert _written(referral) == before


@pytest.mark.parametrize(
    ("action", "field", "value", "message"),
    [
        ("note", "text", "x" * 100_001, "Add a screening note: 6000 characters at most"),
        ("recommend", "rationale", "x" * 100_001, "Why?: 6000 characters at most"),
        (
            "recommend",
            "outcome",
            "not-an-outcome",
            "Recommended outcome: choose one of the options given",
        ),
        (
            "quality",
            "comment",
            "x" * 2001,
            "Comment for the referrer&#x27;s agency: 2000 characters at most",
        ),
        ("unlink-child", "reason", "x " * 1600, "Why is this link wrong?: 3000 characters at most"),
    ],
    ids=["note", "rationale", "outcome", "comment", "reason"],
)
def test_text_past_its_bound_is_a_400_naming_the_field_and_nothing_is_written(
    screener_client, action, field, value, message
):
    referral = ReferralFactory(child=ChildFactory())
    before = _written(referral)

    response = screener_client.post(
        reverse(f"triage:{action}", args=[referral.pk]), {**ACTIONS[action], field: value}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page
    # Django's own "Ensure this value has at most 6000 characters" named no field.
    assert message in page
    # The summary's link goes to the field (a radio group's: to its first radio).
    assert f'href="#{response.context["error_form"][field].auto_id}' in page
    assert _written(referral) == before


@pytest.mark.parametrize(("action", "field"), [("note", "text"), ("unlink-child", "reason")])
def test_a_nul_in_the_text_is_cleaned_out_not_a_server_error(screener_client, action, field):
    referral = ReferralFactory(child=ChildFactory())

    response = screener_client.post(
        reverse(f"triage:{action}", args=[referral.pk]),
        {field: "The date of birth\x00 does not match this child."},
    )

    assert response.status_code == 302
    if action == "note":
        assert ScreeningNote.objects.get().text == "The date of birth does not match this child."
    else:
        assert referral.child_link_removals.get().reason.startswith("The date of birth does")


@pytest.mark.parametrize("action", ["note", "quality"])
def test_a_decided_referral_takes_no_more_screening_notes_or_ratings(screener_client, action):
    # The page offers neither once the referral is decided; a POST made by hand was kept.
    referral = DecisionFactory().referral
    before = _written(referral)

    response = screener_client.post(
        reverse(f"triage:{action}", args=[referral.pk]), ACTIONS[action], follow=True
    )

    assert response.status_code == 200
    assert f"{referral.reference} has been decided" in [
        str(m) for m in response.context["messages"]
    ]
    assert _written(referral) == before


def test_a_note_sent_twice_is_recorded_once_and_the_same_words_later_again(make_user):
    # A double click, or the back button and "Add note" again: once a server-side copy.
    screener, colleague = make_user(Role.SCREENER), make_user(Role.SCREENER)
    referral = ReferralFactory()
    url = reverse("triage:note", args=[referral.pk])
    same = {"text": "Left a message for the health visitor."}

    client_for(screener).post(url, same)
    client_for(screener).post(url, same)
    assert ScreeningNote.objects.count() == 1

    # The same words after a colleague's note, or from the colleague, are a new note.
    client_for(colleague).post(url, same)
    client_for(screener).post(url, same)
    assert list(ScreeningNote.objects.values_list("author", flat=True)) == [
        screener.pk,
        colleague.pk,
        screener.pk,
    ]


def test_the_same_note_from_the_same_person_later_in_the_day_is_a_new_note(make_user):
    # "No answer from the health visitor" at ten and again at two: two attempts, two notes.
    screener = make_user(Role.SCREENER)
    referral = ReferralFactory()
    url = reverse("triage:note", args=[referral.pk])
    same = {"text": "No answer from the health visitor."}

    client_for(screener).post(url, same)
    with time_machine.travel(timezone.now() + timedelta(hours=4)):
        client_for(screener).post(url, same)

    assert ScreeningNote.objects.filter(referral=referral).count() == 2


def test_claiming_twice_keeps_one_change_in_the_referrals_history(make_user):
    screener = make_user(Role.SCREENER)
    referral = ReferralFactory()
    url = reverse("triage:claim", args=[referral.pk])
    client = client_for(screener)

    client.post(url)
    after_first = referral.history.count()
    second = client.post(url)

    assert second.status_code == 302
    assert referral.history.count() == after_first
    referral.refresh_from_db()
    assert referral.assigned_to == screener
