"""Threat protection's view of the caller: the address each call is attributed to, the auth-event
log, and the feature plan it needs (strict_cognito.threat_protection)."""

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import EMAIL, PASSWORD, Pool, error_of, raw
from strict_cognito import srp

PLUS_AUDIT = {"UserPoolTier": "PLUS", "UserPoolAddOns": {"AdvancedSecurityMode": "AUDIT"}}
PROPAGATE = {"EnablePropagateAdditionalUserContextData": True}
BROWSER = {"IpAddress": "203.0.113.9", "EncodedData": "fingerprint"}


def watched_pool(endpoint, client_settings=PROPAGATE):
    idp = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=endpoint)
    made = Pool(idp, pool_settings=PLUS_AUDIT, client_settings=client_settings)
    made.endpoint = endpoint
    return made


def events(pool, email=EMAIL):
    return pool.idp.admin_list_user_auth_events(UserPoolId=pool.pool_id, Username=email)["AuthEvents"]


def addresses(pool, event_type, email=EMAIL):
    return [e["EventContextData"]["IpAddress"] for e in events(pool, email) if e["EventType"] == event_type]


def sign_in(pool, password=PASSWORD, **context):
    return pool.idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": EMAIL, "PASSWORD": password, "SECRET_HASH": pool.hash(EMAIL)},
        **context,
    )


def test_threat_protection_needs_the_plus_plan(pool):
    with pytest.raises(ClientError) as excinfo:
        pool.idp.create_user_pool(PoolName="p", UserPoolAddOns={"AdvancedSecurityMode": "AUDIT"})
    assert error_of(excinfo)[0] == "FeatureUnavailableInTierException"
    with pytest.raises(ClientError) as excinfo:
        pool.idp.update_user_pool(UserPoolId=pool.pool_id, UserPoolAddOns={"AdvancedSecurityMode": "ENFORCED"})
    assert error_of(excinfo)[0] == "FeatureUnavailableInTierException"
    pool.idp.create_user_pool(PoolName="p", **PLUS_AUDIT)


def test_without_threat_protection_there_is_no_event_log(pool):
    with pytest.raises(ClientError) as excinfo:
        pool.idp.admin_list_user_auth_events(UserPoolId=pool.pool_id, Username=EMAIL)
    assert error_of(excinfo)[0] == "UserPoolAddOnNotEnabledException"


def test_a_public_call_is_attributed_to_user_context_data_when_the_client_propagates_it(endpoint):
    pool = watched_pool(endpoint)
    sign_in(pool, UserContextData=BROWSER)
    sign_in(pool)
    # Newest first: without UserContextData, the call is the caller's own (here: loopback).
    assert addresses(pool, "SignIn") == ["127.0.0.1", "203.0.113.9"]
    assert [e["EventResponse"] for e in events(pool)] == ["Pass", "Pass"]


def test_without_propagation_the_address_given_is_ignored(endpoint):
    pool = watched_pool(endpoint, client_settings={})
    sign_in(pool, UserContextData=BROWSER)
    assert addresses(pool, "SignIn") == ["127.0.0.1"]


def test_an_admin_flow_call_is_attributed_to_its_context_data(endpoint):
    pool = watched_pool(endpoint, client_settings={})
    context = {
        "IpAddress": "198.51.100.4",
        "ServerName": "api.example.com",
        "ServerPath": "/auth/sign-in",
        "HttpHeaders": [{"headerName": "user-agent", "headerValue": "Firefox"}],
    }
    pool.idp.admin_initiate_auth(
        UserPoolId=pool.pool_id,
        ClientId=pool.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": EMAIL, "PASSWORD": PASSWORD, "SECRET_HASH": pool.hash(EMAIL)},
        ContextData=context,
    )
    assert addresses(pool, "SignIn") == ["198.51.100.4"]


def test_a_wrong_password_is_a_failed_sign_in_from_its_address(endpoint):
    pool = watched_pool(endpoint)
    with pytest.raises(ClientError) as err:
        sign_in(pool, password="Wrong-passw0rd", UserContextData=BROWSER)
    assert error_of(err) == ("NotAuthorizedException", "Incorrect username or password.")
    [event] = events(pool)
    assert (event["EventType"], event["EventResponse"]) == ("SignIn", "Fail")
    assert event["EventContextData"]["IpAddress"] == "203.0.113.9"


