"""The person's own account through their access token (attributes, verification codes, deleting
it), the calls that end sessions, and temporary passwords that expire (``api.account``,
``api.passwords``, ``access_tokens``)."""

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import EMAIL, PASSWORD, Pool, error_of, srp_answer
from strict_cognito import iam, outbox
from strict_cognito.api import account, passwords
from test_iam import client as signed_client
from test_iam import pool_arn, principals  # noqa: F401 (a fixture)

NEW = "new@example.com"
OTHER = "other@example.com"
REVOKED = ("NotAuthorizedException", "Access Token has been revoked")
UNAUTHORIZED_ATTRIBUTE = ("NotAuthorizedException", "A client attempted to write unauthorized attribute")
HOUR = 60 * 60
DAY = 24 * HOUR


def refuses(call, *args, **kwargs):
    with pytest.raises(ClientError) as err:
        call(*args, **kwargs)
    return error_of(err)


def keeping_pool(endpoint, client_settings=None):
    """The seeded pool with ``AttributesRequireVerificationBeforeUpdate: [email]``, as
    template.yaml deploys it."""
    settings = {"UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["email"]}}
    made = Pool(boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=endpoint), settings, client_settings)
    made.endpoint = endpoint
    return made


def phone_pool(endpoint):
    """The seeded pool, its client also writing ``phone_number``."""
    writes = ["email", "name", "given_name", "family_name", "locale", "phone_number"]
    return Pool(
        boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=endpoint), None, {"WriteAttributes": writes}
    )


def tokens(pool, name=EMAIL, password=PASSWORD):
    return pool.password_auth(name, password)["AuthenticationResult"]


def attributes_of(pool, access_token):
    return {a["Name"]: a["Value"] for a in pool.idp.get_user(AccessToken=access_token)["UserAttributes"]}


def update(pool, access_token, **values):
    return pool.idp.update_user_attributes(
        AccessToken=access_token, UserAttributes=[{"Name": n, "Value": v} for n, v in values.items()]
    )


def verify(pool, access_token, code, name="email"):
    return pool.idp.verify_user_attribute(AccessToken=access_token, AttributeName=name, Code=code)


def ask_code(pool, access_token, name="email"):
    return pool.idp.get_user_attribute_verification_code(AccessToken=access_token, AttributeName=name)


def wrong(code):
    return "000000" if code != "000000" else "111111"


def outbox_messages(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def refresh_token_auth(pool, refresh_token, internal):
    return pool.idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh_token, "SECRET_HASH": pool.hash(internal)},
    )["AuthenticationResult"]


def get_tokens(pool, refresh_token):
    return pool.idp.get_tokens_from_refresh_token(
        ClientId=pool.client_id, RefreshToken=refresh_token, ClientSecret=pool.secret
    )["AuthenticationResult"]


# --- UpdateUserAttributes -----------------------------------------------------------------------


