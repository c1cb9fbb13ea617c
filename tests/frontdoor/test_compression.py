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
