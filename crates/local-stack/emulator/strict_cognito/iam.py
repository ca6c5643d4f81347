"""IAM in front of the local Cognito: a call that the caller's policy does not grant is refused as
AWS refuses it.

Cognito's actions come in three classes (AWS: "Using the Amazon Cognito user pools API and user
pool endpoints", https://docs.aws.amazon.com/cognito/latest/developerguide/user-pools-API-operations.html):
IAM-authorized (signed with AWS credentials; "Amazon Cognito evaluates IAM policies in requests
for this API operation"), token-authorized and unauthenticated (neither is signed: IAM is not
asked). The class of each action is read from botocore's service model, which carries the same
facts: an operation with ``authtype: none`` (``smithy.api#noAuth``) is not signed, and the others
are IAM-authorized unless their documentation says IAM is not evaluated. The identity pool's
actions (``cognito-identity``) follow the same rule: ``GetId`` and ``GetCredentialsForIdentity``
are public.

Who the caller is: the access key id of the request's SigV4 ``Authorization`` header names a
principal in the file ``STRICT_COGNITO_IAM`` points to (JSON, re-read when it changes)::

    {"principals": {"<access key id>": {"arn": "arn:aws:sts::...", "statements": [...]}}}

Each principal's ``statements`` are IAM policy statements (``Effect``, ``Action``/``NotAction``,
``Resource``/``NotResource``, with ``*`` and ``?`` wildcards; an explicit Deny wins). The local
stack writes them from ``template.yaml`` (crates/local-stack/src/iam.rs). Without the variable IAM
is not enforced (the emulator's own tests that are not about IAM).

The request is read as AWS's JSON protocol reads it: the operation is the ``X-Amz-Target``
header's, spelled exactly as in the model (moto would also run ``adminDeleteUser``), and the
parameters are the JSON body's alone (moto would also read the query string, so a request could
name one pool to IAM and another to the action).

Refusals, as AWS answers them: an operation the service does not have is
``UnknownOperationException``; an IAM-authorized call with no signature is
``MissingAuthenticationTokenException`` (HTTP 403); with an unknown key,
``UnrecognizedClientException``; one no statement allows, ``AccessDeniedException`` (HTTP 400)
naming the principal, the action and the resource.

Differs from AWS: the signature itself is not checked (the key id names the principal), and
``Condition`` keys, permission boundaries and resource policies are not evaluated (the local stack
refuses to start with a policy that uses them).
"""

import functools
import glob
import gzip
import json
import os
import re
import threading

import botocore

from . import errors, moto_store

ENV = "STRICT_COGNITO_IAM"

# The services behind the local Cognito: IAM's action prefix, and botocore's model directory.
SERVICES = {"cognito-idp": "cognito-idp", "cognito-identity": "cognito-identity"}

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/")


@functools.cache
def _model(service: str) -> dict:
    """botocore's service model of `service`."""
    root = os.path.join(os.path.dirname(botocore.__file__), "data", SERVICES[service])
    (path,) = glob.glob(os.path.join(root, "*", "service-2.json*"))
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


@functools.cache
def operations(service: str) -> frozenset:
    """Every operation of `service`, spelled as its model spells it."""
    return frozenset(_model(service)["operations"])


@functools.cache
def iam_authorized(service: str) -> frozenset:
    """The actions of `service` that IAM authorizes (signed, IAM policies evaluated)."""
    actions = set()
    for name, operation in _model(service)["operations"].items():
        unsigned = operation.get("authtype") == "none"
        not_evaluated = "doesn't evaluate Identity and Access Management" in operation.get("documentation", "")
        if not unsigned and not not_evaluated:
            actions.add(name)
    return frozenset(actions)


_loaded = {"key": None, "principals": {}}
_loading = threading.Lock()


def _principals(path: str) -> dict:
    """The principals in `path`, re-read when the file changes (the local stack writes it again
    once the pool exists, replacing it whole)."""
    with _loading:
        try:
            with open(path, encoding="utf-8") as f:
                stat = os.fstat(f.fileno())
                key = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
                if _loaded["key"] != key:
                    _loaded["principals"] = json.load(f).get("principals", {})
                    _loaded["key"] = key
        except FileNotFoundError:
            return {}
        return _loaded["principals"]


