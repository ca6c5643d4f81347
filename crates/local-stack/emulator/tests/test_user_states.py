"""Every user state against the calls the API makes."""

import pytest
from botocore.exceptions import ClientError
from conftest import EMAIL, PASSWORD, error_of
from test_srp import srp_client

from strict_cognito import outbox


def refuses(call, *args, **kwargs):
    with pytest.raises(ClientError) as err:
        call(*args, **kwargs)
    return error_of(err)


def every_sign_in(pool, name, password):
    """What USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH and SRP each answer."""
    answers = []
    for call in (lambda: pool.password_auth(name, password), lambda: pool.admin_auth(name, password),
                 lambda: srp_client(pool, name, password).authenticate_user()):
        try:
            answers.append(("ok", call().get("ChallengeName")))
        except ClientError as err:
            answers.append(error_of(type("E", (), {"value": err})))
    return answers


def test_an_unknown_user_looks_like_a_wrong_password_in_every_flow(pool):
    assert every_sign_in(pool, "nobody@example.com", PASSWORD) == [("NotAuthorizedException", "Incorrect username or password.")] * 3


def test_a_disabled_user_cannot_sign_in_nor_refresh(pool):
    tokens = pool.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]
    pool.idp.admin_disable_user(UserPoolId=pool.pool_id, Username=EMAIL)
    assert every_sign_in(pool, EMAIL, PASSWORD) == [("NotAuthorizedException", "User is disabled.")] * 3
    internal = pool.internal(EMAIL)
    assert refuses(pool.idp.initiate_auth, ClientId=pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                   AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"], "SECRET_HASH": pool.hash(internal)}) == (
        "NotAuthorizedException", "User is disabled.")


def test_after_an_admin_reset_every_flow_answers_password_reset_required_until_a_new_password(pool):
    pool.idp.admin_reset_user_password(UserPoolId=pool.pool_id, Username=EMAIL)
    assert every_sign_in(pool, EMAIL, PASSWORD) == [("PasswordResetRequiredException", "Password reset required for the user")] * 3
    code = pool.sent(EMAIL, outbox.RESET_PASSWORD)
    pool.idp.confirm_forgot_password(ClientId=pool.client_id, Username=EMAIL, ConfirmationCode=code,
                                     Password="Fresh-passw0rd1", SecretHash=pool.hash(EMAIL))
    assert pool.idp.admin_get_user(UserPoolId=pool.pool_id, Username=EMAIL)["UserStatus"] == "CONFIRMED"
    assert every_sign_in(pool, EMAIL, "Fresh-passw0rd1") == [("ok", None)] * 3


def test_an_unconfirmed_user_is_told_so_only_with_the_right_password(pool):
    pool.idp.sign_up(ClientId=pool.client_id, Username="new@example.com", Password="New-passw0rd1",
                     SecretHash=pool.hash("new@example.com"))
    assert every_sign_in(pool, "new@example.com", "New-passw0rd1") == [("UserNotConfirmedException", "User is not confirmed.")] * 3
    assert every_sign_in(pool, "new@example.com", "Wrong-passw0rd1") == [("NotAuthorizedException", "Incorrect username or password.")] * 3


def test_a_temporary_password_leads_to_new_password_required_in_every_flow(pool):
    pool.create_user("temp@example.com", "Temp-passw0rd1", permanent=False)
    answers = []
    answers.append(pool.password_auth("temp@example.com", "Temp-passw0rd1")["ChallengeName"])
    answers.append(pool.admin_auth("temp@example.com", "Temp-passw0rd1")["ChallengeName"])
    client = srp_client(pool, "temp@example.com", "Temp-passw0rd1")
    params = client.get_auth_params()
    start = pool.idp.initiate_auth(ClientId=pool.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=params)
    answers.append(pool.idp.respond_to_auth_challenge(
        ClientId=pool.client_id, ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=client.process_challenge(start["ChallengeParameters"], params))["ChallengeName"])
    assert answers == ["NEW_PASSWORD_REQUIRED"] * 3


def test_forgot_password_refuses_an_invited_user_and_hides_unknown_ones(pool):
    pool.create_user("temp@example.com", "Temp-passw0rd1", permanent=False)
    assert refuses(pool.idp.forgot_password, ClientId=pool.client_id, Username="temp@example.com",
                   SecretHash=pool.hash("temp@example.com")) == (
        "NotAuthorizedException", "User password cannot be reset in the current state.")
    unknown = pool.idp.forgot_password(ClientId=pool.client_id, Username="nobody@example.com", SecretHash=pool.hash("nobody@example.com"))
    known = pool.idp.forgot_password(ClientId=pool.client_id, Username=EMAIL, SecretHash=pool.hash(EMAIL))
    assert unknown["CodeDeliveryDetails"].keys() == known["CodeDeliveryDetails"].keys()


def test_confirming_twice_and_resending_to_a_confirmed_user_are_refused(pool):
    assert refuses(pool.idp.confirm_sign_up, ClientId=pool.client_id, Username=EMAIL, ConfirmationCode="123456",
                   SecretHash=pool.hash(EMAIL)) == ("NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")
    assert refuses(pool.idp.resend_confirmation_code, ClientId=pool.client_id, Username=EMAIL,
                   SecretHash=pool.hash(EMAIL)) == ("InvalidParameterException", "User is already confirmed.")


def test_a_deleted_users_refresh_token_stops_working(pool):
    tokens = pool.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]
    internal = pool.internal(EMAIL)
    pool.idp.admin_delete_user(UserPoolId=pool.pool_id, Username=EMAIL)
    assert refuses(pool.idp.initiate_auth, ClientId=pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                   AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"], "SECRET_HASH": pool.hash(internal)})[0] == "NotAuthorizedException"
    assert every_sign_in(pool, EMAIL, PASSWORD) == [("NotAuthorizedException", "Incorrect username or password.")] * 3


def test_a_disabled_users_access_token_is_revoked(pool):
    tokens = pool.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]
    pool.idp.admin_disable_user(UserPoolId=pool.pool_id, Username=EMAIL)
    for call in (lambda: pool.idp.global_sign_out(AccessToken=tokens["AccessToken"]),
                 lambda: pool.idp.change_password(AccessToken=tokens["AccessToken"], PreviousPassword=PASSWORD,
                                                  ProposedPassword="Other-passw0rd1"),
                 lambda: pool.idp.associate_software_token(AccessToken=tokens["AccessToken"])):
        assert refuses(call) == ("NotAuthorizedException", "Access Token has been revoked")


def test_non_ascii_passwords_and_codes_are_compared_not_a_server_error(pool):
    assert refuses(pool.password_auth, EMAIL, "Pässwörd-1!") == ("NotAuthorizedException", "Incorrect username or password.")
    pool.idp.forgot_password(ClientId=pool.client_id, Username=EMAIL, SecretHash=pool.hash(EMAIL))
    assert refuses(pool.idp.confirm_forgot_password, ClientId=pool.client_id, Username=EMAIL, ConfirmationCode="１２３４５６",
                   Password="Fresh-passw0rd1", SecretHash=pool.hash(EMAIL))[0] == "CodeMismatchException"
