"""Where the page keeps the tokens, and which ones it sends: in memory only (no storage, cookie,
URL or console message ever holds one), and a body that carries the access token gets a fresh one
when the page sat open past the tokens' lifetime."""

from __future__ import annotations

import json
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


# Records what the page sends to the API: the URL and body of each POST, as the app's fetch sees
# it (the client looks the global fetch up at call time).
RECORD_POSTS = """
window.posts = [];
const send = window.fetch;
window.fetch = async (input, init) => {
  if (input instanceof Request && input.method === "POST") {
    window.posts.push([new URL(input.url).pathname, await input.clone().text()]);
  }
  return send(input, init);
};
"""


def test_a_body_built_after_the_tokens_expired_carries_refreshed_tokens(stack: Stack, page: Page) -> None:
    email = create_user(stack, "late-body")
    page.clock.install()
    page.add_init_script(RECORD_POSTS)
    sign_in_to_account(page, stack, email, PASSWORD)
    before = len(page.evaluate("window.posts"))
    # GIVEN the page sat open until its tokens are about to expire (an hour, by its clock)
    page.clock.fast_forward("59:30")
    # WHEN the person changes their password, whose body carries the access token
    with page.expect_response(f"{stack.api_url}/auth/refresh") as refreshed:
        page.get_by_label("Current password").fill(PASSWORD)
        page.get_by_label("New password").fill(PASSWORD + "2")
        page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status").filter(has_text="Your password is changed.")).to_be_visible()
    # THEN the tokens were refreshed first, and the body carried the new access token
    fresh = refreshed.value.json()["tokens"]["accessToken"]
    posts = page.evaluate("window.posts")[before:]
    assert [path for path, _ in posts] == ["/auth/refresh", "/password/change"], posts
    body = json.loads(posts[1][1])
    assert body["accessToken"] == fresh, "the body carried the access token from before the refresh"
