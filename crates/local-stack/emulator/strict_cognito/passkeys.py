"""Passkeys (WebAuthn): the pool's relying party, each person's registered credentials, the
registration challenge, and the checks of a registration and of a sign-in assertion (done with
py_webauthn, pinned in requirements-dev.txt).

- The pool's ``WebAuthnConfiguration`` (``SetUserPoolMfaConfig`` / ``GetUserPoolMfaConfig``):
  ``RelyingPartyId`` (1-127 characters), ``UserVerification`` (``required`` | ``preferred``,
  ``preferred`` when unset) and ``FactorConfiguration`` (``SINGLE_FACTOR`` |
  ``MULTI_FACTOR_WITH_USER_VERIFICATION``: a passkey with user verification then satisfies MFA
  for a person who turned passkey MFA on, ``passkey_mfa`` and ``choice``).
  Without a ``RelyingPartyId`` the pool's domain is the relying party (a prefix domain is
  ``<prefix>.auth.<region>.amazoncognito.com``); with neither, ``WebAuthnConfigurationMissingException``.
- Origins (not documented by Cognito): an origin is allowed when its host is the relying party
  id or a subdomain of it (WebAuthn Level 3 §5.1.3, "the RP ID ... is a registrable domain suffix
  of or is equal to the origin's effective domain"), over ``https``, or over ``http`` for
  ``localhost`` (and its subdomains), which browsers treat as a secure context. Any port: so the
  web app at ``http://localhost:5173`` registers for relying party ``localhost``. Only an origin
  as browsers serialize it, ``scheme://host[:port]`` (no path, query, fragment or user info), and
  only client data whose ``crossOrigin`` is not true (a ceremony in a cross-origin iframe).
- Registration: one live challenge per person (a new start replaces it), bound to the app client
  of the access token that started it, good for ``REGISTRATION_SECONDS`` (300 s: Cognito
  documents no lifetime) and for one completion, right or wrong. Creation options as in the API
  reference's example: ``rp`` ``{id, name}`` both the relying party id, ``user.id`` the person's
  ``sub`` (UTF-8, base64url), algorithms -7 (ES256) and -257 (RS256), ``userVerification`` the
  pool's, ``excludeCredentials`` the person's passkeys. The emulator's own choices (not
  documented, and no test pins them): ``timeout`` 60000 ms (the example's value, a hint to the
  browser), ``user.name`` / ``displayName`` the email (else the username), ``residentKey``
  required, ``attestation`` "none".
- Credentials: ``CredentialId`` (base64url), ``FriendlyCredentialName`` ("an automatically-generated
  friendly name": its form is not documented; here "Passkey " and the creation date),
  ``RelyingPartyId``, ``AuthenticatorTransports``, ``AuthenticatorAttachment``, ``CreatedAt``
  (epoch seconds), the COSE public key and the sign count. A credential id already registered in
  the pool is refused (WebAuthn §7.1 step 26 says a relying party should; Cognito documents no
  answer: ``InvalidParameterException`` here).
- Sign-in: the ``WEB_AUTHN`` challenge's request options (``challenge``, ``rpId`` the pool's
  current relying party, ``allowCredentials`` the person's passkeys for it or none, see ``choice``,
  ``userVerification``, ``timeout``) bound to the sign-in's session until it expires; the answer is
  verified once against the pool's current relying party and only the passkeys registered for it
  (a passkey of an earlier relying party id neither is offered nor signs in): signature over the
  stored public key, origin, relying party, user presence, user verification when the pool
  requires it or the passkey stands for MFA, a sign count that grows unless the authenticator
  keeps none (checked and set in one step) and the new sign count stored.
- A deleted user's passkeys and registration are dropped (``forget``).

Sources:
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_StartWebAuthnRegistration.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CompleteWebAuthnRegistration.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_WebAuthnConfigurationType.html
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_WebAuthnCredentialDescription.html
https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-authentication-flow-methods.html
https://www.w3.org/TR/webauthn-3/

moto has none of this.
"""

import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import webauthn
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    decode_credential_public_key,
    options_to_json_dict,
    parse_attestation_object,
    parse_client_data_json,
)
from webauthn.helpers.cose import COSEAlgorithmIdentifier
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationFormat,
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from . import clock, errors

