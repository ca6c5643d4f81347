"""Passkeys in the web app, in Chromium with a virtual authenticator (the DevTools protocol's
`WebAuthn` domain: https://chromedevtools.github.io/devtools-protocol/tot/WebAuthn/), against the
local stack, whose emulator verifies every ceremony (relying party `localhost`, user verification
required): a person registers a passkey, sees it listed, signs in with it and no password,
deletes it and is then refused; and what the browser or the stack refuses reaches them in words.
Passkey MFA (`passkey` of `PUT /mfa/preference`): in the stack's pool passkeys may stand for MFA
(`MULTI_FACTOR_WITH_USER_VERIFICATION`, MFA optional), so a person with an authenticator app on
signs in with a passkey and no code once they turn it on, and is refused with it off.

The authenticator is a platform one with discoverable credentials and user verification, which
approves each request at once (`automaticPresenceSimulation`), as a person touching the sensor
would. It belongs to the page it was added to, and keeps its credentials across navigations.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from playwright.sync_api import CDPSession, Page, Route, expect

from app import (
    PASSWORD,
    call,
    cors_headers,
    create_user,
    expect_account,
    heading,
    route_api,
    sign_in_to_account,
    sign_out,
    tokens,
)
from conftest import ConsoleErrors, Stack
from test_mfa import enrol_authenticator

AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
    "automaticPresenceSimulation": True,
}


class Authenticator:
    """A virtual authenticator attached to `page` through a CDP session."""

    def __init__(self, page: Page, **options: Any) -> None:
        self.cdp: CDPSession = page.context.new_cdp_session(page)
        self.cdp.send("WebAuthn.enable", {"enableUI": False})
        added = self.cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {**AUTHENTICATOR, **options}})
        self.id: str = added["authenticatorId"]

    def credentials(self) -> list[dict[str, Any]]:
        return self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.id})["credentials"]

    def set_user_verified(self, verified: bool) -> None:
        self.cdp.send("WebAuthn.setUserVerified", {"authenticatorId": self.id, "isUserVerified": verified})


def open_passkeys(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Passkeys").click()
    expect(heading(page, "Passkeys")).to_be_visible()


def add_passkey(page: Page, stack: Stack) -> dict[str, Any]:
    """Adds a passkey from the passkeys page; the person's passkeys as `GET /passkeys` listed them after."""
    with page.expect_response(lambda r: r.url == f"{stack.api_url}/passkeys" and r.request.method == "GET") as listed:
        page.get_by_role("button", name="Add a passkey").click()
        expect(page.get_by_role("status").filter(has_text="Passkey added")).to_be_visible()
    return listed.value.json()


def alert(page: Page, words: str) -> Any:
    return page.get_by_role("alert").filter(has_text=words)


def long_date(iso: str) -> str:
    """`createdAt` as the page shows it in Chromium's default locale (en-US, dateStyle long)."""
    when = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
    return f"{when.strftime('%B')} {when.day}, {when.year}"


