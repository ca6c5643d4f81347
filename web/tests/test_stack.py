"""`make dev`'s stack as a browser meets it: the web app's origin, CORS between it and the API, a
foreign origin refused, and one stack per directory. These need none of the app's UI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from conftest import BINARY, DIST, ConsoleErrors, Stack, die_with_parent


def http(
    method: str, url: str, headers: dict[str, str] | None = None, body: Any = None
) -> tuple[int, dict[str, str], bytes]:
    """One plain HTTP request (no browser, no CORS): status, headers (lower-case names), body."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def header_list(value: str | None) -> set[str]:
    return {item.strip().lower() for item in (value or "").split(",") if item.strip()}


# --- the web app's origin ---------------------------------------------------------------------


def test_the_web_origin_is_localhost_and_serves_the_built_app(stack: Stack) -> None:
    # GIVEN the stack's web origin
    assert re.fullmatch(r"http://localhost:\d+", stack.web_url), stack.web_url
    index = (DIST / "index.html").read_bytes()
    # WHEN the index, an app route and a missing asset are asked for
    status, headers, body = http("GET", stack.web_url + "/")
    route = http("GET", stack.web_url + "/some/app/route")
    missing = http("GET", stack.web_url + "/assets/missing-0000.js")
    # THEN the index and the route are index.html, and the missing asset is a 404, not HTML
    assert (status, headers["content-type"], body) == (200, "text/html; charset=utf-8", index)
    assert (route[0], route[2]) == (200, index)
    assert missing[0] == 404


def test_every_asset_the_index_references_is_served_with_its_content_type(stack: Stack) -> None:
    index = (DIST / "index.html").read_text()
    referenced = sorted(set(re.findall(r'(?:src|href)="(/[^"#?]+)', index)))
    assert referenced, "index.html references no asset"
    expected = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}
    for path in referenced:
        status, headers, body = http("GET", stack.web_url + path)
        assert status == 200, path
        assert body == (DIST / path.lstrip("/")).read_bytes(), path
        suffix = Path(path).suffix
        if suffix in expected:
            assert headers["content-type"].startswith(expected[suffix]), (path, headers["content-type"])


def test_config_json_points_the_app_at_the_api(stack: Stack) -> None:
    status, headers, body = http("GET", stack.web_url + "/config.json")
    assert (status, headers["content-type"]) == (200, "application/json")
    assert json.loads(body) == {"apiUrl": stack.api_url}


def test_the_app_loads_in_chromium_on_a_secure_context(stack: Stack, page: Page) -> None:
    # WHEN the app is opened (the context fixture fails the test on any console error)
    response = page.goto(stack.web_url)
    page.wait_for_load_state("networkidle")
    # THEN it came from the web origin, which browsers treat as secure (passkeys need it)
    assert response is not None and response.ok
    assert page.evaluate("location.origin") == stack.web_url
    assert page.evaluate("isSecureContext") is True


# --- CORS ---------------------------------------------------------------------------------------


def test_the_api_preflight_allows_exactly_the_web_origin(stack: Stack, foreign_server: int) -> None:
    ask = {"access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type"}
    # WHEN the API is asked from the web origin
    status, headers, _ = http("OPTIONS", stack.api_url + "/auth/sign-in", {"origin": stack.web_url, **ask})
    # THEN the answer allows it, the headers the app sends, and exposes the ones it reads
    assert status in (200, 204)
    assert headers["access-control-allow-origin"] == stack.web_url
    assert {"authorization", "content-type"} <= header_list(headers.get("access-control-allow-headers"))
    assert {"retry-after", "x-request-id"} <= header_list(headers.get("access-control-expose-headers"))
    # AND the same port under its IP address, or any other page of this machine, is another origin
    web_port = stack.web_url.rsplit(":", 1)[1]
    for other in [f"http://127.0.0.1:{web_port}", f"http://localhost:{foreign_server}", stack.api_url]:
        _, headers, _ = http("OPTIONS", stack.api_url + "/auth/sign-in", {"origin": other, **ask})
        assert "access-control-allow-origin" not in headers, other


SIGN_IN_AND_ME = """
async ({ api, username, password }) => {
  const call = async (path, init) => {
    const response = await fetch(api + path, init);
    return { status: response.status, body: await response.json(), requestId: response.headers.get("x-request-id") };
  };
  const signIn = (password) => call("/auth/sign-in", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password, flow: "USER_PASSWORD_AUTH" }),
  });
  const wrong = await signIn(password + "-wrong");
  const signedIn = await signIn(password);
  const me = await call("/me", { headers: { authorization: "Bearer " + signedIn.body.tokens.idToken } });
  return { wrong, signedIn: signedIn.status, me };
}
"""


