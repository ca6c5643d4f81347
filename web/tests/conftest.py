"""Fixtures of the browser tests: `make dev`'s stack and Debian's Chromium driven by Playwright.

`stack` (session) runs `target/debug/local-stack` as `make dev` does, in a fresh directory of
its own (its `.dev/` stays there) on free ports, serving the real `web/dist` (built by `make
test`; `WEB_DIST` overrides it, as it does for the binary), with a short refresh-token grace
period (`REFRESH_GRACE_PERIOD_SECONDS`, published in `stack.json`) so rotation tests wait less,
behind the web ACL's per-caller limits at the template's defaults (`PER_CALLER_LIMITS`).
The stack dies with pytest, however pytest ends (`PR_SET_PDEATHSIG`). `browser` (session) is
`/usr/bin/chromium`, headless; Playwright never downloads a browser. `context` and `page`
(per test) collect console errors and uncaught page errors and fail the test at teardown if
there was any a test did not expect (`console_errors.allow(...)`), after a full-page screenshot
of each of the context's pages lands in `web/test-results/screenshots/` (git-ignored).
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Error, Page, sync_playwright

REPO = Path(__file__).resolve().parents[2]
BINARY = REPO / "target" / "debug" / "local-stack"
DIST = Path(os.environ.get("WEB_DIST") or REPO / "web" / "dist")
SCREENSHOTS = REPO / "web" / "test-results" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
# Headless, and nothing that reaches beyond this machine: no QUIC, no component updates, no sync,
# no background requests. Playwright gives each launch a fresh user-data-dir.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT = 60.0
# How long a rotated-out refresh token keeps working in the tests' stack (the template's 10 s
# would make the rotation test sleep longer; Cognito allows 0 to 60).
REFRESH_GRACE_SECONDS = 3
# The web ACL's per-caller limits, on and at the template's defaults, set here so a change of
# `make dev`'s defaults cannot change what the suite runs under. Every request comes from
# 127.0.0.1: a full run sends about 580 requests (WholeApi: 3000 per window), about 140 of them
# sign-ins and challenge answers (SignIn: 300; preflights are not counted). A suite that nears the
# sign-in limit gets 429s from the web ACL: give the tests that sign in often a stack of their own
# or reuse a signed-in page, rather than raising or turning off the limits, which would let the
# suite stop showing that the app works behind them.
PER_CALLER_LIMITS = {
    "PER_CALLER_LIMITS": "ON",
    "SIGN_IN_RATE_LIMIT": "300",
    "PUBLIC_ROUTES_RATE_LIMIT": "300",
    "API_RATE_LIMIT": "3000",
    "RATE_LIMIT_WINDOW_SECONDS": "300",
}
PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In the child, before exec: SIGTERM when pytest dies, even by SIGKILL (Linux only). The
    stack then stops its emulator as on Ctrl-C (and the emulator has the same signal set)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG)")


def local_aws_env() -> dict[str, str]:
    """The environment of a process that uses the AWS SDK locally (the Makefile's LOCAL_AWS)."""
    env = {k: v for k, v in os.environ.items() if k not in {"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"}}
    env.update(
        AWS_EC2_METADATA_DISABLED="true",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION=os.environ.get("AWS_REGION") or "us-east-1",
        AWS_ENDPOINT_URL="http://127.0.0.1:9",
        MOTO_SERVER=os.environ.get("MOTO_SERVER") or str(REPO / ".venv" / "bin" / "moto_server"),
    )
    return env


@dataclass
class Stack:
    """A running `local-stack`, as `make dev` starts it."""

    process: subprocess.Popen[bytes]
    dir: Path
    env: dict[str, str]
    info: dict[str, Any] = field(default_factory=dict)
    # The demo admin's authenticator secret, once `app.admin_tokens` has enrolled one: the admin
    # routes need a second factor (the template's AdminMinAcrLevel, 3, as `make dev` runs).
    admin_totp_secret: str | None = None

    @property
    def api_url(self) -> str:
        """The API's base URL, `http://127.0.0.1:PORT`."""
        return self.info["apiUrl"]

    @property
    def web_url(self) -> str:
        """The web app's origin, `http://localhost:PORT`."""
        return self.info["webUrl"]

    @property
    def outbox(self) -> Path:
        return self.dir / ".dev" / "outbox.jsonl"

    @property
    def output(self) -> str:
        """What the process printed so far (stdout and stderr)."""
        return (self.dir / "local-stack.out").read_text(errors="replace")

    def messages(self) -> list[dict[str, Any]]:
        """Every message the emulator "sent" so far, oldest first (see outbox.rs for the fields)."""
        try:
            lines = self.outbox.read_text().splitlines()
        except FileNotFoundError:
            return []
        messages = []
        for line in lines:
            try:
                messages.append(json.loads(line))
            except json.JSONDecodeError:
                pass  # a line being written
        return messages

    def message_count(self) -> int:
        """How many messages were sent so far: pass it to `code(after_count=...)` before an action."""
        return len(self.messages())

    def code(self, to: str, kind: str, after_count: int | None = None, timeout: float = 10) -> str:
        """The code of the newest message of `kind` (`sign-up`, `reset-password`, `email-otp`,
        `email-mfa`, `sms-mfa`, `sms-otp`, `invitation`) sent to `to` (any case), among the
        messages after the first `after_count` (all when None); waits up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            messages = self.messages()[after_count or 0 :]
            for message in reversed(messages):
                if message["kind"] == kind and message["to"].lower() == to.lower():
                    return message["code"]
            if time.monotonic() > deadline:
                seen = [(m["kind"], m["to"]) for m in messages]
                pytest.fail(f"no {kind} code for {to} within {timeout}s (messages since: {seen})")
            time.sleep(0.1)


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    """`target/debug/local-stack` on free ports in a fresh directory, serving `web/dist`."""
    if not BINARY.is_file():
        pytest.fail(f"{BINARY} is missing: run `cargo build -p local-stack` (make test does)")
    if not (DIST / "index.html").is_file():
        pytest.fail(
            f"{DIST / 'index.html'} is missing: build the app with `npm ci && npm run build` in web/ (make test does)"
        )
    directory = Path(tempfile.mkdtemp(prefix="web-tests-stack-"))
    env = local_aws_env()
    env.pop("ALLOWED_ORIGINS", None)  # the default: exactly the web app's origin
    env.update(
        PORT="0",
        MOTO_PORT="0",
        WEB_PORT="0",
        WEB_DIST=str(DIST),
        REFRESH_GRACE_PERIOD_SECONDS=str(REFRESH_GRACE_SECONDS),
        **PER_CALLER_LIMITS,
    )
    with (directory / "local-stack.out").open("wb") as out:
        process = subprocess.Popen(
            [BINARY],
            cwd=directory,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )
    running = Stack(process=process, dir=directory, env=env)
    try:
        running.info = wait_for_stack_file(running)
        yield running
    finally:
        stop(process)
        shutil.rmtree(directory, ignore_errors=True)


def wait_for_stack_file(stack: Stack) -> dict[str, Any]:
    path = stack.dir / ".dev" / "stack.json"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if stack.process.poll() is not None:
            pytest.fail(f"local-stack exited ({stack.process.returncode}) during start-up:\n{stack.output}")
        try:
            info = json.loads(path.read_text())
            if "webUrl" not in info:
                pytest.fail(f"{path} has no webUrl: is {DIST} served?\n{stack.output}")
            return info
        except (FileNotFoundError, json.JSONDecodeError):
            time.sleep(0.1)  # not written yet, or being written
    pytest.fail(f"local-stack wrote no {path} within {START_TIMEOUT}s:\n{stack.output}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (the stack stops its servers and the emulator), then SIGKILL if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, through Playwright."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium` (make test does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class ConsoleErrors:
    """The console errors and uncaught exceptions of a test's pages.

    Any of them fails the test at teardown unless the test expected it: `allow(pattern)` (a
    regular expression searched in the text) accepts the matching ones, e.g. the browser's own
    `Failed to load resource: ... status of 401` line when a test provokes a 401 on purpose.
    """

    def __init__(self) -> None:
        self.messages: list[str] = []
        self._allowed: list[re.Pattern[str]] = []

    def allow(self, pattern: str) -> None:
        self._allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [m for m in self.messages if not any(p.search(m) for p in self._allowed)]

    def watch(self, page: Page) -> None:
        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                where = message.location.get("url")
                self.messages.append(f"console error{f' at {where}' if where else ''}: {message.text}")

        def on_page_error(error: Error) -> None:
            self.messages.append(f"uncaught {error.name}: {error.message}")

        page.on("console", on_console)
        page.on("pageerror", on_page_error)


@pytest.fixture
def console_errors() -> ConsoleErrors:
    """This test's console errors (see ConsoleErrors); `context` fails the test on unexpected ones."""
    return ConsoleErrors()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """The folder of this run's screenshots, emptied of an earlier run's before the first test
    that takes one: a run without pages (make bench's) leaves the last test run's there."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)  # this run's screenshots only
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def context(
    browser: Browser, console_errors: ConsoleErrors, request: pytest.FixtureRequest, screenshot_dir: Path
) -> Iterator[BrowserContext]:
    """A fresh browser context (no cookies, no storage) for one test."""
    ctx = browser.new_context()
    ctx.on("page", console_errors.watch)
    try:
        yield ctx
    finally:
        problems = screenshot_pages(ctx, request.node.name)
        ctx.close()
        if problems or console_errors.unexpected():
            pytest.fail("\n".join(["the browser reported errors:", *console_errors.unexpected(), *problems]))


def screenshot_pages(ctx: BrowserContext, test_name: str) -> list[str]:
    """A full-page screenshot of each open page: `<test>.png`, then `<test>-2.png`, ..."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name).strip("_")
    problems = []
    for n, page in enumerate(ctx.pages, start=1):
        path = SCREENSHOTS / (f"{name}.png" if n == 1 else f"{name}-{n}.png")
        try:
            page.screenshot(path=path, full_page=True)
        except Error as error:
            problems.append(f"no screenshot of {page.url}: {error.message}")
    return problems


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """A tab in this test's context."""
    return context.new_page()


@pytest.fixture
def new_page(context: BrowserContext) -> Callable[[], Page]:
    """Opens another tab in the same context (same cookies and storage as `page`)."""
    return context.new_page


@pytest.fixture(scope="session")
def foreign_server() -> Iterator[int]:
    """The port of a blank page served on 127.0.0.1: an origin other than the web app's."""

    class Blank(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<!doctype html><title>Another site</title><p>Another site</p>"
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Blank)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
