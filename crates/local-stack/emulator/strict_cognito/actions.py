"""The Cognito actions the API calls, each composed from the behaviour modules.

Every action here replaces moto's handler of the same name (``CognitoIdpResponse.<action>``);
moto's models stay the store. Actions the API does not call are moto's own.
"""

import base64
import json
import secrets

from moto.cognitoidp import models, responses
from moto.cognitoidp.exceptions import ResourceNotFoundError
from moto.cognitoidp.models import UserStatus
from moto.cognitoidp.utils import expand_attrs
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import camelcase_to_underscores, method_names_from_class

from . import (
    access_tokens,
    account,
    app_client,
    choice,
    email_mfa,
    errors,
    iam,
    lockout,
    outbox,
    passwords,
    rotation,
    secret_hash,
    sessions,
    shapes,
    srp,
    threat_protection,
    timing,
    totp,
    user_states,
    usernames,
)
from .attributes import check_update as check_attribute_update

PUBLIC_FLOWS = ("USER_SRP_AUTH", "USER_PASSWORD_AUTH", "USER_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN")
ADMIN_FLOWS = ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH", "USER_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN")
REFRESH_FLOWS = ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN")
# Every AuthFlow Cognito has (InitiateAuth / AdminInitiateAuth request syntax).
COGNITO_FLOWS = set(PUBLIC_FLOWS + ADMIN_FLOWS + ("CUSTOM_AUTH", "USER_AUTH"))


# --- where a call lands ------------------------------------------------------------------------


def _public(self):
    """(backend, pool, client) of a public call, found by its ClientId."""
    client_id = self._get_param("ClientId")
    backend = self._get_region_agnostic_backend()._find_backend_for_clientid(client_id)
    for pool in backend.user_pools.values():
        if client_id in pool.clients:
            return backend, pool, pool.clients[client_id]
    raise ResourceNotFoundError(client_id)


def _named(self):
    """(backend, pool, client, Username) of a public call that names a user, its SECRET_HASH
    checked over that name."""
    backend, pool, client = _public(self)
    name = _require(self.parameters, "Username")
    secret_hash.require(client, name, self._get_param("SecretHash"))
    return backend, pool, client, name


def _admin(self):
    """(backend, pool, client) of an admin call, from UserPoolId and ClientId."""
    backend = self.backend
    pool = backend.describe_user_pool(self._get_param("UserPoolId"))
    client = pool.clients.get(self._get_param("ClientId"))
    if client is None:
        raise ResourceNotFoundError(self._get_param("ClientId"))
    return backend, pool, client


