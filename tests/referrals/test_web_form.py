from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from agencies.census import AgencyType
from agencies.models import Role
from referrals.models import Channel, Referral, ReferralDraft, Status
from tests.factories import PASSWORD, AgencyFactory, UserFactory
from tests.referrals.helpers import (
    CHILD,
    CHILD_WORLD,
    CONCERNS,
    FAMILY,
    fill_referral,
    start_draft,
)

pytestmark = pytest.mark.django_db

LEO = {
    **CHILD,
    "child_first_name": "Leo",
    "child_date_of_birth_day": "9",
    "child_date_of_birth_month": "11",
    "child_date_of_birth_year": "2019",
    "child_gender": "1",
}


def test_a_referrer_refers_two_siblings_as_one_submission_with_a_clock_each(
    referrer_client, referrer
):
    draft = fill_referral(referrer_client, children=[CHILD, LEO])

    response = referrer_client.post(f"/referrals/new/{draft.pk}/check/")

    assert response.status_code == 302
    referrals = Referral.objects.order_by("reference")
    assert [r.child_first_name for r in referrals] == ["Ava", "Leo"]
    assert referrals[0].submission_id == referrals[1].submission_id
    for referral in referrals:
        assert referral.referrer == referrer
        assert referral.agency == referrer.agency
        assert referral.channel == Channel.WEB
        assert referral.status == Status.RECEIVED
        assert referral.decision_due_at == referral.received_at + timedelta(hours=24)
        assert sorted(referral.concern_categories) == ["domestic_abuse", "neglect"]
        assert [m.relationship for m in referral.household.all()] == ["mother"]
    confirmation = referrer_client.get(response["Location"]).content.decode()
    for referral in referrals:
        assert referral.reference in confirmation


def test_sending_the_same_draft_twice_does_not_duplicate_referrals(referrer_client):
    draft = fill_referral(referrer_client)

    first = referrer_client.post(f"/referrals/new/{draft.pk}/check/")
    second = referrer_client.post(f"/referrals/new/{draft.pk}/check/")

    assert first.status_code == 302
    assert second.status_code == 302
    assert second["Location"] == first["Location"]  # the same confirmation page
    assert Referral.objects.count() == 1


