"""Signing in through the page: with the password, with a code by email (choice-based sign-in),
by choosing the first factor, by keyboard alone; what the page says when it fails; signing out."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from app import PASSWORD, call, create_user, expect_account, heading, open_app, sign_in, sign_out
from conftest import ConsoleErrors, Stack


def test_signs_in_with_the_password_and_shows_who_the_person_is(stack: Stack, page: Page) -> None:
    demo = stack.info["demoUser"]
    # GIVEN the app, opened at its start page
    page.goto(stack.web_url)
    # WHEN the demo user signs in with the password
    sign_in(page, demo["email"], demo["password"])
    # THEN the account page shows the person from /me, and the navigation says who is signed in
    expect_account(page, demo["email"])
    details = page.locator("dl.details").first
    expect(details).to_contain_text("Email verified")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(f"Signed in as {demo['email']}")
    # AND reloading the details asks /me again
    page.get_by_role("button", name="Reload my details").click()
    expect(page.get_by_role("status").filter(has_text="Details loaded at")).to_be_visible()


def test_a_wrong_password_is_said_in_words_and_takes_the_focus(
    stack: Stack, page: Page, console_errors: ConsoleErrors
) -> None:
    email = create_user(stack, "wrong-password")
    console_errors.allow(r"status of 401")
    open_app(page, stack)
    # WHEN the person types a wrong password
    sign_in(page, email, PASSWORD + "x")
    # THEN the page says so, in an alert that has the focus, and stays on the sign-in page
    alert = page.get_by_role("alert").filter(has_text="Incorrect username or password.")
    expect(alert).to_be_visible()
    expect(alert).to_be_focused()
    expect(heading(page, "Sign in")).to_be_visible()


def test_empty_fields_are_named_next_to_the_field_before_anything_is_sent(stack: Stack, page: Page) -> None:
    open_app(page, stack)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if stack.api_url in r.url else None)
    # WHEN the form is sent empty
    page.get_by_role("button", name="Sign in", exact=True).click()
    # THEN each empty field says what it needs, the first one has the focus, and nothing was sent
    email = page.get_by_label("Email", exact=True)
    expect(email).to_have_accessible_description(re.compile("Enter your email address."))
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_be_focused()
    expect(page.get_by_label("Password", exact=True)).to_have_accessible_description(re.compile("Enter your password"))
    assert requests == []


def test_signs_in_with_the_keyboard_alone(stack: Stack, page: Page) -> None:
    demo = stack.info["demoUser"]
    open_app(page, stack)
    # GIVEN the sign-in page puts the focus in its first field
    expect(page.get_by_label("Email", exact=True)).to_be_focused()
    # WHEN the person types, tabs to the password and presses Enter
    page.keyboard.type(demo["email"])
    page.keyboard.press("Tab")
    page.keyboard.type(demo["password"])
    page.keyboard.press("Enter")
    # THEN they are signed in, and the focus is on the new page's heading
    expect_account(page, demo["email"])
    expect(heading(page, "Your account")).to_be_focused()


def test_signs_in_with_a_code_sent_by_email(stack: Stack, page: Page) -> None:
    email = create_user(stack, "email-code")
    open_app(page, stack)
    sent = stack.message_count()
    # WHEN the person asks for a code instead of typing a password (choice-based sign-in)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_role("button", name="Email me a sign-in code").click()
    # THEN the page says where the code went and waits for it in a focused field
    expect(heading(page, "Check your email")).to_be_visible()
    expect(page.get_by_text(re.compile(r"We sent a code to e\*\*\*@e\*\*\*"))).to_be_visible()
    code_field = page.get_by_label("Code from the email")
    expect(code_field).to_be_focused()
    # AND the 8-digit code from the email signs them in
    code = stack.code(email, "email-otp", after_count=sent)
    assert re.fullmatch(r"\d{8}", code)
    code_field.fill(code)
    page.keyboard.press("Enter")
    expect_account(page, email)


def test_signs_in_by_choosing_a_way_among_those_offered(stack: Stack, page: Page) -> None:
    email = create_user(stack, "choose")
    open_app(page, stack)
    # WHEN the person asks for the other ways to sign in (SELECT_CHALLENGE)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_role("button", name="Other ways to sign in").click()
    expect(heading(page, "Choose how to sign in")).to_be_visible()
    # THEN both a code by email and the password are offered; with the password they sign in
    expect(page.get_by_role("button", name="Email me a code")).to_be_visible()
    page.get_by_label("Password (only to sign in with your password)").fill(PASSWORD)
    page.get_by_role("button", name="Sign in with my password").click()
    expect_account(page, email)


def test_choosing_the_emailed_code_signs_in_with_it(stack: Stack, page: Page) -> None:
    email = create_user(stack, "choose-code")
    open_app(page, stack)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_role("button", name="Other ways to sign in").click()
    sent = stack.message_count()
    # WHEN the person chooses a code by email, without typing a password
    page.get_by_role("button", name="Email me a code").click()
    expect(heading(page, "Check your email")).to_be_visible()
    page.get_by_label("Code from the email").fill(stack.code(email, "email-otp", after_count=sent))
    page.get_by_role("button", name="Continue").click()
    # THEN they are signed in
    expect_account(page, email)


def test_signing_out_ends_the_session_and_protected_pages_ask_to_sign_in(stack: Stack, page: Page) -> None:
    email = create_user(stack, "sign-out")
    open_app(page, stack)
    with page.expect_response(f"{stack.api_url}/auth/sign-in") as signed_in:
        sign_in(page, email, PASSWORD)
    refresh_token = signed_in.value.json()["tokens"]["refreshToken"]
    expect_account(page, email)
    # WHEN the person signs out (the page forgets the tokens at once; the API hears of it next)
    with page.expect_response(f"{stack.api_url}/auth/sign-out") as signed_out:
        sign_out(page)
    assert signed_out.value.status == 204
    # THEN the refresh token of that sign-in no longer works at the API
    status, body = call(stack, "POST", "/auth/refresh", {"refreshToken": refresh_token})
    assert status in (400, 401) and body and body["error"]["code"] == "NotAuthorized", (status, body)
    # AND the account page sends them to sign in
    open_app(page, stack, "/account")
    expect(heading(page, "Sign in")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).not_to_contain_text("Signed in as")
