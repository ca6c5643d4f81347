"""Passkeys (WebAuthn): the pool's WebAuthnConfiguration, registering, listing and deleting a
person's passkeys with their access token, and signing in with one (USER_AUTH, WEB_AUTHN), each
check of the relying party failed on purpose with a software authenticator (authenticator.py)."""

import base64
import json

import boto3
import pytest
from authenticator import EDDSA, RS256, Authenticator, unb64url
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.asymmetric import ec

from conftest import EMAIL, PASSWORD, SES, Pool, enrol_totp, error_of, raw
from strict_cognito import iam, passkey_mfa, passkeys, secret_hash

FACTORS = {"Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]}}}
FLOWS = {
    "ExplicitAuthFlows": [
        "ALLOW_USER_AUTH",
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    ]
}
# The relying party as `make dev` seeds it for the web app on http://localhost:5173.
RELYING_PARTY = {"RelyingPartyId": "localhost", "UserVerification": "required"}
# The seeded client answers unknown names as known ones (PreventUserExistenceErrors ENABLED);
# tests of what a person without that privacy is offered use this instead.
NO_EXISTENCE_PRIVACY = {"PreventUserExistenceErrors": "LEGACY"}
PASSKEY_CALLS = (
    "StartWebAuthnRegistration",
    "CompleteWebAuthnRegistration",
    "ListWebAuthnCredentials",
    "DeleteWebAuthnCredential",
)


def make_pool(endpoint, factors=FACTORS, relying_party=RELYING_PARTY, client=None):
    idp = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=endpoint)
    made = Pool(idp, factors, {**FLOWS, **(client or {})})
    made.endpoint = endpoint
    if relying_party is not None:
        made.idp.set_user_pool_mfa_config(UserPoolId=made.pool_id, WebAuthnConfiguration=relying_party)
    return made


@pytest.fixture
def passkey_pool(endpoint):
    return make_pool(endpoint)


@pytest.fixture
def open_pool(endpoint):
    """A passkey pool whose client tells unknown names apart (no PreventUserExistenceErrors)."""
    return make_pool(endpoint, client=NO_EXISTENCE_PRIVACY)


@pytest.fixture
def raw_call(endpoint):
    return lambda action, body: raw(endpoint, action, body)


def access_token(pool, name=EMAIL, password=PASSWORD):
    return pool.password_auth(name, password)["AuthenticationResult"]["AccessToken"]


def register(pool, token, authenticator=None):
    """Registers `authenticator` (a new ES256 one by default) for the token's person."""
    authenticator = authenticator or Authenticator()
    options = pool.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    pool.idp.complete_web_authn_registration(AccessToken=token, Credential=authenticator.register(options))
    return authenticator


def start(pool, name=EMAIL, **params):
    return pool.idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": name, "SECRET_HASH": pool.hash(name), **params},
    )


def answer(pool, challenge, credential, username=None, name="WEB_AUTHN"):
    username = username or challenge["ChallengeParameters"]["USERNAME"]
    return pool.idp.respond_to_auth_challenge(
        ClientId=pool.client_id,
        ChallengeName=name,
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": username, "SECRET_HASH": pool.hash(username), "CREDENTIAL": credential},
    )


def passkey_challenge(pool, name=EMAIL):
    challenge = start(pool, name, PREFERRED_CHALLENGE="WEB_AUTHN")
    assert challenge["ChallengeName"] == "WEB_AUTHN"
    return challenge


