import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_a_token_is_issued_for_a_correct_username_and_password(client):
    UserFactory(username="pat")

    response = client.post("/api/v1/auth/token/", {"username": "pat", "password": PASSWORD})

    assert response.status_code == 200
    token = response.json()["token"]
    assert client.get("/api/schema/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200


def test_a_wrong_password_gets_400_naming_the_problem(client):
    UserFactory(username="pat")

    response = client.post("/api/v1/auth/token/", {"username": "pat", "password": "nope"})

    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_a_missing_field_gets_400_naming_it(client):
    response = client.post("/api/v1/auth/token/", {"username": "pat"})

    assert response.status_code == 400
    assert "password" in response.json()


def test_token_requests_count_towards_the_lockout(client, settings):
    UserFactory(username="pat")

    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/v1/auth/token/", {"username": "pat", "password": "nope"})
    response = client.post("/api/v1/auth/token/", {"username": "pat", "password": PASSWORD})

    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.json()["detail"]
    assert "token" not in response.json()
