"""Challenge sessions: only the sign-in that proved the password goes on, and wrong codes end it."""

import pytest
from botocore.exceptions import ClientError
from moto.cognitoidp.utils import cognito_totp

from conftest import EMAIL, PASSWORD, error_of, totp_code
from strict_cognito import sessions


def wrong_code(secret):
    """A code that is wrong for `secret` in this step and the ones next to it."""
    import time

    near = {cognito_totp(secret).generate(int(time.time()) + 30 * d).decode() for d in (-2, -1, 0, 1, 2)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c not in near)


def test_an_srp_start_cannot_be_turned_into_an_mfa_set_up(pool):
    """The attack: start SRP (no password needed), verify a software token on its SECRET_BLOCK,
    answer MFA_SETUP. Only a session that proved the password may reach MFA set-up."""
    start = pool.idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_SRP_AUTH",
        AuthParameters={"USERNAME": EMAIL, "SRP_A": "ab" * 384, "SECRET_HASH": pool.hash(EMAIL)},
    )
    block = start["ChallengeParameters"]["SECRET_BLOCK"]
    with pytest.raises(ClientError) as err:
        pool.idp.verify_software_token(Session=block, UserCode="123456")
    # (moto's answer to a session it does not hold, which names the session)
    assert error_of(err) == ("ResourceNotFoundException", block)
    internal = pool.internal(EMAIL)
    with pytest.raises(ClientError) as err:
        pool.idp.respond_to_auth_challenge(
            ClientId=pool.client_id,
            ChallengeName="MFA_SETUP",
            Session=block,
            ChallengeResponses={"USERNAME": internal, "SECRET_HASH": pool.hash(internal)},
        )
    waiting = "The session is waiting for PASSWORD_VERIFIER, not MFA_SETUP."
    assert error_of(err) == ("InvalidParameterException", waiting)


def test_mfa_set_up_needs_a_token_verified_in_that_session(pool):
    pool.idp.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id, MfaConfiguration="ON", SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    challenge = pool.password_auth(EMAIL, PASSWORD)
    assert challenge["ChallengeName"] == "MFA_SETUP"
    internal = pool.internal(EMAIL)
    answer = lambda session: pool.idp.respond_to_auth_challenge(
        ClientId=pool.client_id,
        ChallengeName="MFA_SETUP",
        Session=session,
        ChallengeResponses={"USERNAME": internal, "SECRET_HASH": pool.hash(internal)},
    )
    with pytest.raises(ClientError) as err:
        answer(challenge["Session"])
    assert error_of(err)[0] == "InvalidParameterException"
    secret = pool.idp.associate_software_token(Session=challenge["Session"])["SecretCode"]
    verified = pool.idp.verify_software_token(Session=challenge["Session"], UserCode=totp_code(secret))
    assert answer(verified["Session"])["AuthenticationResult"]["IdToken"]
    with pytest.raises(ClientError) as err:
        answer(challenge["Session"])  # the session before the verification is used up
    assert error_of(err) == ("NotAuthorizedException", "Invalid session for the user, session is expired.")


def test_five_wrong_mfa_codes_end_the_session(pool):
    tokens = pool.password_auth(EMAIL, PASSWORD)["AuthenticationResult"]
    secret = pool.idp.associate_software_token(AccessToken=tokens["AccessToken"])["SecretCode"]
    pool.idp.verify_software_token(AccessToken=tokens["AccessToken"], UserCode=totp_code(secret))
    pool.idp.set_user_mfa_preference(
        AccessToken=tokens["AccessToken"], SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    challenge = pool.password_auth(EMAIL, PASSWORD)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    internal = pool.internal(EMAIL)
    answer = lambda code: pool.idp.respond_to_auth_challenge(
        ClientId=pool.client_id,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": internal, "SECRET_HASH": pool.hash(internal), "SOFTWARE_TOKEN_MFA_CODE": code},
    )
    wrong = wrong_code(secret)
    for _ in range(sessions.MAX_WRONG_ANSWERS):
        with pytest.raises(ClientError) as err:
            answer(wrong)
        assert error_of(err)[0] == "CodeMismatchException"
    with pytest.raises(ClientError) as err:
        answer(totp_code(secret))
    assert error_of(err) == ("NotAuthorizedException", "Invalid session for the user, session is expired.")


def test_five_wrong_codes_to_verify_software_token_end_the_mfa_set_up(pool):
    pool.idp.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id, MfaConfiguration="ON", SoftwareTokenMfaConfiguration={"Enabled": True}
    )
    challenge = pool.password_auth(EMAIL, PASSWORD)
    secret = pool.idp.associate_software_token(Session=challenge["Session"])["SecretCode"]
    wrong = wrong_code(secret)
    for _ in range(sessions.MAX_WRONG_ANSWERS):
        with pytest.raises(ClientError) as err:
            pool.idp.verify_software_token(Session=challenge["Session"], UserCode=wrong)
        assert error_of(err) == ("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")
    with pytest.raises(ClientError) as err:
        pool.idp.verify_software_token(Session=challenge["Session"], UserCode=totp_code(secret))
    assert error_of(err) == ("ResourceNotFoundException", challenge["Session"])


def test_a_session_lasts_the_clients_auth_session_validity_and_not_a_moment_more(pool, clock):
    # GIVEN two people who must choose a new password, each with a sign-in waiting for it, and
    # the client's AuthSessionValidity (3 minutes by default)
    waiting = []
    for email in ("first@example.com", "second@example.com"):
        internal = pool.create_user(email, "Temporary-passw0rd1", permanent=False)
        challenge = pool.password_auth(email, "Temporary-passw0rd1")
        assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
        waiting.append((internal, challenge["Session"]))
    (first, first_session), (second, second_session) = waiting
    # WHEN the first answers at the last instant of the 3 minutes, THEN they are signed in
    clock.advance(3 * 60)
    assert pool.new_password(first, first_session, "Chosen-passw0rd1")["AuthenticationResult"]["IdToken"]
    # WHEN the second answers a moment later, THEN their session has expired
    clock.advance(0.5)
    with pytest.raises(ClientError) as err:
        pool.new_password(second, second_session, "Chosen-passw0rd1")
    assert error_of(err) == ("NotAuthorizedException", "Invalid session for the user, session is expired.")