# The algorithms Cognito's creation options list (the API reference's example): ES256, RS256.
ALGORITHMS = (COSEAlgorithmIdentifier.ECDSA_SHA_256, COSEAlgorithmIdentifier.RSASSA_PKCS1_v1_5_SHA_256)
# The options' timeout, a hint to the browser, as in the API reference's example.
TIMEOUT_MS = 60_000
# How long a registration challenge waits for its completion (not documented by Cognito).
REGISTRATION_SECONDS = 300
USER_VERIFICATION = ("required", "preferred")
FACTOR_CONFIGURATIONS = ("SINGLE_FACTOR", "MULTI_FACTOR_WITH_USER_VERIFICATION")
# The members of PublicKeyCredential.toJSON() for a registration (WebAuthn Level 3
# RegistrationResponseJSON) that a completion needs.
REGISTRATION_MEMBERS = ("clientDataJSON", "attestationObject", "authenticatorData", "transports")
REGISTRATION_KEY_MEMBERS = ("publicKeyAlgorithm", "publicKey")


def _error(kind: str, message: str) -> errors.CognitoError:
    return errors.CognitoError(kind, message)


def not_enabled() -> errors.CognitoError:
    return _error("WebAuthnNotEnabledException", "Passkey sign-in is not enabled for this user pool.")


def configuration_missing() -> errors.CognitoError:
    return _error(
        "WebAuthnConfigurationMissingException", "The user pool has no relying party id configured and no domain."
    )


def challenge_not_found() -> errors.CognitoError:
    return _error("WebAuthnChallengeNotFoundException", "The registration challenge was not found or has expired.")


def invalid_credential() -> errors.CognitoError:
    return errors.invalid_parameter("Credential data is not valid.")


# --- the pool's relying party --------------------------------------------------------------------


def configuration(pool) -> dict:
    """The pool's ``WebAuthnConfiguration`` as GetUserPoolMfaConfig answers it (UserVerification
    ``preferred`` when unset)."""
    stored = pool.extended_config.get("WebAuthnConfiguration") or {}
    return {"UserVerification": "preferred", **stored}


def checked_configuration(value) -> dict:
    """SetUserPoolMfaConfig's ``WebAuthnConfiguration`` as it will be stored (the members sent,
    which replace the stored ones), or InvalidParameterException for a value outside the model's
    constraints. Changes nothing: :func:`store_configuration` does, once every other setting of
    the request has been checked too."""
    if not isinstance(value, dict):
        raise errors.invalid_parameter("WebAuthnConfiguration must be a structure.")
    rp_id = value.get("RelyingPartyId")
    if rp_id is not None and (not isinstance(rp_id, str) or not 1 <= len(rp_id) <= 127):
        raise errors.invalid_parameter(
            "1 validation error detected: Value at 'webAuthnConfiguration.relyingPartyId' failed to satisfy "
            "constraint: Member must have length between 1 and 127"
        )
    for member, allowed in (("UserVerification", USER_VERIFICATION), ("FactorConfiguration", FACTOR_CONFIGURATIONS)):
        if value.get(member) is not None and value[member] not in allowed:
            raise errors.invalid_parameter(
                f"1 validation error detected: Value '{value[member]}' at 'webAuthnConfiguration.{member}' failed "
                f"to satisfy constraint: Member must satisfy enum value set: {list(allowed)}"
            )
    return {k: v for k, v in value.items() if v is not None}


def store_configuration(pool, checked: dict) -> None:
    pool.extended_config["WebAuthnConfiguration"] = checked


def relying_party_id(pool) -> str:
    """The configured RelyingPartyId, else the pool's domain; WebAuthnConfigurationMissingException
    with neither."""
    rp_id = configuration(pool).get("RelyingPartyId")
    if rp_id:
        return rp_id
    domain = getattr(pool, "domain", None)
    if domain is not None:
        if getattr(domain, "custom_domain_config", None):
            return domain.domain
        return f"{domain.domain}.auth.{pool.region}.amazoncognito.com"
    raise configuration_missing()


def current_relying_party_id(pool) -> str | None:
    """The relying party id passkeys are used with now, or None where none is configured."""
    try:
        return relying_party_id(pool)
    except errors.CognitoError:
        return None


def requires_user_verification(pool) -> bool:
    return configuration(pool)["UserVerification"] == "required"


def satisfies_mfa(pool) -> bool:
    """Whether a passkey with user verification satisfies MFA in this pool (``FactorConfiguration``
    ``MULTI_FACTOR_WITH_USER_VERIFICATION``; API ``API_WebAuthnConfigurationType.html``); for a
    person, only with their passkey MFA on too (``passkey_mfa.satisfies_mfa``)."""
    return configuration(pool).get("FactorConfiguration") == "MULTI_FACTOR_WITH_USER_VERIFICATION"


