"""The admin page through the browser: the users a page at a time, creating a user, and managing
one (disable, enable, groups, password reset, set password, delete), with the API's refusals
said in words; and the page as a person outside the admins group meets it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from app import PASSWORD, create_user, heading, open_app, sign_in_to_account, unique_email
from conftest import ConsoleErrors, Stack


def open_admin(page: Page, stack: Stack) -> None:
    admin = stack.info["demoAdmin"]
    sign_in_to_account(page, stack, admin["email"], admin["password"])
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
