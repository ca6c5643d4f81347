"""Where the page keeps the tokens, and which ones it sends: in memory only (no storage, cookie,
URL or console message ever holds one), each call with the token its route takes (the ID token
for /me and /credentials, the access token for the MFA routes), and a fresh one when the page sat
open past the tokens' lifetime."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import ConsoleMessage, Page, expect

from app import PASSWORD, create_user, expect_account, open_app, sign_in, sign_in_to_account
from conftest import Stack

# Everything a script of the page (or a later visitor of this browser profile) could read back.
PLACES = """
async () => ({
  localStorage: JSON.stringify(Object.entries(localStorage)),
  sessionStorage: JSON.stringify(Object.entries(sessionStorage)),
  indexedDB: JSON.stringify((await indexedDB.databases()).map((d) => d.name)),
  caches: JSON.stringify(await caches.keys()),
  cookie: document.cookie,
  location: location.href,
  history: JSON.stringify(history.state),
})
"""


def token_values(answer: dict[str, Any]) -> list[str]:
    tokens = answer["tokens"]
    return [tokens[k] for k in ("idToken", "accessToken", "refreshToken") if tokens.get(k)]


def assert_nowhere(page: Page, tokens: list[str], console: list[str]) -> None:
    places = page.evaluate(PLACES)
    places["cookies"] = str(page.context.cookies())
    for token in tokens:
        for place, text in places.items():
            assert token not in text, f"a token is in {place}"
        for message in console:
            assert token not in message, "a token reached the console"


def test_tokens_stay_in_memory_after_sign_in_and_refresh(stack: Stack, page: Page) -> None:
    # Every console message of every type, not only errors.
    console: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        console.append(f"{message.type}: {message.text} {[str(a) for a in message.args]}")

    page.on("console", on_console)
    email = create_user(stack, "memory")
    open_app(page, stack)
    # WHEN the person signs in
    with page.expect_response(f"{stack.api_url}/auth/sign-in") as signed_in:
        sign_in(page, email, PASSWORD)
    expect_account(page, email)
    tokens = token_values(signed_in.value.json())
    assert len(tokens) == 3
    # THEN no token is in storage, a cookie, the URL or the console
    assert_nowhere(page, tokens, console)
    # AND neither are the tokens of a refresh, nor the ones it replaced
    with page.expect_response(f"{stack.api_url}/auth/refresh") as refreshed:
        page.get_by_role("button", name="Refresh session now").click()
    expect(page.get_by_role("status").filter(has_text="Session refreshed at")).to_be_visible()
    tokens += token_values(refreshed.value.json())
    assert len(tokens) == 6
    assert_nowhere(page, tokens, console)


# Records what the page sends to the API: the method, path and Authorization header of each
# call, as the app's fetch sees it (the client looks the global fetch up at call time).
RECORD_CALLS = """
window.calls = [];
const send = window.fetch;
window.fetch = async (input, init) => {
  if (input instanceof Request) {
    window.calls.push([input.method, new URL(input.url).pathname, input.headers.get("authorization")]);
  }
  return send(input, init);
};
"""


def test_each_call_carries_the_token_its_route_takes(stack: Stack, page: Page) -> None:
    email = create_user(stack, "which-token")
    page.add_init_script(RECORD_CALLS)
    open_app(page, stack)
    # WHEN the person signs in (the account page loads /me and the MFA preference)
    with page.expect_response(f"{stack.api_url}/auth/sign-in") as signed_in:
        sign_in(page, email, PASSWORD)
    expect_account(page, email)
    expect(page.locator(".mfa-summary")).to_have_text(re.compile("Two-step verification is (on|off)"))
    # AND asks for AWS credentials
    page.get_by_role("button", name="Get temporary AWS credentials").click()
    expect(page.get_by_role("status").filter(has_text="Temporary credentials received")).to_be_visible()
    # THEN /me and /credentials carried the ID token, the MFA preference the access token, and
    # the sign-in none
    tokens = signed_in.value.json()["tokens"]
    calls = {(method, path): auth for method, path, auth in page.evaluate("window.calls")}
    assert calls[("POST", "/auth/sign-in")] is None
    assert calls[("GET", "/me")] == f"Bearer {tokens['idToken']}"
    assert calls[("POST", "/credentials")] == f"Bearer {tokens['idToken']}"
    assert calls[("GET", "/mfa/preference")] == f"Bearer {tokens['accessToken']}"


def test_a_call_made_after_the_tokens_expired_carries_refreshed_tokens(stack: Stack, page: Page) -> None:
    email = create_user(stack, "late-call")
    page.clock.install()
    page.add_init_script(RECORD_CALLS)
    sign_in_to_account(page, stack, email, PASSWORD)
    before = len(page.evaluate("window.calls"))
    # GIVEN the page sat open until its tokens are about to expire (an hour, by its clock)
    page.clock.fast_forward("59:30")
    # WHEN the person starts setting up an authenticator app, a route that takes the access token
    with page.expect_response(f"{stack.api_url}/auth/refresh") as refreshed:
        page.get_by_role("button", name="Set up an authenticator app").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    # THEN the tokens were refreshed first, and the call carried the new access token
    fresh = refreshed.value.json()["tokens"]["accessToken"]
    calls = page.evaluate("window.calls")[before:]
    assert [(method, path) for method, path, _ in calls] == [("POST", "/auth/refresh"), ("POST", "/mfa/totp/setup")]
    assert calls[1][2] == f"Bearer {fresh}", "the call carried the access token from before the refresh"
