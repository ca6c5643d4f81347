"""The identity pool: one identity per person, ID tokens checked as logins, and credentials only
for the identity's own logins."""

import re
import threading
import time

import boto3
import pytest
from botocore.exceptions import ClientError
from joserfc import jwk, jwt

from conftest import EMAIL, PASSWORD, error_of
from strict_cognito import identity

OTHER = "other@example.com"


@pytest.fixture
def identities(pool):
    """An identity pool trusting the pool's app client, as the local stack seeds it."""
    return identity_pool(pool, server_side_token_check=True)


def identity_pool(pool, server_side_token_check):
    client = boto3.client("cognito-identity", region_name="us-east-1", endpoint_url=pool.endpoint)
    created = client.create_identity_pool(
        IdentityPoolName="local_identities",
        AllowUnauthenticatedIdentities=False,
        CognitoIdentityProviders=[
            {
                "ProviderName": provider(pool),
                "ClientId": pool.client_id,
                "ServerSideTokenCheck": server_side_token_check,
            }
        ],
    )
    client.pool_id = created["IdentityPoolId"]
    return client


def provider(pool):
    return f"cognito-idp.us-east-1.amazonaws.com/{pool.pool_id}"


def id_token(pool, email, password=PASSWORD):
    return pool.password_auth(email, password)["AuthenticationResult"]["IdToken"]


def get_id(identities, pool, token):
    return identities.get_id(IdentityPoolId=identities.pool_id, Logins={provider(pool): token})["IdentityId"]


def test_the_same_person_gets_the_same_identity_every_time_and_another_person_another(pool, identities):
    pool.create_user(OTHER, PASSWORD)
    first = get_id(identities, pool, id_token(pool, EMAIL))
    # A new sign-in (a new token) is still the same person.
    assert get_id(identities, pool, id_token(pool, EMAIL)) == first
    other = get_id(identities, pool, id_token(pool, OTHER))
    assert other != first
    assert first.startswith("us-east-1:") and other.startswith("us-east-1:")


def test_credentials_are_for_the_identitys_own_logins_only(pool, identities):
    pool.create_user(OTHER, PASSWORD)
    mine, theirs = id_token(pool, EMAIL), id_token(pool, OTHER)
    identity = get_id(identities, pool, mine)
    issued = identities.get_credentials_for_identity(IdentityId=identity, Logins={provider(pool): mine})
    assert issued["IdentityId"] == identity
    assert issued["Credentials"]["AccessKeyId"].startswith("ASIA")
    again = identities.get_credentials_for_identity(IdentityId=identity, Logins={provider(pool): mine})
    assert again["Credentials"]["AccessKeyId"] != issued["Credentials"]["AccessKeyId"]
    # Another person's token cannot get this identity's credentials, nor can no token.
    for logins in ({provider(pool): theirs}, {}):
        with pytest.raises(ClientError) as err:
            identities.get_credentials_for_identity(IdentityId=identity, Logins=logins)
        assert error_of(err) == (
            "NotAuthorizedException",
            "Logins don't match. Please include at least one valid login for this identity or identity pool.",
        )
    with pytest.raises(ClientError) as err:
        identities.get_credentials_for_identity(
            IdentityId="us-east-1:00000000-0000-4000-8000-000000000000", Logins={provider(pool): mine}
        )
    assert error_of(err)[0] == "ResourceNotFoundException"


def refused(identities, pool, token):
    """(code, message) of GetId with `token` as the pool's login."""
    with pytest.raises(ClientError) as err:
        get_id(identities, pool, token)
    return error_of(err)


def test_only_id_tokens_of_a_provider_the_pool_lists_are_logins(pool, identities):
    tokens = pool.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]
    cases = [
        ({provider(pool): "not-a-token"}, "Invalid login token. Not a valid OpenId Connect identity token."),
        ({"cognito-idp.us-east-1.amazonaws.com/us-east-1_other": tokens["IdToken"]}, None),
        ({}, "Unauthenticated access is not supported for this identity pool."),
    ]
    for logins, message in cases:
        with pytest.raises(ClientError) as err:
            identities.get_id(IdentityPoolId=identities.pool_id, Logins=logins)
        code, text = error_of(err)
        assert code == "NotAuthorizedException", logins
        assert text == (message or "Token is not from a supported provider of this identity pool.")


def test_an_id_token_for_another_app_client_or_an_access_token_is_not_a_login(pool, identities):
    # GIVEN a second app client of the same pool (the identity pool lists only the first)
    other = pool.idp.create_user_pool_client(
        UserPoolId=pool.pool_id, ClientName="other", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    signed_in = pool.idp.initiate_auth(
        ClientId=other, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": EMAIL, "PASSWORD": PASSWORD}
    )["AuthenticationResult"]
    # WHEN its ID token (signed by the pool, live, of an enabled user) is the login
    # THEN it is for another audience; and an access token is no ID token at all
    for token in (signed_in["IdToken"], pool.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]["AccessToken"]):
        assert refused(identities, pool, token) == (
            "NotAuthorizedException",
            "Invalid login token. Incorrect token audience.",
        )


def minted(pool, claims, key=None):
    """An ID token with `claims` over a real one's, signed with `key` (the pool's own by default)
    and recorded as issued, so that only what the claims or the key change can refuse it."""
    real = pool.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]["IdToken"]
    model = pool.model()
    payload = {**jwt.decode(real, model.json_web_key).claims, **claims}
    token = jwt.encode({"kid": "dummy", "alg": "RS256"}, payload, key or model.json_web_key)
    model.id_tokens[token] = model.id_tokens[real]
    return token


