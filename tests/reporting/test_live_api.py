"""GET /api/v1/dashboard/: the fields DESIGN.md names, and the documented extras."""

import pytest
import time_machine

from tests.reporting.live_fixture import EXPECTED, NOW, build

pytestmark = pytest.mark.django_db

NAMED = {
    "overdue", "due_soon", "unallocated", "awaiting_decision", "information_requests_overdue",
    "minutes_overdue", "actions_overdue", "challenges_open", "as_of",
}  # fmt: skip


def test_the_api_gives_the_named_counts_as_of_now(manager_client):
    with time_machine.travel(NOW, tick=False):
        world = build()
        body = manager_client.get("/api/v1/dashboard/").json()

    assert set(body) == NAMED | {"challenges_by_stage", "caseloads"}
    assert {k: body[k] for k in EXPECTED} == EXPECTED
    assert body["as_of"].startswith("2026-07-15T13:00:00+01:00")
    assert body["challenges_by_stage"][0] == {
        "stage": 1, "name": body["challenges_by_stage"][0]["name"], "open": 2,
        "past_timescale": 1,
    }  # fmt: skip
    assert body["caseloads"][0] == {
        "user": world.screener.pk, "role": "screener", "open": 2, "overdue": 1,
    }  # fmt: skip


def test_the_auditor_may_read_it(auditor_client):
    assert auditor_client.get("/api/v1/dashboard/").status_code == 200


@pytest.mark.parametrize("client", ["screener_client", "referrer_client", "partner_client"])
def test_other_roles_are_refused(request, client):
    response = request.getfixturevalue(client).get("/api/v1/dashboard/")

    assert response.status_code == 403
    assert "overdue" not in response.json()


def test_the_schema_documents_the_fields(manager_client):
    schema = manager_client.get("/api/schema/", headers={"Accept": "application/json"})
    text = schema.content.decode()

    assert "/api/v1/dashboard/" in text
    for field in NAMED | {"challenges_by_stage", "caseloads", "past_timescale"}:
        assert field in text
