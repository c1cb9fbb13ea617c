"""Who opens the history pages, and from where: managers and auditors only, every view in
the access log, nothing written through them; the records' own pages link to their
histories for those who may see them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from agencies.models import Role
from audit.models import AccessLog
from tests.clients import client_for
from tests.factories import ChallengeFactory, StrategyDiscussionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "kind", "log_kind"),
    [
        ("referral", "referral", AccessLog.Kind.REFERRAL),
        ("child", "child", AccessLog.Kind.CHILD),
        ("decision", "decision", AccessLog.Kind.REFERRAL),
    ],
)
def test_every_view_of_a_history_is_in_the_access_log(people, case, name, kind, log_kind):
    record = case[kind]
    auditor = people["auditor"]

    client_for(auditor).get(reverse(f"history:{name}", args=[record.pk]))

    logged = AccessLog.objects.get()
    assert (logged.username, logged.role, logged.kind) == ("hist.auditor", "auditor", log_kind)
    # A decision is part of its referral's record: the log names the referral.
    expected_id = case["referral"].pk if kind == "decision" else record.pk
    assert logged.object_id == expected_id
    assert logged.detail["view"] == "history"
    assert logged.path == reverse(f"history:{name}", args=[record.pk])


def test_views_of_discussion_and_challenge_histories_are_logged(people, case):
    discussion = StrategyDiscussionFactory(referral=case["referral"])
    challenge = ChallengeFactory(decision=case["decision"], raised_by=people["referrer"])
    client = client_for(people["manager"])

    client.get(reverse("history:discussion", args=[discussion.pk]))
    client.get(reverse("history:challenge", args=[challenge.pk]))

    assert sorted(AccessLog.objects.values_list("kind", "object_id")) == sorted(
        [
            (AccessLog.Kind.STRATEGY_DISCUSSION, discussion.pk),
            (AccessLog.Kind.CHALLENGE, challenge.pk),
        ]
    )


ROLES_REFUSED = [Role.REFERRER, Role.AGENCY_LEAD, Role.SCREENER, Role.PARTNER, Role.ADMIN]


@pytest.mark.parametrize("name", ["referral", "child", "decision", "discussion", "challenge"])
def test_only_managers_and_auditors_open_a_history(people, case, name):
    discussion = StrategyDiscussionFactory(referral=case["referral"])
    challenge = ChallengeFactory(decision=case["decision"], raised_by=people["referrer"])
    pk = {
        "referral": case["referral"].pk,
        "child": case["child"].pk,
        "decision": case["decision"].pk,
        "discussion": discussion.pk,
        "challenge": challenge.pk,
    }[name]
    url = reverse(f"history:{name}", args=[pk])

    outcomes = {
        role.value: client_for(UserFactory(role=role)).get(url).status_code
        for role in [*ROLES_REFUSED, Role.MANAGER, Role.AUDITOR]
    }
    anonymous = Client().get(url)

    refused = dict.fromkeys([r.value for r in ROLES_REFUSED], 403)
    assert outcomes == {**refused, "manager": 200, "auditor": 200}
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    # Only the two views allowed are logged; a refusal reads nothing.
    assert AccessLog.objects.count() == 2


def test_a_history_of_nothing_is_not_found_and_not_logged(people):
    response = client_for(people["auditor"]).get(reverse("history:referral", args=[987654321]))

    assert response.status_code == 404
    assert not AccessLog.objects.exists()


def test_a_history_page_refuses_writes(people, case):
    response = client_for(people["auditor"]).post(
        reverse("history:referral", args=[case["referral"].pk])
    )

    assert response.status_code == 405


# --- Links from the records' own pages ---------------------------------------------------


def _pages(case, people) -> list[tuple[str, str]]:
    """Each record's own page, and the history it links to."""
    referral, decision, child = case["referral"].pk, case["decision"].pk, case["child"].pk
    discussion = StrategyDiscussionFactory(referral=case["referral"]).pk
    challenge = ChallengeFactory(decision=case["decision"], raised_by=people["referrer"]).pk
    pages = [
        ("triage:referral", referral, "history:referral", referral),
        ("triage:referral", referral, "history:decision", decision),
        ("children:chronology", child, "history:child", child),
        ("strategy:detail", discussion, "history:discussion", discussion),
        ("challenges:detail", challenge, "history:challenge", challenge),
    ]
    return [(reverse(a, args=[x]), reverse(b, args=[y])) for a, x, b, y in pages]


@pytest.mark.parametrize("role", [Role.MANAGER, Role.AUDITOR])
def test_each_record_page_links_to_its_history_for_those_who_may_see_it(people, case, role):
    client = client_for(UserFactory(role=role))

    for page, history in _pages(case, people):
        response = client.get(page)
        assert response.status_code == 200, page
        assert f'href="{history}"' in response.content.decode(), page


def test_a_screener_sees_no_link_to_a_history(people, case):
    client = client_for(people["screener"])

    for page, _ in _pages(case, people):
        if page.startswith("/challenges/"):
            continue  # not a screener's page
        response = client.get(page)
        assert response.status_code == 200, page
        assert "/history/" not in response.content.decode(), page
