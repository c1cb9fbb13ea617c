"""A password set by an administrator must be replaced by its owner before anything else
(ASVS 2.5.6; agencies.recovery): the mark is set by the admin's password form and by a new
account made there with a password, and taken off by the owner's own change; until then
pages lead to the password page, the API refuses them and no token is issued."""

import logging

import pytest
from django.test import Client
from rest_framework.test import APIClient

from agencies.models import ApiToken, Role
from audit.models import AuditEvent
from referrals.models import ReferralDraft
from tests.clients import client_for, confirmed
from tests.factories import AgencyFactory, TOTPDeviceFactory, UserFactory, current_code

NEW_PASSWORD = "quiet-lantern-orbit-47"
OWN_PASSWORD = "amber-tide-walrus-93"
PASSWORD_PAGE = "/accounts/password/"
WHY = "An administrator set your password. Choose a new one before you go on."


def set_password_in_admin(admin_client, user, *, again=NEW_PASSWORD):
    response = admin_client.post(
        f"/admin/agencies/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": again, "usable_password": "true"},
    )
    # The form was answered, not put off until the administrator confirms it is them
    # (agencies.reauth): otherwise a test that nothing is marked would pass for nothing.
    assert "/accounts/confirm/" not in response.get("Location", "")
    # As its owner next signs in: with the new password (a session signed in with the
    # old one ends, Django's session hash).
    user.refresh_from_db()
    return response


def change_own_password(client, *, old=NEW_PASSWORD, new=OWN_PASSWORD):
    return client.post(
        PASSWORD_PAGE, {"old_password": old, "new_password1": new, "new_password2": new}
    )


def marked(user) -> bool:
    user.refresh_from_db()
    return user.must_change_password


@pytest.fixture
def kit(db):
    return UserFactory(username="kit", role=Role.ADMIN)


@pytest.fixture
def pat(db):
    return UserFactory(username="pat", role=Role.REFERRER)


# --- The mark: set by the administrator, taken off by the owner ------------------------


def test_a_password_set_by_an_administrator_marks_the_account(kit, pat):
    response = set_password_in_admin(confirmed(client_for(kit)), pat)

    assert response.status_code == 302
    assert marked(pat)
    assert pat.check_password(NEW_PASSWORD)


def test_a_password_the_administrator_mistyped_marks_nothing(kit, pat):
    response = set_password_in_admin(confirmed(client_for(kit)), pat, again="something-else")

    assert response.status_code == 200
    assert not marked(pat)


def test_an_administrator_setting_their_own_password_in_the_admin_is_not_marked(kit):
    response = set_password_in_admin(confirmed(client_for(kit)), kit)

    assert response.status_code == 302
    assert not marked(kit)


