"""Input bounds (issue 13, part 7): children per referral, characters per field and per
draft (checked before a draft stores anything), the window for a call's time received,
and the CSRF check on the session-timeout path. Control and invisible characters are in
test_invisible_characters.py."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from agencies.models import Role
from notices.models import Notification
from referrals import drafts, services
from referrals.models import Channel, Referral
from tests.clients import api_as
from tests.factories import UserFactory
from tests.frontdoor.test_settings import run_django
from tests.referrals.api_helpers import referral_body
from tests.referrals.helpers import (
    CHILD,
    CHILD_WORLD,
    CONCERNS,
    fill_referral,
    start_draft,
    stored_draft,
)

pytestmark = pytest.mark.django_db

TWO_MEGABYTES = 2_000_000
TOO_MANY = "one referral can name at most"


def child(number: int) -> dict:
    return {**CHILD, "child_first_name": f"Child{number}"}


# --- Settings ---------------------------------------------------------------------------


def test_the_bounds_default_to_12_children_7_days_and_are_read_from_the_environment(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.MAX_CHILDREN_PER_REFERRAL, s.RECEIVED_AT_MAX_AGE.days, s.MAX_DRAFT_CHARACTERS)"
    )

    defaults = run_django(code, tmp_path, DJANGO_DEBUG="true")
    chosen = run_django(
        code,
        tmp_path,
        DJANGO_DEBUG="true",
        FRONTDOOR_MAX_CHILDREN_PER_REFERRAL="4",
        FRONTDOOR_RECEIVED_AT_MAX_AGE_DAYS="2",
        FRONTDOOR_MAX_DRAFT_CHARACTERS="50000",
    )
    unreadable = run_django(
        code, tmp_path, DJANGO_DEBUG="true", FRONTDOOR_MAX_CHILDREN_PER_REFERRAL="0"
    )

    assert defaults.stdout.split() == ["12", "7", "250000"], defaults.stderr
    assert chosen.stdout.split() == ["4", "2", "50000"], chosen.stderr
    assert unreadable.returncode != 0
    assert "FRONTDOOR_MAX_CHILDREN_PER_REFERRAL must be at least 1" in unreadable.stderr


# --- Children per referral ---------------------------------------------------------------


def test_a_thirteenth_child_is_refused_naming_children_and_not_stored(referrer_client):
    draft = start_draft(referrer_client)
    for number in range(12):
        response = referrer_client.post(f"/referrals/new/{draft.pk}/child/new/", child(number))
        assert response.status_code == 302

    response = referrer_client.post(f"/referrals/new/{draft.pk}/child/new/", child(13))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Children: one referral can name at most 12 children" in page
    assert 'class="govuk-error-summary"' in page
    assert len(stored_draft(draft)["children"]) == 12


def test_at_the_limit_the_children_page_offers_no_add_and_refuses_one(referrer_client, settings):
    settings.MAX_CHILDREN_PER_REFERRAL = 2
    draft = start_draft(referrer_client)
    for number in range(2):
        referrer_client.post(f"/referrals/new/{draft.pk}/child/new/", child(number))

    page = referrer_client.get(f"/referrals/new/{draft.pk}/children/").content.decode()
    refused = referrer_client.post(f"/referrals/new/{draft.pk}/children/", {"action": "add"})

    assert 'value="add"' not in page
    assert "One referral can name at most 2 children" in page
    assert refused.status_code == 200
    assert "Children: one referral can name at most 2 children" in refused.content.decode()


def test_changing_a_child_at_the_limit_is_still_allowed(referrer_client, settings):
    settings.MAX_CHILDREN_PER_REFERRAL = 1
    draft = start_draft(referrer_client)
    referrer_client.post(f"/referrals/new/{draft.pk}/child/new/", child(1))

    response = referrer_client.post(f"/referrals/new/{draft.pk}/child/0/", child(2))

    assert response.status_code == 302
    assert stored_draft(draft)["children"][0]["child_first_name"] == ["Child2"]


def test_a_draft_holding_more_children_than_allowed_cannot_be_sent(referrer_client, settings):
    draft = fill_referral(referrer_client, children=(child(1), child(2), child(3)))
    settings.MAX_CHILDREN_PER_REFERRAL = 2  # lowered after the draft was written

    response = referrer_client.post(f"/referrals/new/{draft.pk}/check/")

    assert response.status_code == 200
    assert "Children: one referral can name at most 2 children" in response.content.decode()
    assert not Referral.objects.exists()


def test_the_service_refuses_more_children_than_allowed_before_writing_anything(referrer):
    body = referral_body()
    details = {f: body[f] for f in services.DETAIL_FIELDS if f in body}
    one = {f: body[f] for f in services.CHILD_FIELDS if f in body}
    one["child_date_of_birth"] = timezone.localdate() - timedelta(days=3000)

    with pytest.raises(services.ReferralError) as refused:
        services.submit_referrals(
            by=referrer,
            children=[one] * 13,
            details=details,
            concerns=["neglect"],
            channel=Channel.WEB,
        )

    assert refused.value.errors == {
        "children": [
            "Children: one referral can name at most 12 children. Make another referral "
            "for the others"
        ]
    }
    assert not Referral.objects.exists()
    assert not Notification.objects.exists()


def test_the_api_answers_400_naming_children_when_over_the_limit(referrer, settings):
    # The API takes one child a request, so only a limit below one can be crossed there;
    # this proves the service's refusal reaches an API client as 400 naming the field.
    settings.MAX_CHILDREN_PER_REFERRAL = 0

    response = api_as(referrer).post("/api/v1/referrals/", referral_body(), format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["children"]
    assert not Referral.objects.exists()


# --- Characters per field and per draft, before anything is stored ------------------------


def test_a_two_megabyte_section_is_refused_naming_the_field_and_the_saved_one_kept(
    referrer_client,
):
    draft = start_draft(referrer_client)
    referrer_client.post(f"/referrals/new/{draft.pk}/concerns/", CONCERNS)
    before = stored_draft(draft)["sections"]["concerns"]

    response = referrer_client.post(
        f"/referrals/new/{draft.pk}/concerns/", {**CONCERNS, "worry": "x" * TWO_MEGABYTES}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "What specifically are you worried about for the child?: 6,000 characters at most "
        "(you entered 2,000,000). Nothing on this page was saved" in page
    )
    assert stored_draft(draft)["sections"]["concerns"] == before


def test_an_over_long_name_is_refused_and_no_child_is_stored(referrer_client):
    draft = start_draft(referrer_client)

    response = referrer_client.post(
        f"/referrals/new/{draft.pk}/child/new/", {**CHILD, "child_first_name": "A" * 101}
    )

    assert response.status_code == 200
    assert "First name: 100 characters at most (you entered 101)" in response.content.decode()
    assert stored_draft(draft)["children"] == []


def test_an_over_long_household_member_names_the_person(referrer_client):
    from tests.referrals.helpers import FAMILY

    draft = start_draft(referrer_client)

    response = referrer_client.post(
        f"/referrals/new/{draft.pk}/family/", {**FAMILY, "household-0-known_risk": "x" * 2001}
    )

    assert response.status_code == 200
    assert "Person 1: Any known risk: 2,000 characters at most" in response.content.decode()
    assert "family" not in stored_draft(draft)["sections"]


def test_only_the_forms_own_fields_are_stored(referrer_client):
    draft = start_draft(referrer_client)

    referrer_client.post(
        f"/referrals/new/{draft.pk}/concerns/",
        {**CONCERNS, "smuggled": "x" * 5000, "action": "go", "coaching_shown": "worry:x"},
    )

    stored = stored_draft(draft)["sections"]["concerns"]
    assert set(stored) <= {"concerns", "worry", "immediate_risk", "worry_explanation"}
    assert stored["worry"] == [CONCERNS["worry"]]


def test_more_choices_than_there_are_is_refused(referrer_client):
    draft = start_draft(referrer_client)

    response = referrer_client.post(
        f"/referrals/new/{draft.pk}/concerns/", {**CONCERNS, "concerns": ["neglect"] * 100}
    )

    assert response.status_code == 200
    assert "What kinds of concern are there?: choose at most 16" in response.content.decode()
    assert "concerns" not in stored_draft(draft)["sections"]


def test_the_whole_draft_is_bounded_and_what_was_saved_is_kept(referrer_client, settings):
    settings.MAX_DRAFT_CHARACTERS = 10_000
    draft = start_draft(referrer_client)
    referrer_client.post(f"/referrals/new/{draft.pk}/concerns/", CONCERNS)

    response = referrer_client.post(
        f"/referrals/new/{draft.pk}/child-world/",
        {**CHILD_WORLD, "lived_experience": "word " * 1200, "working_well": "well " * 1200},
    )

    assert response.status_code == 200
    assert "This referral is too long to keep" in response.content.decode()
    sections = stored_draft(draft)["sections"]
    assert "child-world" not in sections
    assert sections["concerns"]["worry"] == [CONCERNS["worry"]]


def test_a_draft_with_every_field_full_and_the_most_children_fits_the_default(referrer):
    draft = drafts.start_draft(by=referrer)
    for section in drafts.FORM_SECTIONS:
        bounds = drafts._section_bounds(section.slug)
        drafts.save_section(
            draft, section.slug, {k: ["é" * b.max_chars] * b.max_values for k, b in bounds.items()}
        )
    for _ in range(12):
        full = {k: ["é" * b.max_chars] * b.max_values for k, b in drafts._child_bounds().items()}
        drafts.save_child(draft, None, full)

    assert len(stored_draft(draft)["children"]) == 12


def test_the_live_coaching_reads_a_huge_section_without_storing_it(referrer_client):
    draft = start_draft(referrer_client)

    response = referrer_client.post(
        f"/referrals/new/{draft.pk}/concerns/coaching/", {"worry": "x" * TWO_MEGABYTES}
    )

    assert response.status_code == 200
    assert stored_draft(draft)["sections"] == {}


# --- When a call was received: not in the future, not more than 7 days ago ----------------


def received(at, **extra) -> dict:
    local = timezone.localtime(at)
    return {
        "channel": "phone",
        "received_date_day": str(local.day),
        "received_date_month": str(local.month),
        "received_date_year": str(local.year),
        "received_time": local.strftime("%H:%M"),
        "caller_type": "family",
        "referrer_name": "A. Caller",
        "referrer_phone": "01632 960001",
        **extra,
    }


def test_a_call_received_more_than_seven_days_ago_is_refused_naming_the_date(screener_client):
    draft = start_draft(screener_client)
    long_ago = timezone.now() - timedelta(days=7, hours=1)

    response = screener_client.post(f"/referrals/new/{draft.pk}/received/", received(long_ago))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="#id_received_date">The date received must be within the last 7 days' in page


def test_a_call_received_just_inside_seven_days_is_accepted(screener_client):
    draft = start_draft(screener_client)
    recent = timezone.now() - timedelta(days=6, hours=23)

    response = screener_client.post(f"/referrals/new/{draft.pk}/received/", received(recent))

    assert response.status_code == 302


def test_the_window_for_a_call_is_a_setting(screener_client, settings):
    settings.RECEIVED_AT_MAX_AGE = timedelta(days=30)
    draft = start_draft(screener_client)

    response = screener_client.post(
        f"/referrals/new/{draft.pk}/received/", received(timezone.now() - timedelta(days=20))
    )

    assert response.status_code == 302


def test_a_call_that_left_the_window_while_its_draft_waited_is_refused_at_sending(
    screener_client, settings
):
    call = timezone.now() - timedelta(days=6)
    draft = fill_referral(screener_client, received=received(call), contact=False)
    settings.RECEIVED_AT_MAX_AGE = timedelta(days=5)  # as if two days had passed

    response = screener_client.post(f"/referrals/new/{draft.pk}/check/")

    assert response.status_code == 200
    assert "The date received must be within the last 5 days" in response.content.decode()
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("ago", "status"),
    [(timedelta(days=7, minutes=1), 400), (timedelta(days=6, hours=23), 201)],
)
def test_the_api_takes_a_calls_time_within_the_window_only(make_user, ago, status):
    received_at = (timezone.now() - ago).isoformat()

    response = api_as(make_user(Role.SCREENER)).post(
        "/api/v1/referrals/",
        referral_body(received_at=received_at, channel="phone", caller_type="family"),
        format="json",
    )

    assert response.status_code == status
    if status == 400:
        assert response.json() == {
            "received_at": ["The date received must be within the last 7 days"]
        }


# --- The CSRF check runs before a timed-out session's post is kept ------------------------


def _timed_out_post(data_for, *, token: bool):
    """Sign in, open a page, wait past the idle timeout, then post ``data_for(draft)``
    to a section with or without the CSRF token; returns (response, draft)."""
    client = Client(enforce_csrf_checks=True)
    user = UserFactory(role=Role.REFERRER)
    with time_machine.travel("2026-11-27 16:00:00+00:00", tick=False) as traveller:
        client.force_login(user)
        draft = drafts.start_draft(by=user)
        assert client.get(f"/referrals/new/{draft.pk}/child-world/").status_code == 200
        secret = client.cookies["csrftoken"].value
        traveller.shift(45 * 60)
        data = data_for(draft)
        if token:
            data = {**data, "csrfmiddlewaretoken": secret}
        response = client.post(f"/referrals/new/{draft.pk}/child-world/", data)
    return response, draft


def _message_texts(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_a_post_failing_csrf_after_the_session_timed_out_keeps_nothing():
    response, draft = _timed_out_post(lambda draft: CHILD_WORLD, token=False)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert stored_draft(draft)["sections"] == {}
    assert "has been saved" not in _message_texts(response)


def test_a_genuine_post_after_the_session_timed_out_is_still_kept():
    response, draft = _timed_out_post(lambda draft: CHILD_WORLD, token=True)

    assert response.status_code == 302
    assert stored_draft(draft)["sections"]["child-world"]["child_voice"] == [
        CHILD_WORLD["child_voice"]
    ]
    assert "What you had typed has been saved" in _message_texts(response)


def test_an_over_long_post_after_the_session_timed_out_keeps_nothing_and_says_so():
    response, draft = _timed_out_post(
        lambda draft: {**CHILD_WORLD, "lived_experience": "x" * 7000}, token=True
    )

    assert response.status_code == 302
    assert stored_draft(draft)["sections"] == {}
    assert "has been saved" not in _message_texts(response)
