"""Threat protection's view of who is calling: the address Cognito attributes each call to, the
user's auth-event log it keeps, and the feature plan it needs.

- The address: a public call's ``UserContextData.IpAddress`` when the app client has
  ``EnablePropagateAdditionalUserContextData``, an admin-flow call's ``ContextData.IpAddress``;
  otherwise the address the request came from (a server-side API's own). Sources:
  https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserContextDataType.html
  https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ContextDataType.html
  https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolClientType.html#CognitoUserPools-Type-UserPoolClientType-EnablePropagateAdditionalUserContextData
- The log: with threat protection on (``UserPoolAddOns.AdvancedSecurityMode`` AUDIT or
  ENFORCED) each sign-in, sign-up, reset-code and new-confirmation-code request is an auth event
  with the address in ``EventContextData``, read with ``AdminListUserAuthEvents`` (newest first);
  with it off that call is ``UserPoolAddOnNotEnabledException``. Source:
  https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminListUserAuthEvents.html
  The device name Cognito decodes from ``EncodedData`` is not emulated (its format is Cognito's).
- The plan: threat protection needs the Plus feature plan (``UserPoolTier``; the API's default is
  ESSENTIALS); asking for it on another plan is ``FeatureUnavailableInTierException``. Source:
  https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-sign-in-feature-plans.html
"""

import time
import uuid

from . import errors, usernames
from .moto_store import ActionResult

MODES_ON = ("AUDIT", "ENFORCED")
MAX_RESULTS = 60


def require_secret_to_propagate(config: dict, has_secret: bool) -> None:
    """CreateUserPoolClient / UpdateUserPoolClient: the caller's address is taken from the
    request only from clients with a secret."""
    if config.get("EnablePropagateAdditionalUserContextData") and not has_secret:
        raise errors.invalid_parameter(
            "EnablePropagateAdditionalUserContextData can be enabled only on an app client with a secret"
        )


def caller_address(response, client, admin: bool) -> str:
    """The address Cognito attributes the call `response` is serving to."""
    if admin:
        given = (response._get_param("ContextData") or {}).get("IpAddress")
    elif client.extended_config.get("EnablePropagateAdditionalUserContextData"):
        given = (response._get_param("UserContextData") or {}).get("IpAddress")
    else:
        given = None
    return given or response.normalized_request.remote_addr or ""


def enabled(pool) -> bool:
    return ((pool.extended_config.get("UserPoolAddOns") or {}).get("AdvancedSecurityMode") or "OFF") in MODES_ON


def _log(pool) -> dict:
    if not hasattr(pool, "strict_auth_events"):
        pool.strict_auth_events = {}
    return pool.strict_auth_events


def record(pool, user, event_type: str, outcome: str, address: str) -> None:
    """Logs an event of `event_type` (SignIn, SignUp, ForgotPassword, ResendCode) for `user`."""
    if user is None or not enabled(pool):
        return
    _log(pool).setdefault(user.username, []).append(
        {
            "EventId": str(uuid.uuid4()),
            "EventType": event_type,
            "CreationDate": time.time(),
            "EventResponse": outcome,
            "EventRisk": {"RiskDecision": "NoRisk", "CompromisedCredentialsDetected": False},
            "ChallengeResponses": [],
            "EventContextData": {"IpAddress": address},
        }
    )


def answered(pool, user, challenge: str, succeeded: bool, outcome: str | None) -> None:
    """A challenge of the user's sign-in in progress was answered: its outcome so far. A finished
    sign-in is never changed."""
    if user is None or not enabled(pool):
        return
    sign_ins = [e for e in _log(pool).get(user.username, []) if e["EventType"] == "SignIn"]
    if not sign_ins or sign_ins[-1]["EventResponse"] != "InProgress":
        return
    latest = sign_ins[-1]
    kind = "Password" if challenge in ("PASSWORD_VERIFIER", "NEW_PASSWORD_REQUIRED") else "Mfa"
    latest["ChallengeResponses"].append(
        {"ChallengeName": kind, "ChallengeResponse": "Success" if succeeded else "Failure"}
    )
    if outcome:
        latest["EventResponse"] = outcome


def outcome_of(result: dict) -> str:
    """Pass when an auth call answered tokens, InProgress when it asked for another step."""
    return "Pass" if "AuthenticationResult" in result else "InProgress"


def require_plan(config: dict) -> None:
    """CreateUserPool / UpdateUserPool: threat protection only on the Plus plan. A setting the
    request leaves out is its default (UpdateUserPool resets what it is not given)."""
    tier = config.get("UserPoolTier") or "ESSENTIALS"
    add_ons = config.get("UserPoolAddOns") or {}
    if add_ons.get("AdvancedSecurityMode", "OFF") in MODES_ON and tier != "PLUS":
        raise errors.CognitoError(
            "FeatureUnavailableInTierException",
            f"Threat protection requires the PLUS feature plan; this pool's plan is {tier}.",
        )


def admin_list_user_auth_events(self):
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    if not enabled(pool):
        raise errors.CognitoError(
            "UserPoolAddOnNotEnabledException", "Threat protection is not enabled for this user pool."
        )
    user = usernames.find_user(pool, self._get_param("Username") or "")
    if user is None:
        raise errors.user_not_found()
    limit = self._get_param("MaxResults")
    limit = MAX_RESULTS if limit is None else limit
    if not isinstance(limit, int) or isinstance(limit, bool) or not 0 <= limit <= MAX_RESULTS:
        raise errors.invalid_parameter(f"MaxResults must be an integer from 0 to {MAX_RESULTS}")
    token = self._get_param("NextToken") or "0"
    if not isinstance(token, str) or not token.isdigit():
        raise errors.invalid_parameter("Invalid NextToken")
    start = int(token)
    events = list(reversed(_log(pool).get(user.username, [])))
    page = events[start : start + limit]
    answer = {"AuthEvents": page}
    if start + limit < len(events):
        answer["NextToken"] = str(start + limit)
    return ActionResult(answer)
