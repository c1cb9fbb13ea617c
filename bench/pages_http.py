"""A small HTTP client for bench/bench_pages.py: signs the benchmark's users in to the
served app the way a person does (the sign-in form, then the two-step code where the
role needs one) and gets API tokens from the API, so that the load generators can send
the resulting cookie or token.

The app is served as behind the operator's TLS proxy (DJANGO_BEHIND_TLS_PROXY=true,
FRONTDOOR_PROXY_COUNT=1), so every request carries the headers nginx adds
(X-Forwarded-Proto: https, X-Forwarded-For). The cookies are Secure and __Host-, which an
ordinary cookie jar keeps back over plain HTTP: they are kept here by hand.
"""

from __future__ import annotations

import gzip
import html
import http.client
import json
import re
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"}
# What every browser sends: pages are measured compressed, as people get them.
BROWSER_HEADERS = {"Accept-Encoding": "gzip"}
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class SignInFailed(RuntimeError):
    pass


class Client:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.timeout = 300.0

    @property
    def origin(self) -> str:
        return f"https://{self.host}:{self.port}"

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(
        self, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        sent = {**PROXY_HEADERS, **BROWSER_HEADERS, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = self.cookie_header()
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            content = response.read()
            if response.getheader("Content-Encoding") == "gzip":
                content = gzip.decompress(content)
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    self._keep(value)
            answer = {k.lower(): v for k, v in response.getheaders()}
            return response.status, answer, content
        finally:
            connection.close()

    def _keep(self, set_cookie: str) -> None:
        parsed = SimpleCookie()
        parsed.load(set_cookie)
        for name, morsel in parsed.items():
            if morsel["max-age"] == "0" or not morsel.value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post_form(self, path: str, fields: dict, *, referer: str):
        return self.request(
            "POST",
            path,
            body=urlencode(fields).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": self.origin + referer,
            },
        )

    def post_json(self, path: str, data: dict, *, headers: dict | None = None):
        return self.request(
            "POST",
            path,
            body=json.dumps(data).encode(),
            headers={"Content-Type": "application/json", **(headers or {})},
        )


def csrf_token(page: bytes) -> str:
    found = CSRF_FIELD.search(page.decode(errors="replace"))
    if not found:
        raise SignInFailed("no CSRF token on the page")
    return html.unescape(found.group(1))


def sign_in(client: Client, *, username: str, password: str, totp_code=None) -> list[str]:
    """Sign in through the sign-in page, and the two-step page when the server asks for
    it (``totp_code`` gives the current code). The steps taken, for the report."""
    steps = []
    status, _, page = client.get("/accounts/login/")
    if status != 200:
        raise SignInFailed(f"GET /accounts/login/ answered {status}")
    status, headers, _ = client.post_form(
        "/accounts/login/",
        {"csrfmiddlewaretoken": csrf_token(page), "username": username, "password": password},
        referer="/accounts/login/",
    )
    location = headers.get("location", "")
    if status != 302 or "/accounts/login/" in location:
        raise SignInFailed(f"the password was not accepted for {username} ({status})")
    steps.append("password")
    if "/accounts/two-step/verify/" in location:
        if totp_code is None:
            raise SignInFailed(f"{username} was asked for a two-step code")
        path = urlsplit(location).path + ("?" + urlsplit(location).query if "?" in location else "")
        status, _, page = client.get(path)
        if status != 200:
            raise SignInFailed(f"the two-step page answered {status}")
        status, headers, _ = client.post_form(
            "/accounts/two-step/verify/",
            {"csrfmiddlewaretoken": csrf_token(page), "code": totp_code(), "next": "/"},
            referer=path,
        )
        if status != 302 or "/accounts/two-step/" in headers.get("location", ""):
            raise SignInFailed(f"the two-step code was not accepted for {username}")
        steps.append("two-step code")
    return steps


def api_token(client: Client, *, username: str, password: str) -> str:
    status, _, body = client.post_json(
        "/api/v1/auth/token/", {"username": username, "password": password}
    )
    if status != 200:
        raise SignInFailed(f"no API token for {username}: {status} {body[:200]!r}")
    return json.loads(body)["token"]


def wait_until_up(client: Client, *, seconds: float, alive) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError("the server exited while starting")
        try:
            status, _, _ = client.get("/accounts/login/")
        except OSError:
            time.sleep(0.25)
            continue
        if status == 200:
            return
        time.sleep(0.25)
    raise RuntimeError(f"the server did not answer within {seconds:.0f} s")
