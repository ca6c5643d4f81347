"""What the browser tests share: acting on the app as a person does (labels, buttons, what the
page says), RFC 6238 codes as an authenticator app computes them, and plain calls to the API for
setting up a test's users (an admin does that, not the person under test)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import struct
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, Route, expect

from conftest import Stack

PASSWORD = "Test-passw0rd!"
# The API's 401 for an access token Cognito refused (expired, or revoked when the person's
# sessions ended): `Unauthorized`, as the authorizer's for a missing or expired token.
# `NotAuthorized` is for wrong credentials only (a password, a refresh token).
ACCESS_TOKEN_REFUSED = {
    "code": "Unauthorized",
    "message": "The access token is invalid, expired or revoked: sign in again.",
}


def totp(secret: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """The code an authenticator app shows for `secret` (base32) now: RFC 6238, HMAC-SHA1."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = (struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{number:0{digits}d}"


def unique_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


# --- the API, without a browser: a test's set-up --------------------------------------------------


def call(
    stack: Stack, method: str, path: str, body: Any = None, token: str | None = None
) -> tuple[int, dict[str, Any] | None]:
    """One request to the API: (status, JSON body or None)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(stack.api_url + path, data=data, method=method)
    if data is not None:
        request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, json.loads(raw) if raw else None


def tokens(stack: Stack, email: str, password: str, totp_secret: str | None = None) -> dict[str, Any]:
    """A password sign-in's tokens; with `totp_secret`, the authenticator's code answers the
    SOFTWARE_TOKEN_MFA challenge that follows."""
    status, body = call(
        stack, "POST", "/auth/sign-in", {"username": email, "password": password, "flow": "USER_PASSWORD_AUTH"}
    )
    if totp_secret and status == 200 and body and body.get("challenge", {}).get("name") == "SOFTWARE_TOKEN_MFA":
        answer = {
            "username": body["username"],
            "name": "SOFTWARE_TOKEN_MFA",
            "session": body["challenge"]["session"],
            "responses": {"SOFTWARE_TOKEN_MFA_CODE": totp(totp_secret)},
        }
        status, body = call(stack, "POST", "/auth/challenge", answer)
    assert status == 200 and body and "tokens" in body, (status, body)
    return body["tokens"]


def enrol_totp(stack: Stack, access_token: str) -> str:
    """Enrols an authenticator app for the holder of `access_token`; its secret."""
    status, setup = call(stack, "POST", "/mfa/totp/setup", token=access_token)
    assert status == 200 and setup, (status, setup)
    status, body = call(stack, "POST", "/mfa/totp/verify", {"code": totp(setup["secretCode"])}, token=access_token)
    assert status == 204, (status, body)
    return setup["secretCode"]


def admin_totp(stack: Stack) -> str:
    """The demo admin's authenticator secret, enrolled the first time it is asked for: the admin
    routes need a second factor (level 3 or 4), so the admin signs in with a password and TOTP."""
    if stack.admin_totp_secret is None:
        admin = stack.info["demoAdmin"]
        stack.admin_totp_secret = enrol_totp(stack, tokens(stack, admin["email"], admin["password"])["accessToken"])
    return stack.admin_totp_secret


def admin_tokens(stack: Stack) -> dict[str, Any]:
    """The demo admin's tokens, signed in with a password and TOTP (level 4)."""
    admin = stack.info["demoAdmin"]
    return tokens(stack, admin["email"], admin["password"], admin_totp(stack))


def admin_token(stack: Stack) -> str:
    """The demo admin's access token: the bearer the admin routes take."""
    return admin_tokens(stack)["accessToken"]


def user_path(email: str) -> str:
    return "/users/" + urllib.parse.quote(email, safe="")


def create_user(stack: Stack, prefix: str, password: str = PASSWORD, temporary: bool = False) -> str:
    """A new confirmed user with a verified email (made by the demo admin): its email. With
    `temporary`, the password is a temporary one (the first sign-in asks for a new one)."""
    email = unique_email(prefix)
    token = admin_token(stack)
    body = {
        "username": email,
        "email": email,
        "emailVerified": True,
        "sendInvite": False,
        "temporaryPassword": password,
    }
    status, answer = call(stack, "POST", "/users", body, token)
    assert status == 201, answer
    if not temporary:
        status, answer = call(
            stack, "PUT", user_path(email) + "/password", {"password": password, "permanent": True}, token
        )
        assert status == 204, answer
    return email


# --- the app, as a person uses it ---------------------------------------------------------------


def open_app(page: Page, stack: Stack, route: str = "/sign-in") -> None:
    page.goto(f"{stack.web_url}/#{route}")


def heading(page: Page, name: str | re.Pattern[str]) -> Any:
    return page.get_by_role("heading", name=name, level=1)


def sign_in(page: Page, email: str, password: str) -> None:
    """Signs in with the password from the sign-in page (the app must be on it)."""
    expect(heading(page, "Sign in")).to_be_visible()
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def expect_account(page: Page, email: str) -> None:
    """The account page, with the person's details loaded from /me."""
    expect(heading(page, "Your account")).to_be_visible()
    expect(page.locator("dl.details").first).to_contain_text(email)


def sign_in_to_account(page: Page, stack: Stack, email: str, password: str, totp_secret: str | None = None) -> None:
    """Opens the app, signs in with the password (and, with `totp_secret`, the authenticator's
    code the challenge page asks for), and waits for the account page."""
    open_app(page, stack)
    sign_in(page, email, password)
    if totp_secret:
        enter_totp(page, totp_secret)
    expect_account(page, email)


def enter_totp(page: Page, secret: str) -> None:
    """Answers the challenge page's authenticator step with the app's current code."""
    expect(heading(page, "Enter your authenticator code")).to_be_visible()
    page.get_by_label("Code from your authenticator app").fill(totp(secret))
    page.get_by_role("button", name="Continue").click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(heading(page, "Sign in")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="You are signed out.")).to_be_visible()


def field_error(page: Page, label: str, exact: bool = True) -> Any:
    """The field labelled `label`: its accessible description carries what was said about it."""
    return page.get_by_label(label, exact=exact)


# --- the API, answered in the browser -----------------------------------------------------------


def cors_headers(stack: Stack) -> dict[str, str]:
    """The CORS headers the API puts on every answer to the web app (lambda-glue's cors.rs)."""
    return {
        "access-control-allow-origin": stack.web_url,
        "access-control-expose-headers": "x-request-id,retry-after,www-authenticate",
        "vary": "origin",
    }


def route_api(page: Page, stack: Stack, path: str, answer: Callable[[Route], None]) -> None:
    """Answers the app's calls to `path` of the API in the browser (`page.route`): the CORS
    preflight as the API does, every other request with `answer` (which adds `cors_headers`)."""

    def handle(route: Route) -> None:
        if route.request.method == "OPTIONS":
            route.fulfill(
                status=204,
                headers={
                    **cors_headers(stack),
                    "access-control-allow-methods": "GET,POST,PUT,PATCH,DELETE,OPTIONS",
                    "access-control-allow-headers": "content-type,authorization",
                },
            )
        else:
            answer(route)

    page.route(f"{stack.api_url}{path}", handle)
