"""Signing in and answering challenges: ``InitiateAuth``, ``AdminInitiateAuth``,
``RespondToAuthChallenge``, ``AdminRespondToAuthChallenge``.

The flows (``USER_SRP_AUTH`` with its SRP start, ``USER_PASSWORD_AUTH``, the admin flows, the
choice-based ``USER_AUTH`` and its first factors), what follows a proven password (a new
password, MFA, MFA set-up, or tokens), and the answer to each challenge. Refresh flows are the
``tokens`` family's.
"""

import base64
import json
import secrets

from .. import (
    acr,
    app_client,
    choice,
    clock,
    email_mfa,
    errors,
    lockout,
    moto_store,
    outbox,
    passkey_mfa,
    passkeys,
    secret_hash,
    sessions,
    srp,
    threat_protection,
    timing,
    totp,
    user_states,
    usernames,
)
from .. import passwords as password_policy
from ..attributes import check_update as check_attribute_update
from . import calls, passwords, tokens

PUBLIC_FLOWS = ("USER_SRP_AUTH", "USER_PASSWORD_AUTH", "USER_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN")
ADMIN_FLOWS = ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH", "USER_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN")
REFRESH_FLOWS = ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN")
# Every AuthFlow Cognito has (InitiateAuth / AdminInitiateAuth request syntax).
COGNITO_FLOWS = set(PUBLIC_FLOWS + ADMIN_FLOWS + ("CUSTOM_AUTH", "USER_AUTH"))


# --- signing in --------------------------------------------------------------------------------


def _tokens(backend, pool, client, user, admin: bool, progress) -> dict:
    """Tokens for the factors `progress` proved (``acr``), unless a step-up still lacks one."""
    step = acr.next_step(pool, user, progress, _mfa_options(user))
    if step is not None:
        return _step_up(backend, pool, client, user, admin, progress, step)
    return acr.log_in(pool, client, user, progress.factors)


def _challenge(backend, pool, client, user, name: str, admin: bool, parameters: dict, progress) -> dict:
    # EMAIL_OTP here is always the second factor (email MFA): the first factor opens its own.
    session = sessions.open_session(
        backend, pool, client, user.username, name, admin, mfa=name == "EMAIL_OTP", progress=progress
    )
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


def _next_step(backend, pool, client, user, admin: bool, progress) -> dict:
    """After a proven password: a new password, MFA, MFA set-up, or tokens."""
    if user.status == moto_store.UserStatus.FORCE_CHANGE_PASSWORD:
        passwords.require_live_temporary_password(pool, user)
        attributes = {k: v for k, v in user.attribute_lookup.items() if k != "sub"}
        return _challenge(
            backend,
            pool,
            client,
            user,
            "NEW_PASSWORD_REQUIRED",
            admin,
            {"requiredAttributes": "[]", "userAttributes": json.dumps(attributes)},
            progress,
        )
    return _mfa_step(backend, pool, client, user, admin, progress)


def _mfa_step(backend, pool, client, user, admin: bool, progress) -> dict:
    options = _mfa_options(user)
    # A step-up short of its level asks for what it lacks (MFA among it, where it applies).
    step = acr.next_step(pool, user, progress, options)
    if step is not None:
        return _step_up(backend, pool, client, user, admin, progress, step)
    if options:
        return _ask_mfa(backend, pool, client, user, admin, progress, options)
    if pool.mfa_config == "ON":
        can_set_up = ["SOFTWARE_TOKEN_MFA"] if pool.token_mfa_config == {"Enabled": True} else []
        return _challenge(
            backend, pool, client, user, "MFA_SETUP", admin, {"MFAS_CAN_SETUP": json.dumps(can_set_up)}, progress
        )
    return _tokens(backend, pool, client, user, admin, progress)


def _step_up(backend, pool, client, user, admin: bool, progress, step) -> dict:
    """The next factor a step-up asks for (``acr``): before a password, the choice of the first
    factors that lead to its level; after it, the missing factor as MFA (``SELECT_MFA_TYPE``
    among several), or a passkey when no MFA factor reaches the level."""
    if not step.after_password:
        session = sessions.open_session(
            backend,
            pool,
            client,
            user.username,
            "SELECT_CHALLENGE",
            admin,
            typed_name=user.username,
            progress=progress.offering(step.challenges),
        )
        return {
            "ChallengeName": "SELECT_CHALLENGE",
            "Session": session,
            "ChallengeParameters": {"USERNAME": user.username},
            "AvailableChallenges": list(step.challenges),
        }
    factors = [c for c in step.challenges if c != "WEB_AUTHN"]
    if not factors:
        return _web_authn_challenge(backend, pool, client, user, user.username, admin, progress)
    return _ask_mfa(backend, pool, client, user, admin, progress, factors)


