"""Codes go to the outbox; only the code sent works, once."""

import json

import pytest
from botocore.exceptions import ClientError

from conftest import EMAIL, PASSWORD, error_of
from strict_cognito import outbox


def test_sign_up_confirms_only_with_the_code_sent(pool, tmp_path, monkeypatch):
    path = tmp_path / "outbox.jsonl"
    monkeypatch.setenv("STRICT_COGNITO_OUTBOX", str(path))
    pool.idp.sign_up(
        ClientId=pool.client_id,
        Username="new@example.com",
        Password="New-passw0rd1",
        SecretHash=pool.hash("new@example.com"),
    )
    message = json.loads(path.read_text().splitlines()[-1])
    assert (message["to"], message["kind"], len(message["code"])) == ("new@example.com", "sign-up", 6)
    confirm = lambda code: pool.idp.confirm_sign_up(
        ClientId=pool.client_id,
        Username="new@example.com",
        ConfirmationCode=code,
        SecretHash=pool.hash("new@example.com"),
    )
    wrong = "000000" if message["code"] != "000000" else "111111"
    with pytest.raises(ClientError) as err:
        confirm(wrong)
    assert error_of(err)[0] == "CodeMismatchException"
    confirm(message["code"])
    attrs = {
        a["Name"]: a["Value"]
        for a in pool.idp.admin_get_user(UserPoolId=pool.pool_id, Username="new@example.com")["UserAttributes"]
    }
    assert attrs["email_verified"] == "true"
    assert pool.password_auth("new@example.com", "New-passw0rd1")["AuthenticationResult"]


def test_a_reset_code_works_once_and_a_new_one_replaces_it(pool):
    forgot = lambda: pool.idp.forgot_password(ClientId=pool.client_id, Username=EMAIL, SecretHash=pool.hash(EMAIL))
    forgot()
    first = pool.sent(EMAIL, outbox.RESET_PASSWORD)
    forgot()
    second = pool.sent(EMAIL, outbox.RESET_PASSWORD)
    reset = lambda code, pw: pool.idp.confirm_forgot_password(
        ClientId=pool.client_id, Username=EMAIL, ConfirmationCode=code, Password=pw, SecretHash=pool.hash(EMAIL)
    )
    if first != second:
        with pytest.raises(ClientError) as err:
            reset(first, "Fresh-passw0rd1")
        assert error_of(err) == ("CodeMismatchException", "Invalid verification code provided, please try again.")
    reset(second, "Fresh-passw0rd1")
    with pytest.raises(ClientError) as err:
        reset(second, "Other-passw0rd1")
    assert error_of(err)[0] == "CodeMismatchException"
    with pytest.raises(ClientError) as err:
        pool.password_auth(EMAIL, PASSWORD)
    assert error_of(err) == ("NotAuthorizedException", "Incorrect username or password.")
    assert pool.password_auth(EMAIL, "Fresh-passw0rd1")["AuthenticationResult"]


def test_a_code_dies_after_five_wrong_tries(pool):
    pool.idp.sign_up(
        ClientId=pool.client_id,
        Username="new@example.com",
        Password="New-passw0rd1",
        SecretHash=pool.hash("new@example.com"),
    )
    code = pool.sent("new@example.com", outbox.SIGN_UP)
    confirm = lambda c: pool.idp.confirm_sign_up(
        ClientId=pool.client_id, Username="new@example.com", ConfirmationCode=c, SecretHash=pool.hash("new@example.com")
    )
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(outbox.MAX_WRONG_TRIES):
        with pytest.raises(ClientError) as err:
            confirm(wrong)
        assert error_of(err) == ("CodeMismatchException", "Invalid verification code provided, please try again.")
    with pytest.raises(ClientError) as err:
        confirm(code)
    assert error_of(err)[0] == "CodeMismatchException"
    pool.idp.resend_confirmation_code(
        ClientId=pool.client_id, Username="new@example.com", SecretHash=pool.hash("new@example.com")
    )
    confirm(pool.sent("new@example.com", outbox.SIGN_UP))
