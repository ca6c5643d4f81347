"""Passwords through the page: forgotten and reset with an emailed code, changed while signed
in (which signs the person out everywhere, the page too), and the new password a temporary one
asks for at the first sign-in."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from app import (
    ACCESS_TOKEN_REFUSED,
    PASSWORD,
    call,
    create_user,
    expect_account,
    heading,
    open_app,
    sign_in,
    sign_in_to_account,
    sign_out,
    tokens,
)
from conftest import ConsoleErrors, Stack

NEW_PASSWORD = "Other-passw0rd!"


def test_a_forgotten_password_is_reset_with_the_emailed_code(stack: Stack, page: Page) -> None:
    email = create_user(stack, "forgot")
    # GIVEN a session the person left open elsewhere
    elsewhere = tokens(stack, email, PASSWORD)
    open_app(page, stack)
    page.get_by_role("link", name="Forgot your password?").click()
    expect(heading(page, "Reset your password")).to_be_visible()
    sent = stack.message_count()
    # WHEN the person asks for a reset code
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_role("button", name="Email me a reset code").click()
    # THEN the next page asks for the code and the new password
    expect(heading(page, "Choose a new password")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text=f"If {email} has an account")).to_be_visible()
    expect(page.get_by_label("Reset code")).to_be_focused()
    page.get_by_label("Reset code").fill(stack.code(email, "reset-password", after_count=sent))
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set new password").click()
    # AND the session left open elsewhere ended with the reset
    expect(heading(page, "Sign in")).to_be_visible()
    status, body = call(stack, "POST", "/auth/refresh", {"refreshToken": elsewhere["refreshToken"]})
    assert status in (400, 401) and body and body["error"]["code"] == "NotAuthorized", (status, body)
    # AND the person signs in with the new password (the email is filled in already)
    expect(heading(page, "Sign in")).to_be_visible()
    expect(page.get_by_label("Email", exact=True)).to_have_value(email)
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.keyboard.press("Enter")
    expect_account(page, email)


def test_a_password_change_signs_out_everywhere_and_the_new_password_signs_in(stack: Stack, page: Page) -> None:
    email = create_user(stack, "change")
    # GIVEN a session elsewhere (another device) besides the one in the page
    elsewhere = tokens(stack, email, PASSWORD)
    open_app(page, stack)
    with page.expect_response(f"{stack.api_url}/auth/sign-in") as signed_in:
        sign_in(page, email, PASSWORD)
    expect_account(page, email)
    refresh_token = signed_in.value.json()["tokens"]["refreshToken"]
    # WHEN the person changes the password
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    # THEN the page is back at sign-in, saying why, with their email filled in
    expect(heading(page, "Sign in")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Password changed: sign in again")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).not_to_contain_text("Signed in as")
    expect(page.get_by_label("Email", exact=True)).to_have_value(email)
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    # AND every session ended: the page's and the other device's refresh tokens, and the other
    # device's access token, are refused
    for token in (refresh_token, elsewhere["refreshToken"]):
        status, body = call(stack, "POST", "/auth/refresh", {"refreshToken": token})
        assert status in (400, 401) and body and body["error"]["code"] == "NotAuthorized", (status, body)
    status, body = call(stack, "GET", "/mfa/preference", token=elsewhere["accessToken"])
    assert status == 401 and body and body["error"] == ACCESS_TOKEN_REFUSED, (status, body)
    # AND the new password signs in
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.keyboard.press("Enter")
    expect_account(page, email)


def test_a_wrong_current_password_is_said_and_the_session_goes_on(
    stack: Stack, page: Page, console_errors: ConsoleErrors
) -> None:
    console_errors.allow(r"status of 401")
    email = create_user(stack, "change-wrong")
    sign_in_to_account(page, stack, email, PASSWORD)
    # WHEN the current password typed is wrong
    page.get_by_label("Current password").fill(PASSWORD + "-wrong")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    # THEN the page says so, and the person is still signed in with the old password
    expect(page.get_by_role("alert").filter(has_text="Incorrect username or password.")).to_be_visible()
    expect(heading(page, "Your account")).to_be_visible()
    sign_out(page)
    sign_in(page, email, PASSWORD)
    expect_account(page, email)


def test_a_temporary_password_asks_for_a_new_one_at_the_first_sign_in(stack: Stack, page: Page) -> None:
    email = create_user(stack, "temporary", temporary=True)
    open_app(page, stack)
    # WHEN the person signs in with the temporary password an admin gave them
    sign_in(page, email, PASSWORD)
    # THEN the page asks for a new password (NEW_PASSWORD_REQUIRED), focused on it
    expect(heading(page, "Choose a new password")).to_be_visible()
    new = page.get_by_label("New password", exact=True)
    expect(new).to_be_focused()
    # AND two different entries are caught before anything is sent
    new.fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD + "x")
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.get_by_label("Repeat the new password")).to_have_accessible_description(
        "The two passwords are not the same."
    )
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password and sign in").click()
    expect_account(page, email)
