"""The password policy wherever Cognito applies it, with Cognito's messages."""

import pytest
from botocore.exceptions import ClientError

from conftest import EMAIL, error_of
from strict_cognito import outbox


@pytest.mark.parametrize(
    "password,problem",
    [
        ("Sh0rt!", "Password not long enough"),
        ("nouppercase1!", "Password must have uppercase characters"),
        ("NOLOWERCASE1!", "Password must have lowercase characters"),
        ("NoNumbers!!", "Password must have numeric characters"),
        ("NoSymbols11", "Password must have symbol characters"),
    ],
)
def test_sign_up_names_what_the_password_lacks(pool, password, problem):
    with pytest.raises(ClientError) as err:
        pool.idp.sign_up(
            ClientId=pool.client_id,
            Username="new@example.com",
            Password=password,
            SecretHash=pool.hash("new@example.com"),
        )
    assert error_of(err) == ("InvalidPasswordException", f"Password did not conform with policy: {problem}")


def test_temporary_passwords_and_password_resets_follow_the_policy_too(pool):
    with pytest.raises(ClientError) as err:
        pool.idp.admin_create_user(
            UserPoolId=pool.pool_id, Username="t@example.com", TemporaryPassword="weak", MessageAction="SUPPRESS"
        )
    assert error_of(err)[0] == "InvalidPasswordException"
    pool.idp.forgot_password(ClientId=pool.client_id, Username=EMAIL, SecretHash=pool.hash(EMAIL))
    with pytest.raises(ClientError) as err:
        pool.idp.confirm_forgot_password(
            ClientId=pool.client_id,
            Username=EMAIL,
            Password="weak",
            ConfirmationCode=pool.sent(EMAIL, outbox.RESET_PASSWORD),
            SecretHash=pool.hash(EMAIL),
        )
    assert error_of(err)[0] == "InvalidPasswordException"


def test_an_invitation_without_a_password_gets_one_the_policy_accepts(pool):
    pool.idp.admin_create_user(
        UserPoolId=pool.pool_id,
        Username="invited@example.com",
        UserAttributes=[{"Name": "email", "Value": "invited@example.com"}, {"Name": "email_verified", "Value": "true"}],
    )
    temporary = pool.sent("invited@example.com", outbox.INVITATION)
    assert pool.password_auth("invited@example.com", temporary)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
