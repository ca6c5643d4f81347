"""The strict layer as the local stack runs it: a moto server with strict_cognito installed, on a
free loopback port for the session, and per test a pool seeded like template.yaml
(crates/local-stack/src/seed.rs): email as the username, case-insensitive names, the template's
password policy, an app client with a secret, its flows, its attribute permissions and
PreventUserExistenceErrors."""

import json
import os
import sys
import time
import urllib.error
import urllib.request

import pytest

# Dummy credentials and no instance-metadata lookups; every client names the loopback server.
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import boto3
from moto.cognitoidp.models import cognitoidp_backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.server import ThreadedMotoServer

import strict_cognito
from strict_cognito import clock as emulator_clock
from strict_cognito import outbox, secret_hash

strict_cognito.install()

PASSWORD = "Demo-passw0rd"
EMAIL = "demo@example.com"

# Email sent through SES, which email MFA and email codes need (``email_mfa``).
SES = {
    "EmailConfiguration": {
        "EmailSendingAccount": "DEVELOPER",
        "SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/no-reply@example.com",
    }
}


def totp_code(secret, steps_from_now=0, now=None):
    """The code an authenticator app holding `secret` shows `steps_from_now` steps after `now`
    (the clock by default)."""
    from moto.cognitoidp.utils import cognito_totp

    at = int(time.time() if now is None else now)
    return cognito_totp(secret).generate(at + 30 * steps_from_now).decode()


def srp_client(pool, name, password):
    """pycognito's SRP client (the independent SRP implementation) for `name` in `pool`."""
    from pycognito.aws_srp import AWSSRP

    return AWSSRP(
        username=name,
        password=password,
        pool_id=pool.pool_id,
        client_id=pool.client_id,
        client=pool.idp,
        client_secret=pool.secret,
    )


def srp_answer(pool, name, password):
    """USER_SRP_AUTH through pycognito's client, stopping at what the PASSWORD_VERIFIER answer
    gets (tokens or the next challenge), unlike `authenticate_user`, which follows it."""
    client = srp_client(pool, name, password)
    params = client.get_auth_params()
    start = pool.idp.initiate_auth(ClientId=pool.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=params)
    return pool.idp.respond_to_auth_challenge(
        ClientId=pool.client_id,
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=client.process_challenge(start["ChallengeParameters"], params),
    )