def _ask_mfa(backend, pool, client, user, admin: bool, progress, factors: list) -> dict:
    """The MFA challenge among `factors` (at least one): the person's preferred one, or the only
    one; else ``SELECT_MFA_TYPE`` among them."""
    preferred = user.preferred_mfa_setting if user.preferred_mfa_setting in factors else None
    if len(factors) == 1 or preferred:
        factor = preferred or factors[0]
        return _challenge(backend, pool, client, user, factor, admin, _mfa_code(pool, user, factor), progress)
    return _challenge(
        backend, pool, client, user, "SELECT_MFA_TYPE", admin, {"MFAS_CAN_CHOOSE": json.dumps(factors)}, progress
    )


# Keys the made-up ids of unknown names: secret, so nobody can compute one and tell it apart.
_FAKE_ID_KEY = secrets.token_hex(32)


def _fake_user_id(pool, name: str) -> str:
    """A stable, plausible USER_ID_FOR_SRP for a name no user has (existence privacy)."""
    digest = secret_hash.compute(_FAKE_ID_KEY, pool.id + "/" + name.lower(), "unknown-user")
    raw = base64.b64decode(digest)[:16]
    hexed = raw.hex()
    return f"{hexed[:8]}-{hexed[8:12]}-4{hexed[13:16]}-a{hexed[17:20]}-{hexed[20:32]}"


def _signed_up_sign_in(backend, pool, client, user, token, admin: bool, targets) -> dict:
    """USER_AUTH with the Session ConfirmSignUp answered (``choice``): tokens, once. The
    confirmation code, emailed, is the factor (``acr``)."""
    session = sessions.take(backend, token, client.id, choice.SIGN_UP_SESSION, admin)
    if user is None or session.username != user.username:
        raise errors.not_authorized("Invalid session for the user, session is expired.")
    user_states.before_password(pool, client, user, user.username)
    return _tokens(backend, pool, client, user, admin, acr.Progress(("email_otp",), targets))


def _step_up_start(backend, pool, client, user, name: str, params: dict, admin: bool, targets) -> dict:
    """USER_AUTH with the person's ACCESS_TOKEN (``acr``): the factors its sign-in proved count,
    unless it is older than MAX_AGE (then from scratch), and only what is missing is asked."""
    token = calls.require(params, "ACCESS_TOKEN")
    factors = acr.credited(pool, client, user, token, acr.max_age(params))
    if factors:
        # The token proved who this is; the account's state now counts as at any sign-in: a
        # disabled, locked-out or reset account steps up no more than it signs in.
        user_states.before_password(pool, client, user, name)
    progress = acr.Progress(factors, targets)
    if not factors:
        return _choice_start(backend, pool, client, user, name, params, admin, progress)
    step = acr.next_step(pool, user, progress, _mfa_options(user), token_given=True)
    preferred = params.get("PREFERRED_CHALLENGE")
    if not step.after_password and preferred in step.challenges:
        return _first_factor(backend, pool, client, user, name, preferred, params, admin, progress)
    return _step_up(backend, pool, client, user, admin, progress, step)


def _choice_start(backend, pool, client, user, name: str, params: dict, admin: bool, progress) -> dict:
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
        return _first_factor(backend, pool, client, user, name, preferred, params, admin, progress)
    user_id = user.username if user is not None else _fake_user_id(pool, name)
    session = sessions.open_session(
        backend,
        pool,
        client,
        user_id,
        "SELECT_CHALLENGE",
        admin,
        known=user is not None,
        typed_name=name,
        progress=progress,
    )
    return {
        "ChallengeName": "SELECT_CHALLENGE",
        "Session": session,
        "ChallengeParameters": {"USERNAME": user_id},
        "AvailableChallenges": offered,
    }


