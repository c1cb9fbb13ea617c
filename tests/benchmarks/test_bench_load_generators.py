"""bench/bench_pages.py's load generators (wrk with its script, and the open loop) and its
page check, against a small HTTP server on this machine: what they send and what they
make of the answers. The wrk test is skipped where wrk is not installed. No timing is
asserted here; the benchmark itself is `make bench`."""

from __future__ import annotations

import asyncio
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from bench import loadgen, openloop
from bench.pages_measure import Scenario


class _Recorder(BaseHTTPRequestHandler):
    seen: list = []

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        self.seen.append((self.command, self.path, self.headers.get("X-Test"), body))
        self.send_response(201 if self.command == "POST" else 200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    _Recorder.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.handle_error = lambda request, address: None  # wrk hangs up at its end
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.seen
    server.shutdown()
    server.server_close()


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_the_wrk_script_cycles_paths_fills_bodies_and_counts_statuses(local_server, tmp_path):
    url, seen = local_server
    script = loadgen.wrk_script(
        method="POST",
        paths=["/a/", "/b/"],
        headers={"X-Test": 'say "hi"', "Content-Type": "application/json"},
        bodies=['{"n": "' + loadgen.PLACEHOLDER + '"}'],
        number_base=26,
    )

    result = loadgen.run_wrk(
        url=url, script=script, workdir=tmp_path, connections=1, seconds=1, mode="closed"
    )

    assert result.requests > 2
    assert set(result.statuses) == {"201"}
    assert {path for _, path, _, _ in seen} == {"/a/", "/b/"}
    assert {header for _, _, header, _ in seen} == {'say "hi"'}
    bodies = [body for *_, body in seen]
    assert len(set(bodies)) == len(bodies)

    def number(letters: str) -> int:
        value = 0
        for letter in letters:
            value = value * 26 + ord(letter) - 97
        return value

    numbers = [number(body.split('"')[3]) for body in bodies]
    assert min(numbers) > 26  # from number_base up


def test_the_open_loop_sends_every_scheduled_request(local_server):
    url, seen = local_server
    args = SimpleNamespace(
        url=url,
        rate=50.0,
        duration=0.2,
        path=["/x/"],
        method="POST",
        header=["X-Test: yes"],
        body=['{"n": "{{n}}"}'],
        number_base=0,
        max_in_flight=16,
        timeout=10.0,
    )

    # In a thread of its own: after the browser tests, Playwright's event loop is still
    # running in this one, and asyncio.run() refuses to start another there.
    with ThreadPoolExecutor(max_workers=1) as pool:
        summary = pool.submit(asyncio.run, openloop.run(args)).result()

    assert summary["scheduled"] == 10
    assert summary["answered"] == 10
    assert summary["statuses"] == {"201": 10}
    assert summary["dropped"] == 0
    assert sorted(body for *_, body in seen) == sorted(
        f'{{"n": "{loadgen.letters(n)}"}}' for n in range(10)
    )


class _SessionServer(BaseHTTPRequestHandler):
    """A page behind a session: the ended session's request is sent to sign in, its
    cookie cleared and the "you were signed out" message set in a cookie of its own, as
    Django's sign-out on the idle limit does; the new session's request gets the page."""

    cookies_seen: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        cookie = self.headers.get("Cookie", "")
        type(self).cookies_seen.append(cookie)
        if "sessionid=new" in cookie:
            body = b"<main>the page</main>"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(302)
        self.send_header("Location", "/accounts/login/?next=/page/")
        self.send_header("Set-Cookie", 'sessionid=""; Max-Age=0; Path=/')
        self.send_header("Set-Cookie", "messages=signed-out; Path=/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_session_that_ran_out_is_signed_in_again_and_its_cookie_used():
    """At national scale a session can sit idle past its limit between pages: the check
    signs in again and the next request carries the new session's cookie, not the cleared
    one the refused request set (the first national run stopped on this)."""
    from bench.pages_measure import check

    _SessionServer.cookies_seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SessionServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    credentials = {"manager": "Cookie: sessionid=old"}

    def sign_in(key):
        credentials[key] = "Cookie: sessionid=new"

    signer = SimpleNamespace(
        sign_in=sign_in,
        headers=lambda scenario: {"Cookie": credentials[scenario.auth].split(": ", 1)[1]},
    )
    scenario = Scenario("page", "a page", "GET", ["/page/"], "manager", marker="the page")
    try:
        check(scenario, SimpleNamespace(port=server.server_address[1]), signer)
    finally:
        server.shutdown()
        server.server_close()

    assert _SessionServer.cookies_seen == ["sessionid=old", "sessionid=new"]
    assert scenario.size_bytes == len(b"<main>the page</main>")
