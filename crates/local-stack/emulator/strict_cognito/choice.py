"""Choice-based sign-in: ``AuthFlow`` ``USER_AUTH`` and its first factors.

- The client needs ``ALLOW_USER_AUTH`` (``app_client``); the pool lists the first factors it
  allows in ``Policies.SignInPolicy.AllowedFirstAuthFactors`` (``PASSWORD`` when unset), a
  setting of the Essentials plan or higher (``UserPoolTier``, ESSENTIALS when unset): on Lite,
  passwordless factors are FeatureUnavailableInTierException.
- ``InitiateAuth`` takes ``USERNAME``, ``SECRET_HASH`` and optionally ``PREFERRED_CHALLENGE``
  (with ``PASSWORD`` or ``SRP_A`` for the password factors). A preferred challenge the person
  can use is started at once; otherwise the answer is ``SELECT_CHALLENGE`` with
  ``AvailableChallenges``, answered with ``ANSWER`` (and, for ``PASSWORD``, the password in the
  same call; for ``PASSWORD_SRP``, ``SRP_A``).
- The choice for a person: ``PASSWORD`` and ``PASSWORD_SRP`` when they have a password,
  ``EMAIL_OTP`` with a verified email address, ``SMS_OTP`` with a verified phone number, each
  only if the pool allows the factor. With ``PreventUserExistenceErrors`` every name, known or
  not, is offered every allowed factor (an unknown one under a made-up internal name), no
  account state is checked before a factor is proven, and a factor the person cannot use fails
  as it does for an unknown name: a password is "incorrect", a code is "sent" but never arrives.
  Real Cognito's list in that case is not documented (the API's answer is also tested on the
  scripted Cognito).
- ``SignUp`` may leave out ``Password`` when the pool allows a passwordless first factor
  (InvalidParameterException otherwise). ``ConfirmSignUp`` on a client that allows ``USER_AUTH``
  answers a ``Session``: an ``InitiateAuth`` ``USER_AUTH`` with it signs the person in without
  another factor, once, within the client's ``AuthSessionValidity``.
- ``WEB_AUTHN`` (a passkey, ``passkeys``), when the pool allows it: without
  ``PreventUserExistenceErrors``, offered to a person with a passkey for the pool's current
  relying party, and to no one else. With it, offered to every name like every other allowed
  factor, and its request options list no credentials for anyone (the browser offers its
  discoverable passkeys), so nothing tells who has a passkey; a name without one fails at the
  answer. What Cognito offers there is not documented: this is the emulator's choice, the one
  that keeps the promise of the existence row (every name is offered every allowed factor). A
  preferred ``WEB_AUTHN`` the person cannot use is answered with the choice, as any unusable
  preferred factor is.
- MFA and passwordless first factors: "If a user has MFA configured, passwordless sign-in options
  will not be available" (Amplify's passwordless page, citing the guide's
  ``user-pool-settings-mfa.html#user-pool-settings-mfa-prerequisites``). MFA applies to a person
  when the pool's ``MfaConfiguration`` is ``ON``, or ``OPTIONAL`` and they have an MFA factor
  activated (:func:`mfa_applies`). Then ``EMAIL_OTP`` and ``SMS_OTP`` are not offered, and
  ``WEB_AUTHN`` only where the pool's ``WebAuthnConfiguration.FactorConfiguration`` is
  ``MULTI_FACTOR_WITH_USER_VERIFICATION`` ("passkey authentication with user verification
  satisfies MFA requirements", ``API_WebAuthnConfigurationType.html``) AND the person turned
  passkey MFA on (``WebAuthnMfaSettings`` of ``SetUserMFAPreference``, ``passkey_mfa``: "passkey
  sign-in is available when MFA is required", ``API_WebAuthnMfaSettingsType.html``): that
  passkey must then carry user verification, whatever ``UserVerification`` says. Offering
  ``WEB_AUTHN`` to every name alike (an unknown name, or ``PreventUserExistenceErrors``), the
  pool's setting alone decides, and the answer checks the real person's flag. Otherwise (MFA
  does not apply; the flag changes nothing) a proven passwordless factor signs the person in
  with no MFA after it. With ``PreventUserExistenceErrors`` and ``OPTIONAL`` MFA the factors stay
  offered to every name and fail at the factor for a person MFA applies to who cannot use it (no
  code is sent; a passkey without passkey MFA is refused).
- Passwordless sign-in codes are 8 digits (``EMAIL_OTP`` / ``SMS_OTP`` as a first factor); they go
  to the outbox as ``email-otp`` / ``sms-otp``.

Sources:
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_RespondToAuthChallenge.html
https://docs.aws.amazon.com/cognito/latest/developerguide/authentication-flows-selection-sdk.html
https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-authentication-flow-methods.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SignInPolicyType.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_WebAuthnConfigurationType.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_WebAuthnMfaSettingsType.html
https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-mfa.html
https://docs.amplify.aws/react/build-a-backend/auth/concepts/passwordless/

moto answers USER_AUTH with InvalidParameterException.
"""

