"""Choice-based sign-in (USER_AUTH): the preferred factor or the choice, each answer with
SECRET_HASH over the internal username, 8-digit passwordless codes from the outbox, and unknown
names answered like known ones."""

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import EMAIL, PASSWORD, Pool, error_of
from strict_cognito import outbox

FACTORS = {"Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]}}}
FLOWS = {"ExplicitAuthFlows": ["ALLOW_USER_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}


@pytest.fixture
def choice_pool(endpoint):
    made = Pool(boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=endpoint), FACTORS, FLOWS)
    made.endpoint = endpoint
    return made


def start(pool, name, hash_name=None, **params):
    return pool.idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": name, "SECRET_HASH": pool.hash(hash_name or name), **params},
    )


def answer(pool, name, session, username, **responses):
    return pool.idp.respond_to_auth_challenge(
        ClientId=pool.client_id,
        ChallengeName=name,
        Session=session,
        ChallengeResponses={"USERNAME": username, "SECRET_HASH": pool.hash(username), **responses},
    )


def test_without_a_preference_the_person_chooses_among_the_factors_they_can_use(choice_pool):
    # GIVEN a person with a password and a verified email, no phone number
    internal = choice_pool.internal(EMAIL)
    # WHEN the sign-in starts without a preference
    choice = start(choice_pool, EMAIL)
    # THEN the answer is the choice, naming the internal username: every factor the pool allows
    # (PreventUserExistenceErrors: the list tells no one apart)
    assert choice["ChallengeName"] == "SELECT_CHALLENGE"
    assert choice["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]
    assert choice["ChallengeParameters"]["USERNAME"] == internal
    # AND choosing PASSWORD with the password in the same call signs in
    done = answer(choice_pool, "SELECT_CHALLENGE", choice["Session"], internal, ANSWER="PASSWORD", PASSWORD=PASSWORD)
    assert done["AuthenticationResult"]["IdToken"]


def test_an_email_code_is_eight_digits_from_the_outbox_and_works_once(choice_pool):
    internal = choice_pool.internal(EMAIL)
    challenge = start(choice_pool, EMAIL, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "d***@e***"
    code = choice_pool.sent(EMAIL, outbox.EMAIL_OTP)
    assert len(code) == 8 and code.isdigit()
    wrong = "00000000" if code != "00000000" else "11111111"
    with pytest.raises(ClientError) as err:
        answer(choice_pool, "EMAIL_OTP", challenge["Session"], internal, EMAIL_OTP_CODE=wrong)
    assert error_of(err)[0] == "CodeMismatchException"
    done = answer(choice_pool, "EMAIL_OTP", challenge["Session"], internal, EMAIL_OTP_CODE=code)
    assert done["AuthenticationResult"]["AccessToken"]
    # The session is used up.
    with pytest.raises(ClientError) as err:
        answer(choice_pool, "EMAIL_OTP", challenge["Session"], internal, EMAIL_OTP_CODE=code)
    assert error_of(err)[0] == "NotAuthorizedException"


def test_every_answer_needs_secret_hash_over_the_internal_username_not_the_email(choice_pool):
    challenge = start(choice_pool, EMAIL, PREFERRED_CHALLENGE="EMAIL_OTP")
    code = choice_pool.sent(EMAIL, outbox.EMAIL_OTP)
    with pytest.raises(ClientError) as err:
        choice_pool.idp.respond_to_auth_challenge(
            ClientId=choice_pool.client_id,
            ChallengeName="EMAIL_OTP",
            Session=challenge["Session"],
            ChallengeResponses={
                "USERNAME": choice_pool.internal(EMAIL),
                "SECRET_HASH": choice_pool.hash(EMAIL),
                "EMAIL_OTP_CODE": code,
            },
        )
    assert error_of(err)[0] == "NotAuthorizedException"


def test_choosing_srp_returns_the_password_verifier_with_a_session(choice_pool):
    internal = choice_pool.internal(EMAIL)
    choice = start(choice_pool, EMAIL)
    verifier = answer(
        choice_pool, "SELECT_CHALLENGE", choice["Session"], internal, ANSWER="PASSWORD_SRP", SRP_A="ab" * 192
    )
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    assert verifier["Session"] and verifier["ChallengeParameters"]["SRP_B"]


def test_a_choice_the_person_cannot_use_and_an_answer_without_a_live_session_are_refused(choice_pool):
    internal = choice_pool.internal(EMAIL)
    choice = start(choice_pool, EMAIL)
    with pytest.raises(ClientError) as err:
        answer(choice_pool, "SELECT_CHALLENGE", choice["Session"], internal, ANSWER="WEB_AUTHN")
    assert error_of(err)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as err:
        answer(
            choice_pool,
            "SELECT_CHALLENGE",
            "a-made-up-session-that-no-sign-in-opened",
            internal,
            ANSWER="PASSWORD",
            PASSWORD=PASSWORD,
        )
    assert error_of(err)[0] == "NotAuthorizedException"


def test_a_wrong_password_chosen_is_the_usual_sign_in_error(choice_pool):
    internal = choice_pool.internal(EMAIL)
    with pytest.raises(ClientError) as err:
        start(choice_pool, EMAIL, PREFERRED_CHALLENGE="PASSWORD", PASSWORD="Wrong-passw0rd")
    assert error_of(err) == ("NotAuthorizedException", "Incorrect username or password.")
    choice = start(choice_pool, EMAIL)
    with pytest.raises(ClientError) as err:
        answer(choice_pool, "SELECT_CHALLENGE", choice["Session"], internal, ANSWER="PASSWORD", PASSWORD="Wrong-1a!")
    assert error_of(err) == ("NotAuthorizedException", "Incorrect username or password.")


def test_an_unknown_name_gets_the_same_shapes_as_a_known_one_and_fails_at_the_answer(choice_pool):
    # GIVEN a name nobody has, and PreventUserExistenceErrors
    known, unknown = start(choice_pool, EMAIL), start(choice_pool, "nobody@example.com")
    # THEN the choice looks the same: the factors the pool allows, a made-up internal name
    assert unknown["ChallengeName"] == known["ChallengeName"] == "SELECT_CHALLENGE"
    assert set(unknown["ChallengeParameters"]) == set(known["ChallengeParameters"])
    fake = unknown["ChallengeParameters"]["USERNAME"]
    assert len(fake) == len(known["ChallengeParameters"]["USERNAME"]) == 36
    assert start(choice_pool, "nobody@example.com")["ChallengeParameters"]["USERNAME"] == fake
    # AND an email code "is sent" the same way, and no code works
    otp = start(choice_pool, "nobody@example.com", PREFERRED_CHALLENGE="EMAIL_OTP")
    assert otp["ChallengeName"] == "EMAIL_OTP"
    assert otp["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "n***@e***"
    with pytest.raises(ClientError) as err:
        answer(choice_pool, "EMAIL_OTP", otp["Session"], fake, EMAIL_OTP_CODE="12345678")
    assert error_of(err)[0] == "CodeMismatchException"
    with pytest.raises(ClientError) as err:
        answer(choice_pool, "SELECT_CHALLENGE", unknown["Session"], fake, ANSWER="PASSWORD", PASSWORD=PASSWORD)
    assert error_of(err) == ("NotAuthorizedException", "Incorrect username or password.")


def test_user_auth_needs_the_client_to_allow_it(pool):
    with pytest.raises(ClientError) as err:
        start(pool, EMAIL)
    assert error_of(err)[0] == "InvalidParameterException"


def test_without_passwordless_factors_only_the_password_is_offered(endpoint):
    made = Pool(boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=endpoint), None, FLOWS)
    assert start(made, EMAIL)["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    with pytest.raises(ClientError) as err:
        made.idp.create_user_pool(PoolName="lite", UserPoolTier="LITE", **FACTORS)
    assert error_of(err)[0] == "FeatureUnavailableInTierException"


def sign_up_without_password(pool, email):
    return pool.idp.sign_up(
        ClientId=pool.client_id,
        Username=email,
        SecretHash=pool.hash(email),
        UserAttributes=[{"Name": "email", "Value": email}],
    )


def confirm(pool, email):
    return pool.idp.confirm_sign_up(
        ClientId=pool.client_id,
        Username=email,
        ConfirmationCode=pool.sent(email, outbox.SIGN_UP),
        SecretHash=pool.hash(email),
    )


def test_sign_up_without_a_password_needs_a_passwordless_first_factor(pool, choice_pool):
    with pytest.raises(ClientError) as err:
        sign_up_without_password(pool, "new@example.com")
    assert error_of(err)[0] == "InvalidParameterException"
    sign_up_without_password(choice_pool, "new@example.com")
    confirm(choice_pool, "new@example.com")
    # Without a password, a password chosen fails as an unknown name's does.
    choice = start(choice_pool, "new@example.com")
    internal = choice["ChallengeParameters"]["USERNAME"]
    with pytest.raises(ClientError) as err:
        answer(choice_pool, "SELECT_CHALLENGE", choice["Session"], internal, ANSWER="PASSWORD", PASSWORD=PASSWORD)
    assert error_of(err) == ("NotAuthorizedException", "Incorrect username or password.")


def test_the_confirmation_session_signs_in_once(choice_pool):
    sign_up_without_password(choice_pool, "new@example.com")
    session = confirm(choice_pool, "new@example.com")["Session"]
    sign_in = lambda: choice_pool.idp.initiate_auth(
        ClientId=choice_pool.client_id,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": "new@example.com", "SECRET_HASH": choice_pool.hash("new@example.com")},
        Session=session,
    )
    assert sign_in()["AuthenticationResult"]["IdToken"]
    with pytest.raises(ClientError) as err:
        sign_in()
    assert error_of(err)[0] == "NotAuthorizedException"


def test_the_confirmation_session_is_the_confirmed_persons_only(choice_pool):
    sign_up_without_password(choice_pool, "new@example.com")
    session = confirm(choice_pool, "new@example.com")["Session"]
    with pytest.raises(ClientError) as err:
        choice_pool.idp.initiate_auth(
            ClientId=choice_pool.client_id,
            AuthFlow="USER_AUTH",
            AuthParameters={"USERNAME": EMAIL, "SECRET_HASH": choice_pool.hash(EMAIL)},
            Session=session,
        )
    assert error_of(err)[0] == "NotAuthorizedException"


def test_no_confirmation_session_without_user_auth(pool):
    pool.idp.sign_up(
        ClientId=pool.client_id,
        Username="new@example.com",
        Password="New-passw0rd1",
        SecretHash=pool.hash("new@example.com"),
    )
    assert "Session" not in confirm(pool, "new@example.com")


def test_a_factor_the_person_cannot_use_fails_as_for_an_unknown_name(choice_pool):
    # GIVEN a person without a phone number, and a name nobody has
    internal = choice_pool.internal(EMAIL)
    known, unknown = start(choice_pool, EMAIL), start(choice_pool, "nobody@example.com")
    fake = unknown["ChallengeParameters"]["USERNAME"]
    # WHEN each chooses a code by SMS
    a = answer(choice_pool, "SELECT_CHALLENGE", known["Session"], internal, ANSWER="SMS_OTP")
    b = answer(choice_pool, "SELECT_CHALLENGE", unknown["Session"], fake, ANSWER="SMS_OTP")
    # THEN both get the same challenge, and no code works for either
    assert a["ChallengeName"] == b["ChallengeName"] == "SMS_OTP"
    assert (
        a["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == b["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"]
    )
    for reply, username in [(a, internal), (b, fake)]:
        with pytest.raises(ClientError) as err:
            answer(choice_pool, "SMS_OTP", reply["Session"], username, SMS_OTP_CODE="12345678")
        assert error_of(err)[0] == "CodeMismatchException"


def test_a_disabled_account_starts_like_any_other_and_fails_at_the_factor(choice_pool):
    internal = choice_pool.internal(EMAIL)
    choice_pool.idp.admin_disable_user(UserPoolId=choice_pool.pool_id, Username=EMAIL)
    choice = start(choice_pool, EMAIL)
    assert choice["ChallengeName"] == "SELECT_CHALLENGE"
    with pytest.raises(ClientError) as err:
        answer(choice_pool, "SELECT_CHALLENGE", choice["Session"], internal, ANSWER="PASSWORD", PASSWORD=PASSWORD)
    assert error_of(err) == ("NotAuthorizedException", "User is disabled.")


def test_the_lockout_holds_for_a_password_chosen_from_the_choice(choice_pool, clock):
    # (the clock stopped: the one-second lockout cannot end before the last answer)
    internal = choice_pool.internal(EMAIL)
    # Sessions opened before the lockout starts
    choices = [start(choice_pool, EMAIL) for _ in range(7)]
    for choice in choices[:5]:
        with pytest.raises(ClientError) as err:
            answer(
                choice_pool, "SELECT_CHALLENGE", choice["Session"], internal, ANSWER="PASSWORD", PASSWORD="Wrong-1a!"
            )
        assert error_of(err) == ("NotAuthorizedException", "Incorrect username or password.")
    # The right password during the lockout is refused too
    with pytest.raises(ClientError) as err:
        answer(choice_pool, "SELECT_CHALLENGE", choices[5]["Session"], internal, ANSWER="PASSWORD", PASSWORD=PASSWORD)
    assert error_of(err) == ("NotAuthorizedException", "Password attempts exceeded")


def test_the_confirmation_session_expires(choice_pool, clock):
    sign_up_without_password(choice_pool, "new@example.com")
    session = confirm(choice_pool, "new@example.com")["Session"]
    # The client's AuthSessionValidity (3 minutes by default) has passed
    clock.advance(3 * 60 + 1)
    with pytest.raises(ClientError) as err:
        choice_pool.idp.initiate_auth(
            ClientId=choice_pool.client_id,
            AuthFlow="USER_AUTH",
            AuthParameters={"USERNAME": "new@example.com", "SECRET_HASH": choice_pool.hash("new@example.com")},
            Session=session,
        )
    assert error_of(err) == ("NotAuthorizedException", "Invalid session for the user, session is expired.")
