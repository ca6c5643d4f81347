"""The account page's other parts: temporary AWS credentials from the identity pool."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from app import sign_in_to_account
from conftest import Stack


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