def _first_factor(backend, pool, client, user, name: str, factor: str, params: dict, admin: bool, progress) -> dict:
    """Starts (or, for PASSWORD, completes) the first factor `factor` of a choice-based sign-in."""
    if factor == "PASSWORD":
        password = calls.require(params, "PASSWORD")
        # The lockout, disabled and reset-required checks first, as on every password sign-in.
        user_states.before_password(pool, client, user, name)
        if not user.password or not timing.equal(user.password, password):
            user_states.failed_attempt(pool, client, user, name)
        user_states.after_password(pool, user)
        return _next_step(backend, pool, client, user, admin, progress.plus("pwd"))
    if factor == "WEB_AUTHN":
        return _web_authn_challenge(backend, pool, client, user, name, admin, progress)
    if factor == "PASSWORD_SRP":
        srp_a = calls.require(params, "SRP_A")
        # A person without a password fails at the proof, exactly as an unknown name does.
        has_password = user is not None and user.password
        user_id = user.username if user is not None else None
        started = _srp_start(
            backend,
            pool,
            client,
            user if has_password else None,
            name,
            srp_a,
            admin,
            user_id=user_id,
            progress=progress,
        )
        # In USER_AUTH the verifier comes with a Session (the SECRET_BLOCK names the exchange).
        return {**started, "Session": started["ChallengeParameters"]["SECRET_BLOCK"]}
    user_id = user.username if user is not None else _fake_user_id(pool, name)
    _attribute, medium = choice.OTP_CHALLENGES[factor]
    # Only to a verified address; anyone else gets the same answer and no code (as an unknown
    # name does), and no code they type works.
    # Nor where MFA rules the passwordless factor out for this person (``choice``).
    reachable = choice.can_receive(user, factor) and choice.passwordless_allowed(pool, user, factor)
    if reachable:
        kind = outbox.EMAIL_OTP if factor == "EMAIL_OTP" else outbox.SMS_OTP
        outbox.send(pool, user, kind, medium=medium, digits=choice.OTP_DIGITS)
    session = sessions.open_session(
        backend, pool, client, user_id, factor, admin, known=reachable, typed_name=name, progress=progress
    )
    return {
        "ChallengeName": factor,
        "Session": session,
        "ChallengeParameters": {
            "CODE_DELIVERY_DELIVERY_MEDIUM": medium,
            "CODE_DELIVERY_DESTINATION": choice.masked_destination(user if reachable else None, factor, name),
            "USERNAME": user_id,
        },
    }


def _web_authn_challenge(backend, pool, client, user, name: str, admin: bool, progress) -> dict:
    """WEB_AUTHN (``passkeys``): request options as a JSON string, whose challenge only this
    session's answer can use. Without PreventUserExistenceErrors it is offered only to a person
    with a passkey and lists their passkeys; with it, to every name, listing none for anyone
    (``choice``), and a name without a passkey fails at the answer. Where MFA applies to the
    person (``choice.mfa_applies``) the passkey stands for MFA: user verification is required,
    in the options too, except with PreventUserExistenceErrors, whose options are the same for
    every name (required for all where the pool requires MFA; else the pool's setting, and the
    answer still needs it from a person MFA applies to), so they tell no one who has MFA on."""
    private = user_states.prevents_existence_errors(client)
    user_id = user.username if user is not None else _fake_user_id(pool, name)
    if private:
        as_mfa = choice.mfa_applies(pool, None)
    else:
        as_mfa = choice.mfa_applies(pool, user) or passkey_mfa.requires_user_verification(pool, user)
    asked = passkeys.request_options(pool, user, list_credentials=not private, as_mfa=as_mfa)
    session = sessions.open_session(
        backend, pool, client, user_id, "WEB_AUTHN", admin, known=user is not None, typed_name=name, progress=progress
    )
    passkeys.bind_to_session(session, asked.challenge, clock.monotonic() + sessions.validity_seconds(client))
    return {
        "ChallengeName": "WEB_AUTHN",
        "Session": session,
        "ChallengeParameters": {"CREDENTIAL_REQUEST_OPTIONS": asked.options, "USERNAME": user_id},
    }


