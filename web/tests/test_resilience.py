"""What the page says when the API is throttling (429 with Retry-After, or a lockout without),
failing (5xx), out of reach (no answer at all), or refusing a session it cannot renew for now.
The API's answers are replaced in the browser (`page.route`), with the CORS headers the real API
sends."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect

from app import cors_headers, heading, open_app, route_api, sign_in, sign_in_to_account
from conftest import ConsoleErrors, Stack


def answer_sign_in_with(
    page: Page, stack: Stack, status: int, body: str, headers: dict[str, str] | None = None
) -> None:
    answer_with(page, stack, "/auth/sign-in", status, body, headers)


def answer_with(
    page: Page, stack: Stack, path: str, status: int, body: str, headers: dict[str, str] | None = None
) -> None:
    """Every call to `path` of the API is answered with `status` and `body` (and its preflight)."""
    route_api(
        page,
        stack,
        path,
        lambda route: route.fulfill(status=status, body=body, headers={**cors_headers(stack), **(headers or {})}),
    )


def error_body(code: str, message: str) -> str:
    return json.dumps({"error": {"code": code, "message": message}})


def try_to_sign_in(page: Page, stack: Stack) -> None:
    open_app(page, stack)
    demo = stack.info["demoUser"]
    sign_in(page, demo["email"], demo["password"])


def test_a_429_says_when_to_try_again_and_waits_that_long(
    stack: Stack, page: Page, console_errors: ConsoleErrors
) -> None:
    console_errors.allow(r"status of 429")
    answer_sign_in_with(
        page,
        stack,
        429,
        error_body("TooManyRequests", "Too many requests; retry later."),
        {"content-type": "application/json", "retry-after": "3", "x-request-id": "req-429"},
    )
    try_to_sign_in(page, stack)
    alert = page.get_by_role("alert")
    expect(alert).to_have_text(re.compile(r"Too many requests right now\. Try again in 3 seconds\."))
    expect(alert).to_be_focused()
    expect(heading(page, "Sign in")).to_be_visible()
    # AND the button stays disabled while the alert counts down, until Retry-After has passed
    button = page.get_by_role("button", name="Sign in", exact=True)
    expect(button).to_be_disabled()
    expect(alert).to_have_text(re.compile(r"Try again in 1 second\."), timeout=3_000)
    expect(button).to_be_disabled()
    expect(alert).to_have_text(re.compile(r"You can try again now\."), timeout=3_000)
    expect(button).to_be_enabled()


def test_a_lockout_without_retry_after_gives_the_apis_words(
    stack: Stack, page: Page, console_errors: ConsoleErrors
) -> None:
    console_errors.allow(r"status of 429")
    message = "Too many failed sign-in attempts; wait a few minutes (up to 15) before trying again."
    answer_sign_in_with(
        page, stack, 429, error_body("PasswordAttemptsExceeded", message), {"content-type": "application/json"}
    )
    try_to_sign_in(page, stack)
    expect(page.get_by_role("alert")).to_have_text(re.compile(re.escape(message)))


def test_a_503_without_a_json_body_is_said_plainly(stack: Stack, page: Page, console_errors: ConsoleErrors) -> None:
    console_errors.allow(r"status of 503")
    answer_sign_in_with(page, stack, 503, "Service Unavailable", {"content-type": "text/plain"})
    try_to_sign_in(page, stack)
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(r"The service is unavailable right now\. Try again in a moment\.")
    )


def test_a_502_is_said_with_its_reference(stack: Stack, page: Page, console_errors: ConsoleErrors) -> None:
    console_errors.allow(r"status of 502")
    answer_sign_in_with(
        page,
        stack,
        502,
        error_body("UpstreamError", "The identity service could not complete the request."),
        {"content-type": "application/json", "x-request-id": "req-502-abc"},
    )
    try_to_sign_in(page, stack)
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(
            r"The sign-in service could not complete the request\. Try again in a moment\. \(Reference: req-502-abc\.\)"
        )
    )


def test_no_answer_at_all_is_said_as_a_connection_problem(
    stack: Stack, page: Page, console_errors: ConsoleErrors
) -> None:
    console_errors.allow(r"net::ERR_FAILED|net::ERR_CONNECTION")
    page.route(f"{stack.api_url}/auth/sign-in", lambda route: route.abort("connectionrefused"))
    try_to_sign_in(page, stack)
    expect(page.get_by_role("alert")).to_have_text(re.compile(r"Could not reach the server\. Check your connection"))
    # AND once the API answers again, the same form signs in
    page.unroute(f"{stack.api_url}/auth/sign-in")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(heading(page, "Your account")).to_be_visible()


def test_a_session_that_cannot_be_renewed_for_now_is_not_called_ended(
    stack: Stack, page: Page, console_errors: ConsoleErrors
) -> None:
    console_errors.allow(r"status of (401|503)")
    demo = stack.info["demoUser"]
    sign_in_to_account(page, stack, demo["email"], demo["password"])
    # GIVEN the authorizer refuses the ID token, and the refresh fails for now (a 503)
    answer_with(
        page,
        stack,
        "/me",
        401,
        error_body("Unauthorized", "A valid bearer token is required."),
        {"content-type": "application/json", "www-authenticate": "Bearer"},
    )
    answer_with(
        page, stack, "/auth/refresh", 503, error_body("ServiceUnavailable", "x"), {"content-type": "application/json"}
    )
    # WHEN the page calls /me
    page.get_by_role("button", name="Reload my details").click()
    # THEN it says the session could not be renewed just now, not that it ended: the person is
    # still signed in, on the same page
    alert = page.get_by_role("alert").filter(has_text="could not be renewed just now")
    expect(alert).to_contain_text("You are still signed in")
    expect(page.get_by_text("Your session has ended")).to_have_count(0)
    expect(heading(page, "Your account")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(f"Signed in as {demo['email']}")
