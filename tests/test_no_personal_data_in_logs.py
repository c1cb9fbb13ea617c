"""A canary: the demo's children's and household members' names and dates of birth never
appear in what the application and its workers log, nor in any email.

The demo is seeded (its referrals, decisions and notices), the clock scan and the
outbox run in process as the worker and beat would (every email sent to Django's test
outbox), and the staff and a referrer walk the main pages, with every logger captured at
DEBUG. Then every name and date of birth the demo holds is looked for, written as the
database holds it and as people write dates.
"""

from __future__ import annotations

import logging
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from agencies.models import User
from notices.tasks import sweep
from referrals.models import Child, HouseholdMember, Referral
from triage.services.notices import scan_clocks

pytestmark = pytest.mark.django_db

PAGES = {
    "screener": ["/", "/triage/", "/triage/?overdue=on", "/strategy/", "/challenges/"],
    "manager": ["/", "/dashboard/", "/dashboard/performance/", "/triage/"],
    "referrer.school": ["/", "/referrals/mine/", "/inbox/"],
}


def _canaries() -> set[str]:
    """Every name (of four letters or more: shorter ones are words) and date of birth the
    demo holds, as stored and as written."""
    found: set[str] = set()
    people = [
        *Child.objects.values_list("first_name", "last_name", "date_of_birth"),
        *Referral.objects.values_list("child_first_name", "child_last_name", "child_date_of_birth"),
    ]
    for first, last, born in people:
        found |= {name for name in (first, last) if name and len(name) >= 4}
        if born:
            found |= {born.isoformat(), born.strftime("%d/%m/%Y"), f"{born:%-d %B %Y}"}
    for (name,) in HouseholdMember.objects.values_list("name"):
        found |= {part for part in name.split() if len(part) >= 4}
    return found


def _walk(caplog) -> str:
    for username, paths in PAGES.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        for path in paths:
            client.get(path)
            # A bad request too: error pages and form errors log as well.
            client.post(path, {"x": "y"})
    referral = Referral.objects.filter(status="decided").first()
    client = Client()
    client.force_login(User.objects.get(username="screener"))
    client.get(f"/triage/referrals/{referral.pk}/")
    return caplog.text


def test_no_name_or_date_of_birth_is_logged_or_emailed(caplog):
    caplog.set_level(logging.DEBUG)
    call_command("seed_demo")
    scan_clocks()
    sweep(older_than_seconds=0)

    logged = _walk(caplog) + "\n".join(r.getMessage() for r in caplog.records)
    emails = "\n".join(f"{m.subject}\n{m.body}" for m in mail.outbox)
    canaries = _canaries()

    assert len(canaries) > 50, "the demo should hold names and dates of birth to look for"
    assert mail.outbox, "the demo's notices should have sent email"
    assert logged.strip(), "nothing was logged at all: the capture is not working"
    leaked_in_logs = sorted(c for c in canaries if re.search(rf"\b{re.escape(c)}\b", logged))
    leaked_in_email = sorted(c for c in canaries if re.search(rf"\b{re.escape(c)}\b", emails))
    assert not leaked_in_logs, f"names or dates of birth in the logs: {leaked_in_logs[:10]}"
    assert not leaked_in_email, f"names or dates of birth in emails: {leaked_in_email[:10]}"