def _srp_start(backend, pool, client, user, name: str, srp_a: str, admin: bool, user_id=None, progress=None) -> dict:
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
        progress=progress,
    )
    return {
        "ChallengeName": "PASSWORD_VERIFIER",
        "ChallengeParameters": {**exchange.challenge_parameters(), "SECRET_BLOCK": secret_block, "USERNAME": user_id},
    }


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
        return tokens.refresh(pool, client, params)
    # Required parameters first: what is missing must not depend on whether the user exists.
    name = calls.require(params, "USERNAME")
    if flow == "USER_AUTH":
        params = acr.without_step_up(params)  # claims not rolled out: a plain sign-in
        secret_hash.require(client, name, params.get("SECRET_HASH"))
        targets = acr.requested(pool, params)  # None: no step-up
        user = usernames.find_user(pool, name)
        if session is not None:
            return _signed_up_sign_in(backend, pool, client, user, session, admin, targets)
        if params.get("ACCESS_TOKEN") is not None:
            return _step_up_start(backend, pool, client, user, name, params, admin, targets)
        return _choice_start(backend, pool, client, user, name, params, admin, acr.Progress(targets=targets))
    proof = calls.require(params, "SRP_A" if flow == "USER_SRP_AUTH" else "PASSWORD")
    secret_hash.require(client, name, params.get("SECRET_HASH"))
    user = usernames.find_user(pool, name)
    if flow == "USER_SRP_AUTH":
        return _srp_start(backend, pool, client, user, name, proof, admin)
    user_states.before_password(pool, client, user, name)
    if not timing.equal(user.password, proof):
        user_states.failed_attempt(pool, client, user, name)
    user_states.after_password(pool, user)
    return _next_step(backend, pool, client, user, admin, acr.Progress(("pwd",)))


def _signing_in(self, found, admin: bool) -> moto_store.ActionResult:
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
    return moto_store.ActionResult(result)


def initiate_auth(self):
    return _signing_in(self, calls.public(self), admin=False)


def admin_initiate_auth(self):
    return _signing_in(self, calls.admin(self), admin=True)


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
    return _next_step(backend, pool, client, user, admin, acr.progress_of(session).plus("pwd"))


def _new_password(backend, pool, client, session, token, user, answers, admin):
    new_password = calls.require(answers, "NEW_PASSWORD")
    if user.status != moto_store.UserStatus.FORCE_CHANGE_PASSWORD:
        # Another sign-in with the temporary password answered first: "The temporary password is
        # valid only once" (API_AdminCreateUser.html), so no second answer sets a password.
        sessions.close(backend, token)
        raise errors.not_authorized("Invalid session for the user, session is expired.")
    attributes = {k[len("userAttributes.") :]: v for k, v in answers.items() if k.startswith("userAttributes.")}
    app_client.require_writable(client, attributes)
    check_attribute_update(pool, attributes)
    password_policy.require_valid(pool, new_password)
    if "email" in attributes:
        usernames.require_unused_email(pool, attributes["email"], user)
        if attributes["email"] != user.attribute_lookup.get("email"):
            attributes["email_verified"] = "false"
    user.update_attributes(moto_store.expand_attrs(attributes))
    user.password = new_password
    user.status = moto_store.UserStatus.CONFIRMED
    sessions.close(backend, token)
    return _mfa_step(backend, pool, client, user, admin, acr.progress_of(session))


def _software_token_mfa(backend, pool, client, session, token, user, answers, admin):
    code = calls.require(answers, "SOFTWARE_TOKEN_MFA_CODE")
    if not totp.check(pool, user, code):
        sessions.wrong_answer(backend, token, session)
        raise errors.code_mismatch()
    sessions.close(backend, token)
    return _tokens(backend, pool, client, user, admin, acr.progress_of(session).plus("otp"))


def _sms_mfa(backend, pool, client, session, token, user, answers, admin):
    if not outbox.take(pool, user, outbox.SMS_MFA, calls.require(answers, "SMS_MFA_CODE")):
        sessions.wrong_answer(backend, token, session)
        raise errors.code_mismatch()
    sessions.close(backend, token)
    return _tokens(backend, pool, client, user, admin, acr.progress_of(session).plus("sms"))


def _select_mfa_type(backend, pool, client, session, token, user, answers, admin):
    choice = calls.require(answers, "ANSWER")
    if choice not in _mfa_options(user):
        raise errors.invalid_parameter(f"{choice} is not an MFA type the user can choose")
    sessions.close(backend, token)
    return _challenge(
        backend, pool, client, user, choice, admin, _mfa_code(pool, user, choice), acr.progress_of(session)
    )


def _mfa_setup(backend, pool, client, session, token, user, answers, admin):
    if not session.software_token_verified:
        raise errors.invalid_parameter(
            "No software token was verified in this session: call VerifySoftwareToken with it first"
        )
    user.software_token_mfa_enabled = True
    user.preferred_mfa_setting = user.preferred_mfa_setting or "SOFTWARE_TOKEN_MFA"
    sessions.close(backend, token)
    # The code proved a secret this very session was handed: the password is the factor (``acr``).
    return _tokens(backend, pool, client, user, admin, acr.progress_of(session))


