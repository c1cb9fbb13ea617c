"""What the API token tests share (tests/agencies/test_api_token.py and
test_api_token_refusals.py): the endpoints, asking for a token, and a client using one."""

from rest_framework.test import APIClient

from tests.factories import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"
LOGOUT_URL = "/api/v1/auth/logout/"
TOKENS_URL = "/api/v1/auth/tokens/"
SOME_API = "/api/v1/agencies/"


def ask_for_token(client, username="pat", password=PASSWORD, **extra):
    return client.post(
        TOKEN_URL,
        {"username": username, "password": password},
        content_type="application/json",
        **extra,
    )


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client
