"""The admin page through the browser: the users a page at a time, creating a user, and managing
one (disable, enable, signing them out everywhere, the invitation sent again, groups, password
reset, set password, delete), with the API's refusals said in words; and the page as a person
outside the admins group meets it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from app import (
    ACCESS_TOKEN_REFUSED,
    PASSWORD,
    admin_token,
    admin_totp,
    call,
    create_user,
    heading,
    open_app,
    sign_in_to_account,
    tokens,
    unique_email,
    user_path,
)
from conftest import ConsoleErrors, Stack


def open_admin(page: Page, stack: Stack) -> None:
    """The Users page, as the demo admin signed in with a password and TOTP (the admin routes
    need a second factor)."""
    admin = stack.info["demoAdmin"]
    sign_in_to_account(page, stack, admin["email"], admin["password"], admin_totp(stack))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    expect(heading(page, "Users")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text=re.compile(r"^Page 1: "))).to_be_visible()


def list_status(page: Page) -> object:
    return page.get_by_role("region", name="All users").get_by_role("status")


def test_the_users_are_listed_a_page_at_a_time(stack: Stack, page: Page) -> None:
    # GIVEN at least three users in the pool
    create_user(stack, "paging")
    open_admin(page, stack)
    # WHEN the admin shows one user per page
    page.get_by_label("Users per page").fill("1")
    page.get_by_role("button", name="Show users").click()
    expect(list_status(page)).to_have_text("Page 1: 1 user.")
    first = page.locator("table.users tbody th").inner_text()
    # THEN the next page holds another user, and the previous page the first again
    page.get_by_role("button", name="Next page").click()
    expect(list_status(page)).to_have_text("Page 2: 1 user.")
    expect(page.get_by_role("table")).to_contain_text("Users, page 2")
    second = page.locator("table.users tbody th").inner_text()
    assert second != first
    page.get_by_role("button", name="Previous page").click()
    expect(list_status(page)).to_have_text("Page 1: 1 user.")
    expect(page.locator("table.users tbody th")).to_have_text(first)


def test_an_admin_creates_and_manages_a_user(stack: Stack, page: Page, console_errors: ConsoleErrors) -> None:
    console_errors.allow(r"status of 404")
    email = unique_email("managed")
    open_admin(page, stack)
    # WHEN the admin creates a user with a temporary password and no invitation
    create = page.get_by_role("form", name="Create a user")
    create.get_by_label("Email", exact=True).fill(email)
    create.get_by_label("Temporary password (optional)").fill(PASSWORD)
    create.get_by_label("Email an invitation").uncheck()
    create.get_by_role("button", name="Create user").click()
    expect(page.get_by_text(f"Created {email} (FORCE_CHANGE_PASSWORD).")).to_be_visible()
    # AND finds them by email and opens them
    page.get_by_label("Email (exact)").fill(email)
    page.get_by_role("button", name="Show users").click()
    expect(list_status(page)).to_have_text("Page 1: 1 user (last page).")
    page.get_by_role("button", name=f"Manage {email}").click()
    panel = page.get_by_role("region", name=f"Manage {email}")
    expect(panel.get_by_role("heading", name=f"Manage {email}")).to_be_focused()
    # THEN each action says what it did, and the user is shown as they now are
    panel.get_by_role("button", name="Disable user").click()
    expect(panel.get_by_role("status")).to_have_text(f"{email} is disabled: they cannot sign in.")
    expect(page.get_by_role("row", name=re.compile(re.escape(email)))).to_contain_text("No")
    panel.get_by_role("button", name="Enable user").click()
    expect(panel.get_by_role("status")).to_have_text(f"{email} is enabled.")
    panel.get_by_label("New password").fill("Permanent-passw0rd!")
    panel.get_by_label("Permanent (otherwise they must choose a new one at sign-in)").check()
    panel.get_by_role("button", name="Set password").click()
    expect(panel.get_by_role("status")).to_have_text(f"{email}'s password is set.")
    expect(panel).to_contain_text("CONFIRMED")
    # (an invitation is for users who never signed in: not offered any more)
    expect(panel.get_by_role("button", name="Send the invitation again")).to_have_count(0)
    sent = stack.message_count()
    panel.get_by_role("button", name="Email a password reset code").click()
    expect(panel.get_by_role("status")).to_have_text(f"{email} must now reset their password with the code we emailed.")
    stack.code(email, "reset-password", after_count=sent)
    # AND a group that does not exist is refused in words
    panel.get_by_label("Group", exact=True).fill("no-such-group")
    panel.get_by_role("button", name="Add to group").click()
    expect(panel.get_by_role("alert").filter(has_text="No such group.")).to_be_visible()
    # AND deleting asks once more, then removes them from the list
    panel.get_by_role("button", name="Delete user").click()
    page.get_by_role("button", name=f"Yes, delete {email}").click()
    expect(page.get_by_text(f"{email} is deleted.")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("No users.")


def open_user(page: Page, stack: Stack, email: str) -> object:
    """The admin page's panel for the user with `email`."""
    open_admin(page, stack)
    page.get_by_label("Email (exact)").fill(email)
    page.get_by_role("button", name="Show users").click()
    page.get_by_role("button", name=f"Manage {email}").click()
    return page.get_by_role("region", name=f"Manage {email}")