def _select_challenge(backend, pool, client, session, token, user, answers, admin):
    factor = calls.require(answers, "ANSWER")
    progress = acr.progress_of(session)
    # A step-up offers the factors that lead to its level (``acr``); a sign-in, the person's.
    if factor not in (progress.offered or choice.available(pool, client, user)):
        raise errors.invalid_parameter(f"{factor} is not a challenge this sign-in can choose")
    sessions.take(backend, token, client.id, "SELECT_CHALLENGE", admin)
    return _first_factor(backend, pool, client, user, session.typed_name, factor, answers, admin, progress.chosen())


def _one_time_code(kind: str, answer: str):
    """EMAIL_OTP / SMS_OTP as a first factor: the code sent to the outbox signs the person in."""

    def answer_with(backend, pool, client, session, token, user, answers, admin):
        code = calls.require(answers, answer)
        if session.mfa:
            return _email_mfa_answer(backend, pool, client, session, token, user, code)
        if user is None or not outbox.take(pool, user, kind, code):
            sessions.wrong_answer(backend, token, session)
            raise errors.code_mismatch()
        sessions.close(backend, token)
        # The account's state is checked once the code is proven, as a password's is.
        user_states.before_password(pool, client, user, session.typed_name)
        user_states.after_password(pool, user)
        factor = "email_otp" if kind == outbox.EMAIL_OTP else "sms"
        return _tokens(backend, pool, client, user, admin, acr.progress_of(session).plus(factor))

    return answer_with


def _email_mfa_answer(backend, pool, client, session, token, user, code):
    """EMAIL_OTP as the second factor (``email_mfa``): the password was proven already."""
    if not outbox.take(pool, user, outbox.EMAIL_MFA, code):
        sessions.wrong_answer(backend, token, session)
        raise errors.code_mismatch()
    sessions.close(backend, token)
    # A code that arrived proves the address.
    user.update_attributes([{"Name": "email_verified", "Value": "true"}])
    return _tokens(backend, pool, client, user, session.admin, acr.progress_of(session).plus("email_otp"))


def _web_authn(backend, pool, client, session, token, user, answers, admin):
    """WEB_AUTHN: ``CREDENTIAL``, the assertion's JSON as a string, checked once against the
    session's challenge (``passkeys``). A passkey signs the person in with no MFA after it: where
    MFA applies to them it is offered only as MFA (``choice``), with user verification required;
    where it cannot stand for MFA (or the name is unknown) the answer is refused as a wrong one."""
    answer = calls.require(answers, "CREDENTIAL")
    challenge = passkeys.take_sign_in_challenge(token)
    sessions.close(backend, token)  # one answer per challenge, right or wrong
    if challenge is None:
        raise errors.not_authorized("Invalid session for the user, session is expired.")
    allowed = choice.passwordless_allowed(pool, user, "WEB_AUTHN")
    as_mfa = choice.mfa_applies(pool, user) or passkey_mfa.requires_user_verification(pool, user)
    passkey = passkeys.verify_assertion(pool, user if allowed else None, challenge, answer, as_mfa=as_mfa)
    # The account's state is checked once the passkey is proven, as a password's is.
    user_states.before_password(pool, client, user, session.typed_name)
    user_states.after_password(pool, user)
    return _tokens(backend, pool, client, user, admin, acr.progress_of(session).plus(acr.passkey_amr(passkey)))


# Challenges of choice-based sign-in that Cognito may ask for by name, and this emulator never
# does (it answers a preferred PASSWORD or PASSWORD_SRP at once, or with the choice): their
# answers meet no live session.
ISSUED_BY_COGNITO_ONLY = ("PASSWORD", "PASSWORD_SRP")

CHALLENGES = {
    "SELECT_CHALLENGE": _select_challenge,
    "EMAIL_OTP": _one_time_code(outbox.EMAIL_OTP, "EMAIL_OTP_CODE"),
    "SMS_OTP": _one_time_code(outbox.SMS_OTP, "SMS_OTP_CODE"),
    "WEB_AUTHN": _web_authn,
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
    given = calls.require(answers, "USERNAME")
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
    return moto_store.ActionResult(_respond(backend, pool, client, name, session, answers, admin))


def respond_to_auth_challenge(self):
    return _respond_to(self, calls.public(self), admin=False)


def admin_respond_to_auth_challenge(self):
    return _respond_to(self, calls.admin(self), admin=True)
