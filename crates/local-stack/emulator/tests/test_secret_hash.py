"""SECRET_HASH on every call that takes it, over the name Cognito uses."""

import pytest
from botocore.exceptions import ClientError

from conftest import EMAIL, PASSWORD, error_of


def without_hash(pool, call, **params):
    with pytest.raises(ClientError) as err:
        call(ClientId=pool.client_id, **params)
    return error_of(err)


@pytest.mark.parametrize(
    "action,params",
    [
        ("sign_up", {"Username": "x@example.com", "Password": "Some-passw0rd"}),
        ("confirm_sign_up", {"Username": EMAIL, "ConfirmationCode": "123456"}),
        ("resend_confirmation_code", {"Username": EMAIL}),
        ("forgot_password", {"Username": EMAIL}),
        ("confirm_forgot_password", {"Username": EMAIL, "ConfirmationCode": "123456", "Password": "New-passw0rd1"}),
    ],
)
def test_every_public_call_needs_the_secret_hash(pool, action, params):
    code, message = without_hash(pool, getattr(pool.idp, action), **params)
    assert code == "NotAuthorizedException" and "SECRET_HASH was not received" in message
    code, message = without_hash(pool, getattr(pool.idp, action), SecretHash="d3Jvbmc=", **params)
    assert (code, message) == ("NotAuthorizedException", f"Unable to verify secret hash for client {pool.client_id}")


def test_password_sign_in_needs_the_secret_hash(pool):
    with pytest.raises(ClientError) as err:
        pool.idp.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": EMAIL, "PASSWORD": PASSWORD},
        )
    assert error_of(err)[0] == "NotAuthorizedException"
    with pytest.raises(ClientError) as err:
        pool.idp.admin_initiate_auth(
            UserPoolId=pool.pool_id,
            ClientId=pool.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": EMAIL, "PASSWORD": PASSWORD, "SECRET_HASH": pool.hash("other")},
        )
    assert error_of(err)[0] == "NotAuthorizedException"


def test_a_hash_over_a_utf8_name_is_checked_not_a_server_error(pool):
    with pytest.raises(ClientError) as err:
        pool.password_auth("żółw@example.com", PASSWORD)
    assert error_of(err) == ("NotAuthorizedException", "Incorrect username or password.")


def test_challenge_answers_hash_the_internal_username_not_the_typed_email(pool):
    pool.create_user("temp@example.com", "Temp-passw0rd1", permanent=False)
    challenge = pool.password_auth("temp@example.com", "Temp-passw0rd1")
    answer = lambda name: pool.idp.respond_to_auth_challenge(
        ClientId=pool.client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={
            "USERNAME": "temp@example.com",
            "NEW_PASSWORD": "Chosen-passw0rd1",
            "SECRET_HASH": pool.hash(name),
        },
    )
    with pytest.raises(ClientError) as err:
        answer("temp@example.com")
    assert error_of(err)[0] == "NotAuthorizedException"
    assert answer(pool.internal("temp@example.com"))["AuthenticationResult"]["IdToken"]