def test_a_validation_error_shows_the_error_summary_and_keeps_what_was_typed(referrer_client):
    draft = start_draft(referrer_client)

    response = referrer_client.post(
        f"/referrals/new/{draft.pk}/child/new/",
        {
            **CHILD,
            "child_last_name": "",
            "child_date_of_birth_day": "31",
            "child_date_of_birth_month": "2",
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter the child&#x27;s last name" in page
    assert "The date of birth must be a real date" in page
    assert 'value="Ava"' in page
    draft.refresh_from_db()
    assert draft.data["children"][0]["child_first_name"] == ["Ava"]


def test_required_child_focused_answers_cannot_be_skipped(referrer_client):
    draft = start_draft(referrer_client)

    response = referrer_client.post(f"/referrals/new/{draft.pk}/child-world/", {})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Describe what a day is like for the child" in page
    assert "Say what the child has said, or why it could not be gathered" in page


def test_consent_not_sought_needs_a_reason(referrer_client):
    draft = start_draft(referrer_client)

    response = referrer_client.post(
        f"/referrals/new/{draft.pk}/family/", {**FAMILY, "parental_consent": "not_sought"}
    )

    assert response.status_code == 200
    assert "Say why consent was not sought" in response.content.decode()


def test_a_future_date_of_birth_is_refused_but_an_expected_one_is_accepted(referrer_client):
    draft = start_draft(referrer_client)
    next_year = str(timezone.localdate().year + 1)
    future = {**CHILD, "child_date_of_birth_year": next_year}

    response = referrer_client.post(f"/referrals/new/{draft.pk}/child/new/", future)

    assert "Date of birth must be today or in the past" in response.content.decode()
    due = timezone.localdate() + timedelta(days=60)
    unborn = {
        **CHILD,
        "child_first_name": "Unborn",
        "child_date_of_birth_day": "",
        "child_date_of_birth_month": "",
        "child_date_of_birth_year": "",
        "child_expected_date_of_birth_day": str(due.day),
        "child_expected_date_of_birth_month": str(due.month),
        "child_expected_date_of_birth_year": str(due.year),
    }
    response = referrer_client.post(f"/referrals/new/{draft.pk}/child/0/", unborn)
    assert response.status_code == 302


def test_the_check_page_lists_what_is_missing_and_offers_no_send_button(referrer_client):
    draft = start_draft(referrer_client)
    referrer_client.post(f"/referrals/new/{draft.pk}/child/new/", CHILD)

    response = referrer_client.get(f"/referrals/new/{draft.pk}/check/")

    page = response.content.decode()
    assert "need your attention before you can send this referral" in page
    assert "Concerns: not answered yet" in page
    assert "Send referral" not in page
    assert referrer_client.post(f"/referrals/new/{draft.pk}/check/").status_code == 200
    assert Referral.objects.count() == 0


def test_immediate_risk_is_recorded_and_the_call_now_warning_shown(referrer_client):
    draft = fill_referral(referrer_client, concerns={**CONCERNS, "immediate_risk": "yes"})

    check = referrer_client.get(f"/referrals/new/{draft.pk}/check/").content.decode()
    response = referrer_client.post(f"/referrals/new/{draft.pk}/check/", follow=True)

    assert "call 999 now" in check
    assert "call 999 now" in response.content.decode()
    assert Referral.objects.get().immediate_risk is True


def test_a_draft_is_found_again_after_signing_out_and_in(client):
    UserFactory(username="pat", role=Role.REFERRER)
    client.post("/accounts/login/", {"username": "pat", "password": PASSWORD})
    draft = start_draft(client)
    client.post(f"/referrals/new/{draft.pk}/child/new/", CHILD)
    client.post("/accounts/logout/")

    client.post("/accounts/login/", {"username": "pat", "password": PASSWORD})
    page = client.get("/referrals/new/").content.decode()

    assert f"/referrals/new/{draft.pk}/check/" in page
    assert "(1 child)" in page


def test_what_was_typed_is_kept_when_the_session_times_out_mid_page(client):
    UserFactory(username="pat", role=Role.REFERRER)
    with time_machine.travel("2026-11-27 16:00:00+00:00", tick=False) as traveller:
        client.post("/accounts/login/", {"username": "pat", "password": PASSWORD})
        draft = start_draft(client)
        traveller.shift(45 * 60)  # typing a long answer, then pressing Save

        response = client.post(f"/referrals/new/{draft.pk}/child-world/", CHILD_WORLD)

        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        assert f"next=/referrals/new/{draft.pk}/child-world/" in response["Location"]
        draft.refresh_from_db()
        assert draft.data["sections"]["child-world"]["child_voice"] == [CHILD_WORLD["child_voice"]]

        client.post("/accounts/login/", {"username": "pat", "password": PASSWORD})
        page = client.get(f"/referrals/new/{draft.pk}/child-world/").content.decode()
        assert "Mum stays in bed" in page


def test_nobody_can_open_another_persons_draft(referrer_client, make_user):
    draft = start_draft(referrer_client)
    other = make_user(Role.REFERRER)
    from django.test import Client

    intruder = Client()
    intruder.force_login(other)

    assert intruder.get(f"/referrals/new/{draft.pk}/concerns/").status_code == 404
    assert intruder.post(f"/referrals/new/{draft.pk}/concerns/", CONCERNS).status_code == 404
    assert ReferralDraft.objects.get(pk=draft.pk).data["sections"] == {}


@pytest.mark.parametrize("role", [Role.PARTNER, Role.AUDITOR, Role.ADMIN])
def test_roles_that_do_not_refer_cannot_start_a_referral(client, make_user, role):
    client.force_login(make_user(role))

    assert client.get("/referrals/new/").status_code == 403
    assert client.post("/referrals/new/").status_code == 403


def test_signed_out_visitors_are_asked_to_sign_in(client):
    response = client.get("/referrals/new/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- Referrals by phone or email ------------------------------------------------------


def received(at, **extra):
    local = timezone.localtime(at)
    return {
        "channel": "phone",
        "received_date_day": str(local.day),
        "received_date_month": str(local.month),
        "received_date_year": str(local.year),
        "received_time": local.strftime("%H:%M"),
        "caller_type": "family",
        "referrer_name": "A. Caller",
        "referrer_role": "grandmother",
        "referrer_phone": "01632 960001",
        **extra,
    }


def test_a_screener_records_a_phone_referral_and_the_clock_runs_from_the_call(screener_client):
    call = (timezone.now() - timedelta(hours=3)).replace(second=0, microsecond=0)
    draft = fill_referral(screener_client, received=received(call), contact=False)

    response = screener_client.post(f"/referrals/new/{draft.pk}/check/")

    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.channel == Channel.PHONE
    assert referral.received_at == call
    assert referral.decision_due_at == call + timedelta(hours=24)
    assert referral.referrer is None
    assert referral.recorded_by is not None
    assert referral.source_of_referral == "1A"
    assert referral.referrer_name == "A. Caller"


def test_a_call_cannot_be_recorded_as_received_in_the_future(screener_client):
    draft = start_draft(screener_client)
    later = timezone.now() + timedelta(hours=2)

    response = screener_client.post(f"/referrals/new/{draft.pk}/received/", received(later))

    assert response.status_code == 200
    assert "The time received cannot be in the future" in response.content.decode()


def test_an_anonymous_callers_details_are_not_kept_and_the_source_is_anonymous(screener_client):
    call = timezone.now() - timedelta(minutes=30)
    draft = fill_referral(
        screener_client, received=received(call, caller_type="anonymous"), contact=False
    )

    screener_client.post(f"/referrals/new/{draft.pk}/check/")

    referral = Referral.objects.get()
    assert referral.source_of_referral == "9"
    assert referral.referrer_name == ""


def test_a_professional_caller_takes_their_agencys_census_source(screener_client):
    police = AgencyFactory(type=AgencyType.POLICE)
    call = timezone.now() - timedelta(minutes=30)
    draft = fill_referral(
        screener_client,
        received=received(call, caller_type="professional", caller_agency=str(police.pk)),
        contact=False,
    )

    screener_client.post(f"/referrals/new/{draft.pk}/check/")

    referral = Referral.objects.get()
    assert referral.agency == police
    assert referral.source_of_referral == "6"


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/referrals/new/{id}/child/abc/", {}),
        ("post", "/referrals/new/{id}/child/abc/", {}),
        ("get", "/referrals/new/{id}/child/7/", {}),
        ("post", "/referrals/new/{id}/children/", {"action": "remove-abc"}),
        # Digits to str.isdigit(), not to int(): once a server error.
        ("get", "/referrals/new/{id}/child/\u00b2/", {}),
        ("post", "/referrals/new/{id}/child/\u00b2/", {}),
        ("post", "/referrals/new/{id}/children/", {"action": "remove-\u00b2"}),
        # Past int()'s 4,300 digits: a ValueError, once a server error.
        pytest.param("get", "/referrals/new/{id}/child/" + "9" * 5000 + "/", {}, id="get-5000"),
        pytest.param("post", "/referrals/new/{id}/child/" + "9" * 5000 + "/", {}, id="post-5000"),
        pytest.param(
            "post",
            "/referrals/new/{id}/children/",
            {"action": "remove-" + "9" * 5000},
            id="rm-5000",
        ),
        ("get", "/referrals/new/{id}/no-such-section/", {}),
        ("get", "/referrals/new/999999/concerns/", {}),
    ],
)
def test_a_mangled_form_address_is_a_404_not_a_server_error(referrer_client, method, path, data):
    draft = start_draft(referrer_client)

    response = getattr(referrer_client, method)(path.format(id=draft.pk), data)

    assert response.status_code == 404


def test_change_links_on_check_your_answers_come_back_to_the_check_page(referrer_client):
    from tests.referrals.helpers import CHILD, NEXT_STEPS, fill_referral

    draft = fill_referral(referrer_client)
    check = f"/referrals/new/{draft.pk}/check/"
    page = referrer_client.get(check).content.decode()
    assert f'href="/referrals/new/{draft.pk}/next-steps/?return=check"' in page
    assert f'href="/referrals/new/{draft.pk}/child/0/?return=check"' in page

    section = referrer_client.post(
        f"/referrals/new/{draft.pk}/next-steps/?return=check", NEXT_STEPS
    )
    assert section.status_code == 302 and section["Location"] == check
    child = referrer_client.post(f"/referrals/new/{draft.pk}/child/0/?return=check", CHILD)
    assert child.status_code == 302 and child["Location"] == check
    # Without it, the form goes on to the next page as before.
    onward = referrer_client.post(f"/referrals/new/{draft.pk}/next-steps/", NEXT_STEPS)
    assert onward["Location"] == f"/referrals/new/{draft.pk}/your-details/"
