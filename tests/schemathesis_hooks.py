"""Loaded by schemathesis (SCHEMATHESIS_HOOKS) in the contract test, tests/tests/contract.rs:
a work-around for the Python it runs on, the bearer token each operation takes, and the rules
of the contract no schema can state.

Hypothesis names lambda filters in its reports by parsing the source of their module, and on the
CPython this machine's virtualenv runs (3.11.7) `ast.parse` deep in a call stack can raise
`SystemError: AST constructor recursion depth mismatch` (a CPython bug, fixed in later releases).
schemathesis then reports a "Runtime Error" for whichever operation was being generated. Only the
lambda's printable name is lost, so give it a placeholder name instead of failing the run.
"""

import json
import os

import schemathesis
from hypothesis.internal import lambda_sources
from schemathesis.core.failures import Failure
from schemathesis.openapi.checks import RejectedPositiveData

_describe = lambda_sources.lambda_description


def _lambda_description(f):
    try:
        return _describe(f)
    except SystemError:
        return "lambda: <source unavailable>"


lambda_sources.lambda_description = _lambda_description


# ---- What the contract cannot say in JSON Schema.
#
# The schemas in openapi.yaml are the API's own input rules, so schemathesis' positive data
# (valid by the schema) must pass them and its negative data (invalid) must be refused
# (`positive_data_acceptance`, `negative_data_rejection`). Two kinds of rule are beyond a
# schema, and are stated here instead:

# 1. What only the user pool can tell: its password policy, a wrong or expired code, a custom
#    attribute it lacks, a page token it never issued, a username that is not an email in a pool
#    that signs in with email. A valid request meets them as a 400 with its own error code; a 400
#    `BadRequest` is the API's own checks, which a valid request must pass.
POOL_REFUSALS = {"InvalidPassword", "InvalidCode", "InvalidParameter", "Refused"}


def _error_code(response):
    try:
        return response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


@schemathesis.hook
def filter_failure(context, failure: Failure, case, response) -> bool:
    """Keep every failure but a valid request's 400 that the user pool decided, or that a rule
    joining two fields (below) explains."""
    if isinstance(failure, RejectedPositiveData) and response.status_code == 400:
        if _error_code(response) in POOL_REFUSALS:
            return False
        return not _breaks_a_joined_rule(case, response)
    return True


# 2. Rules that join two fields, or a string to its content: `GET /users` filters by `email` or by
#    `status`, not both; a sign-up's `attributes.email`, when given, is the username itself; a
#    `WEB_AUTHN` answer's `CREDENTIAL` is the browser's assertion as a JSON object in a string. A
#    valid request that breaks one gets the API's 400 naming the field (the rules have tests of
#    their own: tests/tests/users.rs, crates/domain/src/registration.rs,
#    crates/domain/src/challenge.rs).
def _breaks_a_joined_rule(case, response) -> bool:
    field = None
    try:
        field = response.json()["error"].get("field")
    except (ValueError, KeyError, TypeError, AttributeError):
        return False
    operation = (case.method.upper(), case.path)
    if operation == ("GET", "/users") and field == "status":
        query = case.query or {}
        return "email" in query and "status" in query
    if operation == ("POST", "/auth/challenge") and field == "responses.CREDENTIAL":
        return not _holds_a_json_object(_credential(case))
    if operation == ("POST", "/auth/sign-up") and field == "attributes.email":
        body = case.body if isinstance(case.body, dict) else {}
        attributes = (
            body.get("attributes") if isinstance(body.get("attributes"), dict) else {}
        )
        email = attributes.get("email")
        return (
            isinstance(email, str)
            and email.lower() != str(body.get("username", "")).lower()
        )
    return False


def _credential(case):
    body = case.body if isinstance(case.body, dict) else {}
    responses = body.get("responses") if isinstance(body.get("responses"), dict) else {}
    return responses.get("CREDENTIAL")


def _holds_a_json_object(text) -> bool:
    try:
        return isinstance(text, str) and isinstance(json.loads(text), dict)
    except ValueError:
        return False


# ---- The bearer token each operation takes.
#
# An operation's `security` (else the document's) names the token it takes: `idToken` or
# `accessToken`. The contract test passes the demo admin's two tokens in the environment, and for
# the operations that end every session of the caller when they succeed (a sign-out, a password
# change, deleting the account) the plain demo user's access token, so the admin's stay good for
# the whole run.
BEARERS = {
    "idToken": os.environ.get("CONTRACT_ID_TOKEN"),
    "accessToken": os.environ.get("CONTRACT_ACCESS_TOKEN"),
}
SESSION_ENDING = {"signOut", "changePassword", "deleteAccount"}


def _scheme(operation) -> str | None:
    raw = operation.definition.raw
    security = raw.get("security", operation.schema.raw_schema.get("security", []))
    names = [name for requirement in security for name in requirement]
    return names[0] if names else None


@schemathesis.hook
def before_call(context, case, kwargs):
    """`Authorization: Bearer <the token the operation takes>` on every protected operation."""
    scheme = _scheme(case.operation)
    if scheme is None:
        return
    if case.operation.definition.raw.get("operationId") in SESSION_ENDING:
        token = os.environ["CONTRACT_SESSION_ENDING_ACCESS_TOKEN"]
    else:
        token = BEARERS[scheme]
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