def test_sign_up_reset_codes_and_new_codes_are_logged_from_their_address(endpoint):
    pool = watched_pool(endpoint)
    new = "new@example.com"
    pool.idp.sign_up(
        ClientId=pool.client_id,
        SecretHash=pool.hash(new),
        Username=new,
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": new}],
        UserContextData=BROWSER,
    )
    pool.idp.resend_confirmation_code(
        ClientId=pool.client_id, SecretHash=pool.hash(new), Username=new, UserContextData=BROWSER
    )
    pool.idp.forgot_password(
        ClientId=pool.client_id, SecretHash=pool.hash(EMAIL), Username=EMAIL, UserContextData=BROWSER
    )
    assert addresses(pool, "SignUp", new) == ["203.0.113.9"]
    assert addresses(pool, "ResendCode", new) == ["203.0.113.9"]
    assert addresses(pool, "ForgotPassword") == ["203.0.113.9"]


def test_context_data_of_the_wrong_shape_is_a_400(endpoint):
    pool = watched_pool(endpoint)
    params = {"USERNAME": EMAIL, "PASSWORD": PASSWORD, "SECRET_HASH": pool.hash(EMAIL)}
    base = {"ClientId": pool.client_id, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": params}
    status, answer = raw(endpoint, "InitiateAuth", {**base, "UserContextData": "203.0.113.9"})
    assert (status, answer["__type"]) == (400, "InvalidParameterException")
    status, answer = raw(endpoint, "InitiateAuth", {**base, "UserContextData": {"IpAddress": "x" * 131073}})
    assert status == 400 and "Value at 'userContextData.ipAddress'" in answer["message"]
    admin = {**base, "UserPoolId": pool.pool_id, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH"}
    status, answer = raw(endpoint, "AdminInitiateAuth", {**admin, "ContextData": {"IpAddress": "198.51.100.4"}})
    assert status == 400 and "Value at 'contextData.serverName'" in answer["message"]


def test_only_a_client_with_a_secret_may_propagate_the_callers_address(pool):
    with pytest.raises(ClientError) as excinfo:
        pool.idp.create_user_pool_client(UserPoolId=pool.pool_id, ClientName="spa", **PROPAGATE)
    assert error_of(excinfo)[0] == "InvalidParameterException"
    public = pool.idp.create_user_pool_client(UserPoolId=pool.pool_id, ClientName="spa")["UserPoolClient"]
    with pytest.raises(ClientError) as excinfo:
        pool.idp.update_user_pool_client(UserPoolId=pool.pool_id, ClientId=public["ClientId"], **PROPAGATE)
    assert error_of(excinfo)[0] == "InvalidParameterException"


def test_a_client_that_fails_its_secret_hash_logs_no_sign_in(endpoint):
    pool = watched_pool(endpoint)
    with pytest.raises(ClientError) as err:
        pool.idp.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": EMAIL, "PASSWORD": PASSWORD, "SECRET_HASH": "d3Jvbmc="},
        )
    assert error_of(err) == ("NotAuthorizedException", f"Unable to verify secret hash for client {pool.client_id}")
    assert events(pool) == []


def test_a_finished_sign_in_is_never_changed_by_a_later_answer(endpoint):
    # GIVEN an SRP sign-in left waiting for its proof, then a password sign-in that passed
    pool = watched_pool(endpoint)
    srp_a = format(pow(2, 12345, srp.N), "x")
    started = pool.idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_SRP_AUTH",
        AuthParameters={"USERNAME": EMAIL, "SRP_A": srp_a, "SECRET_HASH": pool.hash(EMAIL)},
    )
    sign_in(pool)
    # WHEN the old exchange is answered with a wrong proof
    internal = pool.internal(EMAIL)
    with pytest.raises(ClientError) as err:
        pool.idp.respond_to_auth_challenge(
            ClientId=pool.client_id,
            ChallengeName="PASSWORD_VERIFIER",
            ChallengeResponses={
                "USERNAME": internal,
                "PASSWORD_CLAIM_SECRET_BLOCK": started["ChallengeParameters"]["SECRET_BLOCK"],
                "PASSWORD_CLAIM_SIGNATURE": "d3Jvbmc=",
                "TIMESTAMP": "Sun Nov 29 12:00:00 UTC 2026",
                "SECRET_HASH": pool.hash(internal),
            },
        )
    assert error_of(err) == ("NotAuthorizedException", "Incorrect username or password.")
    # THEN the passed sign-in stays passed
    assert [e["EventResponse"] for e in events(pool)] == ["Pass", "InProgress"]


def test_a_page_size_or_token_out_of_range_is_a_400(endpoint):
    pool = watched_pool(endpoint)
    base = {"UserPoolId": pool.pool_id, "Username": EMAIL}
    for bad in ({"MaxResults": 61}, {"MaxResults": "ten"}, {"NextToken": "not-a-token"}):
        status, answer = raw(endpoint, "AdminListUserAuthEvents", {**base, **bad})
        assert (status, answer.get("__type")) == (400, "InvalidParameterException"), bad
