"""Creating an account through the page: sign-up, the emailed code, a new code, and the sign-in
that the confirmation itself gives; what the page says about a weak password or a wrong code."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from app import PASSWORD, expect_account, heading, open_app, unique_email
from conftest import ConsoleErrors, Stack


def sign_up(page: Page, email: str, password: str, name: str = "") -> None:
    expect(heading(page, "Create an account")).to_be_visible()
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    if name:
        page.get_by_label("Your name (optional)").fill(name)
    page.get_by_role("button", name="Create account").click()


def sign_up_to_confirmation(page: Page, stack: Stack, prefix: str) -> tuple[str, str]:
    """A new person signs up from the sign-up page and is asked for the code: (email, the code)."""
    email = unique_email(prefix)
    open_app(page, stack, "/sign-up")
    sign_up(page, email, PASSWORD)
    expect(heading(page, "Confirm your account")).to_be_visible()
    return email, stack.code(email, "sign-up")


def test_signs_up_confirms_with_the_code_and_is_signed_in_by_the_confirmation(stack: Stack, page: Page) -> None:
    email = unique_email("sign-up")
    open_app(page, stack)
    page.get_by_role("link", name="Create an account").first.click()
    sent = stack.message_count()
    # WHEN a person signs up
    sign_up(page, email, PASSWORD, name="Pat Example")
    # THEN the page asks for the code it says it emailed, with the focus in the code field
    expect(heading(page, "Confirm your account")).to_be_visible()
    expect(
        page.get_by_role("status").filter(has_text=re.compile(r"We emailed a confirmation code to s\*\*\*@e\*\*\*"))
    ).to_be_visible()
    code_field = page.get_by_label("Confirmation code")
    expect(code_field).to_be_focused()
    # AND the code confirms the account and signs the person in, without the password again
    code_field.fill(stack.code(email, "sign-up", after_count=sent))
    page.keyboard.press("Enter")
    expect_account(page, email)


def test_a_new_code_can_be_asked_for_and_confirms_the_account(
    stack: Stack, page: Page, console_errors: ConsoleErrors
) -> None:
    console_errors.allow(r"status of 400")
    email, first = sign_up_to_confirmation(page, stack, "resend")
    sent = stack.message_count()
    # WHEN the person asks for a new code
    page.get_by_role("button", name="Send a new code").click()
    # THEN the page says one was sent (without saying whether the account exists)
    expect(page.get_by_role("status").filter(has_text=f"If {email} has an account waiting")).to_be_visible()
    second = stack.code(email, "sign-up", after_count=sent)
    new = [m["code"] for m in stack.messages()[sent:] if m["kind"] == "sign-up" and m["to"] == email]
    assert new == [second], "one new code, and only one, was sent"
    # AND the first code, replaced by the new one, no longer confirms (unless the two codes
    # happen to be equal, a one-in-a-million draw)
    if first != second:
        page.get_by_label("Confirmation code").fill(first)
        page.get_by_role("button", name="Confirm and sign in").click()
        expect(page.get_by_text("The code is wrong or has expired.")).to_be_visible()
    # AND the new code confirms the account
    page.get_by_label("Confirmation code").fill(second)
    page.get_by_role("button", name="Confirm and sign in").click()
    expect_account(page, email)


def test_a_weak_password_is_explained_next_to_the_password_field(
    stack: Stack, page: Page, console_errors: ConsoleErrors
) -> None:
    console_errors.allow(r"status of 400")
    open_app(page, stack, "/sign-up")
    # WHEN the person chooses a password the pool's policy refuses
    sign_up(page, unique_email("weak"), "weakpass1")
    # THEN the policy's words are next to the password field, which has the focus
    password = page.get_by_label("Password", exact=True)
    expect(password).to_have_accessible_description(re.compile(r"[Pp]assword"))
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_be_focused()
    expect(heading(page, "Create an account")).to_be_visible()


def test_a_taken_email_is_said_with_a_way_to_sign_in(stack: Stack, page: Page, console_errors: ConsoleErrors) -> None:
    console_errors.allow(r"status of 409")
    open_app(page, stack, "/sign-up")
    sign_up(page, stack.info["demoUser"]["email"], PASSWORD)
    alert = page.get_by_role("alert").filter(has_text="The username is taken.")
    expect(alert).to_be_visible()
    expect(alert.get_by_role("link", name="Sign in to that account instead")).to_be_visible()


def test_a_wrong_confirmation_code_is_said_next_to_the_code(
    stack: Stack, page: Page, console_errors: ConsoleErrors
) -> None:
    console_errors.allow(r"status of 400")
    _, real = sign_up_to_confirmation(page, stack, "wrong-code")
    wrong = "000000" if real != "000000" else "111111"
    # WHEN the person types a wrong code
    page.get_by_label("Confirmation code").fill(wrong)
    page.get_by_role("button", name="Confirm and sign in").click()
    # THEN the page says so, in words (the account stays unconfirmed)
    expect(page.get_by_text("The code is wrong or has expired.")).to_be_visible()
    expect(heading(page, "Confirm your account")).to_be_visible()