def test_an_account_made_in_the_admin_with_a_password_is_marked(kit):
    agency = AgencyFactory()
    response = confirmed(client_for(kit)).post(
        "/admin/agencies/user/add/",
        {
            "username": "newcomer",
            "email": "newcomer@example.org",
            "agency": agency.pk,
            "role": Role.REFERRER,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    newcomer = UserFactory._meta.model.objects.get(username="newcomer")
    assert newcomer.must_change_password
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PASSWORD_SET_BY_ADMIN)
    assert event.object_id == newcomer.pk
    assert event.detail == {"user_id": newcomer.pk, "new_account": True}


def test_the_mark_cannot_be_ticked_on_or_off_on_the_users_page(kit, pat):
    pat.must_change_password = True
    pat.save()

    page = confirmed(client_for(kit)).get(f"/admin/agencies/user/{pat.pk}/change/")

    assert page.status_code == 200
    assert 'name="must_change_password"' not in page.content.decode()


def test_the_owner_choosing_their_own_password_takes_the_mark_off(kit, pat):
    set_password_in_admin(confirmed(client_for(kit)), pat)
    client = client_for(pat)

    response = change_own_password(client)

    assert response.status_code == 302 and response["Location"] == "/accounts/"
    assert not marked(pat)
    assert pat.check_password(OWN_PASSWORD)
    assert client.get("/referrals/mine/").status_code == 200


def test_a_wrong_current_password_leaves_the_mark_on(kit, pat):
    set_password_in_admin(confirmed(client_for(kit)), pat)
    client = client_for(pat)

    response = change_own_password(client, old="not-the-one-given")

    assert response.status_code == 200
    assert marked(pat)


def test_seeded_and_factory_accounts_are_not_marked(db):
    # A password set by code (seed_demo, createsuperuser, the factories) is not one an
    # administrator gave someone: the demo users sign straight in.
    from demo.data.agencies import seed_agencies_and_users

    seed_agencies_and_users()

    model = UserFactory._meta.model
    assert model.objects.exists()
    assert not model.objects.filter(must_change_password=True).exists()


# --- Until then: only the password page ------------------------------------------------


@pytest.fixture
def pat_marked(kit, pat):
    set_password_in_admin(confirmed(client_for(kit)), pat)
    pat.refresh_from_db()
    return pat


def test_every_other_page_leads_to_the_password_page_which_says_why(pat_marked):
    client = client_for(pat_marked)

    for path in ("/", "/referrals/mine/", "/referrals/new/", "/accounts/", "/inbox/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == PASSWORD_PAGE, path
    page = client.get(PASSWORD_PAGE)
    assert page.status_code == 200
    assert WHY in page.content.decode()
    assert "Back to your account" not in page.content.decode()


def test_the_password_page_offers_no_link_that_only_leads_back_to_it(pat_marked, pat):
    """Every other page leads back to the password page, so it shows no navigation, no
    inbox and no account link while the mark is on: who is signed in and signing out."""
    page = client_for(pat_marked).get(PASSWORD_PAGE).content.decode()

    assert 'data-testid="identity"' in page
    assert 'action="/accounts/logout/"' in page
    for link in ('data-testid="inbox-link"', 'data-testid="account-link"', 'href="/referrals/'):
        assert link not in page, link

    change_own_password(client_for(pat_marked))
    assert not marked(pat)  # and read again, with the password now theirs
    page = client_for(pat).get(PASSWORD_PAGE).content.decode()
    for link in ('data-testid="inbox-link"', 'data-testid="account-link"', 'href="/referrals/'):
        assert link in page, link


def test_a_form_sent_to_another_page_does_nothing_and_leads_to_the_password_page(pat_marked):
    client = client_for(pat_marked)

    response = client.post("/referrals/new/")

    assert response.status_code == 302 and response["Location"] == PASSWORD_PAGE
    assert not ReferralDraft.objects.exists()


def test_the_queue_leads_a_marked_screener_to_the_password_page(kit):
    screener = UserFactory(role=Role.SCREENER)
    set_password_in_admin(confirmed(client_for(kit)), screener)
    client = client_for(screener)

    assert client.get("/triage/")["Location"] == PASSWORD_PAGE
    assert client.post("/triage/", {"assigned": "me"})["Location"] == PASSWORD_PAGE


def test_a_marked_administrator_cannot_use_the_admin(kit):
    other = UserFactory(username="other", role=Role.ADMIN)
    set_password_in_admin(confirmed(client_for(kit)), other)

    response = client_for(other).get("/admin/")

    assert response.status_code == 302 and response["Location"] == PASSWORD_PAGE


def test_the_page_for_someone_not_marked_says_nothing_of_it(pat):
    page = client_for(pat).get(PASSWORD_PAGE)

    assert page.status_code == 200
    assert WHY not in page.content.decode()


def test_the_strength_meter_still_answers(pat_marked):
    response = client_for(pat_marked).post(
        "/accounts/password/strength/", {"new_password1": "tiny"}
    )

    assert response.status_code == 200


def test_signing_out_still_works(pat_marked):
    client = client_for(pat_marked)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get("/referrals/mine/")["Location"].startswith("/accounts/login/")


def test_the_second_step_comes_before_the_password_page(kit, settings):
    settings.MFA_REQUIRED = True
    manager = UserFactory(username="ruth", role=Role.MANAGER)
    device = TOTPDeviceFactory(user=manager)
    manager.set_password(NEW_PASSWORD)
    manager.must_change_password = True
    manager.save()
    client = Client()

    signed_in = client.post("/accounts/login/", {"username": "ruth", "password": NEW_PASSWORD})
    before_code = client.get(PASSWORD_PAGE)
    verify = client.get(signed_in["Location"])
    verified = client.post("/accounts/two-step/verify/", {"code": current_code(device)})
    after_code = client.get("/triage/")

    assert signed_in["Location"].startswith("/accounts/two-step/verify/")
    assert before_code["Location"].startswith("/accounts/two-step/verify/")
    assert verify.status_code == 200
    assert verified.status_code == 302
    assert after_code["Location"] == PASSWORD_PAGE
    assert change_own_password(client).status_code == 302
    assert client.get("/triage/").status_code == 200


# --- The API -----------------------------------------------------------------------------


def test_no_token_is_issued_until_the_owner_chooses_a_password(pat_marked, caplog):
    client = APIClient()

    with caplog.at_level(logging.INFO, logger="frontdoor.security"):
        response = client.post(
            "/api/v1/auth/token/", {"username": "pat", "password": NEW_PASSWORD}, format="json"
        )

    assert response.status_code == 403
    assert response.json()["code"] == "password_change_required"
    assert "An administrator set your password" in response.json()["detail"]
    assert not ApiToken.objects.filter(user=pat_marked).exists()
    assert f"new password required refused-token: user={pat_marked.pk}" in caplog.text


def test_a_wrong_password_for_a_marked_account_is_not_told_of_the_mark(pat_marked):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "pat", "password": "wrong-one"}, format="json"
    )

    assert response.status_code == 400
    assert "password_change_required" not in response.content.decode()


