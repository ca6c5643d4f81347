"""The temporary lockout after repeated failed sign-ins."""

import pytest
from botocore.exceptions import ClientError

from conftest import EMAIL, PASSWORD, error_of
from strict_cognito import lockout


@pytest.fixture
def long_lockout(monkeypatch):
    monkeypatch.setattr(lockout, "BASE_SECONDS", 60.0)


def attempt(pool, password):
    try:
        pool.password_auth(EMAIL, password)
        return "ok"
    except ClientError as err:
        return err.response["Error"]["Message"]


def test_five_failures_lock_the_user_out_even_with_the_right_password(pool, long_lockout):
    assert [attempt(pool, "Wrong-passw0rd") for _ in range(5)] == ["Incorrect username or password."] * 5
    assert attempt(pool, PASSWORD) == "Password attempts exceeded"
    with pytest.raises(ClientError) as err:
        pool.admin_auth(EMAIL, PASSWORD)
    assert error_of(err) == ("NotAuthorizedException", "Password attempts exceeded")


def test_a_success_before_the_fifth_failure_clears_the_count(pool, long_lockout):
    assert [attempt(pool, "Wrong-passw0rd") for _ in range(4)] == ["Incorrect username or password."] * 4
    assert attempt(pool, PASSWORD) == "ok"
    assert [attempt(pool, "Wrong-passw0rd") for _ in range(4)] == ["Incorrect username or password."] * 4
    assert attempt(pool, PASSWORD) == "ok"


def test_the_lockout_starts_at_the_base_and_doubles(pool, monkeypatch):
    monkeypatch.setattr(lockout, "BASE_SECONDS", 0.0)
    assert [attempt(pool, "Wrong-passw0rd") for _ in range(6)] == ["Incorrect username or password."] * 6
    assert attempt(pool, PASSWORD) == "ok"


def test_an_unknown_name_is_locked_out_like_an_account(pool, long_lockout):
    answers = []
    for name in (EMAIL, "nobody@example.com"):
        for _ in range(5):
            with pytest.raises(ClientError):
                pool.password_auth(name, "Wrong-passw0rd")
        with pytest.raises(ClientError) as err:
            pool.password_auth(name, PASSWORD)
        answers.append(error_of(err))
    assert answers == [("NotAuthorizedException", "Password attempts exceeded")] * 2
