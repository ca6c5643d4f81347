"""The sign-in steps the local pool never asks for, shown from answers given in the browser
(`page.route`): choosing the second factor (SELECT_MFA_TYPE, when several are on and none is
preferred) and enrolling an authenticator app during sign-in (MFA_SETUP, when the pool requires
MFA). The last answer carries real tokens of the demo user, so the page signs in for real."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import Page, Route, expect

from app import cors_headers, expect_account, heading, open_app, route_api, sign_in, tokens
from conftest import Stack

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def answer_with(page: Page, stack: Stack, path: str, answers: list[dict[str, Any]], sent: list[dict[str, Any]]) -> None:
    """Answers the app's POSTs to `path` with `answers`, in turn; keeps the bodies it sent."""

    def answer(route: Route) -> None:
        sent.append(route.request.post_data_json)
        route.fulfill(status=200, json=answers[len(sent) - 1], headers=cors_headers(stack))

    route_api(page, stack, path, answer)


def challenge(name: str, parameters: dict[str, str]) -> dict[str, Any]:
    return {"challenge": {"name": name, "session": f"session-{name}", "parameters": parameters}, "username": "u-1"}


def test_the_second_factor_is_chosen_when_sign_in_offers_several(stack: Stack, page: Page) -> None:
    demo = stack.info["demoUser"]
    signed_in = {"tokens": tokens(stack, demo["email"], demo["password"]), "username": "u-1"}
    offered = challenge("SELECT_MFA_TYPE", {"MFAS_CAN_CHOOSE": json.dumps(["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"])})
    emailed = challenge("EMAIL_OTP", {"CODE_DELIVERY_DESTINATION": "d***@e***"})
    sent_sign_in: list[dict[str, Any]] = []
    sent_answers: list[dict[str, Any]] = []
    answer_with(page, stack, "/auth/sign-in", [offered], sent_sign_in)
    answer_with(page, stack, "/auth/challenge", [emailed, signed_in], sent_answers)
    open_app(page, stack)
    sign_in(page, demo["email"], demo["password"])
    # WHEN sign-in offers a choice of second factors
    expect(heading(page, "Choose how to confirm it is you")).to_be_visible()
    choice = page.get_by_label("Confirm it is me with")
    expect(choice).to_be_focused()
    # THEN the person picks one by name, and answers the step it brings
    choice.select_option(label="A code by email")
    page.get_by_role("button", name="Continue").click()
    expect(heading(page, "Check your email")).to_be_visible()
    expect(page.get_by_text("We sent a code to d***@e***.")).to_be_visible()
    page.get_by_label("Code from the email").fill("123456")
    page.keyboard.press("Enter")
    expect_account(page, demo["email"])
    assert [(a["name"], a["session"], a["responses"]) for a in sent_answers] == [
        ("SELECT_MFA_TYPE", "session-SELECT_MFA_TYPE", {"ANSWER": "EMAIL_OTP"}),
        ("EMAIL_OTP", "session-EMAIL_OTP", {"EMAIL_OTP_CODE": "123456"}),
    ]


def test_an_authenticator_app_is_enrolled_during_sign_in_when_the_pool_requires_it(stack: Stack, page: Page) -> None:
    demo = stack.info["demoUser"]
    signed_in = {"tokens": tokens(stack, demo["email"], demo["password"]), "username": "u-1"}
    uri = f"otpauth://totp/Cognito:{demo['email']}?secret={SECRET}&issuer=Cognito"
    sent_sign_in: list[dict[str, Any]] = []
    sent_answers: list[dict[str, Any]] = []
    answer_with(
        page,
        stack,
        "/auth/sign-in",
        [challenge("MFA_SETUP", {"MFAS_CAN_SETUP": '["SOFTWARE_TOKEN_MFA"]'})],
        sent_sign_in,
    )
    answer_with(
        page,
        stack,
        "/auth/challenge",
        [challenge("MFA_SETUP", {"secretCode": SECRET, "otpauthUri": uri}), signed_in],
        sent_answers,
    )
    open_app(page, stack)
    sign_in(page, demo["email"], demo["password"])
    # WHEN sign-in requires an authenticator app first
    expect(heading(page, "Set up an authenticator app")).to_be_visible()
    page.get_by_role("button", name="Show the code to scan").click()
    # THEN the QR code and the key are shown, and the app's first code finishes the sign-in
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    expect(page.locator("code.secret")).to_have_text(re.compile(r"^JBSW Y3DP"))
    expect(page.get_by_label("Code from the app")).to_be_focused()
    page.get_by_label("Code from the app").fill("654321")
    page.get_by_role("button", name="Verify and sign in").click()
    expect_account(page, demo["email"])
    assert [a["responses"] for a in sent_answers] == [{}, {"SOFTWARE_TOKEN_MFA_CODE": "654321"}]