def _matches(pattern: str, value: str, ignore_case: bool) -> bool:
    """IAM's wildcard match: ``*`` any run of characters, ``?`` one character."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL) is not None


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def _applies(statement: dict, action: str, resource: str) -> bool:
    """Whether `statement` speaks of `action` on `resource`; one without an action or a resource
    (which IAM would not accept) speaks of nothing."""
    if ("Action" in statement) == ("NotAction" in statement):
        return False
    if ("Resource" in statement) == ("NotResource" in statement):
        return False
    if "Action" in statement:
        acts = any(_matches(p, action, True) for p in _listed(statement["Action"]))
    else:
        acts = not any(_matches(p, action, True) for p in _listed(statement["NotAction"]))
    if "Resource" in statement:
        on = any(_matches(p, resource, False) for p in _listed(statement["Resource"]))
    else:
        on = not any(_matches(p, resource, False) for p in _listed(statement["NotResource"]))
    return acts and on


def decision(statements: list, action: str, resource: str) -> str:
    """``Deny`` (an explicit deny applies), ``Allow`` (an allow applies and no deny), or
    ``ImplicitDeny``: IAM's evaluation of identity-based policies, Conditions aside (the local
    stack refuses to load a statement with one)."""
    applying = [s.get("Effect") for s in statements if _applies(s, action, resource)]
    if "Deny" in applying:
        return "Deny"
    return "Allow" if "Allow" in applying else "ImplicitDeny"


def resource_of(service: str, params: dict, region: str, account: str) -> str:
    """The ARN IAM authorizes `params`' call on: the resource it names (``ResourceArn`` of the
    tagging calls), the user pool or identity pool it names, else ``*`` (calls on no one pool,
    such as ``CreateUserPool``)."""
    if isinstance(params.get("ResourceArn"), str):
        return params["ResourceArn"]
    if service == "cognito-idp" and isinstance(params.get("UserPoolId"), str):
        return f"arn:aws:cognito-idp:{region}:{account}:userpool/{params['UserPoolId']}"
    if service == "cognito-identity" and isinstance(params.get("IdentityPoolId"), str):
        return f"arn:aws:cognito-identity:{region}:{account}:identitypool/{params['IdentityPoolId']}"
    return "*"


def authorize(response, service: str, action: str, params: dict) -> None:
    """Raises what AWS answers when the caller of `response` (a moto request) may not call
    `action` with `params`; returns when IAM allows it or does not apply."""
    path = os.environ.get(ENV)
    if not path or action not in iam_authorized(service):
        return
    header = response.headers.get("Authorization") or ""
    found = _CREDENTIAL.search(header)
    if found is None:
        missing = errors.CognitoError("MissingAuthenticationTokenException", "Missing Authentication Token")
        missing.code = 403
        raise missing
    principal = _principals(path).get(found.group(1))
    if principal is None:
        raise errors.CognitoError(
            "UnrecognizedClientException", "The security token included in the request is invalid."
        )
    resource = resource_of(service, params, response.region, response.current_account)
    qualified = f"{service}:{action}"
    verdict = decision(principal.get("statements", []), qualified, resource)
    if verdict == "Allow":
        return
    why = (
        "with an explicit deny in an identity-based policy"
        if verdict == "Deny"
        else f"because no identity-based policy allows the {qualified} action"
    )
    raise errors.CognitoError(
        "AccessDeniedException",
        f"User: {principal['arn']} is not authorized to perform: {qualified} on resource: {resource} {why}",
    )


def _request_params(response) -> dict:
    """The JSON body's parameters; a body that is not a JSON object is refused before IAM (whose
    resource it would name)."""
    try:
        params = json.loads(response.body or "{}")
    except ValueError:
        params = None
    if not isinstance(params, dict):
        raise errors.CognitoError("SerializationException", "The request body is not a JSON object")
    return params


def refusal(response, service: str):
    """The response AWS gives when it refuses `response`'s call before running it (an unknown
    operation, IAM), or None when it may go on. The call's parameters are its JSON body's alone
    from here on, as in AWS's JSON protocol."""
    moto_store.body_params_only(response)
    try:
        action = moto_store.action_name(response) or ""
        if action not in operations(service):
            raise errors.CognitoError("UnknownOperationException", f"Unknown operation {action}")
        authorize(response, service, action, _request_params(response))
    except errors.CognitoError as error:
        return moto_store.error_response(response, error)
    return None


_identity_call_action = moto_store.identity_handler("call_action")


def _identity_call(self):
    """The identity pool's requests: IAM first."""
    return refusal(self, "cognito-identity") or _identity_call_action(self)


def install() -> None:
    """IAM in front of the identity pool's actions (the user pool's go through
    ``api.call_action``, which asks :func:`refusal` first)."""
    moto_store.override_identity(_identity_call, "call_action")
