"""The temporary lockout after repeated failed sign-ins."""

import pytest
from botocore.exceptions import ClientError

from conftest import EMAIL, PASSWORD, error_of
from strict_cognito import lockout


@pytest.fixture
def cognitos_lockout(monkeypatch, clock):
    """Cognito's lockout (one second, doubling) on a stopped clock: no request can outrun it."""
    monkeypatch.setattr(lockout, "BASE_SECONDS", 1.0)
    return clock


def attempt(pool, password):
    try:
        pool.password_auth(EMAIL, password)
        return "ok"
    except ClientError as err:
        return err.response["Error"]["Message"]


def test_five_failures_lock_the_user_out_even_with_the_right_password(pool, cognitos_lockout):
    assert [attempt(pool, "Wrong-passw0rd") for _ in range(5)] == ["Incorrect username or password."] * 5
    assert attempt(pool, PASSWORD) == "Password attempts exceeded"
    with pytest.raises(ClientError) as err:
        pool.admin_auth(EMAIL, PASSWORD)
    assert error_of(err) == ("NotAuthorizedException", "Password attempts exceeded")


def test_a_success_before_the_fifth_failure_clears_the_count(pool, cognitos_lockout):
    assert [attempt(pool, "Wrong-passw0rd") for _ in range(4)] == ["Incorrect username or password."] * 4
    assert attempt(pool, PASSWORD) == "ok"
    assert [attempt(pool, "Wrong-passw0rd") for _ in range(4)] == ["Incorrect username or password."] * 4
    assert attempt(pool, PASSWORD) == "ok"


def test_the_lockout_starts_at_the_base_and_doubles(pool, cognitos_lockout):
    clock = cognitos_lockout
    # GIVEN five failures: locked out for the base, one second
    assert [attempt(pool, "Wrong-passw0rd") for _ in range(5)] == ["Incorrect username or password."] * 5
    clock.advance(0.5)
    assert attempt(pool, PASSWORD) == "Password attempts exceeded"
    clock.advance(0.5)
    # WHEN a sixth attempt fails once it is over, THEN the lockout is two seconds
    assert attempt(pool, "Wrong-passw0rd") == "Incorrect username or password."
    clock.advance(1.5)
    assert attempt(pool, PASSWORD) == "Password attempts exceeded"
    clock.advance(0.5)
    # and after a seventh, four seconds
    assert attempt(pool, "Wrong-passw0rd") == "Incorrect username or password."
    clock.advance(3.5)
    assert attempt(pool, PASSWORD) == "Password attempts exceeded"
    clock.advance(0.5)
    # THEN once it is over the right password signs in
    assert attempt(pool, PASSWORD) == "ok"


def test_an_unknown_name_is_locked_out_like_an_account(pool, cognitos_lockout):
    answers = []
    for name in (EMAIL, "nobody@example.com"):
        for _ in range(5):
            with pytest.raises(ClientError) as err:
                pool.password_auth(name, "Wrong-passw0rd")
            assert error_of(err) == ("NotAuthorizedException", "Incorrect username or password.")
        with pytest.raises(ClientError) as err:
            pool.password_auth(name, PASSWORD)
        answers.append(error_of(err))
    assert answers == [("NotAuthorizedException", "Password attempts exceeded")] * 2