def test_a_token_of_a_marked_account_is_refused_with_the_reason(pat):
    # Setting the password ends the tokens the person had (agencies.signals); one left
    # over (the mark set another way) is still refused.
    _, raw = ApiToken.objects.create(user=pat)
    pat.must_change_password = True
    pat.save(update_fields=["must_change_password"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")

    response = client.get("/api/v1/referrals/")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "An administrator set your password. Sign in on the website and choose "
        "a new one before you use the API.",
        "code": "password_change_required",
    }


def test_signing_out_with_a_token_of_a_marked_account_still_ends_it(pat):
    token, raw = ApiToken.objects.create(user=pat)
    pat.must_change_password = True
    pat.save(update_fields=["must_change_password"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")

    response = client.post("/api/v1/auth/logout/")

    assert response.status_code == 204
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_the_api_in_a_marked_browser_session_is_refused_with_the_reason(pat_marked):
    response = client_for(pat_marked).get("/api/v1/referrals/")

    assert response.status_code == 403
    assert response.json()["code"] == "password_change_required"


def test_a_token_is_issued_once_the_owner_has_chosen_a_password(pat_marked):
    change_own_password(client_for(pat_marked))

    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "pat", "password": OWN_PASSWORD}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["token"]


# --- The record: audit trail and security log, by id --------------------------------


def test_the_password_set_is_in_the_audit_trail_by_id(kit, pat):
    set_password_in_admin(confirmed(client_for(kit)), pat)

    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PASSWORD_SET_BY_ADMIN)
    assert event.actor_id == kit.pk
    assert event.object_type == "user" and event.object_id == pat.pk
    assert event.referral_id is None
    assert event.detail == {"user_id": pat.pk, "new_account": False}


def test_a_mistyped_or_own_password_is_not_in_the_audit_trail(kit, pat):
    set_password_in_admin(confirmed(client_for(kit)), pat, again="something-else")
    set_password_in_admin(confirmed(client_for(kit)), kit)

    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PASSWORD_SET_BY_ADMIN).exists()


def test_setting_and_choosing_are_in_the_security_log_by_id_only(kit, pat, caplog):
    pat.first_name, pat.last_name = "Patricia", "Quill"
    pat.save()

    with caplog.at_level(logging.INFO, logger="frontdoor.security"):
        set_password_in_admin(confirmed(client_for(kit)), pat)
        change_own_password(client_for(pat))

    assert f"new password required set-by-administrator: user={pat.pk} by={kit.pk}" in (caplog.text)
    assert f"new password required chosen-by-owner: user={pat.pk} by={pat.pk}" in caplog.text
    lines = [r.getMessage() for r in caplog.records if r.name == "frontdoor.security"]
    for line in lines:
        for secret in ("Patricia", "Quill", NEW_PASSWORD, OWN_PASSWORD, "=pat ", "=kit "):
            assert secret not in f"{line} ", line
