"""A request of the wrong shape is a 400 naming the parameter, never a server error."""

import pytest

from conftest import EMAIL, raw


@pytest.mark.parametrize(
    "action,body",
    [
        ("InitiateAuth", {"ClientId": "CLIENT", "AuthFlow": ["USER_PASSWORD_AUTH"], "AuthParameters": {}}),
        ("InitiateAuth", {"ClientId": "CLIENT", "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": ["x"]}),
        ("InitiateAuth", {"ClientId": ["CLIENT"], "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {}}),
        ("InitiateAuth", {"ClientId": "CLIENT", "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": 5}}),
        ("RespondToAuthChallenge", {"ClientId": "CLIENT", "ChallengeName": ["SMS_MFA"], "ChallengeResponses": {}}),
        ("RevokeToken", {"ClientId": "CLIENT", "Token": ["t"]}),
        ("GetUser", {"AccessToken": ["t"]}),
        ("AdminGetUser", {"UserPoolId": "POOL", "Username": 5}),
        ("AdminCreateUser", {"UserPoolId": "POOL", "Username": "t@example.com", "TemporaryPassword": 5}),
        ("AdminCreateUser", {"UserPoolId": "POOL", "Username": "t@example.com", "MessageAction": "BOGUS"}),
        ("AdminSetUserPassword", {"UserPoolId": "POOL", "Username": EMAIL, "Password": 5, "Permanent": True}),
        (
            "SignUp",
            {
                "ClientId": "CLIENT",
                "Username": "n@example.com",
                "Password": "New-passw0rd1",
                "UserAttributes": {"name": "x"},
            },
        ),
        (
            "SignUp",
            {
                "ClientId": "CLIENT",
                "Username": "n@example.com",
                "Password": "New-passw0rd1",
                "UserAttributes": ["name"],
            },
        ),
        (
            "SignUp",
            {
                "ClientId": "CLIENT",
                "Username": "n@example.com",
                "Password": "New-passw0rd1",
                "UserAttributes": [{"Name": "name", "Value": 5}],
            },
        ),
        ("SignUp", {"ClientId": "CLIENT", "Username": "x" * 129, "Password": "New-passw0rd1"}),
    ],
)
def test_a_parameter_of_the_wrong_shape_is_a_400(pool, action, body):
    body = {k: (pool.client_id if v == "CLIENT" else pool.pool_id if v == "POOL" else v) for k, v in body.items()}
    status, answer = raw(pool.endpoint, action, body)
    assert status == 400, answer
    assert answer.get("__type") == "InvalidParameterException", answer


def test_a_body_that_is_not_json_is_a_400(pool):
    status, answer = raw(pool.endpoint, "InitiateAuth", b"{not json")
    assert status == 400 and answer.get("__type") == "SerializationException", answer


def test_a_non_string_attribute_in_a_new_password_answer_cannot_poison_the_pool(pool):
    internal = pool.create_user("temp@example.com", "Temp-passw0rd1", permanent=False)
    session = pool.password_auth("temp@example.com", "Temp-passw0rd1")["Session"]
    status, answer = raw(
        pool.endpoint,
        "RespondToAuthChallenge",
        {
            "ClientId": pool.client_id,
            "ChallengeName": "NEW_PASSWORD_REQUIRED",
            "Session": session,
            "ChallengeResponses": {
                "USERNAME": internal,
                "NEW_PASSWORD": "Chosen-passw0rd1",
                "SECRET_HASH": pool.hash(internal),
                "userAttributes.email": 5,
            },
        },
    )
    assert status == 400, answer
    assert pool.password_auth(EMAIL, "Demo-passw0rd")["AuthenticationResult"]
