"""Step-up through the browser (RFC 9470), as `make dev` runs it with the template's requirements:
the admin routes need level 3 or 4 (a second factor or a passkey), their changes a sign-in within
15 minutes. An admin signed in with an emailed code is refused on the Users page and told how to go
on, confirms it is them (their password and their authenticator app's code: Cognito asks only for
what the sign-in lacks) and is back on the page, served, making a change; an admin whose sign-in is
too old for a change confirms it and goes on."""

from __future__ import annotations

import json
import re
import time

from playwright.sync_api import Page, Route, expect

from app import (
    PASSWORD,
    admin_token,
    admin_totp,
    call,
    cors_headers,
    create_user,
    enrol_totp,
    enter_totp,
    expect_account,
    heading,
    open_app,
    sign_in,
    sign_in_to_account,
    sign_out,
    tokens,
    user_path,
)
from conftest import ConsoleErrors, Stack
from test_admin import open_admin

LEVELS = "urn:cognito:loa:4 urn:cognito:loa:3"


def confirm_with_password_and_totp(page: Page, password: str, secret: str) -> None:
    """The challenge page's steps of a step-up that needs a first factor again: the password (from
    the choice of ways), then the authenticator app's code."""
    expect(heading(page, "Choose how to sign in")).to_be_visible()
    page.get_by_label("Password (only to sign in with your password)").fill(password)
    page.get_by_role("button", name="Sign in with my password").click()
    enter_totp(page, secret)


def test_an_admin_signed_in_with_an_emailed_code_confirms_it_is_them_and_goes_on(
    stack: Stack, page: Page, console_errors: ConsoleErrors
) -> None:
    console_errors.allow(r"status of 401")
    console_errors.allow(r"status of 400")
    # GIVEN a new admin, no second factor yet, signed in with one emailed code (level 2)
    email = create_user(stack, "step-up-admin")
    status, body = call(stack, "PUT", user_path(email) + "/groups/admins", token=admin_token(stack))
    assert status == 204, (status, body)
    someone = create_user(stack, "step-up-target")
    open_app(page, stack)
    sent = stack.message_count()
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_role("button", name="Email me a sign-in code").click()
    page.get_by_label("Code from the email").fill(stack.code(email, "email-otp", after_count=sent))
    page.keyboard.press("Enter")
    expect_account(page, email)

    # WHEN they open the Users page
    with page.expect_response(lambda r: r.url.endswith("/users?limit=20") and r.status == 401) as refused:
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    # THEN the API's answer is RFC 9470's challenge, naming the levels that would do
    challenge = refused.value.headers.get("www-authenticate", "")
    assert challenge.startswith('Bearer error="insufficient_user_authentication"'), challenge
    assert f'acr_values="{LEVELS}"' in challenge, challenge
    # AND the page says so in words, with the way on
    region = page.get_by_role("region", name="All users")
    expect(region.get_by_role("alert")).to_contain_text(f"This needs a sign-in at level {' or '.join(LEVELS.split())}")

    # WHEN, with an authenticator app added since (a person with MFA on signs in with no code
    # alone), they confirm it is them: Cognito asks for what the emailed code lacks, their
    # password and the app's code (level 4, the first of the levels they can reach)
    secret = enrol_totp(stack, tokens(stack, email, PASSWORD)["accessToken"])
    region.get_by_role("button", name="Confirm it's you").click()
    confirm_with_password_and_totp(page, PASSWORD, secret)
    # THEN they are back on the Users page, served, and told to go on
    expect(heading(page, "Users")).to_be_visible()
    expect(page.get_by_text("You confirmed it is you: go on.")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text=re.compile(r"^Page 1: "))).to_be_visible()
    # AND a change goes through: they disable someone
    page.get_by_label("Email (exact)").fill(someone)
    page.get_by_role("button", name="Show users").click()
    page.get_by_role("button", name=f"Manage {someone}").click()
    page.get_by_role("button", name="Disable user").click()
    expect(page.get_by_role("status").filter(has_text=f"{someone} is disabled")).to_be_visible()


