"""GetTokensFromRefreshToken and refresh-token rotation: the client secret itself, a new refresh
token per refresh, the old one good for the grace period only."""

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import EMAIL, PASSWORD, Pool, error_of


def rotating_pool(endpoint, grace=1):
    settings = {
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": grace},
    }
    return Pool(boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=endpoint), None, settings)


def refresh(pool, token, secret=None):
    return pool.idp.get_tokens_from_refresh_token(
        ClientId=pool.client_id, RefreshToken=token, ClientSecret=secret or pool.secret
    )["AuthenticationResult"]


def test_each_refresh_answers_a_new_token_and_the_old_one_lasts_the_grace_period(endpoint, clock):
    # GIVEN a one-second grace period, and a refresh token refreshed once
    pool = rotating_pool(endpoint)
    old = pool.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]["RefreshToken"]
    first = refresh(pool, old)
    assert first["IdToken"] and first["AccessToken"] and first["RefreshToken"] != old
    # THEN a retry within the grace period, to its last instant, answers the same new token
    assert refresh(pool, old)["RefreshToken"] == first["RefreshToken"]
    clock.advance(1)
    assert refresh(pool, old)["RefreshToken"] == first["RefreshToken"]
    # and once it is over the old token is refused, while the new one refreshes
    clock.advance(0.001)
    with pytest.raises(ClientError) as err:
        refresh(pool, old)
    assert error_of(err) == ("RefreshTokenReuseException", "The refresh token has been rotated.")
    assert refresh(pool, first["RefreshToken"])["RefreshToken"] not in (old, first["RefreshToken"])


def test_the_client_secret_is_required_and_checked(endpoint):
    pool = rotating_pool(endpoint)
    token = pool.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]["RefreshToken"]
    with pytest.raises(ClientError) as err:
        refresh(pool, token, secret="not-the-secret-of-this-app-client")
    assert error_of(err)[0] == "NotAuthorizedException"
    with pytest.raises(ClientError) as err:
        pool.idp.get_tokens_from_refresh_token(ClientId=pool.client_id, RefreshToken=token)
    assert error_of(err)[0] == "NotAuthorizedException"


def test_without_rotation_no_new_refresh_token_is_answered(pool):
    token = pool.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]["RefreshToken"]
    answer = refresh(pool, token)
    assert answer["IdToken"] and "RefreshToken" not in answer
    assert refresh(pool, token)["AccessToken"]


def test_refresh_token_auth_is_refused_once_tokens_rotate(endpoint):
    pool = rotating_pool(endpoint)
    token = pool.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]["RefreshToken"]
    with pytest.raises(ClientError) as err:
        pool.idp.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": token, "SECRET_HASH": pool.hash(pool.internal(EMAIL))},
        )
    assert error_of(err)[0] == "InvalidParameterException"


def test_a_disabled_users_and_a_revoked_token_are_refused(endpoint):
    pool = rotating_pool(endpoint)
    token = pool.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]["RefreshToken"]
    pool.idp.revoke_token(Token=token, ClientId=pool.client_id, ClientSecret=pool.secret)
    with pytest.raises(ClientError) as err:
        refresh(pool, token)
    assert error_of(err)[0] == "NotAuthorizedException"
    token = pool.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]["RefreshToken"]
    pool.idp.admin_disable_user(UserPoolId=pool.pool_id, Username=EMAIL)
    with pytest.raises(ClientError) as err:
        refresh(pool, token)
    assert error_of(err) == ("NotAuthorizedException", "User is disabled.")


def test_a_grace_period_over_a_minute_is_refused(endpoint):
    with pytest.raises(ClientError) as err:
        rotating_pool(endpoint, grace=61)
    assert error_of(err)[0] == "InvalidParameterException"
