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


def sign_up(pool, password, username="new@example.com"):
    return pool.idp.sign_up(
        ClientId=pool.client_id, Username=username, Password=password, SecretHash=pool.hash(username)
    )


@pytest.mark.parametrize(
    "password,problem",
    [
        # Only Basic Latin letters are upper- or lowercase letters; other letters are allowed.
        ("ÀÉÎÕÜ-passw0rd", "Password must have uppercase characters"),
        ("ÀÉÎÕÜ-PASSW0RD-ß", "Password must have lowercase characters"),
        # Only 0-9 are numbers (here Arabic-Indic digits); only the listed symbols are symbols.
        ("Passwörd-١٢٣", "Password must have numeric characters"),
        ("Passw0rd€§¿", "Password must have symbol characters"),
    ],
)
def test_only_basic_latin_letters_digits_and_the_listed_symbols_count(pool, password, problem):
    with pytest.raises(ClientError) as err:
        sign_up(pool, password)
    assert error_of(err) == ("InvalidPasswordException", f"Password did not conform with policy: {problem}")


def test_other_letters_are_allowed_and_a_space_inside_is_the_symbol(pool):
    for username, password in (("accents@example.com", "Pässwörd-1"), ("phrase@example.com", "Correct horse 1")):
        sign_up(pool, password, username)
        pool.idp.admin_confirm_sign_up(UserPoolId=pool.pool_id, Username=username)
        assert pool.password_auth(username, password)["AuthenticationResult"]["IdToken"]


PATTERN_MESSAGE = "failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$"


@pytest.mark.parametrize(
    "password", [" Leading-passw0rd", "Trailing-passw0rd ", "Tab-passw0rd\t", "Line\nbreak-Passw0rd"]
)
def test_a_password_cannot_begin_or_end_with_whitespace_in_any_call_that_sets_one(pool, password):
    tokens = pool.password_auth(EMAIL, "Demo-passw0rd")["AuthenticationResult"]
    pool.idp.forgot_password(ClientId=pool.client_id, Username=EMAIL, SecretHash=pool.hash(EMAIL))
    calls = {
        "password": lambda: sign_up(pool, password),
        "temporaryPassword": lambda: pool.idp.admin_create_user(
            UserPoolId=pool.pool_id, Username="t@example.com", TemporaryPassword=password, MessageAction="SUPPRESS"
        ),
        "proposedPassword": lambda: pool.idp.change_password(
            AccessToken=tokens["AccessToken"], PreviousPassword="Demo-passw0rd", ProposedPassword=password
        ),
    }
    for member, call in calls.items():
        with pytest.raises(ClientError) as err:
            call()
        assert error_of(err) == (
            "InvalidParameterException",
            f"1 validation error detected: Value at '{member}' {PATTERN_MESSAGE}",
        )
    with pytest.raises(ClientError) as err:
        pool.idp.confirm_forgot_password(
            ClientId=pool.client_id,
            Username=EMAIL,
            Password=password,
            ConfirmationCode=pool.sent(EMAIL, outbox.RESET_PASSWORD),
            SecretHash=pool.hash(EMAIL),
        )
    assert error_of(err)[0] == "InvalidParameterException"
    # Nothing changed: the old password still signs in.
    assert pool.password_auth(EMAIL, "Demo-passw0rd")["AuthenticationResult"]


def test_a_new_password_answer_cannot_begin_or_end_with_whitespace(pool):
    internal = pool.create_user("temp@example.com", "Temp-passw0rd1", permanent=False)
    session = pool.password_auth("temp@example.com", "Temp-passw0rd1")["Session"]
    with pytest.raises(ClientError) as err:
        pool.new_password(internal, session, "Chosen-passw0rd1 ")
    assert error_of(err) == (
        "InvalidPasswordException",
        "Password did not conform with policy: Password must not begin or end with whitespace",
    )


def test_a_temporary_password_is_spent_once_a_new_password_is_set(pool):
    # Two sign-ins with the temporary password (two tabs), both at NEW_PASSWORD_REQUIRED.
    internal = pool.create_user("temp@example.com", "Temp-passw0rd1", permanent=False)
    first = pool.password_auth("temp@example.com", "Temp-passw0rd1")["Session"]
    second = pool.password_auth("temp@example.com", "Temp-passw0rd1")["Session"]
    assert pool.new_password(internal, first, "Chosen-passw0rd2")["AuthenticationResult"]["IdToken"]
    # "The temporary password is valid only once": the other sign-in cannot set a password.
    with pytest.raises(ClientError) as err:
        pool.new_password(internal, second, "Other-passw0rd3")
    assert error_of(err) == ("NotAuthorizedException", "Invalid session for the user, session is expired.")
    with pytest.raises(ClientError) as err:
        pool.password_auth("temp@example.com", "Temp-passw0rd1")
    assert error_of(err) == ("NotAuthorizedException", "Incorrect username or password.")
    assert pool.password_auth("temp@example.com", "Chosen-passw0rd2")["AuthenticationResult"]


def test_the_new_password_may_be_the_temporary_one(pool):
    # Without password history (PasswordHistorySize), as AWS reproduced in amplify-js#7957.
    internal = pool.create_user("temp@example.com", "Temp-passw0rd1", permanent=False)
    session = pool.password_auth("temp@example.com", "Temp-passw0rd1")["Session"]
    assert pool.new_password(internal, session, "Temp-passw0rd1")["AuthenticationResult"]["IdToken"]
    assert pool.password_auth("temp@example.com", "Temp-passw0rd1")["AuthenticationResult"]["IdToken"]
