"""A departed member of staff's account anonymised by an administrator (ASVS 8.3.2,
agencies.departure): the row stays because case records name it; what identifies the
person goes, nobody's old address is told, and the audit trail records it by id. The
versions in the account's history that still name them go with ``retention_erase``."""

from __future__ import annotations

from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import Authenticator, KnownBrowser, Role, SecurityKey, User
from audit.models import AuditEvent, EventKind
from notices.models import NoticeEvent, Notification
from referrals.models import Referral
from tests.clients import confirmed
from tests.factories import (
    ApiTokenFactory,
    NotificationFactory,
    ReferralDraftFactory,
    ReferralFactory,
    SecurityKeyFactory,
    TOTPDeviceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:agencies_user_changelist")


def _departed() -> User:
    """A referrer who has left: made inactive, with everything an account gathers."""
    pat = UserFactory(
        username="pat.leaver",
        first_name="Patricia",
        last_name="Leaver",
        email="pat.leaver@example.invalid",
        job_title="Designated safeguarding lead",
        phone="01632 960123",
        role=Role.REFERRER,
    )
    TOTPDeviceFactory(user=pat)
    SecurityKeyFactory(user=pat)
    ApiTokenFactory(user=pat)
    now = timezone.now()
    KnownBrowser.objects.create(user=pat, digest="a" * 64, first_seen_at=now, last_seen_at=now)
    AccessAttempt.objects.create(
        username="pat.leaver", ip_address="192.0.2.1", failures_since_start=1
    )
    NotificationFactory(recipient=pat)
    ReferralDraftFactory(owner=pat)
    ReferralFactory(referrer=pat)
    pat.is_active = False
    pat.save()
    return pat


def _anonymise(client: Client, *users: User):
    """The action's second step: the confirmation page's "Yes, anonymise"."""
    return confirmed(client).post(
        CHANGELIST,
        {
            "action": "anonymise_departed",
            "_selected_action": [u.pk for u in users],
            "anonymise": "yes",
        },
        follow=True,
    )


def test_the_action_shows_the_accounts_and_what_will_happen_and_changes_nothing(
    sysadmin_client,
):
    pat = _departed()
    active = UserFactory(first_name="Still", last_name="Here")

    response = confirmed(sysadmin_client).post(
        CHANGELIST + "?o=1",
        {"action": "anonymise_departed", "_selected_action": [pat.pk, active.pk]},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "This cannot be undone." in page
    assert "Will be anonymised" in page and "Leaver" in page
    assert f"Not anonymised: Account {active.pk} is active: make it inactive first" in page
    assert 'value="Yes, anonymise 1 account"' in page
    # Only the account that can be anonymised is sent on, back to the list as it was shown.
    assert f'name="_selected_action" value="{pat.pk}"' in page
    assert f'name="_selected_action" value="{active.pk}"' not in page
    assert 'action="/admin/agencies/user/?o=1"' in page
    pat.refresh_from_db()
    assert pat.username == "pat.leaver" and pat.last_name == "Leaver"
    assert not AuditEvent.objects.filter(kind=EventKind.ACCOUNT_ANONYMISED).exists()


def test_with_nothing_that_can_be_anonymised_the_page_offers_only_the_way_back(sysadmin_client):
    active = UserFactory()

    page = (
        confirmed(sysadmin_client)
        .post(CHANGELIST, {"action": "anonymise_departed", "_selected_action": [active.pk]})
        .content.decode()
    )

    assert "None of the accounts chosen can be anonymised" in page
    assert "Yes, anonymise" not in page and 'name="anonymise"' not in page
    assert "No, take me back" in page


def test_the_administrator_anonymises_a_departed_account_and_keeps_the_row(sysadmin_client):
    pat = _departed()
    emails_before = NoticeEvent.objects.count()

    response = _anonymise(sysadmin_client, pat)

    assert f"Anonymised account(s) {pat.pk}" in response.content.decode()
    pat.refresh_from_db()
    assert pat.username == f"departed-{pat.pk}"
    assert (pat.first_name, pat.last_name, pat.email, pat.job_title, pat.phone) == ("",) * 5
    assert not pat.is_active and not pat.has_usable_password()
    assert not Authenticator.objects.filter(user=pat).exists()
    assert not SecurityKey.objects.filter(user=pat).exists()
    assert not pat.auth_token_set.exists()
    assert not KnownBrowser.objects.filter(user=pat).exists()
    assert not AccessAttempt.objects.filter(username="pat.leaver").exists()
    assert not Notification.objects.filter(recipient=pat).exists()
    assert not pat.referral_drafts.exists()
    # The case records still name the account, by id.
    assert Referral.objects.filter(referrer=pat).exists()
    # Nobody was told (an email-change notice would keep the old address).
    assert NoticeEvent.objects.count() == emails_before
    [event] = AuditEvent.objects.filter(kind=EventKind.ACCOUNT_ANONYMISED)
    assert event.object_type == "user" and event.object_id == pat.pk
    assert "Leaver" not in str(event.detail) and "pat.leaver" not in str(event.detail)


def test_an_active_account_and_the_administrators_own_are_refused(sysadmin_client):
    active = UserFactory(first_name="Still", last_name="Here")
    me = User.objects.get(pk=sysadmin_client.session["_auth_user_id"])

    page = _anonymise(sysadmin_client, active, me).content.decode()

    assert f"Account {active.pk} is active: make it inactive first" in page
    assert "You cannot anonymise your own account." in page
    active.refresh_from_db()
    assert active.last_name == "Here" and active.is_active
    assert not AuditEvent.objects.filter(kind=EventKind.ACCOUNT_ANONYMISED).exists()


def test_only_administrators_have_the_action(manager_client):
    pat = _departed()

    response = manager_client.post(
        CHANGELIST, {"action": "anonymise_departed", "_selected_action": [pat.pk]}
    )

    assert response.status_code == 403
    pat.refresh_from_db()
    assert pat.last_name == "Leaver"


def test_the_earlier_versions_that_name_them_go_with_retention_erase(sysadmin_client):
    pat = _departed()
    _anonymise(sysadmin_client, pat)
    versions = User.history.filter(id=pat.pk)
    assert versions.filter(last_name="Leaver").exists()
    review = StringIO()
    call_command("retention_review", stdout=review)
    assert "still naming them: " in review.getvalue()
    assert "still naming them: 0" not in review.getvalue()

    call_command("retention_erase", yes=True, stdout=StringIO())

    assert not versions.exclude(username=f"departed-{pat.pk}").exists()
    assert versions.filter(username=f"departed-{pat.pk}").exists()
    assert not User.history.filter(email="pat.leaver@example.invalid").exists()


def test_the_account_page_says_how_to_ask(referrer_client):
    page = referrer_client.get("/accounts/").content.decode()

    assert "When you leave" in page
    assert "ask an administrator to anonymise your account" in page


def test_what_will_happen_is_the_column_after_the_account_so_a_phone_shows_it(
    sysadmin_client,
):
    active = UserFactory(first_name="Still", last_name="Here")

    page = (
        confirmed(sysadmin_client)
        .post(CHANGELIST, {"action": "anonymise_departed", "_selected_action": [active.pk]})
        .content.decode()
    )

    table = page[page.index('aria-label="Accounts chosen"') :]
    table = table[: table.index("</table>")]
    assert table.index(">Account<") < table.index(">What will happen<") < table.index(">Name<")
    assert table.index("Not anonymised:") < table.index("Still Here")
