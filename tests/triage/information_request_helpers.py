"""What the information requests' tests share (test_information_requests.py,
test_information_request_pages.py, test_information_request_screening.py): the moment
they run at and sending a request through the service. Their agencies, people and
referral are fixtures in conftest.py."""

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from triage.services.information import send_information_request

# 10:00 UTC is 11:00 in London (summer time).
NOW = datetime(2026, 6, 3, 10, 0, tzinfo=UTC)


def send(referral, by, agency, **overrides):
    kwargs = {
        "referral_id": referral.pk,
        "by": by,
        "agency_id": agency.pk,
        "question": "Is the family known to you? When did you last see the child?",
        "due_at": timezone.now() + timedelta(hours=3),
    }
    return send_information_request(**{**kwargs, **overrides})
