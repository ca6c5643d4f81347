"""strict_cognito: the local stack's Cognito, held to Cognito's documented behaviour.

Scope. It emulates exactly what this project's API calls, and each behaviour it emulates has a
row in docs/cognito-conformance.md with the tests that pin it (the tests in ../tests). It is not
a general Cognito: an action the API does not call is moto's own, lax answer, and an action moto
lacks fails loudly ("strict_cognito does not emulate ..."), never an empty 200. moto (pinned in
requirements-dev.txt) is the store: pools, clients, users, groups, tokens; ``moto_store`` is the
only module that touches it. It leaves moto for a store of its own when one of these holds: more
of the behaviour lives in the overrides than in moto (today the overrides answer every sign-in,
challenge and code, and moto keeps the records and mints the tokens); a pinned moto upgrade
changes the internals ``moto_store`` reaches into (private methods, the session table, the
handler classes); or more features need storage moto lacks, as passkeys do (their credentials,
sign counts and challenges live in ``passkeys``, beside moto's records). Then ``moto_store`` is
rewritten, not the families in ``api``.

moto is lax where the API depends on Cognito being strict: it accepts any SRP proof, ignores
user states, case rules, app-client permissions and SECRET_HASH on most calls, and answers an
unknown challenge with an empty 200. This package replaces the actions the API relies on with
implementations (``api``, one module per API family) that compose one module per behaviour:

- ``usernames``: the pool's ``UsernameConfiguration`` (case-insensitive names) and its username
  attributes (email as the sign-in name) in every lookup; tokens name the internal username.
- ``srp``: SRP-6a as Cognito runs it, verifying ``PASSWORD_CLAIM_SIGNATURE`` against the stored
  password.
- ``secret_hash``: ``SECRET_HASH`` on every call that takes it, over the name Cognito uses.
- ``app_client``: the app client's ``ExplicitAuthFlows``, ``WriteAttributes`` (and
  ``ReadAttributes`` in ID tokens, which moto already honours).
- ``attributes``: attribute names the pool's schema has, values of their type and within their
  limits, phone numbers in E.164, email addresses that can be addresses, and immutable attributes
  written only at creation, wherever attributes are written.
- ``passwords``: the pool's password policy wherever Cognito applies it, with Cognito's messages.
- ``user_states``: UNCONFIRMED, CONFIRMED, FORCE_CHANGE_PASSWORD, RESET_REQUIRED, disabled and
  deleted users against every call the API makes.
- ``access_tokens``: calls made with an access token need a user who exists and is enabled;
  a global sign-out revokes the person's access and ID tokens as well as the refresh tokens.
- ``shapes``: every request's parameters of the right JSON type and length, else a 400.
- ``timing``: secrets compared in constant time, for any Unicode.
- ``lockout``: the temporary lockout after repeated failed sign-ins.
- ``outbox``: the codes Cognito would email or text, written to a local outbox; only the code
  sent works.
- ``sessions``: challenge sessions (single use, expiring).
- ``choice``: choice-based sign-in (``USER_AUTH``): the first factors a person may choose, and
  8-digit passwordless codes.
- ``totp``: each person's own TOTP secret from ``AssociateSoftwareToken``, made theirs by
  ``VerifySoftwareToken``, and codes checked against it (RFC 6238, one step either way).
- ``email_mfa``: email as the second factor (the pool's ``EmailMfaConfiguration``, a person's
  ``EmailMfaSettings``, the ``EMAIL_OTP`` challenge after the password).
- ``rotation``: ``GetTokensFromRefreshToken`` and refresh-token rotation with its grace period.
- ``threat_protection``: the address each call is attributed to (``UserContextData`` /
  ``ContextData``), the auth-event log (``AdminListUserAuthEvents``) and the Plus plan it needs.
- ``identity``: the identity pool: one ``IdentityId`` per person (identity pool, provider,
  ``sub``), ID tokens checked as logins, credentials only for the identity's own logins.
- ``iam``: IAM in front of both pools: an IAM-authorized action the caller's policy (from
  ``template.yaml``, per function) does not grant is ``AccessDeniedException``.
- ``clock``: the time every behaviour above reads; tests move it instead of sleeping (in
  process, or over HTTP when the local stack starts the emulator for tests).
- ``passkeys``: the person's passkeys, registration and sign-in challenges, each ceremony verified
  with py_webauthn (relying party and origin, user verification, single-use challenges, the sign
  count).
- ``passkey_mfa``: a person's passkey MFA (``WebAuthnMfaSettings``), refused unless the pool's
  passkeys may satisfy MFA and another factor stays on; read by ``choice``.
- ``acr``: how someone signed in: ``acr`` and ``amr`` in the tokens of every sign-in by Cognito's
  level table, kept with ``auth_time`` by refresh (rotation included); the pool's level names
  (``AcrConfiguration``); step-up through ``USER_AUTH`` (``TARGET_ACR_VALUES``, ``MAX_AGE``, the
  person's ``ACCESS_TOKEN``), asking only for the missing factors; or, with
  ``STRICT_COGNITO_ACR_CLAIMS=0``, a pool where these claims have not rolled out yet.
- ``moto_store``: the one module that imports moto and reaches into its handlers and backends.
- ``api``: the Cognito actions, one module per API family, composed from the modules above:
  ``sign_in`` (and challenges), ``sign_up``, ``passwords`` (with temporary passwords that expire
  after the pool's ``TemporaryPasswordValidityDays`` until ``AdminCreateUser`` ``RESEND``),
  ``tokens``, ``mfa``, ``account`` (the person's own account through their access token:
  attribute updates, pending until verified where the pool says so, verification codes that
  expire and are limited, DeleteUser, GetUser in any status), ``admin``, ``pools`` (pools and app
  clients), and ``passkeys`` (registration, listing, deletion; the ``WEB_AUTHN`` sign-in challenge
  is ``sign_in``'s). ``api.install`` registers them all, by family, and
  puts ``api.call_action`` in front of every request.

Each behaviour has a row in docs/cognito-conformance.md and tests in ../tests.
"""

from . import access_tokens, acr, api, attributes, clock, email_mfa, iam, identity, totp, usernames


def install() -> None:
    """Patches moto in this process: call before moto serves any request."""
    usernames.install()
    acr.install()  # after usernames, whose token minting it wraps
    api.install()  # before access_tokens, which guards some of its actions
    access_tokens.install()
    email_mfa.install()
    totp.install()
    identity.install()
    attributes.install()
    iam.install()
    clock.install()
