"""Two-step verification through the page: enrolling an authenticator app from its QR code
(TOTP, the codes computed here as the app would), the second step it then adds to sign-in, and
choosing email codes as the preferred second step."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from app import PASSWORD, create_user, expect_account, heading, sign_in, sign_in_to_account, sign_out, totp
from conftest import ConsoleErrors, Stack


def enrol_authenticator(page: Page) -> str:
    """Sets up an authenticator app from the account page: the secret it was given."""
    page.get_by_role("button", name="Set up an authenticator app").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    code_field = page.get_by_label("Code from the app")
    expect(code_field).to_be_focused()
    code_field.fill(totp(secret))
    page.get_by_label("Name of this authenticator (optional)").fill("Test phone")
    page.get_by_role("button", name="Verify and turn on").click()
    expect(page.get_by_role("status").filter(has_text="Authenticator app turned on.")).to_be_visible()
    return secret


def test_an_authenticator_app_is_enrolled_from_its_qr_code_and_asked_for_at_sign_in(stack: Stack, page: Page) -> None:
    email = create_user(stack, "totp")
    sign_in_to_account(page, stack, email, PASSWORD)
    expect(page.locator(".mfa-summary")).to_have_text(re.compile("Two-step verification is off"))
    # WHEN the person scans the QR code (its key is shown as text too) and types the app's code
    secret = enrol_authenticator(page)
    # THEN two-step verification is on, with the app as the step sign-in asks for
    expect(page.locator(".mfa-summary")).to_have_text(
        re.compile(r"on \(Authenticator app\).*asks for: Authenticator app")
    )
    # AND the next sign-in asks for the app's code, which signs them in
    sign_out(page)
    sign_in(page, email, PASSWORD)
    expect(heading(page, "Enter your authenticator code")).to_be_visible()
    code_field = page.get_by_label("Code from your authenticator app")
    expect(code_field).to_be_focused()
    code_field.fill(totp(secret))
    page.keyboard.press("Enter")
    expect_account(page, email)


def test_a_wrong_authenticator_code_is_said_in_words(stack: Stack, page: Page, console_errors: ConsoleErrors) -> None:
    console_errors.allow(r"status of 400")
    email = create_user(stack, "totp-wrong")
    sign_in_to_account(page, stack, email, PASSWORD)
    page.get_by_role("button", name="Set up an authenticator app").click()
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    # WHEN the code typed is not the app's
    now = time.time()
    right = {totp(secret, at=now + t) for t in (-30, 0, 30, 60)}
    wrong = next(c for c in ("000000", "111111", "222222", "333333") if c not in right)
    page.get_by_label("Code from the app").fill(wrong)
    page.get_by_role("button", name="Verify and turn on").click()
    # THEN the page says so next to the code, and two-step verification stays off
    expect(page.get_by_label("Code from the app")).to_have_accessible_description(re.compile("wrong|mismatch", re.I))
    expect(page.locator(".mfa-summary")).to_have_text(re.compile("Two-step verification is off"))


def test_email_codes_can_be_chosen_as_the_second_step(stack: Stack, page: Page) -> None:
    email = create_user(stack, "email-mfa")
    sign_in_to_account(page, stack, email, PASSWORD)
    # WHEN the person turns on codes by email and makes them the step sign-in asks for
    settings = page.get_by_role("form", name="Two-step verification settings")
    settings.get_by_label("Code by email").check()
    settings.get_by_label("Ask for at sign-in").select_option(label="Code by email")
    settings.get_by_role("button", name="Save two-step settings").click()
    expect(page.get_by_role("status").filter(has_text="Two-step verification settings saved.")).to_be_visible()
    expect(page.locator(".mfa-summary")).to_have_text(re.compile(r"on \(Code by email\).*asks for: Code by email"))
    # THEN the next sign-in emails a code after the password, and that code signs them in
    sign_out(page)
    sent = stack.message_count()
    sign_in(page, email, PASSWORD)
    expect(heading(page, "Check your email")).to_be_visible()
    code = stack.code(email, "email-mfa", after_count=sent)
    assert re.fullmatch(r"\d{6}", code)
    page.get_by_label("Code from the email").fill(code)
    page.keyboard.press("Enter")
    expect_account(page, email)
