"""Pages and API answers are sent compressed to clients that ask (issue 14: the HTML was
never compressed); static files keep WhiteNoise's own handling."""

import gzip

import pytest

from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def test_a_page_is_gzipped_for_a_client_that_asks(screener_client):
    response = screener_client.get("/triage/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    html = gzip.decompress(response.content).decode()
    assert "</html>" in html
    assert len(response.content) < len(html) / 3


def test_a_page_is_plain_for_a_client_that_does_not_ask(screener_client):
    response = screener_client.get("/triage/")

    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert "</html>" in response.content.decode()


def test_an_api_answer_is_gzipped_and_keeps_its_headers(screener_client):
    AgencyFactory.create_batch(10)

    response = screener_client.get("/api/v1/agencies/", HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith("attachment")


def test_a_page_is_compressed_at_the_fastest_level_and_padded_against_breach(screener_client):
    # Level 1 (issue 14: the queue's CPU): gzip's XFL byte says "fastest" (4). The header
    # carries a file name of a random number of bytes (FNAME), as Django's GZipMiddleware
    # pads each answer against BREACH.
    answers = [
        screener_client.get("/triage/", HTTP_ACCEPT_ENCODING="gzip").content for _ in range(12)
    ]

    for answer in answers:
        assert answer[:3] == b"\x1f\x8b\x08"
        assert answer[8] == 4
        assert answer[3] & gzip.FNAME
        name = answer[10 : answer.index(b"\x00", 10)]
        assert set(name) <= {ord("a")}
        assert "</html>" in gzip.decompress(answer).decode()
    padding = {answer.index(b"\x00", 10) - 10 for answer in answers}
    assert len(padding) > 1