def test_an_admin_signs_a_user_out_everywhere(stack: Stack, page: Page) -> None:
    # GIVEN a user signed in elsewhere
    email = create_user(stack, "signed-out-by-admin")
    theirs = tokens(stack, email, PASSWORD)
    panel = open_user(page, stack, email)
    # WHEN the admin signs them out everywhere
    panel.get_by_role("button", name="Sign them out everywhere").click()
    expect(panel.get_by_role("status")).to_have_text(f"{email} is signed out everywhere: they must sign in again.")
    # THEN their refresh token is refused, and Cognito refuses their access token at once
    status, body = call(stack, "POST", "/auth/refresh", {"refreshToken": theirs["refreshToken"]})
    assert status in (400, 401) and body and body["error"]["code"] == "NotAuthorized", (status, body)
    status, body = call(stack, "GET", "/mfa/preference", token=theirs["accessToken"])
    assert status == 401 and body and body["error"] == ACCESS_TOKEN_REFUSED, (status, body)
    # AND their ID token still answers /me until it expires: it is checked locally only
    status, body = call(stack, "GET", "/me", token=theirs["idToken"])
    assert status == 200 and body and body["email"] == email, (status, body)
    # AND they can sign in again
    tokens(stack, email, PASSWORD)


def test_an_invitation_is_sent_again_with_a_new_temporary_password(stack: Stack, page: Page) -> None:
    # GIVEN a user who never signed in (a temporary password, no invitation sent)
    email = create_user(stack, "invited-again", temporary=True)
    panel = open_user(page, stack, email)
    expect(panel).to_contain_text("FORCE_CHANGE_PASSWORD")
    sent = stack.message_count()
    # WHEN the admin sends the invitation again
    panel.get_by_role("button", name="Send the invitation again").click()
    expect(panel.get_by_role("status")).to_have_text(
        f"A new invitation, with a new temporary password, is on its way to {email}."
    )
    # THEN the invitation carries a new temporary password, which signs in to choose a password,
    # and the old one no longer works
    temporary = stack.code(email, "invitation", after_count=sent)
    assert temporary != PASSWORD
    sign_in = {"username": email, "flow": "USER_PASSWORD_AUTH"}
    status, body = call(stack, "POST", "/auth/sign-in", {**sign_in, "password": temporary})
    assert status == 200 and body and body["challenge"]["name"] == "NEW_PASSWORD_REQUIRED", (status, body)
    status, body = call(stack, "POST", "/auth/sign-in", {**sign_in, "password": PASSWORD})
    assert status == 401, (status, body)


def test_an_invitation_is_not_sent_again_to_a_user_who_signed_in(stack: Stack) -> None:
    # GIVEN a user with a password of their own
    email = create_user(stack, "not-invited-again")
    token = admin_token(stack)
    # WHEN an admin asks for the invitation again through the API (the page does not offer it)
    status, body = call(stack, "POST", user_path(email) + "/invitation", token=token)
    # THEN it is a 409 that says why
    assert status == 409 and body and body["error"]["code"] == "Conflict", (status, body)


def test_another_admin_is_protected_and_the_refusal_is_said(
    stack: Stack, page: Page, console_errors: ConsoleErrors
) -> None:
    console_errors.allow(r"status of 403")
    email = create_user(stack, "second-admin")
    open_admin(page, stack)
    page.get_by_label("Email (exact)").fill(email)
    page.get_by_role("button", name="Show users").click()
    page.get_by_role("button", name=f"Manage {email}").click()
    panel = page.get_by_role("region", name=f"Manage {email}")
    # WHEN the admin adds the user to the admins group
    panel.get_by_label("Group", exact=True).fill(stack.info["adminGroup"])
    panel.get_by_role("button", name="Add to group").click()
    expect(panel.get_by_role("status")).to_have_text(f"{email} is now in {stack.info['adminGroup']}.")
    expect(panel.get_by_role("button", name=f"Remove from {stack.info['adminGroup']}")).to_be_visible()
    # THEN disabling that other admin is refused, with the API's reason
    panel.get_by_role("button", name="Disable user").click()
    alert = panel.get_by_role("alert")
    expect(alert).to_contain_text("Admins cannot delete, disable")
    expect(alert).to_be_focused()


def test_a_person_outside_the_admins_group_is_told_the_page_is_not_for_them(
    stack: Stack, page: Page, console_errors: ConsoleErrors
) -> None:
    console_errors.allow(r"status of 403")
    demo = stack.info["demoUser"]
    sign_in_to_account(page, stack, demo["email"], demo["password"])
    # GIVEN no link to the users page for them
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Users")).to_have_count(0)
    # WHEN they open it anyway
    open_app(page, stack, "/admin")
    # THEN the page says they may not, in words
    expect(page.get_by_role("alert").filter(has_text="You are not allowed to do this.")).to_be_visible()