def enrol_totp(pool, access_token):
    """Associates and verifies an authenticator, and makes TOTP the preferred MFA; the secret."""
    secret = pool.idp.associate_software_token(AccessToken=access_token)["SecretCode"]
    pool.idp.verify_software_token(AccessToken=access_token, UserCode=totp_code(secret))
    pool.idp.set_user_mfa_preference(
        AccessToken=access_token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    return secret


class Pool:
    """The seeded pool and a client for it."""

    def __init__(self, idp, pool_settings=None, client_settings=None):
        """`pool_settings` and `client_settings`: more CreateUserPool / CreateUserPoolClient
        parameters (threat protection, context-data propagation)."""
        self.idp = idp
        settings = {
            "PoolName": "local-pool",
            "UsernameAttributes": ["email"],
            "AutoVerifiedAttributes": ["email"],
            "UsernameConfiguration": {"CaseSensitive": False},
            "Policies": {
                "PasswordPolicy": {
                    "MinimumLength": 8,
                    "RequireLowercase": True,
                    "RequireUppercase": True,
                    "RequireNumbers": True,
                    "RequireSymbols": True,
                    "TemporaryPasswordValidityDays": 7,
                }
            },
        }
        for key, value in (pool_settings or {}).items():
            settings[key] = {**settings[key], **value} if key == "Policies" else value
        pool = idp.create_user_pool(**settings)["UserPool"]
        self.pool_id = pool["Id"]
        client = idp.create_user_pool_client(
            **{
                "UserPoolId": self.pool_id,
                "ClientName": "local-api",
                "GenerateSecret": True,
                "ExplicitAuthFlows": [
                    "ALLOW_USER_SRP_AUTH",
                    "ALLOW_USER_PASSWORD_AUTH",
                    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                    "ALLOW_REFRESH_TOKEN_AUTH",
                ],
                "PreventUserExistenceErrors": "ENABLED",
                "ReadAttributes": ["email", "email_verified", "name", "given_name", "family_name", "locale"],
                "WriteAttributes": ["email", "name", "given_name", "family_name", "locale"],
                **(client_settings or {}),
            }
        )["UserPoolClient"]
        self.client_id = client["ClientId"]
        self.secret = client["ClientSecret"]
        self.create_user(EMAIL, PASSWORD)

    def model(self):
        """moto's record of the pool, in this process (the server runs in a thread of it)."""
        return cognitoidp_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].user_pools[self.pool_id]

    def hash(self, name):
        return secret_hash.compute(self.secret, name, self.client_id)

    def create_user(self, email, password, permanent=True):
        self.idp.admin_create_user(
            UserPoolId=self.pool_id,
            Username=email,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        )
        self.idp.admin_set_user_password(
            UserPoolId=self.pool_id, Username=email, Password=password, Permanent=permanent
        )
        return self.internal(email)

    def internal(self, email):
        return self.idp.admin_get_user(UserPoolId=self.pool_id, Username=email)["Username"]

    def password_auth(self, name, password, hash_name=None):
        return self.idp.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": password, "SECRET_HASH": self.hash(hash_name or name)},
        )

    def admin_auth(self, name, password):
        return self.idp.admin_initiate_auth(
            UserPoolId=self.pool_id,
            ClientId=self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": password, "SECRET_HASH": self.hash(name)},
        )

    def new_password(self, internal, session, password, attributes=None):
        """Answers NEW_PASSWORD_REQUIRED for `internal` with `password` and `attributes` (name to
        value, sent as ``userAttributes.<name>``)."""
        answers = {"USERNAME": internal, "NEW_PASSWORD": password, "SECRET_HASH": self.hash(internal)}
        answers.update({f"userAttributes.{name}": value for name, value in (attributes or {}).items()})
        return self.idp.respond_to_auth_challenge(
            ClientId=self.client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=session, ChallengeResponses=answers
        )

    def sent(self, email, kind):
        """The code last sent to `email` (read from the outbox store)."""
        user = self.internal(email)
        for (pool_id, username, sent_kind), (code, *_tries_and_expiry) in outbox._codes.items():
            if (pool_id, username, sent_kind) == (self.pool_id, user, kind):
                return code
        raise AssertionError(f"no {kind} code for {email}")


@pytest.fixture(scope="session")
def endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def clock():
    """The emulator's clock, stopped for the test: it moves only by ``clock.advance(seconds)``, so
    a window (session expiry, lockout, grace period) is crossed exactly, never raced by a sleep.
    The system's clock again after the test."""
    emulator_clock.freeze()
    yield emulator_clock
    emulator_clock.reset()


@pytest.fixture
def pool(endpoint):
    """A fresh pool on the session's server (each test has its own pool, so no reset is needed)."""
    made = Pool(boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=endpoint))
    made.endpoint = endpoint
    return made


def raw(endpoint, action, body):
    """Sends `body` (any JSON, or bytes as they are) to `action` the way an SDK would, without the
    SDK's own type checks; returns (status, parsed answer)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(
        endpoint,
        data=data,
        method="POST",
        headers={
            "X-Amz-Target": f"AWSCognitoIdentityProviderService.{action}",
            "Content-Type": "application/x-amz-json-1.1",
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/cognito-idp/aws4_request, "
            "SignedHeaders=host, Signature=0",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as err:
        text = err.read()
        try:
            return err.code, json.loads(text)
        except ValueError:
            return err.code, {"raw": text[:200].decode(errors="replace")}


def error_of(excinfo):
    """(code, message) of a botocore ClientError."""
    err = excinfo.value.response["Error"]
    return err["Code"], err["Message"]