def test_the_app_origin_calls_the_api_and_reads_its_errors(
    stack: Stack, page: Page, console_errors: ConsoleErrors
) -> None:
    # GIVEN a page of the web origin (config.json: none of the app's own code runs; the icon
    # Chromium asks for beside a bare document is not the test's business)
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page.goto(stack.web_url + "/config.json")
    # The browser logs the 401 it is about to get; the test provokes it.
    console_errors.allow(r"status of 401")
    # WHEN it signs in with a wrong password, then the right one, then calls /me with the token
    user, password = stack.info["demoUser"]["email"], stack.info["demoUser"]["password"]
    result = page.evaluate(SIGN_IN_AND_ME, {"api": stack.api_url, "username": user, "password": password})
    # THEN the 401's JSON is readable (it carries CORS headers), x-request-id is exposed, and the
    # preflighted call with Authorization succeeds
    assert result["wrong"]["status"] == 401
    assert result["wrong"]["body"]["error"]["code"] == "NotAuthorized"
    assert result["wrong"]["requestId"]
    assert result["signedIn"] == 200
    assert result["me"]["status"] == 200, result["me"]
    assert result["me"]["requestId"]
    assert user in json.dumps(result["me"]["body"])


FETCH_FROM_HERE = """
async (api) => {
  try {
    await fetch(api + "/auth/sign-in", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "demo@example.com", password: "Demo-passw0rd", flow: "USER_PASSWORD_AUTH" }),
    });
    return "answered";
  } catch (error) {
    return error.name;
  }
}
"""


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_page_on_a_foreign_origin_is_refused_by_cors(
    stack: Stack, page: Page, console_errors: ConsoleErrors, foreign_server: int, host: str
) -> None:
    # GIVEN a page of another origin, on this same machine
    page.goto(f"http://{host}:{foreign_server}/")
    console_errors.allow(r"has been blocked by CORS policy")
    console_errors.allow(r"Failed to load resource: net::ERR_FAILED")
    # WHEN it calls the API
    outcome = page.evaluate(FETCH_FROM_HERE, stack.api_url)
    # THEN the browser refuses it: fetch rejects with a TypeError
    assert outcome == "TypeError"
    assert any("blocked by CORS policy" in m for m in console_errors.messages), console_errors.messages


# --- one stack per directory --------------------------------------------------------------------


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted((directory / ".dev").iterdir())}


def run_another(stack: Stack, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BINARY], cwd=cwd, env={**stack.env, **env}, capture_output=True, text=True, timeout=30, check=False
    )


def test_a_second_stack_in_the_same_directory_stops_and_touches_nothing(stack: Stack) -> None:
    # GIVEN a running stack whose outbox holds a code
    email = f"second-{uuid.uuid4().hex[:8]}@example.com"
    before = stack.message_count()
    status, _, _ = http(
        "POST", stack.api_url + "/auth/sign-up", body={"username": email, "password": "Second-passw0rd"}
    )
    assert status == 201
    assert re.fullmatch(r"\d{6}", stack.code(email, "sign-up", after_count=before))
    files = snapshot(stack.dir)
    assert {"lock", "moto.log", "outbox.jsonl", "stack.json"} <= files.keys()
    # WHEN a second one starts in the same directory
    second = run_another(stack, stack.dir)
    # THEN it says why in one line and exits 1, with no backtrace
    expected = f"Error: another make dev is running (pid {stack.process.pid}, API at {stack.api_url}); stop it first"
    assert (second.returncode, second.stderr.strip(), second.stdout) == (1, expected, "")
    # AND nothing of the running stack changed, and it still answers
    assert snapshot(stack.dir) == files
    assert http("GET", stack.web_url + "/config.json")[0] == 200
    assert http("POST", stack.api_url + "/auth/sign-in", body={"username": email})[0] == 400


def test_a_port_in_use_stops_the_stack_with_one_line(stack: Stack) -> None:
    # GIVEN the running stack's API port
    port = stack.api_url.rsplit(":", 1)[1]
    with tempfile.TemporaryDirectory(prefix="web-tests-second-") as directory:
        # WHEN another stack, elsewhere, wants it
        second = run_another(stack, Path(directory), PORT=port)
        # THEN it says so in one line, exits 1, and leaves no outbox or log behind
        assert second.returncode == 1
        assert second.stderr.strip() == (
            f"Error: 127.0.0.1:{port} is in use by another program; stop it, or choose another port with PORT=..."
        )
        assert sorted(p.name for p in (Path(directory) / ".dev").iterdir()) == ["lock"]


# A parent that starts a child as the `stack` fixture starts the stack, prints its pid and waits.
PARENT = """
import subprocess, sys
sys.path.insert(0, sys.argv[1])
from conftest import die_with_parent
child = subprocess.Popen(["sleep", "120"], preexec_fn=die_with_parent)
print(child.pid, flush=True)
sys.stdin.read()
"""


def running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie waiting to be reaped is not)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def test_a_killed_test_run_leaves_no_process_behind() -> None:
    # GIVEN a process started the way the stack fixture starts the stack
    assert die_with_parent  # the fixture's preexec_fn
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(Path(__file__).parent)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert running(child)
    # WHEN the test run is killed outright (no clean-up runs)
    parent.kill()
    parent.wait()
    # THEN the child ends too
    deadline = time.monotonic() + 5
    while running(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    if running(child):
        os.kill(child, 9)
        pytest.fail("the child outlived its killed parent")