def test_an_admin_whose_sign_in_is_too_old_for_a_change_confirms_it_is_them_and_goes_on(
    stack: Stack, page: Page, console_errors: ConsoleErrors
) -> None:
    console_errors.allow(r"status of 401")
    # GIVEN the demo admin signed in with a password and TOTP (level 4), and a user to disable
    someone = create_user(stack, "too-old-target")
    secret = admin_totp(stack)
    open_admin(page, stack)
    # AND the API refusing the first change as too old: a stand-in for a sign-in older than the
    # window, which the browser cannot wait for (a 1-second window, so the real sign-in is older)
    refused = []
    bearers: list[str] = []

    def too_old(route: Route) -> None:
        if route.request.method == "OPTIONS":
            route.fulfill(
                status=204,
                headers={
                    **cors_headers(stack),
                    "access-control-allow-methods": "GET,POST,PUT,PATCH,DELETE,OPTIONS",
                    "access-control-allow-headers": "content-type,authorization",
                },
            )
            return
        bearers.append(route.request.headers.get("authorization", ""))
        if refused:
            route.continue_()
            return
        refused.append(route.request.url)
        route.fulfill(
            status=401,
            headers={
                **cors_headers(stack),
                "content-type": "application/json",
                "www-authenticate": 'Bearer error="insufficient_user_authentication", error_description='
                f'"A stronger and more recent sign-in is required", acr_values="{LEVELS}", max_age="1"',
            },
            body=json.dumps(
                {
                    "error": {
                        "code": "InsufficientUserAuthentication",
                        "message": "This needs a sign-in at level urn:cognito:loa:4 or urn:cognito:loa:3 within the "
                        "last 1 minutes: step up with another factor, or sign in again.",
                        "acrValues": LEVELS,
                        "maxAge": 1,
                    }
                }
            ),
        )

    page.route(lambda url: url.startswith(stack.api_url) and url.endswith("/disable"), too_old)
    time.sleep(1.5)
    # WHEN they disable someone
    page.get_by_label("Email (exact)").fill(someone)
    page.get_by_role("button", name="Show users").click()
    page.get_by_role("button", name=f"Manage {someone}").click()
    page.get_by_role("button", name="Disable user").click()
    # THEN the page asks them to confirm it is them, and the change waits
    manage = page.get_by_role("region", name=f"Manage {someone}")
    expect(manage.get_by_role("alert")).to_contain_text("within the last 1 minutes")
    manage.get_by_role("button", name="Confirm it's you").click()
    # WHEN they confirm (the sign-in is too old for its factors to count: a password again, then TOTP)
    admin = stack.info["demoAdmin"]
    confirm_with_password_and_totp(page, admin["password"], secret)
    # THEN they are back on the Users page, and the change goes through
    expect(page.get_by_text("You confirmed it is you: go on.")).to_be_visible()
    page.get_by_label("Email (exact)").fill(someone)
    page.get_by_role("button", name="Show users").click()
    page.get_by_role("button", name=f"Manage {someone}").click()
    page.get_by_role("button", name="Disable user").click()
    expect(page.get_by_role("status").filter(has_text=f"{someone} is disabled")).to_be_visible()
    assert len(refused) == 1
    # AND the change that went through carried the stepped-up tokens, not the refused ones
    assert len(bearers) == 2 and bearers[0] != bearers[1], bearers


def test_a_step_up_left_unfinished_does_not_send_the_next_sign_in_elsewhere(
    stack: Stack, page: Page, console_errors: ConsoleErrors
) -> None:
    console_errors.allow(r"status of 401")
    # GIVEN an admin signed in with a password alone (level 1), who has since added an
    # authenticator app, refused on the Users page, and asked for its code to confirm it is them
    email = create_user(stack, "unfinished-admin")
    status, body = call(stack, "PUT", user_path(email) + "/groups/admins", token=admin_token(stack))
    assert status == 204, (status, body)
    sign_in_to_account(page, stack, email, PASSWORD)
    enrol_totp(stack, tokens(stack, email, PASSWORD)["accessToken"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    page.get_by_role("region", name="All users").get_by_role("button", name="Confirm it's you").click()
    expect(heading(page, "Enter your authenticator code")).to_be_visible()
    # WHEN they go to their account page and sign out instead, and another person signs in in the
    # same tab
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
    sign_out(page)
    other = create_user(stack, "next-person")
    sign_in(page, other, PASSWORD)
    # THEN that person lands on their own account page, not on the admin's way back
    expect_account(page, other)
    expect(page.get_by_text("You confirmed it is you")).to_have_count(0)
