"""The queue's filters are in a GOV.UK details component, folded on a small screen (the
stylesheet shows them from tablet width up): closed unless a filter was refused, whose
error must be seen, and saying when filters are applied while folded."""

import re

import pytest

pytestmark = pytest.mark.django_db


def _details(page: str) -> str:
    match = re.search(r'<details [^>]*data-testid="queue-filters"[^>]*>', page)
    assert match, "the queue's filters are not in a details component"
    return match.group(0)


def test_the_filters_are_folded_by_default(screener_client):
    page = screener_client.get("/triage/").content.decode()

    assert " open" not in _details(page)
    assert "Filter the queue</span>" in page
    # The form is inside the details: folding it hides every filter.
    assert page.index('data-testid="queue-filters"') < page.index('aria-label="Filter the queue"')
    assert page.index('aria-label="Filter the queue"') < page.index("</details>")


def test_folded_filters_say_when_they_are_applied(screener_client):
    page = screener_client.get("/triage/?overdue=on").content.decode()

    assert "Filter the queue (filters applied)" in page
    assert " open" not in _details(page)


def test_a_refused_filter_opens_them_to_show_its_error(screener_client):
    # A refused filter is not applied: the queue is shown whole, with the error.
    page = screener_client.get("/triage/?status=zzz").content.decode()

    assert " open" in _details(page)
    assert "These filters were not applied" in page
