"""A strategy discussion's decision, the information an agency shared and an action, sent
twice (a double click, the browser sending the POST again): recorded once, and the
manager told so, not an error page. Each form carries the newest row of its kind the
page showed (``last_seen``); under the discussion's lock, the second sending finds the
row the first added since, word for word (triage.services.strategy_records)."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from agencies.census import AgencyType
from agencies.models import Role
from audit.models import AuditEvent, EventKind
from tests.clients import client_for
from tests.factories import AgencyFactory, StrategyDiscussionFactory, UserFactory
from triage.services import strategy

DATABASE_IS_POSTGRES = connection.vendor == "postgresql"


def _due():
    return timezone.localtime() + timedelta(days=1)


def _decision(agency):
    return {"decision": "Joint visit today", "rationale": "Unexplained bruise on a baby."}


def _information(agency):
    return {"info-agency": agency.pk, "info-information": "Two call-outs in March."}


def _action(agency):
    due = _due()
    return {
        "description": "Share health records",
        "owner": "Hana Visitor",
        "agency": agency.pk,
        "due_date_day": due.day,
        "due_date_month": due.month,
        "due_date_year": due.year,
        "due_time": "10:00",
    }


# url name, the form's data, the hidden field's name, its rows.
FORMS = {
    "decision": ("strategy:decision", _decision, "last_seen", "decisions"),
    "information": ("strategy:information", _information, "info-last_seen", "contributions"),
    "action": ("strategy:action", _action, "last_seen", "actions"),
}
WORDS = {"decision": "decision", "information": "info-information", "action": "description"}
EVENTS = {
    "decision": EventKind.DISCUSSION_DECISION_ADDED,
    "information": EventKind.DISCUSSION_INFORMATION_SHARED,
    "action": EventKind.DISCUSSION_ACTION_ADDED,
}


def _last_seen(client, discussion, url: str, field: str) -> str:
    """What the discussion's page put in the hidden field of the form sent to ``url``."""
    page = client.get(reverse("strategy:detail", args=[discussion.pk])).content.decode()
    form = page[page.index(f'action="{url}"') :]
    form = form[: form.index("</form>")]
    found = re.search(rf'<input type="hidden" name="{field}" value="(\d+)"', form)
    assert found, f"no {field} in the form"
    return found.group(1)


@pytest.fixture
def agency():
    return AgencyFactory(type=AgencyType.HEALTH_VISITING, name="Twice Health Visiting")


@pytest.fixture
def discussion():
    return StrategyDiscussionFactory(held_at=timezone.now() - timedelta(hours=2))


@pytest.mark.django_db
@pytest.mark.parametrize("kind", FORMS)
def test_the_same_form_sent_twice_is_recorded_once_and_the_manager_told(kind, agency, discussion):
    url_name, data, field, rows = FORMS[kind]
    client = client_for(UserFactory(role=Role.MANAGER))
    url = reverse(url_name, args=[discussion.pk])
    sent = {**data(agency), field: _last_seen(client, discussion, url, field)}
    assert sent[field] == "0"

    first = client.post(url, sent)
    again = client.post(url, sent)  # a double click

    assert first.status_code == again.status_code == 302
    assert getattr(discussion, rows).count() == 1
    assert AuditEvent.objects.filter(kind=EVENTS[kind]).count() == 1
    shown = client.get(again["Location"]).content.decode()
    assert "already recorded: the form was sent twice, and it is kept once" in shown

    # The same words again from the page as it is now (showing the first) are meant.
    fresh = {**sent, field: _last_seen(client, discussion, url, field)}
    assert fresh[field] == str(getattr(discussion, rows).get().pk)
    assert client.post(url, fresh).status_code == 302
    assert getattr(discussion, rows).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("kind", FORMS)
def test_something_else_sent_from_the_same_page_is_recorded(kind, agency, discussion):
    url_name, data, field, rows = FORMS[kind]
    client = client_for(UserFactory(role=Role.MANAGER))
    url = reverse(url_name, args=[discussion.pk])
    sent = {**data(agency), field: "0"}
    client.post(url, sent)

    changed = {**sent, WORDS[kind]: f"{sent[WORDS[kind]]} Again."}
    assert client.post(url, changed).status_code == 302
    assert getattr(discussion, rows).count() == 2


@pytest.mark.django_db
def test_the_same_decision_from_another_manager_is_theirs(agency, discussion):
    """Two managers at the same page state recording the same words: each recorded it."""
    sent = {**_decision(agency), "last_seen": "0"}
    url = reverse("strategy:decision", args=[discussion.pk])
    for _ in range(2):
        assert client_for(UserFactory(role=Role.MANAGER)).post(url, sent).status_code == 302
    assert discussion.decisions.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("kind", FORMS)
@pytest.mark.parametrize("last_seen", ["²", "-1", "9" * 30])
def test_a_tampered_last_seen_is_400_naming_it(kind, last_seen, agency, discussion):
    url_name, data, field, rows = FORMS[kind]
    response = client_for(UserFactory(role=Role.MANAGER)).post(
        reverse(url_name, args=[discussion.pk]), {**data(agency), field: last_seen}
    )

    assert response.status_code == 400
    assert "what the page showed is missing" in response.content.decode()
    assert not getattr(discussion, rows).exists()


@pytest.mark.django_db
def test_a_caller_without_last_seen_adds_every_time(agency, discussion):
    """The services without ``last_seen`` (no page behind the call) add as before."""
    by = UserFactory(role=Role.MANAGER)
    for _ in range(2):
        strategy.add_decision(
            discussion_id=discussion.pk, by=by, decision="Joint visit", rationale="A bruise."
        )
    assert discussion.decisions.count() == 2


@pytest.mark.skipif(not DATABASE_IS_POSTGRES, reason="row locks: PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_two_sendings_at_once_record_one_action(agency):
    """Both sendings run at the same moment: the second waits for the discussion's lock,
    then finds the first's action, and is told so."""
    discussion = StrategyDiscussionFactory(held_at=timezone.now() - timedelta(hours=2))
    by = UserFactory(role=Role.MANAGER)
    due = timezone.now() + timedelta(days=1)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def send():
        try:
            start.wait(10)
            strategy.add_action(
                discussion_id=discussion.pk,
                by=by,
                description="Share health records",
                owner="Hana Visitor",
                agency_id=agency.pk,
                due_at=due,
                last_seen=0,
            )
            outcomes.append("added")
        except strategy.AlreadyRecorded:
            outcomes.append("already")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)

    assert sorted(outcomes) == ["added", "already"]
    assert discussion.actions.count() == 1
