"""IAM in front of the local Cognito (``iam``): IAM-authorized actions need a policy that grants
them on the pool; token-authorized and unauthenticated actions are not asked."""

import json
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.exceptions import ClientError

from conftest import EMAIL, PASSWORD, error_of, raw
from strict_cognito import iam

ACCOUNT = "123456789012"
FUNCTION_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/UsersFunctionRole/UsersFunction"


@pytest.fixture
def principals(tmp_path, monkeypatch, pool):
    """IAM on, with the deployer (``testing``, everything) and a function whose statements each
    test writes: ``grant(statements)``."""
    path = tmp_path / "iam.json"
    everything = [{"Effect": "Allow", "Action": "*", "Resource": "*"}]

    def grant(statements):
        principals = {
            "testing": {"arn": f"arn:aws:iam::{ACCOUNT}:root", "statements": everything},
            "FUNCTIONKEY": {"arn": FUNCTION_ARN, "statements": statements},
        }
        path.write_text(json.dumps({"principals": principals}))

    grant([])
    monkeypatch.setenv(iam.ENV, str(path))
    return grant


def client(endpoint, key="FUNCTIONKEY", service="cognito-idp"):
    return boto3.client(
        service,
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id=key,
        aws_secret_access_key="secret",
    )


def pool_arn(pool):
    return f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/{pool.pool_id}"


def test_the_classes_come_from_the_service_model():
    authorized = iam.iam_authorized("cognito-idp")
    assert {"AdminInitiateAuth", "ListUsers", "ListGroups", "ListUsersInGroup", "AdminUserGlobalSignOut"} <= authorized
    for token_or_public in ("InitiateAuth", "RespondToAuthChallenge", "GetUser", "GlobalSignOut", "SignUp"):
        assert token_or_public not in authorized
    for public in ("GetTokensFromRefreshToken", "RevokeToken", "StartWebAuthnRegistration", "GetClientToken"):
        assert public not in authorized
    identity = iam.iam_authorized("cognito-identity")
    assert "GetId" not in identity and "GetCredentialsForIdentity" not in identity
    assert "DescribeIdentityPool" in identity


def test_an_action_the_policy_does_not_grant_is_access_denied_naming_principal_action_and_resource(pool, principals):
    principals([{"Effect": "Allow", "Action": "cognito-idp:ListUsers", "Resource": pool_arn(pool)}])
    idp = client(pool.endpoint)
    assert idp.list_users(UserPoolId=pool.pool_id)["Users"]
    with pytest.raises(ClientError) as err:
        idp.list_groups(UserPoolId=pool.pool_id)
    assert error_of(err) == (
        "AccessDeniedException",
        f"User: {FUNCTION_ARN} is not authorized to perform: cognito-idp:ListGroups on resource: "
        f"{pool_arn(pool)} because no identity-based policy allows the cognito-idp:ListGroups action",
    )
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_a_statement_for_another_pool_grants_nothing(pool, principals):
    other = pool_arn(pool)[:-4] + "zzzz"
    principals([{"Effect": "Allow", "Action": "cognito-idp:*", "Resource": other}])
    with pytest.raises(ClientError) as err:
        client(pool.endpoint).admin_get_user(UserPoolId=pool.pool_id, Username=EMAIL)
    assert error_of(err)[0] == "AccessDeniedException"


def test_wildcards_grant_and_an_explicit_deny_wins(pool, principals):
    arn = pool_arn(pool)
    principals(
        [
            {"Effect": "Allow", "Action": "cognito-idp:Admin*", "Resource": "arn:aws:cognito-idp:*:*:userpool/*"},
            {"Effect": "Deny", "Action": "cognito-idp:AdminDeleteUser", "Resource": arn},
        ]
    )
    idp = client(pool.endpoint)
    assert idp.admin_get_user(UserPoolId=pool.pool_id, Username=EMAIL)["Username"]
    with pytest.raises(ClientError) as err:
        idp.admin_delete_user(UserPoolId=pool.pool_id, Username=EMAIL)
    code, message = error_of(err)
    assert code == "AccessDeniedException"
    assert message.endswith("with an explicit deny in an identity-based policy")
    assert idp.admin_get_user(UserPoolId=pool.pool_id, Username=EMAIL)["Username"]


def test_public_and_token_calls_are_not_asked(pool, principals):
    """A function with no statement at all still signs people in and reads their own account."""
    idp = client(pool.endpoint)
    tokens = idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": EMAIL, "PASSWORD": PASSWORD, "SECRET_HASH": pool.hash(EMAIL)},
    )["AuthenticationResult"]
    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"]


