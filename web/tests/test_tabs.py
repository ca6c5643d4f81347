"""Several tabs, one session: a new tab joins the session of an open one; two tabs refreshing at
once under refresh-token rotation end with one token family (the pitfall: without a lock across
tabs, the tab that loses the race keeps a rotated-out token and is signed out after the grace
period); signing out, or a refresh the API refuses, ends the session in every tab, in words."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import BrowserContext, Page, Request, expect

from app import (
    PASSWORD,
    admin_token,
    call,
    create_user,
    expect_account,
    heading,
    open_app,
    sign_in,
    sign_in_to_account,
    user_path,
)
from conftest import ConsoleErrors, Stack


def refreshes(context: BrowserContext, stack: Stack) -> list[str]:
    """The refresh tokens sent to /auth/refresh by any tab of `context` from now on."""
    seen: list[str] = []

    def on_request(request: Request) -> None:
        if request.method == "POST" and request.url == f"{stack.api_url}/auth/refresh":
            seen.append(request.post_data_json["refreshToken"])

    context.on("request", on_request)
    return seen


@contextmanager
def slow_network(context: BrowserContext, pages: list[Page], latency_ms: int) -> Iterator[None]:
    """Every request of `pages` takes `latency_ms` longer (DevTools' network emulation)."""
    sessions = [context.new_cdp_session(p) for p in pages]
    for session in sessions:
        session.send("Network.enable")
        session.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": latency_ms, "downloadThroughput": -1, "uploadThroughput": -1},
        )
    try:
        yield
    finally:
        for session in sessions:
            session.send(
                "Network.emulateNetworkConditions",
                {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
            )
            session.detach()


def refresh_now(page: Page) -> None:
    page.get_by_role("region", name="Session").get_by_role("button", name="Refresh session now").click()


def expect_refreshed(page: Page) -> None:
    expect(page.get_by_role("region", name="Session").get_by_role("status")).to_contain_text("Session refreshed at")


def test_two_tabs_refreshing_at_once_keep_one_token_family(
    stack: Stack, page: Page, new_page: Callable[[], Page], context: BrowserContext
) -> None:
    email = create_user(stack, "two-tabs")
    open_app(page, stack)
    with page.expect_response(lambda r: r.url == f"{stack.api_url}/auth/sign-in") as signed_in:
        sign_in(page, email, PASSWORD)
    first_refresh_token = signed_in.value.json()["tokens"]["refreshToken"]
    expect_account(page, email)
    # GIVEN a second tab, which joins the first tab's session without signing in
    other = new_page()
    open_app(other, stack, "/account")
    expect_account(other, email)
    before = page.locator(".fingerprint").inner_text()
    expect(other.locator(".fingerprint")).to_have_text(before)
    calls = refreshes(context, stack)
    # WHEN both tabs refresh at the same moment, on a slow network (each request takes 0.4 s, so
    # the second click lands while the first tab's refresh is still out)
    with slow_network(context, [page, other], latency_ms=400):
        refresh_now(page)
        refresh_now(other)
        # THEN both succeed with the same new tokens, from one refresh: the other tab adopted them
        expect_refreshed(page)
        expect_refreshed(other)
    after = page.locator(".fingerprint")
    expect(after).not_to_have_text(before)
    expect(other.locator(".fingerprint")).to_have_text(after.inner_text())
    assert len(calls) == 1, (
        f"{len(calls)} refreshes for one session ({len(calls) - len(set(calls))} with a token already sent)"
    )
    # AND after the grace period (the pool's, as the stack publishes it), each tab refreshes
    # again: neither kept a rotated-out token
    time.sleep(stack.info["refreshTokenGracePeriodSeconds"] + 1)
    refresh_now(other)
    expect_refreshed(other)
    refresh_now(page)
    expect(page.get_by_role("region", name="Session").get_by_role("status")).to_contain_text("Session refreshed at")
    expect(page.locator(".fingerprint")).to_have_text(other.locator(".fingerprint").inner_text())
    for tab in (page, other):
        tab.get_by_role("button", name="Reload my details").click()
        expect(tab.get_by_role("status").filter(has_text="Details loaded at")).to_be_visible()
    assert len(calls) == 3 and len(set(calls)) == 3, "a refresh token was sent twice"
    # AND the refresh token of the sign-in, rotated out, no longer works
    status, body = call(stack, "POST", "/auth/refresh", {"refreshToken": first_refresh_token})
    assert status in (400, 401) and body and body["error"]["code"] == "NotAuthorized", (status, body)


def test_signing_out_in_one_tab_signs_out_the_other(stack: Stack, page: Page, new_page: Callable[[], Page]) -> None:
    demo = stack.info["demoUser"]
    sign_in_to_account(page, stack, demo["email"], demo["password"])
    other = new_page()
    open_app(other, stack, "/account")
    expect_account(other, demo["email"])
    # WHEN the person signs out in the first tab
    page.get_by_role("button", name="Sign out").click()
    expect(heading(page, "Sign in")).to_be_visible()
    # THEN the second tab leaves the account page and says why
    expect(heading(other, "Sign in")).to_be_visible()
    expect(other.get_by_role("status").filter(has_text="You were signed out in another tab.")).to_be_visible()


def test_a_refused_refresh_signs_out_and_says_why(
    stack: Stack, page: Page, new_page: Callable[[], Page], console_errors: ConsoleErrors
) -> None:
    console_errors.allow(r"status of 40[01]")
    email = create_user(stack, "refused")
    sign_in_to_account(page, stack, email, PASSWORD)
    other = new_page()
    open_app(other, stack, "/account")
    expect_account(other, email)
    # GIVEN an admin disables the account, so the API refuses its refresh token
    status, _ = call(stack, "POST", user_path(email) + "/disable", token=admin_token(stack))
    assert status == 204
    # WHEN the tab refreshes the session
    refresh_now(page)
    # THEN the person is signed out, and told the session could not be refreshed
    expect(heading(page, "Sign in")).to_be_visible()
    expect(
        page.get_by_role("alert").filter(has_text="You were signed out because the session could not be refreshed.")
    ).to_be_visible()
    # AND the other tab, holding the same refused token, is signed out too
    expect(heading(other, "Sign in")).to_be_visible()
    expect(other.get_by_role("status").filter(has_text="You were signed out in another tab.")).to_be_visible()


LISTEN = """
() => {
  window.heard = [];
  const channel = new BroadcastChannel("cognito-web");
  channel.onmessage = (event) => window.heard.push(event.data);
}
"""


def test_a_page_that_leaves_says_goodbye_and_hi_when_it_comes_back(
    stack: Stack, page: Page, new_page: Callable[[], Page]
) -> None:
    # GIVEN a page of the app's origin that listens to what the app's tabs tell each other (no
    # app code runs there), and then a tab of the app, which says hi
    listener = new_page()
    # (the icon Chromium asks for beside a bare document is not the test's business)
    listener.context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    listener.goto(stack.web_url + "/config.json")
    listener.evaluate(LISTEN)

    def heard() -> list[dict[str, Any]]:
        return listener.evaluate("window.heard")

    def wait_for(kind: str, after: int) -> str:
        """The sender of the first `kind` message heard after the first `after` ones."""
        end = time.monotonic() + 5
        while time.monotonic() < end:
            for message in heard()[after:]:
                if message["t"] == kind and (tab is None or message["i"] == tab):
                    return message["i"]
            time.sleep(0.05)
        raise AssertionError(f"no {kind} from the tab after message {after}: {heard()}")

    tab = None
    open_app(page, stack)
    expect(heading(page, "Sign in")).to_be_visible()
    tab = wait_for("hi", 0)  # the app's tab, from now on

    # WHEN the page is hidden into the back/forward cache and shown again (the events a browser
    # fires; Playwright's Chromium keeps no such cache)
    seen = len(heard())
    page.evaluate("dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }))")
    # THEN it says goodbye, and hi when it is back
    wait_for("bye", seen)
    seen = len(heard())
    page.evaluate("dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }))")
    wait_for("hi", seen)
    # AND a tab that navigates away says goodbye
    seen = len(heard())
    page.goto(stack.web_url + "/config.json")
    wait_for("bye", seen)