def _require(params: dict, name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise errors.invalid_parameter(f"Missing required parameter {name}")
    return value


# --- signing in --------------------------------------------------------------------------------


def _tokens(backend, pool, client, user) -> dict:
    return backend._log_user_in(pool, client, user.username)


def _challenge(backend, pool, client, user, name: str, admin: bool, parameters: dict) -> dict:
    # EMAIL_OTP here is always the second factor (email MFA): the first factor opens its own.
    session = sessions.open_session(backend, pool, client, user.username, name, admin, mfa=name == "EMAIL_OTP")
    return {
        "ChallengeName": name,
        "Session": session,
        "ChallengeParameters": {"USER_ID_FOR_SRP": user.username, **parameters},
    }


def _mfa_options(user) -> list:
    enabled = []
    if user.software_token_mfa_enabled:
        enabled.append("SOFTWARE_TOKEN_MFA")
    if user.sms_mfa_enabled and user.attribute_lookup.get("phone_number"):
        enabled.append("SMS_MFA")
    if email_mfa.enabled(user) and user.attribute_lookup.get("email"):
        enabled.append(email_mfa.EMAIL_OTP)
    return enabled


def _sms_code(pool, user) -> dict:
    outbox.send(pool, user, outbox.SMS_MFA, medium="SMS")
    number = user.attribute_lookup.get("phone_number", "")
    return {"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "CODE_DELIVERY_DESTINATION": "+*******" + number[-4:]}


def _email_code(pool, user) -> dict:
    outbox.send(pool, user, outbox.EMAIL_MFA, medium="EMAIL", digits=email_mfa.CODE_DIGITS)
    return {
        "CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL",
        "CODE_DELIVERY_DESTINATION": outbox.masked(user.attribute_lookup.get("email", "")),
    }


def _mfa_code(pool, user, factor: str) -> dict:
    """Sends the code an MFA `factor` needs (none for TOTP); the challenge's parameters."""
    if factor == "SMS_MFA":
        return _sms_code(pool, user)
    if factor == email_mfa.EMAIL_OTP:
        return _email_code(pool, user)
    return {}


def _next_step(backend, pool, client, user, admin: bool) -> dict:
    """After a proven password: a new password, MFA, MFA set-up, or tokens."""
    if user.status == UserStatus.FORCE_CHANGE_PASSWORD:
        account.require_live_temporary_password(pool, user)
        attributes = {k: v for k, v in user.attribute_lookup.items() if k != "sub"}
        return _challenge(
            backend,
            pool,
            client,
            user,
            "NEW_PASSWORD_REQUIRED",
            admin,
            {"requiredAttributes": "[]", "userAttributes": json.dumps(attributes)},
        )
    return _mfa_step(backend, pool, client, user, admin)


def _mfa_step(backend, pool, client, user, admin: bool) -> dict:
    options = _mfa_options(user)
    preferred = user.preferred_mfa_setting if user.preferred_mfa_setting in options else None
    if len(options) == 1 or preferred:
        factor = preferred or options[0]
        return _challenge(backend, pool, client, user, factor, admin, _mfa_code(pool, user, factor))
    if len(options) > 1:
        return _challenge(
            backend, pool, client, user, "SELECT_MFA_TYPE", admin, {"MFAS_CAN_CHOOSE": json.dumps(options)}
        )
    if pool.mfa_config == "ON":
        can_set_up = ["SOFTWARE_TOKEN_MFA"] if pool.token_mfa_config == {"Enabled": True} else []
        return _challenge(backend, pool, client, user, "MFA_SETUP", admin, {"MFAS_CAN_SETUP": json.dumps(can_set_up)})
    return _tokens(backend, pool, client, user)


# Keys the made-up ids of unknown names: secret, so nobody can compute one and tell it apart.
_FAKE_ID_KEY = secrets.token_hex(32)


def _fake_user_id(pool, name: str) -> str:
    """A stable, plausible USER_ID_FOR_SRP for a name no user has (existence privacy)."""
    digest = secret_hash.compute(_FAKE_ID_KEY, pool.id + "/" + name.lower(), "unknown-user")
    raw = base64.b64decode(digest)[:16]
    hexed = raw.hex()
    return f"{hexed[:8]}-{hexed[8:12]}-4{hexed[13:16]}-a{hexed[17:20]}-{hexed[20:32]}"


def _signed_up_sign_in(backend, pool, client, user, token, admin: bool) -> dict:
    """USER_AUTH with the Session ConfirmSignUp answered (``choice``): tokens, once."""
    session = sessions.take(backend, token, client.id, choice.SIGN_UP_SESSION, admin)
    if user is None or session.username != user.username:
        raise errors.not_authorized("Invalid session for the user, session is expired.")
    user_states.before_password(pool, client, user, user.username)
    return _tokens(backend, pool, client, user)


def _choice_start(backend, pool, client, user, name: str, params: dict, admin: bool) -> dict:
    """USER_AUTH (``choice``): the preferred first factor when the person can use it, else the
    choice of factors."""
    preferred = params.get("PREFERRED_CHALLENGE")
    if preferred is not None and preferred not in (*choice.FIRST_FACTOR_CHALLENGES, "WEB_AUTHN"):
        raise errors.invalid_parameter(f"{preferred} is not a first-factor challenge")
    if user is None and not user_states.prevents_existence_errors(client):
        raise errors.user_not_found()
    # No state is checked before a factor is proven: a disabled or locked-out account must not
    # answer differently from an unknown name here (the checks run at the factor).
    offered = choice.available(pool, client, user)
    if preferred in offered:
        return _first_factor(backend, pool, client, user, name, preferred, params, admin)
    user_id = user.username if user is not None else _fake_user_id(pool, name)
    session = sessions.open_session(
        backend, pool, client, user_id, "SELECT_CHALLENGE", admin, known=user is not None, typed_name=name
    )
    return {
        "ChallengeName": "SELECT_CHALLENGE",
        "Session": session,
        "ChallengeParameters": {"USERNAME": user_id},
        "AvailableChallenges": offered,
    }


def _first_factor(backend, pool, client, user, name: str, factor: str, params: dict, admin: bool) -> dict:
    """Starts (or, for PASSWORD, completes) the first factor `factor` of a choice-based sign-in."""
    if factor == "PASSWORD":
        password = _require(params, "PASSWORD")
        # The lockout, disabled and reset-required checks first, as on every password sign-in.
        user_states.before_password(pool, client, user, name)
        if not user.password or not timing.equal(user.password, password):
            user_states.failed_attempt(pool, client, user, name)
        user_states.after_password(pool, user)
        return _next_step(backend, pool, client, user, admin)
    if factor == "PASSWORD_SRP":
        srp_a = _require(params, "SRP_A")
        # A person without a password fails at the proof, exactly as an unknown name does.
        has_password = user is not None and user.password
        user_id = user.username if user is not None else None
        started = _srp_start(backend, pool, client, user if has_password else None, name, srp_a, admin, user_id=user_id)
        # In USER_AUTH the verifier comes with a Session (the SECRET_BLOCK names the exchange).
        return {**started, "Session": started["ChallengeParameters"]["SECRET_BLOCK"]}
    user_id = user.username if user is not None else _fake_user_id(pool, name)
    _attribute, medium = choice.OTP_CHALLENGES[factor]
    # Only to a verified address; anyone else gets the same answer and no code (as an unknown
    # name does), and no code they type works.
    reachable = choice.can_receive(user, factor)
    if reachable:
        kind = outbox.EMAIL_OTP if factor == "EMAIL_OTP" else outbox.SMS_OTP
        outbox.send(pool, user, kind, medium=medium, digits=choice.OTP_DIGITS)
    session = sessions.open_session(backend, pool, client, user_id, factor, admin, known=reachable, typed_name=name)
    return {
        "ChallengeName": factor,
        "Session": session,
        "ChallengeParameters": {
            "CODE_DELIVERY_DELIVERY_MEDIUM": medium,
            "CODE_DELIVERY_DESTINATION": choice.masked_destination(user if reachable else None, factor, name),
            "USERNAME": user_id,
        },
    }


def _srp_start(backend, pool, client, user, name: str, srp_a: str, admin: bool, user_id=None) -> dict:
    """`user_id`: the name to prove the password for when `user` is None (the internal username
    of a person without a password, who must fail like an unknown name); made up otherwise."""
    if user is None and not user_states.prevents_existence_errors(client):
        raise errors.user_not_found()
    if user is not None:
        user_states.before_password(pool, client, user, name)
    user_id = user.username if user is not None else user_id or _fake_user_id(pool, name)
    try:
        exchange = srp.start(pool.id, user_id, user.password if user is not None else None, srp_a)
    except ValueError as err:
        raise errors.invalid_parameter(str(err)) from None
    # Cognito answers PASSWORD_VERIFIER without a Session: the SECRET_BLOCK comes back with the
    # claim and names the exchange.
    secret_block = base64.b64encode(secrets.token_bytes(48)).decode()
    sessions.open_session(
        backend,
        pool,
        client,
        user_id,
        "PASSWORD_VERIFIER",
        admin,
        token=secret_block,
        srp=exchange,
        known=user is not None,
        typed_name=name,
    )
    return {
        "ChallengeName": "PASSWORD_VERIFIER",
        "ChallengeParameters": {**exchange.challenge_parameters(), "SECRET_BLOCK": secret_block, "USERNAME": user_id},
    }


def _refresh_token_owner(pool, client, token: str) -> str:
    """The internal username a live refresh token of `client` was issued to."""
    if token not in pool.refresh_tokens:
        raise errors.not_authorized("Invalid Refresh Token")
    issued = pool.refresh_tokens[token]
    if issued is None:
        raise errors.not_authorized("Refresh Token has been revoked")
    client_id, username, _origin = issued
    if client_id != client.id:
        raise errors.not_authorized("Invalid Refresh Token")
    return username


def _fresh_tokens(pool, refresh_token: str) -> dict:
    access_token, id_token, expires_in = pool.create_tokens_from_refresh_token(refresh_token)
    return {"IdToken": id_token, "AccessToken": access_token, "ExpiresIn": expires_in, "TokenType": "Bearer"}


def _refresh(backend, pool, client, params: dict) -> dict:
    token = _require(params, "REFRESH_TOKEN")
    rotation.refuse_old_flow(client)
    username = _refresh_token_owner(pool, client, token)
    # Over the internal username the token was issued to, whichever alias signed in.
    secret_hash.require(client, username, params.get("SECRET_HASH"))
    user_states.before_refresh(pool.users.get(username))
    return {"ChallengeParameters": {}, "AuthenticationResult": _fresh_tokens(pool, token)}


def get_tokens_from_refresh_token(self):
    """GetTokensFromRefreshToken (moto: not implemented): the client secret itself, no username;
    with rotation on, a new refresh token too (``rotation``)."""
    _backend, pool, client = _public(self)
    token = _require(self.parameters, "RefreshToken")
    if client.generate_secret and not timing.equal(client.secret, self._get_param("ClientSecret") or ""):
        raise errors.not_authorized("Invalid client secret")
    username = _refresh_token_owner(pool, client, token)
    user_states.before_refresh(pool.users.get(username))
    rotating, _grace = rotation.settings(client)
    if not rotating:
        return ActionResult({"AuthenticationResult": _fresh_tokens(pool, token)})
    successor = rotation.rotate(pool, client, token, username)
    return ActionResult({"AuthenticationResult": {**_fresh_tokens(pool, successor), "RefreshToken": successor}})


def _initiate(backend, pool, client, flow, params, admin: bool, session=None) -> dict:
    params = params or {}
    if flow not in COGNITO_FLOWS:
        raise errors.invalid_parameter(
            f"1 validation error detected: Value '{flow}' at 'authFlow' failed to satisfy constraint"
        )
    if flow not in (ADMIN_FLOWS if admin else PUBLIC_FLOWS):
        if flow == "CUSTOM_AUTH":
            raise errors.not_emulated(f"AuthFlow {flow}")
        raise errors.invalid_parameter("Initiate Auth method not supported")
    app_client.require_flow(client, flow)
    if flow in REFRESH_FLOWS:
        return _refresh(backend, pool, client, params)
    # Required parameters first: what is missing must not depend on whether the user exists.
    name = _require(params, "USERNAME")
    if flow == "USER_AUTH":
        secret_hash.require(client, name, params.get("SECRET_HASH"))
        user = usernames.find_user(pool, name)
        if session is not None:
            return _signed_up_sign_in(backend, pool, client, user, session, admin)
        return _choice_start(backend, pool, client, user, name, params, admin)
    proof = _require(params, "SRP_A" if flow == "USER_SRP_AUTH" else "PASSWORD")
    secret_hash.require(client, name, params.get("SECRET_HASH"))
    user = usernames.find_user(pool, name)
    if flow == "USER_SRP_AUTH":
        return _srp_start(backend, pool, client, user, name, proof, admin)
    user_states.before_password(pool, client, user, name)
    if not timing.equal(user.password, proof):
        user_states.failed_attempt(pool, client, user, name)
    user_states.after_password(pool, user)
    return _next_step(backend, pool, client, user, admin)


def _signing_in(self, found, admin: bool) -> ActionResult:
    """InitiateAuth / AdminInitiateAuth, logged as a sign-in from the caller's address
    (``threat_protection``) unless it is a refresh."""
    backend, pool, client = found
    flow, params = self._get_param("AuthFlow"), self._get_param("AuthParameters") or {}
    address = threat_protection.caller_address(self, client, admin)
    name = params.get("USERNAME") if flow not in REFRESH_FLOWS else None
    user = usernames.find_user(pool, name) if isinstance(name, str) and name else None
    if user is not None and not secret_hash.matches(client, name, params.get("SECRET_HASH")):
        user = None  # the app client failed to prove itself: no sign-in of the user's was tried
    try:
        result = _initiate(backend, pool, client, flow, params, admin, self._get_param("Session"))
    except errors.CognitoError as err:
        if err.error_type == "NotAuthorizedException":
            threat_protection.record(pool, user, "SignIn", "Fail", address)
        raise
    threat_protection.record(pool, user, "SignIn", threat_protection.outcome_of(result), address)
    return ActionResult(result)


def initiate_auth(self):
    return _signing_in(self, _public(self), admin=False)


def admin_initiate_auth(self):
    return _signing_in(self, _admin(self), admin=True)


# --- answering challenges ----------------------------------------------------------------------


def _password_verifier(backend, pool, client, session, token, user, answers, admin):
    sessions.close(backend, token)  # one claim per exchange, right or wrong
    if user is None:
        user_states.failed_attempt(pool, client, None, session.typed_name)
    lockout.check(pool, user.username)
    proven = srp.verify(
        pool.id, session.srp, token, answers.get("TIMESTAMP") or "", answers.get("PASSWORD_CLAIM_SIGNATURE") or ""
    )
    if not proven:
        user_states.failed_attempt(pool, client, user, session.typed_name)
    user_states.after_password(pool, user)
    return _next_step(backend, pool, client, user, admin)


def _new_password(backend, pool, client, session, token, user, answers, admin):
    new_password = _require(answers, "NEW_PASSWORD")
    if user.status != UserStatus.FORCE_CHANGE_PASSWORD:
        # Another sign-in with the temporary password answered first: "The temporary password is
        # valid only once" (API_AdminCreateUser.html), so no second answer sets a password.
        sessions.close(backend, token)
        raise errors.not_authorized("Invalid session for the user, session is expired.")
    attributes = {k[len("userAttributes.") :]: v for k, v in answers.items() if k.startswith("userAttributes.")}
    app_client.require_writable(client, attributes)
    check_attribute_update(pool, attributes)
    passwords.require_valid(pool, new_password)
    if "email" in attributes:
        usernames.require_unused_email(pool, attributes["email"], user)
        if attributes["email"] != user.attribute_lookup.get("email"):
            attributes["email_verified"] = "false"
    user.update_attributes(expand_attrs(attributes))
    user.password = new_password
    user.status = UserStatus.CONFIRMED
    sessions.close(backend, token)
    return _mfa_step(backend, pool, client, user, admin)


def _software_token_mfa(backend, pool, client, session, token, user, answers, admin):
    code = _require(answers, "SOFTWARE_TOKEN_MFA_CODE")
    if not totp.check(pool, user, code):
        sessions.wrong_answer(backend, token, session)
        raise errors.code_mismatch()
    sessions.close(backend, token)
    return _tokens(backend, pool, client, user)


def _sms_mfa(backend, pool, client, session, token, user, answers, admin):
    if not outbox.take(pool, user, outbox.SMS_MFA, _require(answers, "SMS_MFA_CODE")):
        sessions.wrong_answer(backend, token, session)
        raise errors.code_mismatch()
    sessions.close(backend, token)
    return _tokens(backend, pool, client, user)


def _select_mfa_type(backend, pool, client, session, token, user, answers, admin):
    choice = _require(answers, "ANSWER")
    if choice not in _mfa_options(user):
        raise errors.invalid_parameter(f"{choice} is not an MFA type the user can choose")
    sessions.close(backend, token)
    return _challenge(backend, pool, client, user, choice, admin, _mfa_code(pool, user, choice))


def _mfa_setup(backend, pool, client, session, token, user, answers, admin):
    if not session.software_token_verified:
        raise errors.invalid_parameter(
            "No software token was verified in this session: call VerifySoftwareToken with it first"
        )
    user.software_token_mfa_enabled = True
    user.preferred_mfa_setting = user.preferred_mfa_setting or "SOFTWARE_TOKEN_MFA"
    sessions.close(backend, token)
    return _tokens(backend, pool, client, user)


def _select_challenge(backend, pool, client, session, token, user, answers, admin):
    factor = _require(answers, "ANSWER")
    if factor not in choice.available(pool, client, user):
        raise errors.invalid_parameter(f"{factor} is not a challenge this sign-in can choose")
    sessions.take(backend, token, client.id, "SELECT_CHALLENGE", admin)
    return _first_factor(backend, pool, client, user, session.typed_name, factor, answers, admin)


def _one_time_code(kind: str, answer: str):
    """EMAIL_OTP / SMS_OTP as a first factor: the code sent to the outbox signs the person in."""

    def answer_with(backend, pool, client, session, token, user, answers, admin):
        code = _require(answers, answer)
        if session.mfa:
            return _email_mfa_answer(backend, pool, client, session, token, user, code)
        if user is None or not outbox.take(pool, user, kind, code):
            sessions.wrong_answer(backend, token, session)
            raise errors.code_mismatch()
        sessions.close(backend, token)
        # The account's state is checked once the code is proven, as a password's is.
        user_states.before_password(pool, client, user, session.typed_name)
        user_states.after_password(pool, user)
        return _tokens(backend, pool, client, user)

    return answer_with


def _email_mfa_answer(backend, pool, client, session, token, user, code):
    """EMAIL_OTP as the second factor (``email_mfa``): the password was proven already."""
    if not outbox.take(pool, user, outbox.EMAIL_MFA, code):
        sessions.wrong_answer(backend, token, session)
        raise errors.code_mismatch()
    sessions.close(backend, token)
    # A code that arrived proves the address.
    user.update_attributes([{"Name": "email_verified", "Value": "true"}])
    return _tokens(backend, pool, client, user)


def _mfa_preference(self, pool, user, moto_handler):
    """The settings moto knows are moto's; ``EmailMfaSettings`` are ``email_mfa``'s, checked
    before anything changes (a refused request changes nothing). moto clears any preference but
    its own two when a TOTP or SMS setting is not preferred: an email preference the request
    leaves alone is kept."""
    email = self._get_param("EmailMfaSettings")
    if user is not None:
        email_mfa.check(pool, user, email)
    kept = user.preferred_mfa_setting if user is not None else None
    result = moto_handler(self)
    if user is not None:
        others_preferred = any(
            (self._get_param(name) or {}).get("PreferredMfa") for name in ("SoftwareTokenMfaSettings", "SMSMfaSettings")
        )
        if kept == email_mfa.EMAIL_OTP and not others_preferred:
            user.preferred_mfa_setting = kept
        email_mfa.apply(user, email)
    return result


_set_user_mfa_preference = responses.CognitoIdpResponse.set_user_mfa_preference
_admin_set_user_mfa_preference = responses.CognitoIdpResponse.admin_set_user_mfa_preference
_set_user_pool_mfa_config = responses.CognitoIdpResponse.set_user_pool_mfa_config


def set_user_mfa_preference(self):
    found = access_tokens.issued(self, self._get_param("AccessToken"))
    pool, user = (found[0], found[2]) if found is not None else (None, None)
    return _mfa_preference(self, pool, user, _set_user_mfa_preference)


def admin_set_user_mfa_preference(self):
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    user = usernames.find_user(pool, self._get_param("Username"))
    return _mfa_preference(self, pool, user, _admin_set_user_mfa_preference)


def set_user_pool_mfa_config(self):
    """moto's, with ``EmailMfaConfiguration`` (``email_mfa``), which moto does not know."""
    email = self._get_param("EmailMfaConfiguration")
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    if email is not None:
        email_mfa.require_pool_can_send(pool)
    others = self._get_param("SmsMfaConfiguration") or self._get_param("SoftwareTokenMfaConfiguration")
    if email is not None and not others:
        mode = self._get_param("MfaConfiguration")
        if mode not in ("ON", "OFF", "OPTIONAL"):
            raise errors.invalid_parameter("[MfaConfiguration] must be one of 'ON', 'OFF', or 'OPTIONAL'.")
        pool.mfa_config = mode
        result = ActionResult({"MfaConfiguration": mode})
    else:
        result = _set_user_pool_mfa_config(self)
    if email is not None:
        pool.extended_config["EmailMfaConfiguration"] = email
    return result


# Challenges of choice-based sign-in that Cognito may ask for by name, and this emulator never
# does (it answers a preferred PASSWORD or PASSWORD_SRP at once, or with the choice): their
# answers meet no live session.
ISSUED_BY_COGNITO_ONLY = ("PASSWORD", "PASSWORD_SRP")

CHALLENGES = {
    "SELECT_CHALLENGE": _select_challenge,
    "EMAIL_OTP": _one_time_code(outbox.EMAIL_OTP, "EMAIL_OTP_CODE"),
    "SMS_OTP": _one_time_code(outbox.SMS_OTP, "SMS_OTP_CODE"),
    "PASSWORD_VERIFIER": _password_verifier,
    "NEW_PASSWORD_REQUIRED": _new_password,
    "SOFTWARE_TOKEN_MFA": _software_token_mfa,
    "SMS_MFA": _sms_mfa,
    "SELECT_MFA_TYPE": _select_mfa_type,
    "MFA_SETUP": _mfa_setup,
}


def _respond(backend, pool, client, name, token, answers, admin: bool) -> dict:
    answers = answers or {}
    if name in ISSUED_BY_COGNITO_ONLY:
        # Never issued here, so no session waits for it: refused as Cognito refuses a session it
        # did not issue, not as something left out of the emulator.
        sessions.get(token, client.id, name, admin)
    if name not in CHALLENGES:
        raise errors.not_emulated(f"challenge {name}")
    if name == "PASSWORD_VERIFIER":
        token = answers.get("PASSWORD_CLAIM_SECRET_BLOCK")
    session = sessions.get(token, client.id, name, admin)
    user = pool.users.get(session.username) if session.known else None
    given = _require(answers, "USERNAME")
    if session.known and usernames.find_user(pool, given) is not user:
        raise errors.not_authorized()
    # Over the internal username, whichever alias the person typed.
    secret_hash.require(client, session.username, answers.get("SECRET_HASH"))
    if session.known and user is None:
        raise errors.not_authorized()  # deleted meanwhile
    try:
        result = CHALLENGES[name](backend, pool, client, session, token, user, answers, admin)
    except errors.CognitoError as err:
        if err.error_type in ("NotAuthorizedException", "CodeMismatchException"):
            failed = "Fail" if err.error_type == "NotAuthorizedException" else None
            threat_protection.answered(pool, user, name, False, failed)
        raise
    threat_protection.answered(pool, user, name, True, threat_protection.outcome_of(result))
    return result


def _respond_to(self, found, admin: bool):
    backend, pool, client = found
    answers = self._get_param("ChallengeResponses")
    name, session = self._get_param("ChallengeName"), self._get_param("Session")
    return ActionResult(_respond(backend, pool, client, name, session, answers, admin))


def respond_to_auth_challenge(self):
    return _respond_to(self, _public(self), admin=False)


def admin_respond_to_auth_challenge(self):
    return _respond_to(self, _admin(self), admin=True)


_verify_software_token = responses.CognitoIdpResponse.verify_software_token


def verify_software_token(self):
    """moto's, with the session it answers continuing the sign-in's MFA_SETUP session; a wrong
    code counts against that session."""
    old = self._get_param("Session")
    try:
        result = _verify_software_token(self)
    except errors.CognitoError as err:
        if old and err.error_type == totp.ENABLE_FAILED:
            sessions.wrong_answer_to(self.backend, old)
        raise
    if old and isinstance(result, ActionResult) and isinstance(result.result, dict) and result.result.get("Session"):
        sessions.adopt_verified(self.backend, old, result.result["Session"])
    return result


# --- registration and passwords ----------------------------------------------------------------


def _code_delivery_for(pool, client, user, name: str) -> dict:
    """Where a code went; for an unknown user (existence privacy) where it would have gone."""
    if user is not None:
        return outbox.delivery(user)
    if not user_states.prevents_existence_errors(client):
        raise errors.user_not_found()
    return {
        "Destination": outbox.masked(name if "@" in name else name + "@e"),
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }


def sign_up(self):
    backend, pool, client, name = _named(self)
    attributes = self._get_param("UserAttributes", [])
    app_client.require_writable(client, attributes)
    password = self._get_param("Password")
    if password is None:
        choice.require_passwordless_sign_up(pool)
    else:
        password = _require(self.parameters, "Password")
    user, _details = backend.sign_up(client_id=client.id, username=name, password=password, attributes=attributes)
    outbox.send(pool, user, outbox.SIGN_UP)
    threat_protection.record(pool, user, "SignUp", "Pass", threat_protection.caller_address(self, client, False))
    return ActionResult(
        {
            "UserConfirmed": False,
            "UserSub": user.id,
            "CodeDeliveryDetails": outbox.delivery(user),
        }
    )


def confirm_sign_up(self):
    backend, pool, client, name = _named(self)
    user = usernames.find_user(pool, name)
    if user is None:
        raise errors.code_mismatch() if user_states.prevents_existence_errors(client) else errors.user_not_found()
    user_states.before_confirm_sign_up(user)
    if not outbox.take(pool, user, outbox.SIGN_UP, self._get_param("ConfirmationCode")):
        raise errors.code_mismatch()
    user.status = UserStatus.CONFIRMED
    if "email" in user.attribute_lookup and "email" in (pool.extended_config.get("AutoVerifiedAttributes") or []):
        user.update_attributes([{"Name": "email_verified", "Value": "true"}])
    # A client that allows choice-based sign-in gets a session that signs the person in at once.
    if "ALLOW_USER_AUTH" in (client.extended_config.get("ExplicitAuthFlows") or app_client.DEFAULT_FLOWS):
        session = sessions.open_session(backend, pool, client, user.username, choice.SIGN_UP_SESSION, False)
        return ActionResult({"Session": session})
    return EmptyResult()


def _send_code(self, may_receive, kind: str, event_type: str):
    """ResendConfirmationCode and ForgotPassword: a new code of `kind` for a user `may_receive`
    allows, logged as `event_type`; an unknown name gets the same answer without a code
    (existence privacy)."""
    _backend, pool, client, name = _named(self)
    user = usernames.find_user(pool, name)
    if user is not None:
        may_receive(user)
        outbox.send(pool, user, kind)
        threat_protection.record(pool, user, event_type, "Pass", threat_protection.caller_address(self, client, False))
    return ActionResult({"CodeDeliveryDetails": _code_delivery_for(pool, client, user, name)})


def resend_confirmation_code(self):
    return _send_code(self, user_states.before_resend, outbox.SIGN_UP, "ResendCode")


def forgot_password(self):
    return _send_code(self, user_states.before_reset_code, outbox.RESET_PASSWORD, "ForgotPassword")


def confirm_forgot_password(self):
    password = _require(self.parameters, "Password")
    _backend, pool, client, name = _named(self)
    # The policy before the lookup: a weak password is refused alike for any name.
    passwords.require_valid(pool, password)
    user = usernames.find_user(pool, name)
    if user is None:
        raise errors.code_mismatch() if user_states.prevents_existence_errors(client) else errors.user_not_found()
    if not outbox.take(pool, user, outbox.RESET_PASSWORD, self._get_param("ConfirmationCode")):
        raise errors.code_mismatch()
    user.password = password
    if user.status == UserStatus.RESET_REQUIRED:
        user.status = UserStatus.CONFIRMED
    lockout.succeeded(pool, user.username)
    return EmptyResult()


_admin_reset_user_password = responses.CognitoIdpResponse.admin_reset_user_password


def admin_reset_user_password(self):
    """moto's state rules, and the reset code Cognito sends (to the outbox)."""
    result = _admin_reset_user_password(self)
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    user = usernames.find_user(pool, self._get_param("Username"))
    outbox.send(pool, user, outbox.RESET_PASSWORD)
    return result


def _temporary_password(pool) -> str:
    """A temporary password the pool's policy accepts, as Cognito generates one."""
    length = max(passwords.policy_of(pool).get("MinimumLength", 8), 12)
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    body = "".join(secrets.choice(alphabet) for _ in range(length - 4))
    return body + secrets.choice("abcdefghijk") + secrets.choice("ABCDEFGH") + secrets.choice("23456789") + "!"


def admin_create_user(self):
    """AdminCreateUser with the temporary password held to the policy (or generated), its validity
    starting now (``account``), and the invitation delivered to the outbox unless suppressed;
    ``RESEND`` gives a FORCE_CHANGE_PASSWORD user a new temporary password."""
    backend = self.backend
    pool = backend.describe_user_pool(self._get_param("UserPoolId"))
    name = _require(self.parameters, "Username")
    action = self._get_param("MessageAction")
    temporary = self._get_param("TemporaryPassword")
    if temporary is not None:
        passwords.require_valid(pool, temporary)
    else:
        temporary = _temporary_password(pool)
    if action == "RESEND":
        user = backend.admin_get_user(pool.id, name)
        if user.status != UserStatus.FORCE_CHANGE_PASSWORD:
            raise errors.unsupported_user_state(
                f"Resend not possible. {user.username} status is not FORCE_CHANGE_PASSWORD."
            )
        user.password = temporary
    else:
        user = backend.admin_create_user(pool.id, name, action, temporary, self._get_param("UserAttributes", []))
    account.temporary_password_set(pool, user)
    if action != "SUPPRESS":
        outbox.send(pool, user, outbox.INVITATION, code=temporary)
    return ActionResult({"User": user.to_json(extended=True)})


def revoke_token(self):
    """RevokeToken (moto: not implemented): the refresh token, and the access tokens issued with
    it, stop working. Source:
    https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RevokeToken.html"""
    _backend, pool, client = _public(self)
    token = _require(self.parameters, "Token")
    if client.generate_secret and not timing.equal(client.secret, self._get_param("ClientSecret")):
        raise errors.not_authorized("Invalid client secret")
    issued = pool.refresh_tokens.get(token)
    if issued is not None and issued[0] == client.id:
        pool.refresh_tokens[token] = None
        access_tokens.revoke_issued_with(pool, issued[2])
    return EmptyResult()


_create_user_pool = responses.CognitoIdpResponse.create_user_pool
_update_user_pool = responses.CognitoIdpResponse.update_user_pool


def create_user_pool(self):
    """moto's, with threat protection refused outside the Plus plan and passwordless first
    factors on Lite."""
    threat_protection.require_plan(self.parameters)
    choice.require_plan(self.parameters)
    return _create_user_pool(self)


def update_user_pool(self):
    """moto's, with threat protection refused outside the Plus plan and passwordless first
    factors on Lite."""
    threat_protection.require_plan(self.parameters)
    choice.require_plan(self.parameters)
    return _update_user_pool(self)


_create_user_pool_client = responses.CognitoIdpResponse.create_user_pool_client
_update_user_pool_client = responses.CognitoIdpResponse.update_user_pool_client


def create_user_pool_client(self):
    """moto's, with the caller's address propagated only by clients with a secret, and the
    refresh-token grace period held to 0-60 s."""
    threat_protection.require_secret_to_propagate(self.parameters, bool(self._get_param("GenerateSecret")))
    rotation.require_valid(self.parameters)
    return _create_user_pool_client(self)


def update_user_pool_client(self):
    """moto's, with the caller's address propagated only by clients with a secret, and the
    refresh-token grace period held to 0-60 s."""
    rotation.require_valid(self.parameters)
    pool = self.backend.describe_user_pool(self._get_param("UserPoolId"))
    client = pool.clients.get(self._get_param("ClientId"))
    has_secret = client is not None and client.generate_secret
    threat_protection.require_secret_to_propagate(self.parameters, has_secret)
    return _update_user_pool_client(self)


_call_action = responses.CognitoIdpResponse.call_action


def call_action(self):
    """Every request: read as AWS's JSON protocol reads it and held to IAM first (``iam``: an
    operation spelled as the model spells it, parameters from the body alone, and the caller's
    policy granting an IAM-authorized action), then its shape (``shapes``); an action moto does
    not implement (the WebAuthn calls, ...) answers an error naming it, where moto answered an
    HTML 500."""
    refused = iam.refusal(self, "cognito-idp")
    if refused is not None:
        return refused
    name = self._get_action()
    action = camelcase_to_underscores(name or "")
    try:
        if action and action not in method_names_from_class(type(self)):
            raise errors.not_emulated(f"the action {name}")
        try:
            params = json.loads(self.body or "{}")
        except ValueError:
            raise errors.CognitoError("SerializationException", "The request body is not JSON") from None
        shapes.check(params)
    except errors.CognitoError as error:
        headers = {**dict(error.get_headers() or []), "status": error.code}
        status, headers, body = self._transform_response(self.response_headers, (error.description, headers))
        return (status, *self._enrich_response(headers, body))
    return _call_action(self)


def install() -> None:
    responses.CognitoIdpResponse.call_action = call_action
    passwords.install(models.CognitoIdpBackend)
    for action in (
        initiate_auth,
        admin_initiate_auth,
        respond_to_auth_challenge,
        admin_respond_to_auth_challenge,
        verify_software_token,
        sign_up,
        confirm_sign_up,
        resend_confirmation_code,
        forgot_password,
        confirm_forgot_password,
        admin_reset_user_password,
        admin_create_user,
        revoke_token,
        get_tokens_from_refresh_token,
        set_user_mfa_preference,
        admin_set_user_mfa_preference,
        set_user_pool_mfa_config,
        create_user_pool,
        update_user_pool,
        create_user_pool_client,
        update_user_pool_client,
        threat_protection.admin_list_user_auth_events,
    ):
        setattr(responses.CognitoIdpResponse, action.__name__, action)
