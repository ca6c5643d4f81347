"""Case-insensitive names and email as the sign-in name, in every call that takes a username."""

import jwt
import pytest
from botocore.exceptions import ClientError

from conftest import EMAIL, PASSWORD, Pool, error_of


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


USERNAME_PATTERN_MESSAGE = (
    "1 validation error detected: Value at 'username' failed to satisfy constraint: "
    "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"
)


@pytest.mark.parametrize(
    "name",
    [" new@example.com", "new@example.com ", "new @example.com", "new@example.com\u00a0", "new\u200b@example.com"],
)
def test_whitespace_or_invisible_characters_in_a_username_are_refused(pool, name):
    calls = [
        lambda: pool.idp.sign_up(
            ClientId=pool.client_id, Username=name, Password="New-passw0rd1", SecretHash=pool.hash(name)
        ),
        lambda: pool.idp.admin_create_user(UserPoolId=pool.pool_id, Username=name, MessageAction="SUPPRESS"),
        lambda: pool.idp.forgot_password(ClientId=pool.client_id, Username=name, SecretHash=pool.hash(name)),
        lambda: pool.idp.admin_get_user(UserPoolId=pool.pool_id, Username=name),
    ]
    for call in calls:
        with pytest.raises(ClientError) as err:
            call()
        assert error_of(err) == ("InvalidParameterException", USERNAME_PATTERN_MESSAGE)


def test_letters_marks_symbols_numbers_and_punctuation_of_any_script_make_a_username(pool):
    # A pool whose usernames are names (this one's must be email addresses, which moto holds to
    # an ASCII format of its own).
    names = Pool(pool.idp, pool_settings={"UsernameAttributes": []})
    for name in ("ünïcödé+tag", "名前", "o'brien-1", "ﬁ̈x☃"):
        names.idp.admin_create_user(UserPoolId=names.pool_id, Username=name, MessageAction="SUPPRESS")
        assert names.idp.admin_get_user(UserPoolId=names.pool_id, Username=name)["Username"] == name


def test_sign_in_with_spaces_around_the_name_is_an_unknown_name_not_a_trimmed_one(pool):
    # InitiateAuth's USERNAME is in AuthParameters, which have no pattern: nobody is found.
    for name in (f" {EMAIL}", f"{EMAIL} ", f"\t{EMAIL}"):
        with pytest.raises(ClientError) as err:
            pool.password_auth(name, PASSWORD)
        assert error_of(err) == ("NotAuthorizedException", "Incorrect username or password.")