def sign_out_from_passkeys(page: Page) -> None:
    """Signs out from the account page (the passkeys page has no button of its own)."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account").click()
    sign_out(page)


def sign_in_with_passkey(page: Page, email: str) -> None:
    expect(heading(page, "Sign in")).to_be_visible()
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_role("button", name="Sign in with a passkey").click()


def test_a_passkey_registered_in_the_app_signs_in_without_a_password_until_deleted(
    stack: Stack, page: Page, console_errors: ConsoleErrors
) -> None:
    email = create_user(stack, "passkey")
    authenticator = Authenticator(page)
    sign_in_to_account(page, stack, email, PASSWORD)
    open_passkeys(page)
    expect(page.get_by_text("You have no passkeys yet.")).to_be_visible()
    # WHEN the person adds a passkey
    listing = add_passkey(page, stack)
    # THEN the device holds it, and the page lists it with its name and the day it was added
    assert len(authenticator.credentials()) == 1
    [passkey] = listing["passkeys"]
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=passkey["name"]))
    expect(row).to_contain_text(long_date(passkey["createdAt"]))
    expect(row).to_contain_text("this device")
    # WHEN they sign out, then sign in with the passkey: their email, and no password
    sign_out_from_passkeys(page)
    with page.expect_request(f"{stack.api_url}/auth/challenge") as answered:
        sign_in_with_passkey(page, email)
    # THEN they are signed in, having answered the WEB_AUTHN challenge with the assertion only
    expect_account(page, email)
    body = answered.value.post_data_json
    assert body["name"] == "WEB_AUTHN" and set(body["responses"]) == {"CREDENTIAL"}, body
    assert PASSWORD not in (answered.value.post_data or "")
    # WHEN they delete the passkey
    open_passkeys(page)
    page.get_by_role("button", name=f"Delete passkey {passkey['name']}").click()
    # THEN the page says so and lists none
    expect(page.get_by_role("status").filter(has_text=f"Passkey “{passkey['name']}” deleted")).to_be_visible()
    expect(page.get_by_text("You have no passkeys yet.")).to_be_visible()
    # AND a sign-in with it (the device still holds it) is refused, in words
    sign_out_from_passkeys(page)
    console_errors.allow(r"status of 401")
    sign_in_with_passkey(page, email)
    expect(alert(page, "This passkey was not accepted")).to_be_visible()
    expect(heading(page, "Sign in")).to_be_visible()
    assert len(authenticator.credentials()) == 1


def test_registering_the_same_authenticator_twice_says_it_already_holds_one(stack: Stack, page: Page) -> None:
    email = create_user(stack, "passkey-twice")
    authenticator = Authenticator(page)
    sign_in_to_account(page, stack, email, PASSWORD)
    open_passkeys(page)
    add_passkey(page, stack)
    # WHEN the person adds a passkey again with the same device (listed in excludeCredentials)
    page.get_by_role("button", name="Add a passkey").click()
    # THEN the browser refuses (InvalidStateError) and the page says why; nothing was added
    expect(alert(page, "This device already holds a passkey for this account.")).to_be_visible()
    expect(page.get_by_role("row")).to_have_count(2)  # the header and the one passkey
    assert len(authenticator.credentials()) == 1


def test_a_device_that_cannot_verify_the_person_adds_no_passkey_and_says_so(stack: Stack, page: Page) -> None:
    email = create_user(stack, "passkey-no-uv")
    authenticator = Authenticator(page)
    sign_in_to_account(page, stack, email, PASSWORD)
    open_passkeys(page)
    # WHEN the device fails to verify the person (no fingerprint or PIN) while the pool requires it
    authenticator.set_user_verified(False)
    page.get_by_role("button", name="Add a passkey").click()
    # THEN the browser refuses the ceremony (NotAllowedError), and the page says so in words
    expect(alert(page, "the device could not verify that it is you")).to_be_visible()
    expect(page.get_by_text("You have no passkeys yet.")).to_be_visible()
    assert authenticator.credentials() == []


def test_the_stack_refuses_a_passkey_made_without_user_verification(
    stack: Stack, page: Page, console_errors: ConsoleErrors
) -> None:
    email = create_user(stack, "passkey-uv-skipped")
    # A security key with no PIN or fingerprint: it proves presence, not who is there
    authenticator = Authenticator(page, transport="usb", hasUserVerification=False, isUserVerified=False)
    sign_in_to_account(page, stack, email, PASSWORD)
    open_passkeys(page)

    # GIVEN a client that does not ask the device to verify the person: the API's options reach
    # the page with user verification (and so a discoverable key, which a security key without a
    # PIN cannot make) discouraged, as any client may send them, so the browser makes a
    # credential without the UV flag
    def discouraged(route: Route) -> None:
        answer = route.fetch()
        body = answer.json()
        body["credentialCreationOptions"]["authenticatorSelection"] = {
            "userVerification": "discouraged",
            "residentKey": "discouraged",
            "requireResidentKey": False,
        }
        route.fulfill(status=answer.status, json=body, headers=cors_headers(stack))

    route_api(page, stack, "/passkeys/registration", discouraged)
    console_errors.allow(r"status of 400")
    # WHEN the person adds it
    page.get_by_role("button", name="Add a passkey").click()
    # THEN the stack refuses it (the pool requires user verification) and the page says so (which
    # of Cognito's exceptions that is, AWS does not document: only the refusal is checked)
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_text("You have no passkeys yet.")).to_be_visible()
    assert len(authenticator.credentials()) == 1  # made by the device, never registered


def test_a_ceremony_on_another_origin_is_refused_by_the_browser(stack: Stack, page: Page, foreign_server: int) -> None:
    # GIVEN real options from the API: a registration for a signed-in person, and a sign-in
    email = create_user(stack, "passkey-elsewhere")
    access = tokens(stack, email, PASSWORD)["accessToken"]
    status, registration = call(stack, "POST", "/passkeys/registration", None, access)
    assert status == 200, registration
    status, sign_in = call(
        stack, "POST", "/auth/sign-in", {"username": email, "flow": "USER_AUTH", "preferredChallenge": "WEB_AUTHN"}
    )
    assert status == 200 and sign_in and sign_in["challenge"]["name"] == "WEB_AUTHN", sign_in
    # WHEN a page on another origin (an IP address, which no relying party may be) uses them
    Authenticator(page)
    page.goto(f"http://127.0.0.1:{foreign_server}/")
    refused = page.evaluate(
        """async ([creation, request]) => {
            const name = (p) => p.then(() => "made", (e) => e.name);
            const PKC = PublicKeyCredential;
            return [
              await name(navigator.credentials.create({ publicKey: PKC.parseCreationOptionsFromJSON(creation) })),
              await name(navigator.credentials.get({ publicKey: PKC.parseRequestOptionsFromJSON(request) })),
            ];
        }""",
        [registration["credentialCreationOptions"], sign_in["challenge"]["credentialRequestOptions"]],
    )
    # THEN the browser refuses both: relying party `localhost` is not this origin's
    assert refused == ["SecurityError", "SecurityError"]


def test_a_passkey_made_for_another_relying_party_is_refused_by_the_stack(
    stack: Stack, page: Page, foreign_server: int
) -> None:
    email = create_user(stack, "passkey-other-rp")
    access = tokens(stack, email, PASSWORD)["accessToken"]
    status, registration = call(stack, "POST", "/passkeys/registration", None, access)
    assert status == 200, registration
    # GIVEN a page of another site (`elsewhere.localhost`, a secure context for the browser) that
    # answers the stack's challenge with a credential made for its own relying party
    Authenticator(page)
    page.goto(f"http://elsewhere.localhost:{foreign_server}/")
    options = registration["credentialCreationOptions"]
    options["rp"] = {"id": "elsewhere.localhost", "name": "Elsewhere"}
    credential = page.evaluate(
        """async (options) => {
            const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options);
            const made = await navigator.credentials.create({ publicKey });
            return made.toJSON();
        }""",
        options,
    )
    # WHEN it is sent to the API as the person's new passkey
    status, body = call(stack, "POST", "/passkeys", {"credential": credential}, access)
    # THEN the stack refuses it, saying the relying party is not its own, and none is registered
    assert status == 400 and body, (status, body)
    assert body["error"]["code"] == "InvalidParameter" and body["error"].get("field") == "credential", body
    assert re.search(r"relying party", body["error"]["message"], re.I), body
    status, listing = call(stack, "GET", "/passkeys", None, access)
    assert status == 200 and listing == {"passkeys": []}, listing


def test_a_passkey_chosen_among_the_ways_offered_signs_in_and_a_failed_verification_can_be_retried(
    stack: Stack, page: Page
) -> None:
    email = create_user(stack, "passkey-choose")
    authenticator = Authenticator(page)
    sign_in_to_account(page, stack, email, PASSWORD)
    open_passkeys(page)
    add_passkey(page, stack)
    sign_out_from_passkeys(page)
    # WHEN the person asks for the ways to sign in (SELECT_CHALLENGE) and chooses a passkey,
    # while the device fails to verify them
    authenticator.set_user_verified(False)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_role("button", name="Other ways to sign in").click()
    expect(heading(page, "Choose how to sign in")).to_be_visible()
    page.get_by_role("button", name="Sign in with a passkey").click()
    # THEN the browser asks for the passkey at once, refuses it unverified, and the page says so
    expect(heading(page, "Use your passkey")).to_be_visible()
    expect(alert(page, "the device could not verify that it is you")).to_be_visible()
    # WHEN the device verifies them on the second try (the same WEB_AUTHN challenge)
    authenticator.set_user_verified(True)
    page.get_by_role("button", name="Use my passkey").click()
    # THEN they are signed in
    expect_account(page, email)


def test_adding_a_passkey_after_an_old_sign_in_offers_to_sign_in_again(
    stack: Stack, page: Page, console_errors: ConsoleErrors
) -> None:
    # GIVEN a person whose sign-in the API finds too old to add a passkey with (the start is
    # answered in the browser as the API answers after its 15 minutes)
    email = create_user(stack, "passkey-old-sign-in")
    authenticator = Authenticator(page)
    sign_in_to_account(page, stack, email, PASSWORD)
    open_passkeys(page)
    console_errors.allow(r"status of 401")

    def too_old(route: Route) -> None:
        body = {
            "error": {
                "code": "InsufficientUserAuthentication",
                "message": "This needs a sign-in within the last 15 minutes: sign in again.",
            }
        }
        challenge = 'Bearer error="insufficient_user_authentication", max_age="900"'
        route.fulfill(status=401, json=body, headers={**cors_headers(stack), "www-authenticate": challenge})

    route_api(page, stack, "/passkeys/registration", too_old)
    # WHEN they add a passkey
    page.get_by_role("button", name="Add a passkey").click()
    # THEN the page says a recent sign-in is needed and offers one; the device made nothing
    problem = alert(page, "sign-in within the last 15 minutes")
    expect(problem).to_contain_text("adding a passkey needs a recent sign-in")
    expect(problem).to_be_focused()
    assert authenticator.credentials() == []
    # WHEN they take it: they are signed out, at the sign-in page with their email filled in
    problem.get_by_role("button", name="Sign in again").click()
    expect(heading(page, "Sign in")).to_be_visible()
    expect(page.get_by_label("Email", exact=True)).to_have_value(email)
    expect(page.get_by_role("status").filter(has_text="adding one needs a recent sign-in")).to_be_visible()


def set_passkey_mfa(page: Page, stack: Stack, on: bool) -> Any:
    """Clicks the passkeys page's button that turns passkey MFA on (`on`) or off: the API's answer."""
    label = f"Turn {'on' if on else 'off'} passkey two-step verification"
    url = f"{stack.api_url}/mfa/preference"
    with page.expect_request(lambda r: r.url == url and r.method == "PUT") as sent:
        page.get_by_role("button", name=label).click()
    # (Chromium shows no body for it: `session.api` keeps a clone of each request, to replay it
    # after a refresh. What the call changed is what the tests check.)
    answer = sent.value.response()
    assert answer is not None
    return answer


def test_passkey_two_step_verification_is_refused_in_words_until_another_method_is_on(
    stack: Stack, page: Page, console_errors: ConsoleErrors
) -> None:
    email = create_user(stack, "passkey-mfa-alone")
    sign_in_to_account(page, stack, email, PASSWORD)
    open_passkeys(page)
    section = page.get_by_role("region", name="Passkey as two-step verification")
    expect(section).to_contain_text("cannot show it")
    console_errors.allow(r"status of 400")
    # WHEN a person with no two-step method on turns passkey two-step verification on
    answer = set_passkey_mfa(page, stack, True)
    # THEN the API refuses it on `passkey`, and the page says what to do first, with the way there
    assert answer.status == 400 and answer.json()["error"]["field"] == "passkey", answer.json()
    problem = section.get_by_role("alert")
    expect(problem).to_contain_text(
        "Turn on another two-step method (an authenticator app or email codes) first, "
        "so losing your passkey does not lock you out."
    )
    expect(problem).to_be_focused()
    expect(section.get_by_role("status")).to_be_empty()
    problem.get_by_role("link", name="Set up two-step verification on your account page").click()
    expect(heading(page, "Your account")).to_be_visible()


def test_with_passkey_two_step_verification_on_a_passkey_signs_in_with_no_code_and_off_it_is_refused(
    stack: Stack, page: Page, console_errors: ConsoleErrors
) -> None:
    # GIVEN a person with an authenticator app on, and a passkey
    email = create_user(stack, "passkey-mfa")
    Authenticator(page)
    sign_in_to_account(page, stack, email, PASSWORD)
    enrol_authenticator(page)
    open_passkeys(page)
    add_passkey(page, stack)
    # WHEN they turn passkey two-step verification on
    answer = set_passkey_mfa(page, stack, True)
    # THEN the page says it was done (the API's answer lists the other factors only)
    assert answer.status == 200 and answer.json()["enabled"] == ["SOFTWARE_TOKEN_MFA"], answer.json()
    expect(page.get_by_role("status").filter(has_text="Turned on")).to_be_visible()
    # WHEN they sign out and sign in with the passkey
    sign_out_from_passkeys(page)
    with page.expect_request(f"{stack.api_url}/auth/challenge") as answered:
        sign_in_with_passkey(page, email)
    # THEN the passkey's answer signs them in: no code is asked
    expect_account(page, email)
    assert answered.value.post_data_json["name"] == "WEB_AUTHN"
    signed_in = answered.value.response()
    assert signed_in is not None and "tokens" in signed_in.json() and "challenge" not in signed_in.json()
    # WHEN they turn it off again
    open_passkeys(page)
    set_passkey_mfa(page, stack, False)
    expect(page.get_by_role("status").filter(has_text="Turned off")).to_be_visible()
    # THEN a passkey sign-in is refused (their authenticator app is still on), in words that
    # name the setting
    sign_out_from_passkeys(page)
    console_errors.allow(r"status of 401")
    sign_in_with_passkey(page, email)
    expect(alert(page, "This passkey was not accepted")).to_contain_text("Passkey as two-step verification")
