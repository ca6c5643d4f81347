"""Every user state against the calls the API makes."""

import pytest
from botocore.exceptions import ClientError

from conftest import EMAIL, PASSWORD, error_of, srp_answer, srp_client
from strict_cognito import outbox


def refuses(call, *args, **kwargs):
    with pytest.raises(ClientError) as err:
        call(*args, **kwargs)
    return error_of(err)


def every_sign_in(pool, name, password):
    """What USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH and SRP each answer."""
    answers = []
    for call in (
        lambda: pool.password_auth(name, password),
        lambda: pool.admin_auth(name, password),
        lambda: srp_client(pool, name, password).authenticate_user(),
    ):
        try:
            answers.append(("ok", call().get("ChallengeName")))
        except ClientError as err:
            answers.append(error_of(type("E", (), {"value": err})))
    return answers


def test_an_unknown_user_looks_like_a_wrong_password_in_every_flow(pool):
    assert (
        every_sign_in(pool, "nobody@example.com", PASSWORD)
        == [("NotAuthorizedException", "Incorrect username or password.")] * 3
    )


def test_a_disabled_user_cannot_sign_in_nor_refresh(pool):
    tokens = pool.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]
    pool.idp.admin_disable_user(UserPoolId=pool.pool_id, Username=EMAIL)
    assert every_sign_in(pool, EMAIL, PASSWORD) == [("NotAuthorizedException", "User is disabled.")] * 3
    internal = pool.internal(EMAIL)
    assert refuses(
        pool.idp.initiate_auth,
        ClientId=pool.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"], "SECRET_HASH": pool.hash(internal)},
    ) == ("NotAuthorizedException", "User is disabled.")


def test_after_an_admin_reset_every_flow_answers_password_reset_required_until_a_new_password(pool):
    pool.idp.admin_reset_user_password(UserPoolId=pool.pool_id, Username=EMAIL)
    assert (
        every_sign_in(pool, EMAIL, PASSWORD)
        == [("PasswordResetRequiredException", "Password reset required for the user")] * 3
    )
    code = pool.sent(EMAIL, outbox.RESET_PASSWORD)
    pool.idp.confirm_forgot_password(
        ClientId=pool.client_id,
        Username=EMAIL,
        ConfirmationCode=code,
        Password="Fresh-passw0rd1",
        SecretHash=pool.hash(EMAIL),
    )
    assert pool.idp.admin_get_user(UserPoolId=pool.pool_id, Username=EMAIL)["UserStatus"] == "CONFIRMED"
    assert every_sign_in(pool, EMAIL, "Fresh-passw0rd1") == [("ok", None)] * 3


def test_an_unconfirmed_user_is_told_so_only_with_the_right_password(pool):
    pool.idp.sign_up(
        ClientId=pool.client_id,
        Username="new@example.com",
        Password="New-passw0rd1",
        SecretHash=pool.hash("new@example.com"),
    )
    assert (
        every_sign_in(pool, "new@example.com", "New-passw0rd1")
        == [("UserNotConfirmedException", "User is not confirmed.")] * 3
    )
    assert (
        every_sign_in(pool, "new@example.com", "Wrong-passw0rd1")
        == [("NotAuthorizedException", "Incorrect username or password.")] * 3
    )


def test_a_temporary_password_leads_to_new_password_required_in_every_flow(pool):
    pool.create_user("temp@example.com", "Temp-passw0rd1", permanent=False)
    answers = []
    answers.append(pool.password_auth("temp@example.com", "Temp-passw0rd1")["ChallengeName"])
    answers.append(pool.admin_auth("temp@example.com", "Temp-passw0rd1")["ChallengeName"])
    answers.append(srp_answer(pool, "temp@example.com", "Temp-passw0rd1")["ChallengeName"])
    assert answers == ["NEW_PASSWORD_REQUIRED"] * 3


def test_forgot_password_refuses_an_invited_user_and_hides_unknown_ones(pool):
    pool.create_user("temp@example.com", "Temp-passw0rd1", permanent=False)
    assert refuses(
        pool.idp.forgot_password,
        ClientId=pool.client_id,
        Username="temp@example.com",
        SecretHash=pool.hash("temp@example.com"),
    ) == ("NotAuthorizedException", "User password cannot be reset in the current state.")
    unknown = pool.idp.forgot_password(
        ClientId=pool.client_id, Username="nobody@example.com", SecretHash=pool.hash("nobody@example.com")
    )
    known = pool.idp.forgot_password(ClientId=pool.client_id, Username=EMAIL, SecretHash=pool.hash(EMAIL))
    assert unknown["CodeDeliveryDetails"].keys() == known["CodeDeliveryDetails"].keys()


def test_confirming_twice_and_resending_to_a_confirmed_user_are_refused(pool):
    assert refuses(
        pool.idp.confirm_sign_up,
        ClientId=pool.client_id,
        Username=EMAIL,
        ConfirmationCode="123456",
        SecretHash=pool.hash(EMAIL),
    ) == ("NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")
    assert refuses(
        pool.idp.resend_confirmation_code, ClientId=pool.client_id, Username=EMAIL, SecretHash=pool.hash(EMAIL)
    ) == ("InvalidParameterException", "User is already confirmed.")