def origin_allowed(origin, rp_id: str) -> bool:
    """Whether a ceremony at `origin` may use relying party `rp_id` (see the module's docstring).
    `origin` must be an origin as browsers serialize it, ``scheme://host[:port]``: a path (even
    "/"), a query, a fragment or user info is refused."""
    if not isinstance(origin, str):
        return False
    try:
        parts = urlsplit(origin)
        host = (parts.hostname or "").lower()
        _port = parts.port  # a malformed port is not an origin
    except ValueError:
        return False
    if parts.path or parts.query or parts.fragment or "@" in parts.netloc or origin.endswith(("?", "#")):
        return False
    rp_id = rp_id.lower()
    if not host or not (host == rp_id or host.endswith("." + rp_id)):
        return False
    local = host == "localhost" or host.endswith(".localhost")
    return parts.scheme == "https" or (parts.scheme == "http" and local)


# --- stored credentials --------------------------------------------------------------------------


@dataclass
class Credential:
    credential_id: str  # base64url, as the browser's PublicKeyCredential.id
    friendly_name: str
    relying_party_id: str
    transports: list
    attachment: str | None
    created_at: int  # epoch seconds
    public_key: bytes  # COSE_Key
    sign_count: int

    def description(self) -> dict:
        """WebAuthnCredentialDescription (ListWebAuthnCredentials)."""
        described = {
            "CredentialId": self.credential_id,
            "FriendlyCredentialName": self.friendly_name,
            "RelyingPartyId": self.relying_party_id,
            "AuthenticatorTransports": list(self.transports),
            "CreatedAt": self.created_at,
        }
        if self.attachment:
            described["AuthenticatorAttachment"] = self.attachment
        return described

    def descriptor(self) -> PublicKeyCredentialDescriptor:
        return PublicKeyCredentialDescriptor(id=base64url_to_bytes(self.credential_id))


@dataclass
class _Registration:
    challenge: bytes
    client_id: str
    expires: float


_lock = threading.Lock()
# (pool id, internal username) -> the person's passkeys, oldest first.
_credentials: dict[tuple[str, str], list[Credential]] = {}
# (pool id, internal username) -> the live registration challenge.
_registrations: dict[tuple[str, str], _Registration] = {}
# sign-in session token -> (the WEB_AUTHN challenge it carries, when the session expires).
_sign_in_challenges: dict[str, tuple[bytes, float]] = {}


def credentials(pool, username: str) -> list[Credential]:
    with _lock:
        return list(_credentials.get((pool.id, username), ()))


def usable_credentials(pool, username: str) -> list[Credential]:
    """The person's passkeys registered for the pool's current relying party (a passkey of an
    earlier relying party id cannot sign in: browsers scope a credential to its RP id)."""
    rp_id = current_relying_party_id(pool)
    return [c for c in credentials(pool, username) if c.relying_party_id == rp_id]


def has_passkey(pool, user) -> bool:
    return user is not None and bool(usable_credentials(pool, user.username))


def forget(pool, username: str) -> None:
    """Drops the person's passkeys and live registration (a deleted user: a new user of the same
    name starts with none)."""
    with _lock:
        _credentials.pop((pool.id, username), None)
        _registrations.pop((pool.id, username), None)


def delete(pool, username: str, credential_id: str) -> bool:
    """Deletes the person's passkey `credential_id`; False when they have none of that id."""
    with _lock:
        held = _credentials.get((pool.id, username), [])
        kept = [c for c in held if c.credential_id != credential_id]
        _credentials[(pool.id, username)] = kept
        return len(kept) != len(held)


# --- registration --------------------------------------------------------------------------------


def _user_name(user) -> str:
    return user.attribute_lookup.get("email") or user.username


def start_registration(pool, user, client_id: str) -> dict:
    """StartWebAuthnRegistration's ``CredentialCreationOptions``
    (PublicKeyCredentialCreationOptionsJSON); the challenge replaces any live one of the person's."""
    rp_id = relying_party_id(pool)
    options = webauthn.generate_registration_options(
        rp_id=rp_id,
        rp_name=rp_id,
        user_name=_user_name(user),
        user_id=user.id.encode(),
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement(configuration(pool)["UserVerification"]),
        ),
        exclude_credentials=[c.descriptor() for c in credentials(pool, user.username)],
        supported_pub_key_algs=list(ALGORITHMS),
    )
    with _lock:
        _registrations[(pool.id, user.username)] = _Registration(
            options.challenge, client_id, clock.monotonic() + REGISTRATION_SECONDS
        )
    return options_to_json_dict(options)