def options_of(challenge) -> str:
    """The CREDENTIAL_REQUEST_OPTIONS of a WEB_AUTHN challenge (a JSON string)."""
    return challenge["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]


def refused(excinfo):
    return error_of(excinfo)[0]


def complete_error(pool, token, credential):
    with pytest.raises(ClientError) as err:
        pool.idp.complete_web_authn_registration(AccessToken=token, Credential=credential)
    return refused(err)


# --- the pool's relying party ---------------------------------------------------------------------


def test_the_pools_web_authn_configuration_is_set_and_read_back(passkey_pool):
    config = passkey_pool.idp.get_user_pool_mfa_config(UserPoolId=passkey_pool.pool_id)
    assert config["WebAuthnConfiguration"] == {"RelyingPartyId": "localhost", "UserVerification": "required"}
    # Only a WebAuthnConfiguration: the MFA settings stay as they were.
    assert config["MfaConfiguration"] == "OFF"
    answered = passkey_pool.idp.set_user_pool_mfa_config(
        UserPoolId=passkey_pool.pool_id,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
        WebAuthnConfiguration={"RelyingPartyId": "example.com", "FactorConfiguration": "SINGLE_FACTOR"},
    )
    assert answered["MfaConfiguration"] == "OPTIONAL"
    assert answered["WebAuthnConfiguration"]["RelyingPartyId"] == "example.com"
    assert answered["WebAuthnConfiguration"]["FactorConfiguration"] == "SINGLE_FACTOR"


@pytest.mark.parametrize(
    "config",
    [
        {"RelyingPartyId": "x" * 128},
        {"RelyingPartyId": ""},
        {"RelyingPartyId": "localhost", "UserVerification": "discouraged"},
        {"RelyingPartyId": "localhost", "FactorConfiguration": "MFA"},
    ],
)
def test_a_web_authn_configuration_outside_the_model_is_invalid_parameter(passkey_pool, raw_call, config):
    status, body = raw_call(
        "SetUserPoolMfaConfig", {"UserPoolId": passkey_pool.pool_id, "WebAuthnConfiguration": config}
    )
    assert (status, body["__type"]) == (400, "InvalidParameterException")
    # Nothing changed.
    config = passkey_pool.idp.get_user_pool_mfa_config(UserPoolId=passkey_pool.pool_id)
    assert config["WebAuthnConfiguration"] == RELYING_PARTY


def test_without_a_relying_party_id_or_a_domain_registration_is_configuration_missing(endpoint):
    pool = make_pool(endpoint, relying_party=None)
    with pytest.raises(ClientError) as err:
        pool.idp.start_web_authn_registration(AccessToken=access_token(pool))
    assert refused(err) == "WebAuthnConfigurationMissingException"


def test_without_a_relying_party_id_the_pools_domain_is_the_relying_party(endpoint):
    pool = make_pool(endpoint, relying_party=None)
    pool.idp.create_user_pool_domain(UserPoolId=pool.pool_id, Domain="local-passkeys")
    options = pool.idp.start_web_authn_registration(AccessToken=access_token(pool))["CredentialCreationOptions"]
    assert options["rp"]["id"] == "local-passkeys.auth.us-east-1.amazoncognito.com"


def test_passkeys_the_pool_does_not_allow_as_a_first_factor_are_not_enabled(endpoint):
    pool = make_pool(endpoint, factors={"Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]}}})
    token = access_token(pool)
    with pytest.raises(ClientError) as err:
        pool.idp.start_web_authn_registration(AccessToken=token)
    assert refused(err) == "WebAuthnNotEnabledException"
    assert complete_error(pool, token, {"id": "x"}) == "WebAuthnNotEnabledException"
    # Listing and deleting have no such error (botocore's model): they answer as ever.
    assert pool.idp.list_web_authn_credentials(AccessToken=token)["Credentials"] == []
    with pytest.raises(ClientError) as err:
        pool.idp.delete_web_authn_credential(AccessToken=token, CredentialId="bm90LWEtcGFzc2tleQ")
    assert refused(err) == "ResourceNotFoundException"


def test_the_passkey_calls_are_token_authorized_and_iam_is_not_asked():
    # botocore's model: authtype none ("Authorize this action with a signed-in user's access token").
    assert not set(PASSKEY_CALLS) & iam.iam_authorized("cognito-idp")
    assert set(PASSKEY_CALLS) <= iam.operations("cognito-idp")


# --- registration ---------------------------------------------------------------------------------


def test_creation_options_are_webauthn_options_for_the_relying_party_and_the_person(passkey_pool):
    token = access_token(passkey_pool)
    options = passkey_pool.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    # W3C PublicKeyCredentialCreationOptionsJSON: the required members, typed.
    assert options["rp"]["id"] == "localhost" and isinstance(options["rp"]["name"], str)
    sub = passkey_pool.idp.admin_get_user(UserPoolId=passkey_pool.pool_id, Username=EMAIL)["UserAttributes"]
    assert unb64url(options["user"]["id"]).decode() == next(a["Value"] for a in sub if a["Name"] == "sub")
    assert isinstance(options["user"]["name"], str) and isinstance(options["user"]["displayName"], str)
    assert len(unb64url(options["challenge"])) >= 16
    # ES256 and RS256, as the API reference's example; negative numbers survive the JSON document.
    assert {-7, -257} <= {p["alg"] for p in options["pubKeyCredParams"]}
    assert all(p["type"] == "public-key" for p in options["pubKeyCredParams"])
    assert options["excludeCredentials"] == []
    assert options["authenticatorSelection"]["userVerification"] == "required"  # the pool's
    # A fresh challenge each time.
    again = passkey_pool.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    assert again["challenge"] != options["challenge"]


def test_exclude_credentials_lists_the_persons_registered_passkeys(passkey_pool):
    token = access_token(passkey_pool)
    first, second = register(passkey_pool, token), register(passkey_pool, token)
    options = passkey_pool.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    assert [c["id"] for c in options["excludeCredentials"]] == [first.id, second.id]
    assert all(c["type"] == "public-key" for c in options["excludeCredentials"])


def test_a_revoked_or_unknown_access_token_cannot_use_the_passkey_calls(passkey_pool):
    token = access_token(passkey_pool)
    passkey_pool.idp.global_sign_out(AccessToken=token)
    calls = {
        "start": lambda t: passkey_pool.idp.start_web_authn_registration(AccessToken=t),
        "complete": lambda t: passkey_pool.idp.complete_web_authn_registration(AccessToken=t, Credential={}),
        "list": lambda t: passkey_pool.idp.list_web_authn_credentials(AccessToken=t),
        "delete": lambda t: passkey_pool.idp.delete_web_authn_credential(AccessToken=t, CredentialId="x"),
    }
    for call in calls.values():
        for bad, message in ((token, "Access Token has been revoked"), ("not.a.token", "Invalid Access Token")):
            with pytest.raises(ClientError) as err:
                call(bad)
            assert error_of(err) == ("NotAuthorizedException", message)


def test_completing_without_a_started_registration_is_challenge_not_found(passkey_pool):
    token = access_token(passkey_pool)
    options = passkey_pool.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    other = make_pool(passkey_pool.endpoint)
    # Never started for this person (the options are another pool's person's).
    assert complete_error(other, access_token(other), Authenticator().register(options)) == (
        "WebAuthnChallengeNotFoundException"
    )


def test_a_registration_challenge_expires(passkey_pool, clock):
    token = access_token(passkey_pool)
    options = passkey_pool.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    clock.advance(passkeys.REGISTRATION_SECONDS + 1)
    assert complete_error(passkey_pool, token, Authenticator().register(options)) == (
        "WebAuthnChallengeNotFoundException"
    )


def test_a_registration_challenge_is_used_once(passkey_pool):
    token = access_token(passkey_pool)
    options = passkey_pool.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    passkey_pool.idp.complete_web_authn_registration(AccessToken=token, Credential=Authenticator().register(options))
    assert complete_error(passkey_pool, token, Authenticator().register(options)) == (
        "WebAuthnChallengeNotFoundException"
    )


def test_a_new_start_replaces_the_live_registration_challenge(passkey_pool):
    token = access_token(passkey_pool)
    old = passkey_pool.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    new = passkey_pool.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    assert old["challenge"] != new["challenge"]
    assert complete_error(passkey_pool, token, Authenticator().register(old)) == "WebAuthnChallengeNotFoundException"


def test_completing_with_another_app_clients_token_is_client_mismatch(passkey_pool):
    started = access_token(passkey_pool)
    other = passkey_pool.idp.create_user_pool_client(
        UserPoolId=passkey_pool.pool_id, ClientName="other", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    other_token = passkey_pool.idp.initiate_auth(
        ClientId=other, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": EMAIL, "PASSWORD": PASSWORD}
    )["AuthenticationResult"]["AccessToken"]
    options = passkey_pool.idp.start_web_authn_registration(AccessToken=started)["CredentialCreationOptions"]
    assert complete_error(passkey_pool, other_token, Authenticator().register(options)) == (
        "WebAuthnClientMismatchException"
    )


def test_a_credential_for_another_relying_party_is_relying_party_mismatch(passkey_pool):
    token = access_token(passkey_pool)
    options = passkey_pool.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    credential = Authenticator(rp_id="example.com").register(options)
    assert complete_error(passkey_pool, token, credential) == "WebAuthnRelyingPartyMismatchException"


@pytest.mark.parametrize(
    "origin", ["https://example.com", "http://localhost.example.com:5173", "http://127.0.0.1:5173", "localhost"]
)
def test_an_origin_outside_the_relying_party_is_not_allowed(passkey_pool, origin):
    token = access_token(passkey_pool)
    options = passkey_pool.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    credential = Authenticator(origin=origin).register(options)
    assert complete_error(passkey_pool, token, credential) == "WebAuthnOriginNotAllowedException"


def test_allowed_origins_are_the_relying_party_and_its_subdomains_over_https_or_localhost_over_http():
    assert passkeys.origin_allowed("http://localhost:5173", "localhost")
    assert passkeys.origin_allowed("https://localhost", "localhost")
    assert passkeys.origin_allowed("http://app.localhost:3000", "localhost")
    assert passkeys.origin_allowed("https://app.example.com", "example.com")
    assert passkeys.origin_allowed("https://example.com:8443", "example.com")
    assert not passkeys.origin_allowed("http://example.com", "example.com")
    assert not passkeys.origin_allowed("https://badexample.com", "example.com")
    assert not passkeys.origin_allowed("https://example.com", "app.example.com")
    assert not passkeys.origin_allowed("https://example.com:notaport", "example.com")


@pytest.mark.parametrize("authenticator", [Authenticator(alg=EDDSA), Authenticator(fmt="made-up-format")])
def test_an_unsupported_algorithm_or_attestation_format_is_credential_not_supported(passkey_pool, authenticator):
    token = access_token(passkey_pool)
    options = passkey_pool.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    assert complete_error(passkey_pool, token, authenticator.register(options)) == (
        "WebAuthnCredentialNotSupportedException"
    )


def test_a_pool_that_requires_user_verification_refuses_a_passkey_without_it(passkey_pool, endpoint):
    token = access_token(passkey_pool)
    options = passkey_pool.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    credential = Authenticator(uv=False).register(options)
    assert complete_error(passkey_pool, token, credential) == "WebAuthnCredentialNotSupportedException"
    # Where it is only preferred, the same authenticator registers.
    preferred = make_pool(endpoint, relying_party={"RelyingPartyId": "localhost", "UserVerification": "preferred"})
    register(preferred, access_token(preferred), Authenticator(uv=False))


@pytest.mark.parametrize(
    "strip",
    [
        "id",
        "rawId",
        "type",
        "response",
        "response.clientDataJSON",
        "response.attestationObject",
        "response.authenticatorData",
        "response.transports",
        "response.publicKeyAlgorithm",
        "response.publicKey",
    ],
)
def test_a_credential_missing_a_member_is_invalid_parameter(passkey_pool, strip):
    token = access_token(passkey_pool)
    options = passkey_pool.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    credential = Authenticator().register(options)
    *parents, member = strip.split(".")
    holder = credential[parents[0]] if parents else credential
    del holder[member]
    with pytest.raises(ClientError) as err:
        passkey_pool.idp.complete_web_authn_registration(AccessToken=token, Credential=credential)
    assert error_of(err) == ("InvalidParameterException", "Credential data is not valid.")


def test_the_same_credential_registered_twice_is_refused(passkey_pool):
    token = access_token(passkey_pool)
    authenticator = register(passkey_pool, token)
    options = passkey_pool.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    # Refused (WebAuthn §7.1 step 26; Cognito documents no error for it), and not stored twice.
    with pytest.raises(ClientError):
        passkey_pool.idp.complete_web_authn_registration(AccessToken=token, Credential=authenticator.register(options))
    assert len(passkey_pool.idp.list_web_authn_credentials(AccessToken=token)["Credentials"]) == 1


# --- listing and deleting -------------------------------------------------------------------------


def test_a_registered_passkey_is_listed_as_cognito_describes_it(passkey_pool, clock):
    token = access_token(passkey_pool)
    authenticator = register(passkey_pool, token)
    (listed,) = passkey_pool.idp.list_web_authn_credentials(AccessToken=token)["Credentials"]
    assert listed["CredentialId"] == authenticator.id
    assert isinstance(listed["FriendlyCredentialName"], str) and listed["FriendlyCredentialName"]
    assert listed["RelyingPartyId"] == "localhost"
    assert listed["AuthenticatorTransports"] == ["internal", "hybrid"]
    assert listed["AuthenticatorAttachment"] == "platform"
    assert listed["CreatedAt"].timestamp() == int(clock.time())


def test_listing_pages_by_max_results_and_next_token(passkey_pool):
    token = access_token(passkey_pool)
    ids = [register(passkey_pool, token).id for _ in range(3)]
    first = passkey_pool.idp.list_web_authn_credentials(AccessToken=token, MaxResults=2)
    assert [c["CredentialId"] for c in first["Credentials"]] == ids[:2]
    rest = passkey_pool.idp.list_web_authn_credentials(AccessToken=token, MaxResults=2, NextToken=first["NextToken"])
    assert [c["CredentialId"] for c in rest["Credentials"]] == ids[2:]
    assert "NextToken" not in rest


@pytest.mark.parametrize("size, bound", [(-1, "greater than or equal to 0"), (21, "less than or equal to 20")])
def test_max_results_outside_0_to_20_is_invalid_parameter(passkey_pool, raw_call, size, bound):
    status, body = raw_call("ListWebAuthnCredentials", {"AccessToken": access_token(passkey_pool), "MaxResults": size})
    assert (status, body["__type"]) == (400, "InvalidParameterException")
    assert body["message"].endswith(f"Member must have value {bound}")


def test_max_results_0_is_an_empty_page_and_an_unknown_next_token_is_invalid_parameter(passkey_pool):
    token = access_token(passkey_pool)
    register(passkey_pool, token)
    assert passkey_pool.idp.list_web_authn_credentials(AccessToken=token, MaxResults=0)["Credentials"] == []
    with pytest.raises(ClientError) as err:
        passkey_pool.idp.list_web_authn_credentials(AccessToken=token, NextToken="bm90LWEtdG9rZW4")
    assert refused(err) == "InvalidParameterException"


def test_deleting_a_credential_the_person_does_not_have_is_resource_not_found(passkey_pool):
    token = access_token(passkey_pool)
    register(passkey_pool, token)
    with pytest.raises(ClientError) as err:
        passkey_pool.idp.delete_web_authn_credential(AccessToken=token, CredentialId="bm90LWEtcGFzc2tleQ")
    assert refused(err) == "ResourceNotFoundException"
    # Nor another person's.
    passkey_pool.create_user("other@example.com", PASSWORD)
    other = register(passkey_pool, access_token(passkey_pool, "other@example.com"))
    with pytest.raises(ClientError) as err:
        passkey_pool.idp.delete_web_authn_credential(AccessToken=token, CredentialId=other.id)
    assert refused(err) == "ResourceNotFoundException"


# --- signing in -----------------------------------------------------------------------------------


def test_a_passkey_signs_in_without_a_password_until_it_is_deleted(open_pool):
    token = access_token(open_pool)
    authenticator = register(open_pool, token)
    listed = open_pool.idp.list_web_authn_credentials(AccessToken=token)["Credentials"]
    assert [c["CredentialId"] for c in listed] == [authenticator.id]
    # Signing in with the passkey: no password.
    challenge = passkey_challenge(open_pool)
    done = answer(open_pool, challenge, authenticator.sign_in(options_of(challenge)))
    signed_in = done["AuthenticationResult"]["AccessToken"]
    assert open_pool.idp.get_user(AccessToken=signed_in)["Username"] == open_pool.internal(EMAIL)
    # A sign-in that asked for the passkey before it was deleted, answered after.
    pending = passkey_challenge(open_pool)
    open_pool.idp.delete_web_authn_credential(AccessToken=signed_in, CredentialId=authenticator.id)
    assert open_pool.idp.list_web_authn_credentials(AccessToken=token)["Credentials"] == []
    with pytest.raises(ClientError) as err:
        answer(open_pool, pending, authenticator.sign_in(options_of(pending)))
    assert refused(err) == "NotAuthorizedException"
    # Without a passkey, WEB_AUTHN is not offered: a preference for it gets the choice without it.
    choice = start(open_pool, PREFERRED_CHALLENGE="WEB_AUTHN")
    assert choice["ChallengeName"] == "SELECT_CHALLENGE"
    assert "WEB_AUTHN" not in choice["AvailableChallenges"]


def test_request_options_are_a_json_string_naming_the_persons_passkeys(open_pool):
    token = access_token(open_pool)
    first, second = register(open_pool, token), register(open_pool, token)
    challenge = passkey_challenge(open_pool)
    parameters = challenge["ChallengeParameters"]
    assert parameters["USERNAME"] == open_pool.internal(EMAIL)
    options = json.loads(parameters["CREDENTIAL_REQUEST_OPTIONS"])
    assert options["rpId"] == "localhost"
    assert [c["id"] for c in options["allowCredentials"]] == [first.id, second.id]
    assert options["userVerification"] == "required"
    assert len(base64.urlsafe_b64decode(options["challenge"] + "==")) >= 16


def test_the_choice_offers_web_authn_to_a_person_with_a_passkey_and_choosing_it_asks_for_one(open_pool):
    passkey_pool = open_pool
    without = start(passkey_pool)
    assert without["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]
    authenticator = register(passkey_pool, access_token(passkey_pool))
    choice = start(passkey_pool)
    assert choice["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "WEB_AUTHN"]
    internal = choice["ChallengeParameters"]["USERNAME"]
    asked = passkey_pool.idp.respond_to_auth_challenge(
        ClientId=passkey_pool.client_id,
        ChallengeName="SELECT_CHALLENGE",
        Session=choice["Session"],
        ChallengeResponses={"USERNAME": internal, "SECRET_HASH": passkey_pool.hash(internal), "ANSWER": "WEB_AUTHN"},
    )
    assert asked["ChallengeName"] == "WEB_AUTHN"
    options = asked["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]
    assert answer(passkey_pool, asked, authenticator.sign_in(options))["AuthenticationResult"]["IdToken"]


def test_with_existence_privacy_every_name_is_asked_for_a_passkey_alike_and_only_a_holder_signs_in(passkey_pool):
    passkey_pool.create_user("other@example.com", PASSWORD)
    authenticator = register(passkey_pool, access_token(passkey_pool))
    asked = {
        name: passkey_challenge(passkey_pool, name)
        for name in ("nobody@example.com", "other@example.com", EMAIL)  # unknown, no passkey, a passkey
    }
    shapes = {name: json.loads(options_of(c)) for name, c in asked.items()}
    # Nothing tells them apart: the same members, no credentials listed for anyone.
    assert all(o["allowCredentials"] == [] for o in shapes.values())
    assert len({tuple(sorted(o)) for o in shapes.values()}) == 1
    assert (
        start(passkey_pool, "nobody@example.com")["AvailableChallenges"] == start(passkey_pool)["AvailableChallenges"]
    )
    # The browser offers its discoverable passkey; only the holder's answer signs in.
    for name in ("nobody@example.com", "other@example.com"):
        with pytest.raises(ClientError) as err:
            answer(passkey_pool, asked[name], authenticator.sign_in(options_of(asked[name])))
        assert refused(err) == "NotAuthorizedException"
    mine = asked[EMAIL]
    assert answer(passkey_pool, mine, authenticator.sign_in(options_of(mine)))["AuthenticationResult"]


def test_admin_initiate_auth_signs_in_with_a_passkey_too(passkey_pool):
    authenticator = register(passkey_pool, access_token(passkey_pool))
    challenge = passkey_pool.idp.admin_initiate_auth(
        UserPoolId=passkey_pool.pool_id,
        ClientId=passkey_pool.client_id,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": EMAIL, "SECRET_HASH": passkey_pool.hash(EMAIL), "PREFERRED_CHALLENGE": "WEB_AUTHN"},
    )
    internal = challenge["ChallengeParameters"]["USERNAME"]
    done = passkey_pool.idp.admin_respond_to_auth_challenge(
        UserPoolId=passkey_pool.pool_id,
        ClientId=passkey_pool.client_id,
        ChallengeName="WEB_AUTHN",
        Session=challenge["Session"],
        ChallengeResponses={
            "USERNAME": internal,
            "SECRET_HASH": passkey_pool.hash(internal),
            "CREDENTIAL": authenticator.sign_in(options_of(challenge)),
        },
    )
    assert done["AuthenticationResult"]["AccessToken"]


def test_the_answer_needs_secret_hash_over_the_internal_username(passkey_pool):
    authenticator = register(passkey_pool, access_token(passkey_pool))
    challenge = passkey_challenge(passkey_pool)
    options = options_of(challenge)
    internal = challenge["ChallengeParameters"]["USERNAME"]
    with pytest.raises(ClientError) as err:
        passkey_pool.idp.respond_to_auth_challenge(
            ClientId=passkey_pool.client_id,
            ChallengeName="WEB_AUTHN",
            Session=challenge["Session"],
            ChallengeResponses={
                "USERNAME": internal,
                "SECRET_HASH": passkey_pool.hash(EMAIL),
                "CREDENTIAL": authenticator.sign_in(options),
            },
        )
    assert refused(err) == "NotAuthorizedException"


def test_a_forged_assertion_is_not_authorized_and_uses_up_the_challenge(passkey_pool):
    authenticator = register(passkey_pool, access_token(passkey_pool))
    challenge = passkey_challenge(passkey_pool)
    options = options_of(challenge)
    forged = authenticator.sign_in(options, key=ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(ClientError) as err:
        answer(passkey_pool, challenge, forged)
    assert refused(err) == "NotAuthorizedException"
    # The session's challenge is spent: even the right assertion is refused now.
    with pytest.raises(ClientError) as err:
        answer(passkey_pool, challenge, authenticator.sign_in(options))
    assert refused(err) == "NotAuthorizedException"


def test_a_replayed_assertion_is_not_authorized(passkey_pool):
    authenticator = register(passkey_pool, access_token(passkey_pool))
    challenge = passkey_challenge(passkey_pool)
    assertion = authenticator.sign_in(options_of(challenge))
    assert answer(passkey_pool, challenge, assertion)["AuthenticationResult"]
    with pytest.raises(ClientError) as err:
        answer(passkey_pool, challenge, assertion)
    assert refused(err) == "NotAuthorizedException"
    # Nor in another sign-in's session (its challenge differs).
    with pytest.raises(ClientError) as err:
        answer(passkey_pool, passkey_challenge(passkey_pool), assertion)
    assert refused(err) == "NotAuthorizedException"


@pytest.mark.parametrize(
    "spoil",
    [
        {"origin": "https://example.com"},
        {"rp_id": "example.com"},
        {"uv": False},
        {"up": False},
    ],
)
def test_an_assertion_from_another_origin_relying_party_or_without_verification_is_not_authorized(passkey_pool, spoil):
    authenticator = register(passkey_pool, access_token(passkey_pool))
    challenge = passkey_challenge(passkey_pool)
    options = options_of(challenge)
    origin = spoil.pop("origin", None)
    for name, value in spoil.items():
        setattr(authenticator, name, value)
    with pytest.raises(ClientError) as err:
        answer(passkey_pool, challenge, authenticator.sign_in(options, origin=origin))
    assert refused(err) == "NotAuthorizedException"


def test_an_answer_that_is_not_an_assertion_is_invalid_parameter(passkey_pool):
    register(passkey_pool, access_token(passkey_pool))
    for credential in ("not json", json.dumps({"id": "x"})):
        with pytest.raises(ClientError) as err:
            answer(passkey_pool, passkey_challenge(passkey_pool), credential)
        assert error_of(err) == ("InvalidParameterException", "Credential data is not valid.")


def test_the_sign_count_is_kept_and_one_that_does_not_grow_is_refused(passkey_pool):
    authenticator = register(passkey_pool, access_token(passkey_pool))
    for _ in range(2):
        challenge = passkey_challenge(passkey_pool)
        answer(
            passkey_pool,
            challenge,
            authenticator.sign_in(options_of(challenge)),
        )
    (stored,) = passkeys.credentials(passkey_pool.model(), passkey_pool.internal(EMAIL))
    assert stored.sign_count == 2
    # A cloned authenticator answers with a count that did not grow.
    challenge = passkey_challenge(passkey_pool)
    options = options_of(challenge)
    with pytest.raises(ClientError) as err:
        answer(passkey_pool, challenge, authenticator.sign_in(options, count_step=0))
    assert refused(err) == "NotAuthorizedException"


def test_an_rs256_passkey_registers_and_signs_in(passkey_pool):
    authenticator = register(passkey_pool, access_token(passkey_pool), Authenticator(alg=RS256))
    challenge = passkey_challenge(passkey_pool)
    options = options_of(challenge)
    assert answer(passkey_pool, challenge, authenticator.sign_in(options))["AuthenticationResult"]["AccessToken"]


def test_a_disabled_person_is_refused_after_proving_the_passkey(passkey_pool):
    authenticator = register(passkey_pool, access_token(passkey_pool))
    challenge = passkey_challenge(passkey_pool)
    passkey_pool.idp.admin_disable_user(UserPoolId=passkey_pool.pool_id, Username=EMAIL)
    with pytest.raises(ClientError) as err:
        answer(
            passkey_pool,
            challenge,
            authenticator.sign_in(options_of(challenge)),
        )
    assert error_of(err) == ("NotAuthorizedException", "User is disabled.")


def test_a_pool_that_only_prefers_user_verification_accepts_an_assertion_without_it(endpoint):
    preferred = make_pool(
        endpoint,
        relying_party={"RelyingPartyId": "localhost", "UserVerification": "preferred"},
        client=NO_EXISTENCE_PRIVACY,
    )
    authenticator = register(preferred, access_token(preferred), Authenticator(uv=False))
    challenge = passkey_challenge(preferred)
    assert json.loads(options_of(challenge))["userVerification"] == "preferred"
    assert answer(preferred, challenge, authenticator.sign_in(options_of(challenge)))["AuthenticationResult"]


def test_an_assertion_the_browser_calls_cross_origin_is_not_authorized_and_registration_is_refused(passkey_pool):
    token = access_token(passkey_pool)
    authenticator = register(passkey_pool, token)
    authenticator.cross_origin = True
    challenge = passkey_challenge(passkey_pool)
    with pytest.raises(ClientError) as err:
        answer(passkey_pool, challenge, authenticator.sign_in(options_of(challenge)))
    assert refused(err) == "NotAuthorizedException"
    options = passkey_pool.idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    other = Authenticator()
    other.cross_origin = True
    assert complete_error(passkey_pool, token, other.register(options)) == "WebAuthnOriginNotAllowedException"


@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost:5173/",
        "http://localhost:5173/app",
        "http://localhost:5173?x=1",
        "http://localhost:5173#top",
        "http://user@localhost:5173",
        "http://localhost:5173?",
    ],
)
def test_an_origin_with_a_path_query_fragment_or_user_info_is_not_an_origin(origin):
    assert not passkeys.origin_allowed(origin, "localhost")


def _other_client(pool) -> tuple[str, str]:
    made = pool.idp.create_user_pool_client(
        UserPoolId=pool.pool_id, ClientName="other", GenerateSecret=True, ExplicitAuthFlows=["ALLOW_USER_AUTH"]
    )["UserPoolClient"]
    return made["ClientId"], made["ClientSecret"]


def test_a_web_authn_answer_through_another_app_client_is_not_authorized(passkey_pool):
    authenticator = register(passkey_pool, access_token(passkey_pool))
    challenge = passkey_challenge(passkey_pool)
    internal = challenge["ChallengeParameters"]["USERNAME"]
    other, other_secret = _other_client(passkey_pool)
    with pytest.raises(ClientError) as err:
        passkey_pool.idp.respond_to_auth_challenge(
            ClientId=other,
            ChallengeName="WEB_AUTHN",
            Session=challenge["Session"],
            ChallengeResponses={
                "USERNAME": internal,
                "SECRET_HASH": secret_hash.compute(other_secret, internal, other),
                "CREDENTIAL": authenticator.sign_in(options_of(challenge)),
            },
        )
    assert refused(err) == "NotAuthorizedException"


def test_a_public_sign_in_answered_through_the_admin_api_is_not_authorized_and_the_reverse(passkey_pool):
    authenticator = register(passkey_pool, access_token(passkey_pool))
    challenge = passkey_challenge(passkey_pool)
    internal = challenge["ChallengeParameters"]["USERNAME"]
    responses = {
        "USERNAME": internal,
        "SECRET_HASH": passkey_pool.hash(internal),
        "CREDENTIAL": authenticator.sign_in(options_of(challenge)),
    }
    with pytest.raises(ClientError) as err:
        passkey_pool.idp.admin_respond_to_auth_challenge(
            UserPoolId=passkey_pool.pool_id,
            ClientId=passkey_pool.client_id,
            ChallengeName="WEB_AUTHN",
            Session=challenge["Session"],
            ChallengeResponses=responses,
        )
    assert refused(err) == "NotAuthorizedException"
    admin = passkey_pool.idp.admin_initiate_auth(
        UserPoolId=passkey_pool.pool_id,
        ClientId=passkey_pool.client_id,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": EMAIL, "SECRET_HASH": passkey_pool.hash(EMAIL), "PREFERRED_CHALLENGE": "WEB_AUTHN"},
    )
    with pytest.raises(ClientError) as err:
        answer(passkey_pool, admin, authenticator.sign_in(options_of(admin)))
    assert refused(err) == "NotAuthorizedException"


def test_a_web_authn_answer_after_the_session_expired_is_not_authorized(passkey_pool, clock):
    authenticator = register(passkey_pool, access_token(passkey_pool))
    challenge = passkey_challenge(passkey_pool)
    clock.advance(3 * 60 + 1)  # the client's AuthSessionValidity: 3 minutes when unset
    with pytest.raises(ClientError) as err:
        answer(passkey_pool, challenge, authenticator.sign_in(options_of(challenge)))
    assert error_of(err) == ("NotAuthorizedException", "Invalid session for the user, session is expired.")


def test_after_the_relying_party_changes_a_passkey_of_the_old_one_is_neither_offered_nor_accepted(open_pool):
    authenticator = register(open_pool, access_token(open_pool))
    pending = passkey_challenge(open_pool)
    open_pool.idp.set_user_pool_mfa_config(
        UserPoolId=open_pool.pool_id, WebAuthnConfiguration={"RelyingPartyId": "app.localhost"}
    )
    # Asked for under the old relying party, answered under the new one.
    with pytest.raises(ClientError) as err:
        answer(open_pool, pending, authenticator.sign_in(options_of(pending)))
    assert refused(err) == "NotAuthorizedException"
    choice = start(open_pool, PREFERRED_CHALLENGE="WEB_AUTHN")
    assert choice["ChallengeName"] == "SELECT_CHALLENGE"
    assert "WEB_AUTHN" not in choice["AvailableChallenges"]
    # Still the person's: listed under the relying party it was registered for.
    (listed,) = open_pool.idp.list_web_authn_credentials(AccessToken=access_token(open_pool))["Credentials"]
    assert listed["RelyingPartyId"] == "localhost"


def test_a_refused_mfa_setting_leaves_the_web_authn_configuration_unchanged(passkey_pool, raw_call):
    status, body = raw_call(
        "SetUserPoolMfaConfig",
        {
            "UserPoolId": passkey_pool.pool_id,
            "MfaConfiguration": "OPTIONAL",
            "EmailMfaConfiguration": {"Subject": "Your code"},
            "WebAuthnConfiguration": {"RelyingPartyId": "example.com"},
        },
    )
    assert status == 400, body
    config = passkey_pool.idp.get_user_pool_mfa_config(UserPoolId=passkey_pool.pool_id)
    assert config["WebAuthnConfiguration"] == RELYING_PARTY


@pytest.mark.parametrize("how", ["DeleteUser", "AdminDeleteUser"])
def test_a_deleted_persons_passkeys_are_gone_and_the_same_name_registers_the_authenticator_again(passkey_pool, how):
    token = access_token(passkey_pool)
    authenticator = register(passkey_pool, token)
    passkey_pool.idp.start_web_authn_registration(AccessToken=token)  # a live registration too
    internal = passkey_pool.internal(EMAIL)
    if how == "DeleteUser":
        passkey_pool.idp.delete_user(AccessToken=token)
    else:
        passkey_pool.idp.admin_delete_user(UserPoolId=passkey_pool.pool_id, Username=EMAIL)
    assert passkeys.credentials(passkey_pool.model(), internal) == []
    passkey_pool.create_user(EMAIL, PASSWORD)
    again = access_token(passkey_pool)
    assert passkey_pool.idp.list_web_authn_credentials(AccessToken=again)["Credentials"] == []
    register(passkey_pool, again, authenticator)
    (listed,) = passkey_pool.idp.list_web_authn_credentials(AccessToken=again)["Credentials"]
    assert listed["CredentialId"] == authenticator.id


# --- passkeys and MFA -----------------------------------------------------------------------------


MULTI_FACTOR = "MULTI_FACTOR_WITH_USER_VERIFICATION"
NEEDS_ANOTHER_FACTOR = (
    "InvalidParameterException",
    "Passkey MFA needs another MFA factor activated for the user (SMS, TOTP or email).",
)


def require_mfa(pool, factor_configuration=None, mode="ON"):
    """MfaConfiguration `mode` with TOTP, and the pool's passkeys as MFA or not."""
    web_authn = {**RELYING_PARTY, "UserVerification": "preferred"}
    if factor_configuration:
        web_authn["FactorConfiguration"] = factor_configuration
    pool.idp.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id,
        MfaConfiguration=mode,
        SoftwareTokenMfaConfiguration={"Enabled": True},
        WebAuthnConfiguration=web_authn,
    )


def mfa_pool(endpoint, factor_configuration, mode="OPTIONAL"):
    """A passkey pool (no existence privacy) offering TOTP and email MFA, its passkeys as MFA or not."""
    pool = make_pool(endpoint, {**FACTORS, **SES}, client=NO_EXISTENCE_PRIVACY)
    web_authn = (
        {**RELYING_PARTY, "FactorConfiguration": factor_configuration} if factor_configuration else RELYING_PARTY
    )
    pool.idp.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id,
        MfaConfiguration=mode,
        SoftwareTokenMfaConfiguration={"Enabled": True},
        EmailMfaConfiguration={"Message": "Your code is {####}", "Subject": "Your code"},
        WebAuthnConfiguration=web_authn,
    )
    return pool


def turn_passkey_mfa(pool, token, enabled):
    pool.idp.set_user_mfa_preference(AccessToken=token, WebAuthnMfaSettings={"Enabled": enabled})


def passkey_mfa_of(pool, name=EMAIL) -> bool:
    """The person's passkey MFA flag as the emulator keeps it (GetUser does not report it)."""
    return passkey_mfa.enabled(pool.model().users[pool.internal(name)])


def mfa_settings(pool, token) -> tuple:
    """GetUser's UserMFASettingList and PreferredMfaSetting."""
    user = pool.idp.get_user(AccessToken=token)
    return user.get("UserMFASettingList", []), user.get("PreferredMfaSetting", "")


def test_with_mfa_required_no_passwordless_factor_is_offered_and_a_single_factor_passkey_is_not(open_pool):
    register(open_pool, access_token(open_pool))
    require_mfa(open_pool)
    choice = start(open_pool, PREFERRED_CHALLENGE="WEB_AUTHN")
    assert choice["ChallengeName"] == "SELECT_CHALLENGE"
    assert choice["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]


def assert_user_verification_required(pool, authenticator):
    """The passkey challenge asks for user verification, and `authenticator`'s assertion without
    it is refused."""
    challenge = passkey_challenge(pool)
    assert json.loads(options_of(challenge))["userVerification"] == "required"
    authenticator.uv = False
    with pytest.raises(ClientError) as err:
        answer(pool, challenge, authenticator.sign_in(options_of(challenge)))
    assert refused(err) == "NotAuthorizedException"
    authenticator.uv = True


def test_with_mfa_required_a_passkey_that_satisfies_mfa_needs_user_verification_and_signs_in(open_pool):
    token = access_token(open_pool)
    authenticator = register(open_pool, token)
    enrol_totp(open_pool, token)
    require_mfa(open_pool, MULTI_FACTOR)
    turn_passkey_mfa(open_pool, token, True)
    assert start(open_pool)["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "WEB_AUTHN"]
    # The pool only prefers user verification; as MFA it is required.
    assert_user_verification_required(open_pool, authenticator)
    challenge = passkey_challenge(open_pool)
    done = answer(open_pool, challenge, authenticator.sign_in(options_of(challenge)))
    assert done["AuthenticationResult"]["AccessToken"]  # no MFA challenge after it


def test_with_optional_mfa_a_person_with_an_mfa_factor_is_not_offered_passwordless_factors(open_pool):
    authenticator = register(open_pool, access_token(open_pool))
    require_mfa(open_pool, mode="OPTIONAL")
    # Without an MFA factor of their own, the passkey signs them in, and no MFA follows.
    challenge = passkey_challenge(open_pool)
    assert answer(open_pool, challenge, authenticator.sign_in(options_of(challenge)))["AuthenticationResult"]
    open_pool.model().users[open_pool.internal(EMAIL)].software_token_mfa_enabled = True
    assert start(open_pool)["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]


def test_with_existence_privacy_and_optional_mfa_a_person_with_an_mfa_factor_fails_at_the_passkey(passkey_pool):
    authenticator = register(passkey_pool, access_token(passkey_pool))
    require_mfa(passkey_pool, mode="OPTIONAL")
    passkey_pool.model().users[passkey_pool.internal(EMAIL)].software_token_mfa_enabled = True
    # Offered as to every name; refused at the answer, as for a name without a passkey.
    challenge = passkey_challenge(passkey_pool)
    with pytest.raises(ClientError) as err:
        answer(passkey_pool, challenge, authenticator.sign_in(options_of(challenge)))
    assert refused(err) == "NotAuthorizedException"


@pytest.mark.parametrize("mode", ["ON", "OPTIONAL"])
def test_where_passkeys_satisfy_mfa_a_person_without_passkey_mfa_is_not_offered_web_authn(open_pool, mode):
    token = access_token(open_pool)
    register(open_pool, token)
    enrol_totp(open_pool, token)  # with OPTIONAL, MFA applies to a person with a factor
    require_mfa(open_pool, MULTI_FACTOR, mode)
    choice = start(open_pool, PREFERRED_CHALLENGE="WEB_AUTHN")
    assert choice["ChallengeName"] == "SELECT_CHALLENGE"
    assert choice["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]


@pytest.mark.parametrize("mode", ["ON", "OPTIONAL"])
def test_passkey_mfa_turned_on_offers_web_authn_which_signs_in_with_no_mfa_after_until_turned_off(open_pool, mode):
    token = access_token(open_pool)
    authenticator = register(open_pool, token)
    enrol_totp(open_pool, token)
    require_mfa(open_pool, MULTI_FACTOR, mode)
    turn_passkey_mfa(open_pool, token, True)
    assert start(open_pool)["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "WEB_AUTHN"]
    challenge = passkey_challenge(open_pool)
    done = answer(open_pool, challenge, authenticator.sign_in(options_of(challenge)))
    signed_in = done["AuthenticationResult"]["AccessToken"]  # no MFA challenge after it
    # Turned off again, with the passkey sign-in's own token: no longer offered.
    turn_passkey_mfa(open_pool, signed_in, False)
    choice = start(open_pool, PREFERRED_CHALLENGE="WEB_AUTHN")
    assert choice["ChallengeName"] == "SELECT_CHALLENGE"
    assert choice["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]


@pytest.mark.parametrize("factor_configuration", [None, "SINGLE_FACTOR"])
def test_turning_passkey_mfa_on_where_passkeys_are_one_factor_is_invalid_parameter_and_changes_nothing(
    endpoint, factor_configuration
):
    pool = mfa_pool(endpoint, factor_configuration)
    token = access_token(pool)
    enrol_totp(pool, token)
    with pytest.raises(ClientError) as err:
        pool.idp.set_user_mfa_preference(
            AccessToken=token,
            SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False},
            SMSMfaSettings={"Enabled": True, "PreferredMfa": False},
            EmailMfaSettings={"Enabled": True, "PreferredMfa": True},
            WebAuthnMfaSettings={"Enabled": True},
        )
    assert error_of(err) == ("InvalidParameterException", "Passkey MFA is not enabled for this user pool.")
    # Not the settings sent alongside either.
    assert mfa_settings(pool, token) == (["SOFTWARE_TOKEN_MFA"], "SOFTWARE_TOKEN_MFA")
    assert not passkey_mfa_of(pool)


def test_turning_passkey_mfa_on_without_another_mfa_factor_is_invalid_parameter_and_changes_nothing(endpoint):
    pool = mfa_pool(endpoint, MULTI_FACTOR)
    token = access_token(pool)
    with pytest.raises(ClientError) as err:
        turn_passkey_mfa(pool, token, True)
    assert error_of(err) == NEEDS_ANOTHER_FACTOR
    # A request that turns the only other factor off counts as it will be: refused too.
    enrol_totp(pool, token)
    with pytest.raises(ClientError) as err:
        pool.idp.set_user_mfa_preference(
            AccessToken=token,
            SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False},
            WebAuthnMfaSettings={"Enabled": True},
        )
    assert error_of(err) == NEEDS_ANOTHER_FACTOR
    assert mfa_settings(pool, token) == (["SOFTWARE_TOKEN_MFA"], "SOFTWARE_TOKEN_MFA")
    assert not passkey_mfa_of(pool)


def test_a_factor_turned_on_in_the_same_request_counts_for_passkey_mfa_and_turning_it_off_is_always_accepted(endpoint):
    pool = mfa_pool(endpoint, MULTI_FACTOR)
    token = access_token(pool)
    pool.idp.set_user_mfa_preference(
        AccessToken=token,
        EmailMfaSettings={"Enabled": True, "PreferredMfa": True},
        WebAuthnMfaSettings={"Enabled": True},
    )
    assert passkey_mfa_of(pool)
    assert mfa_settings(pool, token) == (["EMAIL_OTP"], "EMAIL_OTP")
    # Off: accepted with no other factor, and in a pool whose passkeys are one factor.
    pool.idp.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id, WebAuthnConfiguration={**RELYING_PARTY, "FactorConfiguration": "SINGLE_FACTOR"}
    )
    pool.idp.set_user_mfa_preference(
        AccessToken=token, EmailMfaSettings={"Enabled": False}, WebAuthnMfaSettings={"Enabled": False}
    )
    assert not passkey_mfa_of(pool)
    assert mfa_settings(pool, token) == ([], "")


def test_admin_set_user_mfa_preference_turns_passkey_mfa_on_and_off_and_refuses_alike(open_pool):
    token = access_token(open_pool)
    authenticator = register(open_pool, token)
    enrol_totp(open_pool, token)
    require_mfa(open_pool, MULTI_FACTOR)

    def admin(**settings):
        open_pool.idp.admin_set_user_mfa_preference(UserPoolId=open_pool.pool_id, Username=EMAIL, **settings)

    with pytest.raises(ClientError) as err:
        admin(SoftwareTokenMfaSettings={"Enabled": False}, WebAuthnMfaSettings={"Enabled": True})
    assert error_of(err) == NEEDS_ANOTHER_FACTOR
    assert mfa_settings(open_pool, token) == (["SOFTWARE_TOKEN_MFA"], "SOFTWARE_TOKEN_MFA")
    admin(WebAuthnMfaSettings={"Enabled": True})
    challenge = passkey_challenge(open_pool)
    assert answer(open_pool, challenge, authenticator.sign_in(options_of(challenge)))["AuthenticationResult"]
    admin(WebAuthnMfaSettings={"Enabled": False})
    assert start(open_pool)["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    require_mfa(open_pool, "SINGLE_FACTOR")
    with pytest.raises(ClientError) as err:
        admin(WebAuthnMfaSettings={"Enabled": True})
    assert error_of(err) == ("InvalidParameterException", "Passkey MFA is not enabled for this user pool.")
    assert not passkey_mfa_of(open_pool)


def test_get_user_and_admin_get_user_do_not_list_passkey_mfa(open_pool):
    token = access_token(open_pool)
    enrol_totp(open_pool, token)
    require_mfa(open_pool, MULTI_FACTOR, "OPTIONAL")
    turn_passkey_mfa(open_pool, token, True)
    assert passkey_mfa_of(open_pool)
    assert mfa_settings(open_pool, token) == (["SOFTWARE_TOKEN_MFA"], "SOFTWARE_TOKEN_MFA")
    admin = open_pool.idp.admin_get_user(UserPoolId=open_pool.pool_id, Username=EMAIL)
    assert (admin["UserMFASettingList"], admin["PreferredMfaSetting"]) == (["SOFTWARE_TOKEN_MFA"], "SOFTWARE_TOKEN_MFA")


@pytest.mark.parametrize("preferred", ["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"])
def test_a_passkey_mfa_only_request_leaves_the_other_factors_and_the_preferred_one_as_they_were(endpoint, preferred):
    pool = mfa_pool(endpoint, MULTI_FACTOR)
    token = access_token(pool)
    enrol_totp(pool, token)
    pool.idp.set_user_mfa_preference(
        AccessToken=token, EmailMfaSettings={"Enabled": True, "PreferredMfa": preferred == "EMAIL_OTP"}
    )
    before = mfa_settings(pool, token)
    assert before == (["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"], preferred)
    for enabled in (True, False):
        turn_passkey_mfa(pool, token, enabled)
        assert passkey_mfa_of(pool) is enabled
        assert mfa_settings(pool, token) == before


def two_people_with_passkeys(pool, other):
    """EMAIL and `other`, each signed in with a passkey registered: their access tokens and
    authenticators, by name."""
    pool.create_user(other, PASSWORD)
    tokens = {name: access_token(pool, name) for name in (EMAIL, other)}
    return tokens, {name: register(pool, token) for name, token in tokens.items()}


def test_with_existence_privacy_and_optional_mfa_only_a_person_with_passkey_mfa_signs_in_with_a_passkey(
    passkey_pool,
):
    other = "other@example.com"
    tokens, held = two_people_with_passkeys(passkey_pool, other)
    for token in tokens.values():
        enrol_totp(passkey_pool, token)  # MFA applies to both
    require_mfa(passkey_pool, MULTI_FACTOR, "OPTIONAL")
    turn_passkey_mfa(passkey_pool, tokens[EMAIL], True)
    # Both are asked for a passkey alike; only the one with passkey MFA signs in with it.
    asked = {name: passkey_challenge(passkey_pool, name) for name in tokens}
    with pytest.raises(ClientError) as err:
        answer(passkey_pool, asked[other], held[other].sign_in(options_of(asked[other])))
    assert refused(err) == "NotAuthorizedException"
    mine = asked[EMAIL]
    assert answer(passkey_pool, mine, held[EMAIL].sign_in(options_of(mine)))["AuthenticationResult"]


def test_with_existence_privacy_the_request_options_do_not_tell_who_has_mfa_and_the_answer_still_needs_verification(
    passkey_pool,
):
    other = "other@example.com"
    tokens, held = two_people_with_passkeys(passkey_pool, other)
    enrol_totp(passkey_pool, tokens[EMAIL])  # MFA applies to EMAIL only
    require_mfa(passkey_pool, MULTI_FACTOR, "OPTIONAL")  # the pool only prefers user verification
    turn_passkey_mfa(passkey_pool, tokens[EMAIL], True)
    asked = {name: passkey_challenge(passkey_pool, name) for name in tokens}
    # The options are alike: the pool's setting, whoever has MFA on.
    wanted = {name: json.loads(options_of(challenge))["userVerification"] for name, challenge in asked.items()}
    assert wanted == {EMAIL: "preferred", other: "preferred"}
    # As MFA the passkey still needs user verification; without MFA it does not.
    held[EMAIL].uv = held[other].uv = False
    with pytest.raises(ClientError) as err:
        answer(passkey_pool, asked[EMAIL], held[EMAIL].sign_in(options_of(asked[EMAIL])))
    assert refused(err) == "NotAuthorizedException"
    assert answer(passkey_pool, asked[other], held[other].sign_in(options_of(asked[other])))["AuthenticationResult"]
    held[EMAIL].uv = True
    mine = passkey_challenge(passkey_pool, EMAIL)
    assert answer(passkey_pool, mine, held[EMAIL].sign_in(options_of(mine)))["AuthenticationResult"]


def test_with_passkey_mfa_on_the_passkey_needs_user_verification_even_where_mfa_does_not_apply(open_pool):
    token = access_token(open_pool)
    authenticator = register(open_pool, token)
    enrol_totp(open_pool, token)
    require_mfa(open_pool, MULTI_FACTOR, "OPTIONAL")  # the pool only prefers user verification
    turn_passkey_mfa(open_pool, token, True)
    # MFA no longer applies once TOTP is off (allowed: not refused later), but passkey MFA is on.
    open_pool.idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={"Enabled": False})
    assert_user_verification_required(open_pool, authenticator)


def test_with_existence_privacy_and_mfa_required_a_person_without_passkey_mfa_fails_at_the_passkey(passkey_pool):
    token = access_token(passkey_pool)
    authenticator = register(passkey_pool, token)
    enrol_totp(passkey_pool, token)
    require_mfa(passkey_pool, MULTI_FACTOR)  # MfaConfiguration ON
    challenge = passkey_challenge(passkey_pool)  # asked as every name is
    with pytest.raises(ClientError) as err:
        answer(passkey_pool, challenge, authenticator.sign_in(options_of(challenge)))
    assert refused(err) == "NotAuthorizedException"
    turn_passkey_mfa(passkey_pool, token, True)
    challenge = passkey_challenge(passkey_pool)
    assert answer(passkey_pool, challenge, authenticator.sign_in(options_of(challenge)))["AuthenticationResult"]


def test_a_deleted_and_recreated_person_does_not_keep_passkey_mfa(open_pool):
    token = access_token(open_pool)
    enrol_totp(open_pool, token)
    require_mfa(open_pool, MULTI_FACTOR, "OPTIONAL")
    turn_passkey_mfa(open_pool, token, True)
    open_pool.idp.admin_delete_user(UserPoolId=open_pool.pool_id, Username=EMAIL)
    open_pool.create_user(EMAIL, PASSWORD)
    assert not passkey_mfa_of(open_pool)


@pytest.mark.parametrize("settings", ["yes", {"Enabled": "yes"}])
def test_web_authn_mfa_settings_of_the_wrong_shape_are_invalid_parameter_and_change_nothing(
    open_pool, raw_call, settings
):
    token = access_token(open_pool)
    enrol_totp(open_pool, token)
    require_mfa(open_pool, MULTI_FACTOR, "OPTIONAL")
    status, body = raw_call(
        "SetUserMFAPreference",
        {"AccessToken": token, "SMSMfaSettings": {"Enabled": True}, "WebAuthnMfaSettings": settings},
    )
    assert (status, body["__type"]) == (400, "InvalidParameterException"), body
    assert mfa_settings(open_pool, token) == (["SOFTWARE_TOKEN_MFA"], "SOFTWARE_TOKEN_MFA")
    assert not passkey_mfa_of(open_pool)