from . import email_mfa, errors, outbox, passkey_mfa, passkeys, user_states

PASSWORD_FACTORS = ("PASSWORD", "PASSWORD_SRP")
OTP_CHALLENGES = {"EMAIL_OTP": ("email", "EMAIL"), "SMS_OTP": ("phone_number", "SMS")}
FIRST_FACTOR_CHALLENGES = PASSWORD_FACTORS + tuple(OTP_CHALLENGES)
# Passwordless sign-in codes: 8 digits, not configurable.
OTP_DIGITS = 8
# The session ConfirmSignUp answers, for signing in at once.
SIGN_UP_SESSION = "SIGN_UP_CONFIRMED"
PASSWORDLESS_FACTORS = ("EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")


def allowed_first_factors(pool) -> list:
    policies = pool.extended_config.get("Policies") or {}
    return list((policies.get("SignInPolicy") or {}).get("AllowedFirstAuthFactors") or ["PASSWORD"])


def require_plan(parameters: dict) -> None:
    """CreateUserPool / UpdateUserPool: passwordless first factors need Essentials or Plus."""
    factors = ((parameters.get("Policies") or {}).get("SignInPolicy") or {}).get("AllowedFirstAuthFactors") or []
    if any(f != "PASSWORD" for f in factors) and parameters.get("UserPoolTier") == "LITE":
        raise errors.CognitoError(
            "FeatureUnavailableInTierException", "Passwordless sign-in is not available on the Lite feature plan."
        )


def require_passwordless_sign_up(pool) -> None:
    """SignUp without a Password: only where a first factor needs none."""
    if not any(factor in PASSWORDLESS_FACTORS for factor in allowed_first_factors(pool)):
        raise errors.invalid_parameter("Password is required: the user pool allows no passwordless sign-in.")


def _verified(user, attribute: str) -> bool:
    return bool(user.attribute_lookup.get(attribute)) and user.attribute_lookup.get(f"{attribute}_verified") == "true"


def can_receive(user, challenge: str) -> bool:
    """Whether `user` has the verified address an OTP `challenge` is sent to."""
    return user is not None and _verified(user, OTP_CHALLENGES[challenge][0])


def mfa_applies(pool, user) -> bool:
    """Whether `user` must pass MFA: the pool requires it, or offers it and they activated a factor."""
    if pool.mfa_config == "ON":
        return True
    if pool.mfa_config != "OPTIONAL" or user is None:
        return False
    return bool(user.software_token_mfa_enabled or user.sms_mfa_enabled or email_mfa.enabled(user))


def passwordless_allowed(pool, user, factor: str) -> bool:
    """Whether the passwordless first factor `factor` may sign `user` in (see the module's
    docstring): always where MFA does not apply; where it does, only a passkey, and only in a
    pool whose passkeys satisfy MFA for a person who turned passkey MFA on (`user` None: for
    every name alike, the pool's setting alone)."""
    if not mfa_applies(pool, user):
        return True
    return factor == "WEB_AUTHN" and passkey_mfa.satisfies_mfa(pool, user)


def available(pool, client, user) -> list:
    """The first-factor challenges offered to `user` (None: an unknown name). With
    PreventUserExistenceErrors every name is offered every factor the pool allows (less the
    passwordless ones the pool's required MFA rules out for everyone), so the choice tells no one
    apart; a factor the person cannot use then fails as it does for an unknown name. Without it,
    only the factors the person can use."""
    private = user is None or user_states.prevents_existence_errors(client)
    # For everyone (MfaConfiguration ON) when private; for this person otherwise.
    whose = None if private else user
    choices = []
    for factor in allowed_first_factors(pool):
        if factor == "PASSWORD" and (private or user.password):
            choices += PASSWORD_FACTORS
        elif factor in PASSWORDLESS_FACTORS and not passwordless_allowed(pool, whose, factor):
            continue
        elif factor in OTP_CHALLENGES and (private or can_receive(user, factor)):
            choices.append(factor)
        elif factor == "WEB_AUTHN" and private and passkeys.current_relying_party_id(pool) is not None:
            choices.append(factor)  # a pool with no relying party has no passkeys for anyone
        elif factor == "WEB_AUTHN" and not private and passkeys.has_passkey(pool, user):
            choices.append(factor)
    return choices


def masked_destination(user, challenge: str, name: str) -> str:
    """Where an OTP went, masked as Cognito masks it; for an unknown name, where it would go."""
    attribute, _medium = OTP_CHALLENGES[challenge]
    if user is None:
        return "+*******" + "0000" if challenge == "SMS_OTP" else outbox.masked(name if "@" in name else name + "@e")
    value = user.attribute_lookup.get(attribute, "")
    return "+*******" + value[-4:] if challenge == "SMS_OTP" else outbox.masked(value)