def test_an_unknown_key_is_unrecognized_and_an_unsigned_admin_call_is_missing_authentication(pool, principals):
    with pytest.raises(ClientError) as err:
        client(pool.endpoint, key="NOBODY").list_users(UserPoolId=pool.pool_id)
    assert error_of(err)[0] == "UnrecognizedClientException"
    status, _body = raw(pool.endpoint, "ListUsers", {"UserPoolId": pool.pool_id})
    assert status == 200  # `raw` signs as the deployer
    request = urllib.request.Request(
        pool.endpoint,
        data=json.dumps({"UserPoolId": pool.pool_id}).encode(),
        method="POST",
        headers={"X-Amz-Target": "AWSCognitoIdentityProviderService.ListUsers"},
    )
    with pytest.raises(urllib.error.HTTPError) as unsigned:
        urllib.request.urlopen(request, timeout=10)
    assert unsigned.value.code == 403
    assert json.loads(unsigned.value.read())["__type"] == "MissingAuthenticationTokenException"


def test_the_identity_pool_is_held_to_iam_too(pool, principals):
    identity = client(pool.endpoint, key="testing", service="cognito-identity")
    made = identity.create_identity_pool(IdentityPoolName="local", AllowUnauthenticatedIdentities=False)
    with pytest.raises(ClientError) as err:
        client(pool.endpoint, service="cognito-identity").describe_identity_pool(IdentityPoolId=made["IdentityPoolId"])
    code, message = error_of(err)
    assert code == "AccessDeniedException"
    resource = f"arn:aws:cognito-identity:us-east-1:{ACCOUNT}:identitypool/{made['IdentityPoolId']}"
    assert f"cognito-identity:DescribeIdentityPool on resource: {resource} " in message


def test_without_the_setting_iam_is_not_enforced(pool, monkeypatch):
    monkeypatch.delenv(iam.ENV, raising=False)
    assert client(pool.endpoint, key="ANYONE").list_users(UserPoolId=pool.pool_id)["Users"]


def send(endpoint, target, body, key="FUNCTIONKEY", query=""):
    """A signed request as it goes on the wire: (status, parsed answer)."""
    request = urllib.request.Request(
        endpoint + "/" + query,
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "X-Amz-Target": target,
            "Content-Type": "application/x-amz-json-1.1",
            "Authorization": f"AWS4-HMAC-SHA256 Credential={key}/20260101/us-east-1/cognito-idp/aws4_request, "
            "SignedHeaders=host, Signature=0",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def test_an_operation_spelled_otherwise_is_unknown_and_runs_nothing(pool, principals):
    principals([{"Effect": "Allow", "Action": "cognito-idp:ListUsers", "Resource": pool_arn(pool)}])
    for spelling in ("adminDeleteUser", "admin_delete_user", "AdminDeleteUSER"):
        status, body = send(
            pool.endpoint,
            f"AWSCognitoIdentityProviderService.{spelling}",
            {"UserPoolId": pool.pool_id, "Username": EMAIL},
        )
        assert (status, body["__type"]) == (400, "UnknownOperationException"), spelling
    assert pool.idp.admin_get_user(UserPoolId=pool.pool_id, Username=EMAIL)["Username"]
    made = client(pool.endpoint, key="testing", service="cognito-identity").create_identity_pool(
        IdentityPoolName="local", AllowUnauthenticatedIdentities=False
    )
    status, body = send(
        pool.endpoint, "AWSCognitoIdentityService.describeIdentityPool", {"IdentityPoolId": made["IdentityPoolId"]}
    )
    assert (status, body["__type"]) == (400, "UnknownOperationException")


def test_parameters_come_from_the_body_alone_so_iam_and_the_action_see_one_pool(pool, principals, endpoint):
    from conftest import Pool

    other = Pool(pool.idp)
    other.create_user("victim@example.com", PASSWORD)
    principals([{"Effect": "Allow", "Action": "cognito-idp:ListUsers", "Resource": pool_arn(pool)}])
    target = "AWSCognitoIdentityProviderService.ListUsers"
    for query, body in (
        (f"?UserPoolId={other.pool_id}", {"UserPoolId": pool.pool_id}),
        ("", {"UserPoolId": pool.pool_id, "AttributesToGet": [f"&UserPoolId={other.pool_id}&"]}),
    ):
        status, answer = send(endpoint, target, body, query=query)
        listed = json.dumps(answer)
        assert "victim@example.com" not in listed, (query, body, status, answer)
    # And an unsigned public call cannot smuggle an admin action through its parameters.
    name = f"x&Action=AdminDeleteUser&UserPoolId={pool.pool_id}&Username={EMAIL}&"
    send(
        endpoint,
        "AWSCognitoIdentityProviderService.InitiateAuth",
        {
            "ClientId": pool.client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": name, "PASSWORD": "x", "SECRET_HASH": pool.hash(name)},
        },
    )
    assert pool.idp.admin_get_user(UserPoolId=pool.pool_id, Username=EMAIL)["Username"]


def test_a_statement_without_an_action_or_a_resource_grants_nothing():
    arn = "arn:aws:cognito-idp:us-east-1:1:userpool/p"
    for statement in (
        {"Effect": "Allow", "Actions": ["cognito-idp:*"], "Resource": arn},
        {"Effect": "Allow", "Action": "cognito-idp:*"},
        {"Effect": "Allow", "Action": "cognito-idp:*", "NotAction": "x", "Resource": arn},
    ):
        assert iam.decision([statement], "cognito-idp:AdminDeleteUser", arn) == "ImplicitDeny", statement