def test_a_deleted_users_refresh_token_stops_working(pool):
    tokens = pool.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]
    internal = pool.internal(EMAIL)
    pool.idp.admin_delete_user(UserPoolId=pool.pool_id, Username=EMAIL)
    assert (
        refuses(
            pool.idp.initiate_auth,
            ClientId=pool.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"], "SECRET_HASH": pool.hash(internal)},
        )[0]
        == "NotAuthorizedException"
    )
    assert every_sign_in(pool, EMAIL, PASSWORD) == [("NotAuthorizedException", "Incorrect username or password.")] * 3


def test_a_disabled_users_access_token_is_revoked(pool):
    tokens = pool.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]
    pool.idp.admin_disable_user(UserPoolId=pool.pool_id, Username=EMAIL)
    for call in (
        lambda: pool.idp.global_sign_out(AccessToken=tokens["AccessToken"]),
        lambda: pool.idp.change_password(
            AccessToken=tokens["AccessToken"], PreviousPassword=PASSWORD, ProposedPassword="Other-passw0rd1"
        ),
        lambda: pool.idp.associate_software_token(AccessToken=tokens["AccessToken"]),
    ):
        assert refuses(call) == ("NotAuthorizedException", "Access Token has been revoked")


def test_non_ascii_passwords_and_codes_are_compared_not_a_server_error(pool):
    assert refuses(pool.password_auth, EMAIL, "Pässwörd-1!") == (
        "NotAuthorizedException",
        "Incorrect username or password.",
    )
    pool.idp.forgot_password(ClientId=pool.client_id, Username=EMAIL, SecretHash=pool.hash(EMAIL))
    assert (
        refuses(
            pool.idp.confirm_forgot_password,
            ClientId=pool.client_id,
            Username=EMAIL,
            ConfirmationCode="\uff11\uff12\uff13\uff14\uff15\uff16",  # full-width digits
            Password="Fresh-passw0rd1",
            SecretHash=pool.hash(EMAIL),
        )[0]
        == "CodeMismatchException"
    )


def test_what_is_missing_or_weak_is_answered_alike_for_known_and_unknown_names(pool):
    answers = []
    for name in (EMAIL, "nobody@example.com"):
        answers.append(
            refuses(
                pool.idp.initiate_auth,
                ClientId=pool.client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": name, "SECRET_HASH": pool.hash(name)},
            )
        )
        answers.append(
            refuses(
                pool.idp.confirm_forgot_password,
                ClientId=pool.client_id,
                Username=name,
                ConfirmationCode="123456",
                Password="weak",
                SecretHash=pool.hash(name),
            )
        )
    assert answers[:2] == answers[2:]


def test_reenabling_a_user_does_not_bring_back_their_revoked_access_tokens(pool):
    tokens = pool.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]
    pool.idp.admin_disable_user(UserPoolId=pool.pool_id, Username=EMAIL)
    pool.idp.admin_enable_user(UserPoolId=pool.pool_id, Username=EMAIL)
    assert refuses(pool.idp.get_user, AccessToken=tokens["AccessToken"]) == (
        "NotAuthorizedException",
        "Access Token has been revoked",
    )
    assert pool.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]


def test_revoking_a_refresh_token_revokes_the_access_tokens_issued_with_it(pool):
    tokens = pool.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]
    other = pool.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]
    pool.idp.revoke_token(ClientId=pool.client_id, Token=tokens["RefreshToken"], ClientSecret=pool.secret)
    assert refuses(pool.idp.get_user, AccessToken=tokens["AccessToken"]) == (
        "NotAuthorizedException",
        "Access Token has been revoked",
    )
    assert pool.idp.get_user(AccessToken=other["AccessToken"])["Username"] == pool.internal(EMAIL)


def test_an_email_taken_in_another_case_cannot_be_given_to_someone_else(pool):
    internal = pool.create_user("temp@example.com", "Temp-passw0rd1", permanent=False)
    session = pool.password_auth("temp@example.com", "Temp-passw0rd1")["Session"]
    assert (
        refuses(
            pool.idp.respond_to_auth_challenge,
            ClientId=pool.client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=session,
            ChallengeResponses={
                "USERNAME": internal,
                "NEW_PASSWORD": "Chosen-passw0rd1",
                "SECRET_HASH": pool.hash(internal),
                "userAttributes.email": "DEMO@example.com",
            },
        )[0]
        == "AliasExistsException"
    )


def test_update_user_attributes_writes_only_what_the_client_may(pool):
    tokens = pool.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]
    assert refuses(
        pool.idp.update_user_attributes,
        AccessToken=tokens["AccessToken"],
        UserAttributes=[{"Name": "email_verified", "Value": "true"}],
    ) == ("NotAuthorizedException", "A client attempted to write unauthorized attribute")
    pool.idp.update_user_attributes(
        AccessToken=tokens["AccessToken"], UserAttributes=[{"Name": "name", "Value": "Demo"}]
    )


def test_concurrent_sign_ups_and_sign_ins_never_fail_with_a_server_error(pool):
    from concurrent.futures import ThreadPoolExecutor

    def work(i):
        try:
            if i % 2:
                pool.idp.sign_up(
                    ClientId=pool.client_id,
                    Username=f"u{i}@example.com",
                    Password="New-passw0rd1",
                    SecretHash=pool.hash(f"u{i}@example.com"),
                )
            else:
                pool.password_auth(EMAIL, PASSWORD)
            return 200
        except ClientError as err:
            return err.response["ResponseMetadata"]["HTTPStatusCode"]

    with ThreadPoolExecutor(max_workers=8) as threads:
        statuses = list(threads.map(work, range(120)))
    assert statuses == [200] * 120