def test_the_person_can_never_set_email_verified_or_phone_number_verified(pool):
    # GIVEN the seeded client, one that lists the flags among its WriteAttributes, and one
    # created without WriteAttributes (which may write every standard attribute)
    lax = pool.idp.create_user_pool_client(
        UserPoolId=pool.pool_id,
        ClientName="lax",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        WriteAttributes=["email", "name", "email_verified", "phone_number_verified"],
    )["UserPoolClient"]["ClientId"]
    unset = pool.idp.create_user_pool_client(
        UserPoolId=pool.pool_id, ClientName="unset", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    pool.idp.admin_update_user_attributes(
        UserPoolId=pool.pool_id, Username=EMAIL, UserAttributes=[{"Name": "email_verified", "Value": "false"}]
    )
    access_tokens = [tokens(pool)["AccessToken"]]
    for client_id in (lax, unset):
        access_tokens.append(
            pool.idp.initiate_auth(
                ClientId=client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": EMAIL, "PASSWORD": PASSWORD},
            )["AuthenticationResult"]["AccessToken"]
        )
    # WHEN the person sets a flag, with another attribute in the same request
    for access_token in access_tokens:
        for flag in ("email_verified", "phone_number_verified"):
            assert refuses(update, pool, access_token, name="Demo", **{flag: "true"}) == UNAUTHORIZED_ATTRIBUTE
    # THEN nothing changed
    seen = attributes_of(pool, access_tokens[0])
    assert seen["email_verified"] == "false" and "name" not in seen and "phone_number_verified" not in seen


def test_with_verification_before_update_a_new_email_waits_for_its_code_and_the_old_one_keeps_signing_in(
    endpoint, tmp_path, monkeypatch
):
    path = tmp_path / "outbox.jsonl"
    monkeypatch.setenv("STRICT_COGNITO_OUTBOX", str(path))
    pool = keeping_pool(endpoint)
    access = tokens(pool)["AccessToken"]
    # WHEN the person changes their email
    answer = update(pool, access, email=NEW)
    # THEN a code goes to the new address, and the answer says where
    assert answer["CodeDeliveryDetailsList"] == [
        {"Destination": "n***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    ]
    sent = outbox_messages(path)[-1]
    assert (sent["to"], sent["kind"], sent["medium"], len(sent["code"])) == (NEW, "verify-email", "EMAIL", 6)
    # ... the old, verified address stays, and signs in; the new one does not yet
    assert attributes_of(pool, access)["email"] == EMAIL
    assert attributes_of(pool, access)["email_verified"] == "true"
    assert tokens(pool, EMAIL)["AccessToken"]
    assert refuses(pool.password_auth, NEW, PASSWORD) == ("NotAuthorizedException", "Incorrect username or password.")
    # WHEN the code comes back
    verify(pool, access, sent["code"])
    # THEN the new address is the verified email, and the one that signs in
    assert {k: v for k, v in attributes_of(pool, access).items() if k.startswith("email")} == {
        "email": NEW,
        "email_verified": "true",
    }
    assert tokens(pool, NEW)["AccessToken"]
    assert refuses(pool.password_auth, EMAIL, PASSWORD)[0] == "NotAuthorizedException"


def test_without_the_setting_a_new_email_replaces_the_old_one_at_once_unverified_and_gets_a_code(
    pool, tmp_path, monkeypatch
):
    path = tmp_path / "outbox.jsonl"
    monkeypatch.setenv("STRICT_COGNITO_OUTBOX", str(path))
    access = tokens(pool)["AccessToken"]
    answer = update(pool, access, email=NEW)
    assert answer["CodeDeliveryDetailsList"][0]["Destination"] == "n***@e***"
    assert (attributes_of(pool, access)["email"], attributes_of(pool, access)["email_verified"]) == (NEW, "false")
    assert tokens(pool, NEW)["AccessToken"]
    assert refuses(pool.password_auth, EMAIL, PASSWORD)[0] == "NotAuthorizedException"
    sent = outbox_messages(path)[-1]
    assert (sent["to"], sent["kind"]) == (NEW, "verify-email")
    verify(pool, access, sent["code"])
    assert attributes_of(pool, access)["email_verified"] == "true"


@pytest.mark.parametrize("keeping", [True, False], ids=["verification-before-update", "at-once"])
def test_an_email_another_account_signs_in_with_is_alias_exists_at_the_update(endpoint, keeping, tmp_path, monkeypatch):
    path = tmp_path / "outbox.jsonl"
    monkeypatch.setenv("STRICT_COGNITO_OUTBOX", str(path))
    pool = (
        keeping_pool(endpoint)
        if keeping
        else Pool(boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=endpoint))
    )
    pool.create_user(OTHER, "Other-passw0rd1")
    access = tokens(pool)["AccessToken"]
    sent_before = len(outbox_messages(path))
    assert refuses(update, pool, access, email="Other@Example.com", name="Demo") == (
        "AliasExistsException",
        "An account with the given email already exists.",
    )
    assert attributes_of(pool, access)["email"] == EMAIL and "name" not in attributes_of(pool, access)
    assert len(outbox_messages(path)) == sent_before
    # Their own address, in another case, is no one else's.
    update(pool, access, email="Demo@Example.com")


def test_an_email_someone_else_takes_while_the_change_waits_is_alias_exists_at_verification(endpoint):
    pool = keeping_pool(endpoint)
    access = tokens(pool)["AccessToken"]
    update(pool, access, email=NEW)
    code = pool.sent(EMAIL, outbox.VERIFY_EMAIL)
    pool.create_user(NEW, "Newer-passw0rd1")
    assert refuses(verify, pool, access, code) == (
        "AliasExistsException",
        "An account with the given email already exists.",
    )
    assert attributes_of(pool, access)["email"] == EMAIL


def test_a_phone_number_must_be_e164_and_is_verified_with_a_texted_code(endpoint, tmp_path, monkeypatch):
    path = tmp_path / "outbox.jsonl"
    monkeypatch.setenv("STRICT_COGNITO_OUTBOX", str(path))
    pool = phone_pool(endpoint)
    access = tokens(pool)["AccessToken"]
    for number in ("(432) 555-1212", "14325551212", "+1 432 555 1212", ""):
        assert refuses(update, pool, access, phone_number=number) == (
            "InvalidParameterException",
            "Invalid phone number format.",
        )
    # Not auto-verified in this pool: the number is set, unverified, and no code is sent.
    assert "CodeDeliveryDetailsList" not in update(pool, access, phone_number="+14325551212")
    seen = attributes_of(pool, access)
    assert (seen["phone_number"], seen["phone_number_verified"]) == ("+14325551212", "false")
    delivery = ask_code(pool, access, "phone_number")["CodeDeliveryDetails"]
    assert delivery == {"Destination": "+*******1212", "DeliveryMedium": "SMS", "AttributeName": "phone_number"}
    sent = outbox_messages(path)[-1]
    assert (sent["to"], sent["medium"], sent["kind"]) == ("+14325551212", "SMS", "verify-phone-number")
    verify(pool, access, sent["code"], "phone_number")
    assert attributes_of(pool, access)["phone_number_verified"] == "true"


def test_a_blank_value_deletes_the_attribute(pool):
    access = tokens(pool)["AccessToken"]
    update(pool, access, name="Demo", given_name="D")
    update(pool, access, name="")
    seen = attributes_of(pool, access)
    assert "name" not in seen and seen["given_name"] == "D"


# --- GetUserAttributeVerificationCode and VerifyUserAttribute ------------------------------------


def unverified(pool):
    """The demo user with an unverified email, and an access token of theirs."""
    pool.idp.admin_update_user_attributes(
        UserPoolId=pool.pool_id, Username=EMAIL, UserAttributes=[{"Name": "email_verified", "Value": "false"}]
    )
    return tokens(pool)["AccessToken"]


def test_a_wrong_code_is_code_mismatch_and_the_code_sent_verifies(pool):
    access = unverified(pool)
    assert ask_code(pool, access)["CodeDeliveryDetails"] == {
        "Destination": "d***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    code = pool.sent(EMAIL, outbox.VERIFY_EMAIL)
    assert refuses(verify, pool, access, wrong(code)) == (
        "CodeMismatchException",
        "Invalid verification code provided, please try again.",
    )
    assert attributes_of(pool, access)["email_verified"] == "false"
    verify(pool, access, code)
    assert attributes_of(pool, access)["email_verified"] == "true"
    # A code works once.
    assert refuses(verify, pool, access, code)[0] == "CodeMismatchException"


def test_only_the_latest_attribute_code_verifies(pool):
    access = unverified(pool)
    ask_code(pool, access)
    first = pool.sent(EMAIL, outbox.VERIFY_EMAIL)
    ask_code(pool, access)
    latest = pool.sent(EMAIL, outbox.VERIFY_EMAIL)
    if first != latest:  # one in a million, two codes are the same
        assert refuses(verify, pool, access, first)[0] == "CodeMismatchException"
    verify(pool, access, latest)
    assert attributes_of(pool, access)["email_verified"] == "true"


def test_an_attribute_code_lasts_24_hours(pool, clock):
    access = unverified(pool)
    ask_code(pool, access)
    clock.advance(DAY - 1)
    verify(pool, access, pool.sent(EMAIL, outbox.VERIFY_EMAIL))
    ask_code(pool, access)
    code = pool.sent(EMAIL, outbox.VERIFY_EMAIL)
    clock.advance(DAY + 1)
    # (the access token's own expiry is on the system's clock, which has not moved)
    for given in (code, wrong(code)):
        assert refuses(verify, pool, access, given) == (
            "ExpiredCodeException",
            "Invalid code provided, please request a code again.",
        )


def test_a_sixth_code_request_within_the_hour_is_limit_exceeded(pool, clock):
    access = unverified(pool)
    for _ in range(account.CODES_PER_HOUR):
        ask_code(pool, access)
        clock.advance(60)
    assert refuses(ask_code, pool, access) == (
        "LimitExceededException",
        "Attempt limit exceeded, please try after some time.",
    )
    # The refused request sent nothing: the last code still works ...
    verify(pool, access, pool.sent(EMAIL, outbox.VERIFY_EMAIL))
    # ... and an hour after the first request, one more may be asked for.
    clock.advance(HOUR - 60 * account.CODES_PER_HOUR + 1)
    assert ask_code(pool, access)["CodeDeliveryDetails"]["AttributeName"] == "email"


def test_only_an_email_or_a_phone_number_the_person_has_can_be_verified(pool):
    access = tokens(pool)["AccessToken"]
    for name in ("name", "email_verified", "custom:x"):
        assert refuses(ask_code, pool, access, name)[0] == "InvalidParameterException"
        assert refuses(verify, pool, access, "123456", name)[0] == "InvalidParameterException"
    assert refuses(ask_code, pool, access, "phone_number") == (
        "InvalidParameterException",
        "The user has no phone_number to verify.",
    )


def test_a_code_with_whitespace_or_an_attribute_name_over_32_characters_is_a_400(pool):
    access = tokens(pool)["AccessToken"]
    assert refuses(verify, pool, access, "123 456") == (
        "InvalidParameterException",
        "1 validation error detected: Value at 'code' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\S]+",
    )
    assert refuses(ask_code, pool, access, "x" * 33) == (
        "InvalidParameterException",
        "1 validation error detected: Value at 'attributeName' failed to satisfy constraint: "
        "Member must have length less than or equal to 32",
    )


def test_a_code_for_an_address_the_account_no_longer_has_verifies_nothing(pool):
    access = unverified(pool)
    ask_code(pool, access)
    code = pool.sent(EMAIL, outbox.VERIFY_EMAIL)
    pool.idp.admin_update_user_attributes(
        UserPoolId=pool.pool_id, Username=EMAIL, UserAttributes=[{"Name": "email", "Value": NEW}]
    )
    assert refuses(verify, pool, access, code)[0] == "CodeMismatchException"
    assert attributes_of(pool, access)["email_verified"] == "false"


# --- DeleteUser ---------------------------------------------------------------------------------


def test_delete_user_removes_the_person_and_every_token_of_theirs_stops_working(pool):
    issued = tokens(pool)
    internal = pool.internal(EMAIL)
    assert pool.idp.delete_user(AccessToken=issued["AccessToken"])["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert refuses(pool.idp.admin_get_user, UserPoolId=pool.pool_id, Username=internal) == (
        "UserNotFoundException",
        "User does not exist.",
    )
    assert refuses(refresh_token_auth, pool, issued["RefreshToken"], internal)[0] == "NotAuthorizedException"
    assert refuses(get_tokens, pool, issued["RefreshToken"])[0] == "NotAuthorizedException"
    for call in (
        lambda: pool.idp.get_user(AccessToken=issued["AccessToken"]),
        lambda: pool.idp.delete_user(AccessToken=issued["AccessToken"]),
        lambda: pool.idp.global_sign_out(AccessToken=issued["AccessToken"]),
    ):
        assert refuses(call) == ("UserNotFoundException", "User does not exist.")
    assert refuses(pool.password_auth, EMAIL, PASSWORD) == ("NotAuthorizedException", "Incorrect username or password.")
    # The address is free again.
    pool.create_user(EMAIL, PASSWORD)
    assert tokens(pool)["AccessToken"]


# --- sessions that end --------------------------------------------------------------------------


def every_access_token_call(pool, access_token):
    """Each call the person makes with their access token."""
    return {
        "GetUser": lambda: pool.idp.get_user(AccessToken=access_token),
        "ChangePassword": lambda: pool.idp.change_password(
            AccessToken=access_token, PreviousPassword=PASSWORD, ProposedPassword="Other-passw0rd1"
        ),
        "UpdateUserAttributes": lambda: update(pool, access_token, name="Demo"),
        "GetUserAttributeVerificationCode": lambda: ask_code(pool, access_token),
        "VerifyUserAttribute": lambda: verify(pool, access_token, "123456"),
        "DeleteUser": lambda: pool.idp.delete_user(AccessToken=access_token),
        "SetUserMFAPreference": lambda: pool.idp.set_user_mfa_preference(
            AccessToken=access_token, SoftwareTokenMfaSettings={"Enabled": False}
        ),
        "AssociateSoftwareToken": lambda: pool.idp.associate_software_token(AccessToken=access_token),
        "GlobalSignOut": lambda: pool.idp.global_sign_out(AccessToken=access_token),
    }


@pytest.mark.parametrize("sign_out", ["GlobalSignOut", "AdminUserGlobalSignOut"])
def test_after_a_global_sign_out_every_refresh_and_access_token_of_the_person_is_refused(pool, sign_out):
    # GIVEN the person signed in twice, and someone else signed in
    first, second = tokens(pool), tokens(pool)
    pool.create_user(OTHER, "Other-passw0rd1")
    other = tokens(pool, OTHER, "Other-passw0rd1")
    internal = pool.internal(EMAIL)
    # WHEN they are signed out everywhere
    if sign_out == "GlobalSignOut":
        pool.idp.global_sign_out(AccessToken=second["AccessToken"])
    else:
        pool.idp.admin_user_global_sign_out(UserPoolId=pool.pool_id, Username=EMAIL)
    # THEN no refresh token of theirs refreshes, in either refresh call ...
    for issued in (first, second):
        assert refuses(refresh_token_auth, pool, issued["RefreshToken"], internal) == (
            "NotAuthorizedException",
            "Refresh Token has been revoked",
        )
        assert refuses(get_tokens, pool, issued["RefreshToken"]) == (
            "NotAuthorizedException",
            "Refresh Token has been revoked",
        )
        # ... and no access token of theirs works for any call
        for name, call in every_access_token_call(pool, issued["AccessToken"]).items():
            assert refuses(call) == REVOKED, name
    # ... while the account and the other person's session live on
    assert pool.idp.admin_get_user(UserPoolId=pool.pool_id, Username=EMAIL)["Username"] == internal
    assert pool.idp.get_user(AccessToken=other["AccessToken"])["Username"] == pool.internal(OTHER)
    assert get_tokens(pool, other["RefreshToken"])["AccessToken"]
    assert tokens(pool)["AccessToken"]


def test_revoke_token_ends_only_the_tokens_issued_with_that_refresh_token(pool):
    revoked, kept = tokens(pool), tokens(pool)
    internal = pool.internal(EMAIL)
    refreshed = get_tokens(pool, revoked["RefreshToken"])
    pool.idp.revoke_token(ClientId=pool.client_id, Token=revoked["RefreshToken"], ClientSecret=pool.secret)
    assert refuses(get_tokens, pool, revoked["RefreshToken"]) == (
        "NotAuthorizedException",
        "Refresh Token has been revoked",
    )
    assert refuses(refresh_token_auth, pool, revoked["RefreshToken"], internal)[0] == "NotAuthorizedException"
    for access_token in (revoked["AccessToken"], refreshed["AccessToken"]):
        assert refuses(pool.idp.get_user, AccessToken=access_token) == REVOKED
    assert pool.idp.get_user(AccessToken=kept["AccessToken"])["Username"] == internal
    assert get_tokens(pool, kept["RefreshToken"])["AccessToken"]
    assert refresh_token_auth(pool, kept["RefreshToken"], internal)["AccessToken"]


def change_password(pool):
    pool.idp.change_password(
        AccessToken=tokens(pool)["AccessToken"], PreviousPassword=PASSWORD, ProposedPassword="Changed-passw0rd1"
    )


def confirm_forgot_password(pool):
    pool.idp.forgot_password(ClientId=pool.client_id, Username=EMAIL, SecretHash=pool.hash(EMAIL))
    pool.idp.confirm_forgot_password(
        ClientId=pool.client_id,
        Username=EMAIL,
        ConfirmationCode=pool.sent(EMAIL, outbox.RESET_PASSWORD),
        Password="Changed-passw0rd1",
        SecretHash=pool.hash(EMAIL),
    )


def admin_set_user_password(permanent):
    def set_password(pool):
        pool.idp.admin_set_user_password(
            UserPoolId=pool.pool_id, Username=EMAIL, Password="Changed-passw0rd1", Permanent=permanent
        )

    return set_password


def admin_reset_user_password(pool):
    pool.idp.admin_reset_user_password(UserPoolId=pool.pool_id, Username=EMAIL)


@pytest.mark.parametrize(
    "change",
    [
        change_password,
        confirm_forgot_password,
        admin_set_user_password(True),
        admin_set_user_password(False),
        admin_reset_user_password,
    ],
    ids=[
        "ChangePassword",
        "ConfirmForgotPassword",
        "AdminSetUserPassword",
        "AdminSetUserPassword-temporary",
        "AdminResetUserPassword",
    ],
)
def test_changing_or_resetting_the_password_revokes_no_token_cognito_leaves_that_to_the_api(pool, change):
    issued = tokens(pool)
    internal = pool.internal(EMAIL)
    change(pool)
    assert refresh_token_auth(pool, issued["RefreshToken"], internal)["AccessToken"]
    assert get_tokens(pool, issued["RefreshToken"])["AccessToken"]
    assert pool.idp.get_user(AccessToken=issued["AccessToken"])["Username"] == internal


# --- temporary passwords and RESEND -------------------------------------------------------------


INVITED = "invited@example.com"
TEMPORARY = "Temp-passw0rd1"


def invite(pool, password=TEMPORARY):
    pool.idp.admin_create_user(
        UserPoolId=pool.pool_id,
        Username=INVITED,
        TemporaryPassword=password,
        UserAttributes=[{"Name": "email", "Value": INVITED}, {"Name": "email_verified", "Value": "true"}],
    )


def resend(pool, **kwargs):
    return pool.idp.admin_create_user(UserPoolId=pool.pool_id, Username=INVITED, MessageAction="RESEND", **kwargs)


def every_flow(pool, name, password):
    """What USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH and USER_SRP_AUTH answer with `password`."""
    answers = []
    for call in (lambda: pool.password_auth(name, password), lambda: pool.admin_auth(name, password)):
        try:
            answers.append(call().get("ChallengeName"))
        except ClientError as err:
            answers.append(err.response["Error"]["Message"])
    try:
        answers.append(srp_answer(pool, name, password)["ChallengeName"])
    except ClientError as err:
        answers.append(err.response["Error"]["Message"])
    return answers


def test_resend_gives_an_invited_person_a_new_temporary_password_that_works(pool, tmp_path, monkeypatch):
    path = tmp_path / "outbox.jsonl"
    monkeypatch.setenv("STRICT_COGNITO_OUTBOX", str(path))
    invite(pool)
    resent = resend(pool)
    assert resent["User"]["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    sent = outbox_messages(path)[-1]
    assert (sent["to"], sent["kind"]) == (INVITED, "invitation") and sent["code"] != TEMPORARY
    assert every_flow(pool, INVITED, TEMPORARY) == ["Incorrect username or password."] * 3
    assert every_flow(pool, INVITED, sent["code"]) == ["NEW_PASSWORD_REQUIRED"] * 3


def test_resend_to_a_person_in_any_other_state_is_unsupported_user_state(pool):
    internal = pool.internal(EMAIL)
    assert refuses(pool.idp.admin_create_user, UserPoolId=pool.pool_id, Username=EMAIL, MessageAction="RESEND") == (
        "UnsupportedUserStateException",
        f"Resend not possible. {internal} status is not FORCE_CHANGE_PASSWORD.",
    )
    assert refuses(
        pool.idp.admin_create_user, UserPoolId=pool.pool_id, Username="nobody@example.com", MessageAction="RESEND"
    ) == ("UserNotFoundException", "User does not exist.")


def test_a_temporary_password_expires_after_the_pools_validity_days_until_resend(endpoint, clock):
    # GIVEN a pool whose temporary passwords last two days, and an invited person
    policy = {
        "MinimumLength": 8,
        "RequireLowercase": True,
        "RequireUppercase": True,
        "RequireNumbers": True,
        "RequireSymbols": True,
        "TemporaryPasswordValidityDays": 2,
    }
    pool = Pool(
        boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=endpoint),
        {"Policies": {"PasswordPolicy": policy}},
    )
    invite(pool)
    # WHEN the two days have nearly passed, the temporary password still works
    clock.advance(2 * DAY - 1)
    assert every_flow(pool, INVITED, TEMPORARY) == ["NEW_PASSWORD_REQUIRED"] * 3
    # WHEN they have passed, it is refused in every flow, and a wrong password reads as one
    clock.advance(2)
    assert every_flow(pool, INVITED, TEMPORARY) == [passwords.TEMPORARY_PASSWORD_EXPIRED] * 3
    assert refuses(pool.password_auth, INVITED, "Wrong-passw0rd1") == (
        "NotAuthorizedException",
        "Incorrect username or password.",
    )
    # THEN a RESEND gives a password that works, for another two days
    resend(pool, TemporaryPassword="Fresh-passw0rd1")
    assert every_flow(pool, INVITED, "Fresh-passw0rd1") == ["NEW_PASSWORD_REQUIRED"] * 3
    clock.advance(2 * DAY + 1)
    assert every_flow(pool, INVITED, "Fresh-passw0rd1") == [passwords.TEMPORARY_PASSWORD_EXPIRED] * 3
    # ... as does a temporary password an administrator sets
    pool.idp.admin_set_user_password(UserPoolId=pool.pool_id, Username=INVITED, Password=TEMPORARY, Permanent=False)
    assert every_flow(pool, INVITED, TEMPORARY) == ["NEW_PASSWORD_REQUIRED"] * 3


def test_temporary_passwords_last_seven_days_by_default(pool, clock):
    assert passwords.temporary_password_days(pool.model()) == 7
    invite(pool)
    clock.advance(7 * DAY - 1)
    assert pool.password_auth(INVITED, TEMPORARY)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    clock.advance(2)
    assert refuses(pool.password_auth, INVITED, TEMPORARY) == (
        "NotAuthorizedException",
        passwords.TEMPORARY_PASSWORD_EXPIRED,
    )


# --- IAM ----------------------------------------------------------------------------------------


def test_the_account_calls_need_no_iam_and_admin_user_global_sign_out_does(pool, principals):  # noqa: F811
    account_calls = {
        "GetUser",
        "UpdateUserAttributes",
        "GetUserAttributeVerificationCode",
        "VerifyUserAttribute",
        "DeleteUser",
        "GlobalSignOut",
    }
    assert not account_calls & iam.iam_authorized("cognito-idp")
    assert "AdminUserGlobalSignOut" in iam.iam_authorized("cognito-idp")
    # GIVEN a function whose policy grants nothing
    idp = signed_client(pool.endpoint)
    access = idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": EMAIL, "PASSWORD": PASSWORD, "SECRET_HASH": pool.hash(EMAIL)},
    )["AuthenticationResult"]["AccessToken"]
    # THEN every account call works with the person's access token ...
    idp.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "name", "Value": "Demo"}])
    idp.get_user_attribute_verification_code(AccessToken=access, AttributeName="email")
    idp.verify_user_attribute(AccessToken=access, AttributeName="email", Code=pool.sent(EMAIL, outbox.VERIFY_EMAIL))
    assert idp.get_user(AccessToken=access)["Username"] == pool.internal(EMAIL)
    # ... while the admin sign-out is AccessDenied until the policy grants it
    assert (
        refuses(idp.admin_user_global_sign_out, UserPoolId=pool.pool_id, Username=EMAIL)[0] == "AccessDeniedException"
    )
    principals([{"Effect": "Allow", "Action": "cognito-idp:AdminUserGlobalSignOut", "Resource": pool_arn(pool)}])
    idp.admin_user_global_sign_out(UserPoolId=pool.pool_id, Username=EMAIL)
    assert refuses(idp.get_user, AccessToken=access) == REVOKED
    fresh = tokens(pool)["AccessToken"]
    idp.global_sign_out(AccessToken=fresh)
    other = tokens(pool)["AccessToken"]
    idp.delete_user(AccessToken=other)
    assert refuses(pool.password_auth, EMAIL, PASSWORD)[0] == "NotAuthorizedException"