def _take_registration(pool, username: str) -> _Registration:
    with _lock:
        registration = _registrations.pop((pool.id, username), None)
    if registration is None or clock.monotonic() > registration.expires:
        raise challenge_not_found()
    return registration


def _require_members(credential) -> dict:
    """The credential's ``response``, when `credential` has every member a completion reads."""
    if not isinstance(credential, dict):
        raise invalid_credential()
    response = credential.get("response")
    if not all(isinstance(credential.get(m), str) and credential[m] for m in ("id", "rawId", "type")):
        raise invalid_credential()
    if not isinstance(response, dict):
        raise invalid_credential()
    if not all(isinstance(response.get(m), str) and response[m] for m in REGISTRATION_MEMBERS if m != "transports"):
        raise invalid_credential()
    if not isinstance(response.get("transports"), list) or not all(isinstance(t, str) for t in response["transports"]):
        raise invalid_credential()
    if not isinstance(response.get("publicKeyAlgorithm"), int) or not isinstance(response.get("publicKey"), str):
        raise invalid_credential()
    return response


def complete_registration(pool, user, client_id: str, credential) -> Credential:
    """CompleteWebAuthnRegistration: checks `credential` (PublicKeyCredential.toJSON()) against the
    person's live challenge and stores the passkey. Raises, in this order:
    InvalidParameterException (members missing or unreadable), WebAuthnChallengeNotFoundException
    (no live challenge, or the credential answers another), WebAuthnClientMismatchException,
    WebAuthnOriginNotAllowedException, WebAuthnRelyingPartyMismatchException,
    WebAuthnCredentialNotSupportedException (an algorithm other than -7 / -257, an attestation
    format py_webauthn cannot verify, or no user verification where the pool requires it),
    InvalidParameterException (anything else the verification refuses, or an id already
    registered)."""
    response = _require_members(credential)
    rp_id = relying_party_id(pool)
    try:
        client_data = parse_client_data_json(base64url_to_bytes(response["clientDataJSON"]))
        attestation = parse_attestation_object(base64url_to_bytes(response["attestationObject"]))
    except (WebAuthnException, ValueError, TypeError):
        raise invalid_credential() from None
    registration = _take_registration(pool, user.username)  # used up by this answer, right or wrong
    if not secrets.compare_digest(client_data.challenge, registration.challenge):
        raise challenge_not_found()
    if registration.client_id != client_id:
        raise _error("WebAuthnClientMismatchException", "The registration was started with another app client's token.")
    if client_data.cross_origin or not origin_allowed(client_data.origin, rp_id):
        raise _error(
            "WebAuthnOriginNotAllowedException", f"The origin {client_data.origin} is not allowed for {rp_id}."
        )
    if attestation.auth_data.rp_id_hash != hashlib.sha256(rp_id.encode()).digest():
        raise _error("WebAuthnRelyingPartyMismatchException", f"The credential is not for the relying party {rp_id}.")
    attested = attestation.auth_data.attested_credential_data
    if attested is None:
        raise invalid_credential()
    try:
        algorithm = decode_credential_public_key(attested.credential_public_key).alg
    except (WebAuthnException, ValueError, TypeError, KeyError):
        raise invalid_credential() from None
    unsupported = algorithm not in ALGORITHMS or attestation.fmt not in tuple(AttestationFormat)
    if unsupported or (requires_user_verification(pool) and not attestation.auth_data.flags.uv):
        raise _error("WebAuthnCredentialNotSupportedException", "The passkey authenticator is not supported.")
    try:
        verified = webauthn.verify_registration_response(
            credential=credential,
            expected_challenge=registration.challenge,
            expected_rp_id=rp_id,
            expected_origin=client_data.origin,  # checked above against the relying party
            require_user_verification=requires_user_verification(pool),
            supported_pub_key_algs=list(ALGORITHMS),
        )
    except (WebAuthnException, ValueError, TypeError):
        raise invalid_credential() from None
    credential_id = bytes_to_base64url(verified.credential_id)
    attachment = credential.get("authenticatorAttachment")
    now = int(clock.time())
    stored = Credential(
        credential_id=credential_id,
        friendly_name="Passkey " + time.strftime("%Y-%m-%d", time.gmtime(now)),
        relying_party_id=rp_id,
        transports=list(response["transports"]),
        attachment=attachment if isinstance(attachment, str) else None,
        created_at=now,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
    )
    with _lock:
        in_pool = [held for (pool_id, _username), held in _credentials.items() if pool_id == pool.id]
        if any(c.credential_id == credential_id for held in in_pool for c in held):
            raise errors.invalid_parameter("The passkey credential is already registered.")
        _credentials.setdefault((pool.id, user.username), []).append(stored)
    return stored


