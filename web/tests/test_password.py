"""Passwords through the page: forgotten and reset with an emailed code, changed while signed
in, and the new password a temporary one asks for at the first sign-in."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from app import PASSWORD, create_user, expect_account, heading, open_app, sign_in, sign_in_to_account, sign_out
from conftest import Stack

NEW_PASSWORD = "Other-passw0rd!"


def test_a_forgotten_password_is_reset_with_the_emailed_code(stack: Stack, page: Page) -> None:
    email = create_user(stack, "forgot")
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
    # AND the person signs in with the new password (the email is filled in already)
    expect(heading(page, "Sign in")).to_be_visible()
    expect(page.get_by_label("Email", exact=True)).to_have_value(email)
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.keyboard.press("Enter")
    expect_account(page, email)


def test_the_password_is_changed_from_the_account_page(stack: Stack, page: Page) -> None:
    email = create_user(stack, "change")
    sign_in_to_account(page, stack, email, PASSWORD)
    # WHEN the person changes the password
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status").filter(has_text="Your password is changed.")).to_be_visible()
    # THEN the new one signs in
    sign_out(page)
    sign_in(page, email, NEW_PASSWORD)
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