def test_an_expired_id_token_is_not_a_login(pool, identities):
    # GIVEN an ID token of the pool's, for its client, of an enabled user, that expired a minute ago
    expired = int(time.time()) - 60
    token = minted(pool, {"exp": expired})
    # WHEN it is the login, THEN it is refused as expired ("Token expired: {now} >= {exp}")
    code, message = refused(identities, pool, token)
    assert code == "NotAuthorizedException"
    found = re.fullmatch(r"Invalid login token\. Token expired: ([0-9]+) >= ([0-9]+)", message)
    assert found and int(found[1]) >= expired + 60 and int(found[2]) == expired, message
    # ... while the same claims unexpired are a login
    assert get_id(identities, pool, minted(pool, {"exp": int(time.time()) + 60}))


def test_an_id_token_signed_with_another_key_is_not_a_login(pool, identities):
    # GIVEN an ID token with the pool's claims, signed with a key that is not the pool's
    token = minted(pool, {}, key=jwk.RSAKey.generate_key(2048))
    # WHEN it is the login, THEN its signature does not verify
    assert refused(identities, pool, token) == (
        "NotAuthorizedException",
        "Invalid login token. Couldn't verify signed token.",
    )


def test_a_disabled_users_token_is_no_longer_a_login(pool, identities):
    token = id_token(pool, EMAIL)
    identity = get_id(identities, pool, token)
    pool.idp.admin_disable_user(UserPoolId=pool.pool_id, Username=EMAIL)
    for call in (
        lambda: get_id(identities, pool, token),
        lambda: identities.get_credentials_for_identity(IdentityId=identity, Logins={provider(pool): token}),
    ):
        with pytest.raises(ClientError) as err:
            call()
        assert error_of(err)[0] == "NotAuthorizedException"


@pytest.mark.parametrize("sign_out", ["GlobalSignOut", "AdminUserGlobalSignOut"])
def test_a_globally_signed_out_users_id_token_is_no_longer_a_login(pool, identities, sign_out):
    # GIVEN a signed-in user with an identity
    tokens = pool.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]
    identity_id = get_id(identities, pool, tokens["IdToken"])
    # WHEN they are signed out everywhere, by themselves or by an administrator
    if sign_out == "GlobalSignOut":
        pool.idp.global_sign_out(AccessToken=tokens["AccessToken"])
    else:
        pool.idp.admin_user_global_sign_out(UserPoolId=pool.pool_id, Username=EMAIL)
    # THEN the ID token gets neither the identity nor credentials ...
    for call in (
        lambda: get_id(identities, pool, tokens["IdToken"]),
        lambda: identities.get_credentials_for_identity(
            IdentityId=identity_id, Logins={provider(pool): tokens["IdToken"]}
        ),
    ):
        with pytest.raises(ClientError) as err:
            call()
        assert error_of(err) == ("NotAuthorizedException", "Invalid login token. Token has been revoked.")
    # ... the access token is revoked, as Cognito says it
    with pytest.raises(ClientError) as err:
        pool.idp.get_user(AccessToken=tokens["AccessToken"])
    assert error_of(err) == ("NotAuthorizedException", "Access Token has been revoked")
    # ... and a new sign-in is a login again, for the same identity
    assert get_id(identities, pool, id_token(pool, EMAIL)) == identity_id


def test_without_server_side_token_check_a_disabled_or_signed_out_users_live_token_is_a_login(pool):
    # GIVEN an identity pool that does not ask the user pool about tokens
    identities = identity_pool(pool, server_side_token_check=False)
    tokens = pool.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]
    identity_id = get_id(identities, pool, tokens["IdToken"])
    # WHEN the user is signed out everywhere and disabled
    pool.idp.global_sign_out(AccessToken=tokens["AccessToken"])
    pool.idp.admin_disable_user(UserPoolId=pool.pool_id, Username=EMAIL)
    # THEN their unexpired ID token still gets the identity and its credentials
    assert get_id(identities, pool, tokens["IdToken"]) == identity_id
    issued = identities.get_credentials_for_identity(IdentityId=identity_id, Logins={provider(pool): tokens["IdToken"]})
    assert issued["IdentityId"] == identity_id


def test_two_first_calls_at_once_for_one_person_make_one_identity(pool, identities, monkeypatch):
    # GIVEN two first GetId calls for the same person, each paused where it makes a new id until
    # the other arrives there too (or a second has passed)
    arrived = threading.Barrier(2)
    made = identity._new_identity_id

    def paused(region):
        try:
            arrived.wait(timeout=1)
        except threading.BrokenBarrierError:
            pass
        return made(region)

    monkeypatch.setattr(identity, "_new_identity_id", paused)
    tokens = [id_token(pool, EMAIL), id_token(pool, EMAIL)]
    answers = [None, None]

    def call(i):
        answers[i] = get_id(identities, pool, tokens[i])

    # WHEN they run at once
    threads = [threading.Thread(target=call, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    # THEN both answer the one identity that was kept, and only it exists
    assert answers[0] == answers[1] is not None
    listed = identities.list_identities(IdentityPoolId=identities.pool_id, MaxResults=10)["Identities"]
    assert [i["IdentityId"] for i in listed] == [answers[0]]
