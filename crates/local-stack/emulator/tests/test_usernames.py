"""Case-insensitive names and email as the sign-in name, in every call that takes a username."""

import jwt
import pytest
from botocore.exceptions import ClientError

from conftest import EMAIL, PASSWORD, error_of


def claims(token):
    return jwt.decode(token, options={"verify_signature": False})


def test_any_case_of_the_email_signs_in(pool):
    result = pool.password_auth("DEMO@Example.COM", PASSWORD)
    assert result["AuthenticationResult"]["IdToken"]


def test_sign_up_with_another_case_of_a_taken_email_is_username_exists(pool):
    with pytest.raises(ClientError) as err:
        pool.idp.sign_up(
            ClientId=pool.client_id,
            Username="Demo@Example.com",
            Password="Other-passw0rd",
            SecretHash=pool.hash("Demo@Example.com"),
        )
    assert error_of(err)[0] == "UsernameExistsException"


def test_admin_calls_find_the_user_by_any_case(pool):
    assert pool.idp.admin_get_user(UserPoolId=pool.pool_id, Username="DEMO@EXAMPLE.COM")["Username"] == pool.internal(
        EMAIL
    )


def test_tokens_name_the_internal_username_and_keep_the_stored_email(pool):
    result = pool.password_auth("DEMO@EXAMPLE.COM", PASSWORD)["AuthenticationResult"]
    internal = pool.internal(EMAIL)
    id_claims, access_claims = claims(result["IdToken"]), claims(result["AccessToken"])
    assert id_claims["cognito:username"] == internal == access_claims["username"]
    assert id_claims["email"] == EMAIL


def test_a_refresh_token_belongs_to_the_internal_username(pool):
    result = pool.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]
    internal = pool.internal(EMAIL)
    refresh = lambda name: pool.idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": result["RefreshToken"], "SECRET_HASH": pool.hash(name)},
    )
    assert refresh(internal)["AuthenticationResult"]["IdToken"]
    with pytest.raises(ClientError) as err:
        refresh(EMAIL)
    assert error_of(err)[0] == "NotAuthorizedException"