# --- sign-in -------------------------------------------------------------------------------------


@dataclass
class SignInChallenge:
    """What a WEB_AUTHN challenge asks: the options (a JSON string, as ChallengeParameters carry
    it) and the challenge they hold."""

    options: str
    challenge: bytes = field(repr=False)


def request_options(pool, user, list_credentials: bool = True, as_mfa: bool = False) -> SignInChallenge:
    """The ``CREDENTIAL_REQUEST_OPTIONS`` of a WEB_AUTHN challenge (PublicKeyCredentialRequestOptionsJSON,
    as a JSON string) for the pool's current relying party. `list_credentials`: ``allowCredentials``
    names `user`'s passkeys for it; otherwise (or for `user` None) it is empty, so the browser offers
    the discoverable passkeys it holds for the relying party (every passkey registered here is
    discoverable: ``residentKey`` required). `as_mfa`: the passkey stands for MFA, so user
    verification is required whatever the pool's ``UserVerification``."""
    held = usable_credentials(pool, user.username) if user is not None and list_credentials else []
    wanted = "required" if as_mfa else configuration(pool)["UserVerification"]
    options = webauthn.generate_authentication_options(
        rp_id=relying_party_id(pool),
        timeout=TIMEOUT_MS,
        allow_credentials=[c.descriptor() for c in held],
        user_verification=UserVerificationRequirement(wanted),
    )
    return SignInChallenge(json.dumps(options_to_json_dict(options)), options.challenge)


def bind_to_session(token: str, challenge: bytes, expires: float) -> None:
    """Keeps `challenge` for session `token` until `expires` (clock.monotonic); challenges of
    sessions that expired unanswered are dropped here."""
    now = clock.monotonic()
    with _lock:
        for stale in [t for t, (_c, until) in _sign_in_challenges.items() if until < now]:
            del _sign_in_challenges[stale]
        _sign_in_challenges[token] = (challenge, expires)


def take_sign_in_challenge(token: str) -> bytes | None:
    """The challenge of session `token`, used up; None when there is none or it expired."""
    with _lock:
        found = _sign_in_challenges.pop(token, None)
    if found is None or clock.monotonic() > found[1]:
        return None
    return found[0]


def verify_assertion(pool, user, challenge: bytes, answer: str, as_mfa: bool = False) -> Credential:
    """Checks the WEB_AUTHN answer `answer` (the assertion's JSON as a string) against `user`'s
    passkeys for the pool's current relying party, and stores the new sign count.
    InvalidParameterException when it is not an assertion's JSON; NotAuthorizedException when it
    does not prove one of them (`user` None: never), when the client data says ``crossOrigin``,
    or when user verification is missing where the pool requires it or `as_mfa` (the passkey
    stands for MFA). The passkey that signed."""
    try:
        assertion = json.loads(answer)
    except ValueError:
        raise invalid_credential() from None
    if not isinstance(assertion, dict) or not isinstance(assertion.get("response"), dict):
        raise invalid_credential()
    response = assertion["response"]
    if not all(isinstance(response.get(m), str) for m in ("clientDataJSON", "authenticatorData", "signature")):
        raise invalid_credential()
    refused = errors.not_authorized("The passkey credential could not be verified.")
    held = {c.credential_id: c for c in usable_credentials(pool, user.username)} if user is not None else {}
    stored = held.get(assertion.get("id"))
    if stored is None:
        raise refused
    handle = response.get("userHandle")
    if handle and handle != bytes_to_base64url(user.id.encode()):
        raise refused
    rp_id = stored.relying_party_id  # the pool's current one (usable_credentials)
    current_count = stored.sign_count
    try:
        client_data = parse_client_data_json(base64url_to_bytes(response["clientDataJSON"]))
        origin = client_data.origin
        if client_data.cross_origin or not origin_allowed(origin, rp_id):
            raise refused
        verified = webauthn.verify_authentication_response(
            credential=assertion,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=stored.public_key,
            credential_current_sign_count=current_count,
            require_user_verification=as_mfa or requires_user_verification(pool),
        )
    except (WebAuthnException, ValueError, TypeError):
        raise refused from None
    with _lock:
        # Check and set in one step: of two assertions verified against the same count at once,
        # one moves it and the other is refused, as a cloned authenticator's would be.
        if stored.sign_count != current_count:
            raise refused
        stored.sign_count = verified.new_sign_count
    return stored
