"""Email MFA: the pool's EmailMfaConfiguration (with SES), a person's EmailMfaSettings, and the
EMAIL_OTP challenge after the password with a 6-digit code from the outbox."""

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import EMAIL, PASSWORD, SES, Pool, error_of
from strict_cognito import outbox


def email_mfa_pool(endpoint, settings=None):
    made = Pool(boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=endpoint), settings)
    made.idp.set_user_pool_mfa_config(
        UserPoolId=made.pool_id,
        MfaConfiguration="OPTIONAL",
        EmailMfaConfiguration={"Message": "Your code is {####}", "Subject": "Your code"},
    )
    return made


def turn_on_email_mfa(pool):
    token = pool.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]["AccessToken"]
    pool.idp.set_user_mfa_preference(AccessToken=token, EmailMfaSettings={"Enabled": True, "PreferredMfa": True})
    return token


def test_a_person_turns_email_mfa_on_and_get_user_lists_it(endpoint):
    pool = email_mfa_pool(endpoint, SES)
    token = turn_on_email_mfa(pool)
    user = pool.idp.get_user(AccessToken=token)
    assert user["UserMFASettingList"] == ["EMAIL_OTP"]
    assert user["PreferredMfaSetting"] == "EMAIL_OTP"


def test_sign_in_asks_for_a_six_digit_email_code_after_the_password(endpoint):
    pool = email_mfa_pool(endpoint, SES)
    turn_on_email_mfa(pool)
    challenge = pool.password_auth(EMAIL, PASSWORD)
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    code = pool.sent(EMAIL, outbox.EMAIL_MFA)
    assert len(code) == 6 and code.isdigit()
    internal = pool.internal(EMAIL)

    def answer(value):
        return pool.idp.respond_to_auth_challenge(
            ClientId=pool.client_id,
            ChallengeName="EMAIL_OTP",
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": internal, "SECRET_HASH": pool.hash(internal), "EMAIL_OTP_CODE": value},
        )

    with pytest.raises(ClientError) as err:
        answer("000000" if code != "000000" else "111111")
    assert error_of(err)[0] == "CodeMismatchException"
    assert answer(code)["AuthenticationResult"]["IdToken"]


def test_email_mfa_needs_ses_on_the_pool_and_the_pools_email_mfa(endpoint):
    plain = Pool(boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=endpoint))
    with pytest.raises(ClientError) as err:
        plain.idp.set_user_pool_mfa_config(
            UserPoolId=plain.pool_id, MfaConfiguration="OPTIONAL", EmailMfaConfiguration={"Subject": "Code"}
        )
    assert error_of(err)[0] == "InvalidParameterException"
    token = plain.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError) as err:
        plain.idp.set_user_mfa_preference(AccessToken=token, EmailMfaSettings={"Enabled": True})
    assert error_of(err)[0] == "InvalidParameterException"


def test_turning_email_mfa_off_signs_in_with_the_password_alone(endpoint):
    pool = email_mfa_pool(endpoint, SES)
    token = turn_on_email_mfa(pool)
    pool.idp.set_user_mfa_preference(AccessToken=token, EmailMfaSettings={"Enabled": False, "PreferredMfa": False})
    assert pool.idp.get_user(AccessToken=token)["UserMFASettingList"] == []
    assert pool.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]["IdToken"]


def test_a_totp_change_keeps_an_email_preference_and_a_refused_change_changes_nothing(endpoint):
    pool = email_mfa_pool(endpoint, SES)
    token = turn_on_email_mfa(pool)
    pool.idp.set_user_mfa_preference(AccessToken=token, SMSMfaSettings={"Enabled": False, "PreferredMfa": False})
    assert pool.idp.get_user(AccessToken=token)["PreferredMfaSetting"] == "EMAIL_OTP"
    # A refused email change leaves the other settings as they were
    plain = Pool(boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=endpoint))
    other = plain.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError) as err:
        plain.idp.set_user_mfa_preference(
            AccessToken=other,
            SMSMfaSettings={"Enabled": True, "PreferredMfa": True},
            EmailMfaSettings={"Enabled": True},
        )
    assert error_of(err) == ("InvalidParameterException", "Email MFA is not enabled for this user pool.")
    assert plain.idp.get_user(AccessToken=other)["UserMFASettingList"] == []
