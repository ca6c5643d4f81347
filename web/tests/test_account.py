"""The account page's other parts: the person's own account (`/account`: the attributes, the
names, a new email address proven with the code sent to it, deletion after a recent sign-in)
and temporary AWS credentials from the identity pool."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, Route, expect

from app import (
    PASSWORD,
    call,
    cors_headers,
    create_user,
    heading,
    route_api,
    sign_in,
    sign_in_to_account,
    tokens,
    unique_email,
)
from conftest import ConsoleErrors, Stack


def signs_in(stack: Stack, email: str, password: str = PASSWORD) -> bool:
    """Whether `email` and `password` sign in (200 with tokens) or are refused (401 NotAuthorized)."""
    status, body = call(
        stack, "POST", "/auth/sign-in", {"username": email, "password": password, "flow": "USER_PASSWORD_AUTH"}
    )
    if status == 200 and body and "tokens" in body:
        return True
    assert status == 401 and body and body["error"]["code"] == "NotAuthorized", (status, body)
    return False


def test_the_attributes_are_shown_and_the_name_is_changed(stack: Stack, page: Page) -> None:
    # GIVEN a person on their account page
    email = create_user(stack, "names")
    sign_in_to_account(page, stack, email, PASSWORD)
    profile = page.get_by_role("region", name="Your profile")
    attributes = profile.locator("dl.attributes")
    expect(attributes).to_contain_text(email)
    expect(attributes).to_contain_text("Email verified")
    # WHEN they give their names
    names = profile.get_by_role("form", name="Your name")
    names.get_by_label("Given name").fill("Ann")
    names.get_by_label("Family name").fill("Example")
    names.get_by_role("button", name="Save name").click()
    # THEN the page says so and shows them, and the pool holds them
    expect(profile.get_by_role("status")).to_have_text("Your name is saved.")
    expect(attributes).to_contain_text("Ann")
    expect(attributes).to_contain_text("Example")
    status, account = call(stack, "GET", "/account", token=tokens(stack, email, PASSWORD)["accessToken"])
    assert status == 200 and account, (status, account)
    assert (account["attributes"]["given_name"], account["attributes"]["family_name"]) == ("Ann", "Example")
    # AND emptying a field removes that name
    names.get_by_label("Family name").fill("")
    names.get_by_role("button", name="Save name").click()
    expect(attributes).not_to_contain_text("Example")
    expect(names.get_by_label("Given name")).to_have_value("Ann")


def test_a_new_email_waits_for_its_code_while_the_old_one_still_signs_in(
    stack: Stack, page: Page, console_errors: ConsoleErrors
) -> None:
    # GIVEN a person on their account page
    old = create_user(stack, "old-address")
    new = unique_email("new-address")
    sign_in_to_account(page, stack, old, PASSWORD)
    section = page.get_by_role("region", name="Your email address")
    # WHEN they change their email address
    sent = stack.message_count()
    section.get_by_label("New email address").fill(new)
    section.get_by_role("button", name="Change email address").click()
    # THEN the page asks for the code sent to the new address, saying the old one stays till then
    expect(section.locator(".pending")).to_contain_text(f"Until then, {old} stays your address")
    expect(section.get_by_label("Code from the email")).to_be_focused()
    stack.code(new, "verify-email", after_count=sent)
    # AND the old address still signs in, the new one not yet
    assert signs_in(stack, old)
    assert not signs_in(stack, new)
    # WHEN they ask for a new code (only the newest works), THEN it is said and sent
    sent = stack.message_count()
    section.get_by_role("button", name="Send a new code").click()
    expect(section.get_by_role("status").filter(has_text="We emailed a new code")).to_be_visible()
    code = stack.code(new, "verify-email", after_count=sent)
    # AND a wrong code is said next to the field
    console_errors.allow(r"status of 400")
    section.get_by_label("Code from the email").fill("000000" if code != "000000" else "111111")
    section.get_by_role("button", name="Verify email address").click()
    expect(section.get_by_label("Code from the email")).to_have_accessible_description(
        re.compile("wrong or has expired")
    )
    # WHEN they enter the code
    section.get_by_label("Code from the email").fill(code)
    section.get_by_role("button", name="Verify email address").click()
    # THEN the new address is theirs, verified, and the page and the menu say so
    said = f"Your email address is now {new}: sign in with it from now on."
    expect(section.get_by_role("status").filter(has_text="Your email address is now")).to_have_text(said)
    expect(section.locator(".email-now")).to_have_text(f"You sign in with {new}.")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(f"Signed in as {new}")
    expect(page.get_by_role("region", name="Your details").locator("dl.details")).to_contain_text(new)
    # AND the new address signs in, the old one no longer
    assert signs_in(stack, new)
    assert not signs_in(stack, old)


def test_an_address_another_account_uses_is_refused(stack: Stack, page: Page, console_errors: ConsoleErrors) -> None:
    # GIVEN two accounts, and the first one's owner on their account page
    mine = create_user(stack, "mine")
    theirs = create_user(stack, "theirs")
    sign_in_to_account(page, stack, mine, PASSWORD)
    console_errors.allow(r"status of 409")
    # WHEN they ask for the other account's address
    sent = stack.message_count()
    section = page.get_by_role("region", name="Your email address")
    section.get_by_label("New email address").fill(theirs)
    section.get_by_role("button", name="Change email address").click()
    # THEN the API's 409 is said, and no code was sent
    expect(section.get_by_role("form", name="Change your email address").get_by_role("alert")).to_have_text(
        "Another account already uses this address."
    )
    expect(section.locator(".pending")).to_have_count(0)
    assert [m for m in stack.messages()[sent:] if m["kind"] == "verify-email"] == []
    # AND both accounts sign in with their own addresses as before
    assert signs_in(stack, mine) and signs_in(stack, theirs)


def test_deleting_the_account_needs_a_recent_sign_in_then_ends_it(
    stack: Stack, page: Page, console_errors: ConsoleErrors
) -> None:
    # GIVEN a person on their account page, whose sign-in the API finds too old to delete with
    # (the first DELETE is answered in the browser as the API answers after five minutes)
    email = create_user(stack, "delete")
    sign_in_to_account(page, stack, email, PASSWORD)
    console_errors.allow(r"status of 401")
    deletions: list[str] = []

    def too_old_once(route: Route) -> None:
        if route.request.method != "DELETE":
            route.fallback()
            return
        deletions.append(route.request.headers.get("authorization", ""))
        if len(deletions) > 1:
            route.fallback()
            return
        body = {
            "error": {
                "code": "InsufficientUserAuthentication",
                "message": "This needs a sign-in within the last 5 minutes: sign in again.",
            }
        }
        challenge = 'Bearer error="insufficient_user_authentication", max_age="300"'
        route.fulfill(status=401, body=json.dumps(body), headers={**cors_headers(stack), "www-authenticate": challenge})

    route_api(page, stack, "/account", too_old_once)
    section = page.get_by_role("region", name="Delete your account")
    # WHEN they delete the account, and confirm
    section.get_by_role("button", name="Delete my account").click()
    expect(section).to_contain_text(f"Delete {email} for good? This cannot be undone.")
    section.get_by_role("button", name="Yes, delete my account").click()
    # THEN the page says a recent sign-in is needed, and offers one; nothing was deleted
    alert = section.get_by_role("alert")
    expect(alert).to_contain_text("sign-in within the last 5 minutes")
    expect(alert).to_be_focused()
    assert signs_in(stack, email)
    # WHEN they sign in again
    alert.get_by_role("button", name="Sign in again").click()
    expect(heading(page, "Sign in")).to_be_visible()
    expect(page.get_by_text("Sign in again, then delete your account")).to_be_visible()
    expect(page.get_by_label("Email", exact=True)).to_have_value(email)
    sign_in(page, email, PASSWORD)
    expect(heading(page, "Your account")).to_be_visible()
    # AND delete the account again, confirming
    section.get_by_role("button", name="Delete my account").click()
    with page.expect_response(lambda r: r.url == f"{stack.api_url}/account" and r.request.method == "DELETE") as gone:
        section.get_by_role("button", name="Yes, delete my account").click()
    # THEN it is deleted: the page is back at sign-in, saying so
    assert gone.value.status == 204
    expect(heading(page, "Sign in")).to_be_visible()
    expect(page.get_by_text("Your account is deleted")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).not_to_contain_text("Signed in as")
    # AND the old password is refused, in the page as at the API
    sign_in(page, email, PASSWORD)
    expect(page.get_by_role("alert").filter(has_text="Incorrect username or password.")).to_be_visible()
    assert not signs_in(stack, email)
    assert len(deletions) == 2 and deletions[0] != deletions[1], "the second deletion carried the new sign-in's token"


def test_temporary_aws_credentials_are_shown(stack: Stack, page: Page) -> None:
    demo = stack.info["demoUser"]
    sign_in_to_account(page, stack, demo["email"], demo["password"])
    # WHEN the person asks for temporary AWS credentials
    page.get_by_role("button", name="Get temporary AWS credentials").click()
    # THEN the identity pool's credentials are shown, with when they expire
    section = page.get_by_role("region", name="Temporary AWS credentials")
    expect(section.get_by_role("status")).to_have_text(re.compile("Temporary credentials received"))
    details = section.locator("dl.details")
    expect(details).to_contain_text("Access key ID")
    expect(details).to_contain_text(stack.info["region"] + ":")  # the identity ID's region prefix
    expect(details).to_contain_text("Expires")
