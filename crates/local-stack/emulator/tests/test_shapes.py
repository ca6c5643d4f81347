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


PREFIX = "1 validation error detected: Value at "


@pytest.mark.parametrize(
    "action,body,message",
    [
        (
            "AdminGetUser",
            {"UserPoolId": "POOL", "Username": 5},
            "'username' failed to satisfy constraint: Member must be a string",
        ),
        (
            "SignUp",
            {"ClientId": "CLIENT", "Username": "x" * 129, "Password": "New-passw0rd1"},
            "'username' failed to satisfy constraint: Member must have length less than or equal to 128",
        ),
        (
            "AdminCreateUser",
            {"UserPoolId": "POOL", "Username": "t@example.com", "MessageAction": "BOGUS"},
            "'messageAction' failed to satisfy constraint: Member must satisfy enum value set: ['RESEND', 'SUPPRESS']",
        ),
        (
            "SignUp",
            {"ClientId": "CLIENT", "Username": "n@example.com", "Password": "New-passw0rd1", "UserAttributes": ["x"]},
            "'userAttributes' failed to satisfy constraint: Member must be a list of {Name, Value} strings",
        ),
    ],
)
def test_messages_name_the_member_in_lower_camel_case_as_aws_does(pool, action, body, message):
    body = {k: (pool.client_id if v == "CLIENT" else pool.pool_id if v == "POOL" else v) for k, v in body.items()}
    status, answer = raw(pool.endpoint, action, body)
    assert (status, answer.get("__type"), answer.get("message")) == (400, "InvalidParameterException", PREFIX + message)


@pytest.mark.parametrize(
    "session,message",
    [
        ("s" * 19, "Member must have length greater than or equal to 20"),
        ("s" * 4097, "Member must have length less than or equal to 4096"),
    ],
)
def test_a_session_is_20_to_4096_characters(pool, session, message):
    # GIVEN a challenge answer whose session no Cognito could have issued (SessionType: 20-4096)
    body = {
        "ClientId": pool.client_id,
        "ChallengeName": "SOFTWARE_TOKEN_MFA",
        "Session": session,
        "ChallengeResponses": {"USERNAME": EMAIL, "SOFTWARE_TOKEN_MFA_CODE": "123456"},
    }
    # WHEN it is sent, THEN its shape is refused before any session is looked up
    status, answer = raw(pool.endpoint, "RespondToAuthChallenge", body)
    assert (status, answer.get("message")) == (400, f"{PREFIX}'session' failed to satisfy constraint: {message}")
    # ... while one of 4096 is a session like any other (unknown here: not authorized)
    status, answer = raw(pool.endpoint, "RespondToAuthChallenge", {**body, "Session": "s" * 4096})
    assert (status, answer.get("__type")) == (400, "NotAuthorizedException"), answer


@pytest.mark.parametrize("action", ["ConfirmSignUp", "ConfirmForgotPassword"])
@pytest.mark.parametrize("code", ["123 456", " 123456", "123456\n"])
def test_a_confirmation_code_with_whitespace_fails_its_pattern(pool, action, code):
    # GIVEN a confirmation code with whitespace in it (ConfirmationCodeType: [\S]+)
    body = {"ClientId": pool.client_id, "Username": EMAIL, "SecretHash": pool.hash(EMAIL), "ConfirmationCode": code}
    if action == "ConfirmForgotPassword":
        body["Password"] = "New-passw0rd1"
    # WHEN it is sent, THEN it is refused by the pattern, naming the member
    status, answer = raw(pool.endpoint, action, body)
    pattern = "Member must satisfy regular expression pattern: [\\S]+"
    expected = f"{PREFIX}'confirmationCode' failed to satisfy constraint: {pattern}"
    assert (status, answer.get("__type"), answer.get("message")) == (400, "InvalidParameterException", expected)
