"""TOTP: each person's own secret, codes checked against it (RFC 6238, one step either way).

Codes are computed with cryptography's RFC 6238 implementation, independent of the emulator's,
and the emulator's own is held to RFC 6238's Appendix B vectors."""

import pytest
from botocore.exceptions import ClientError

from conftest import EMAIL, PASSWORD, enrol_totp, error_of, totp_code
from strict_cognito import totp

OTHER = "other@example.com"
ENABLE_FAILED = ("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")
# RFC 6238 Appendix B's SHA-1 secret, the ASCII "12345678901234567890", in base32.
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


def signed_in(pool, email, password):
    return pool.password_auth(email, password)["AuthenticationResult"]["AccessToken"]


def answer_totp(pool, email, password, code):
    challenge = pool.password_auth(email, password)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    internal = pool.internal(email)
    return pool.idp.respond_to_auth_challenge(
        ClientId=pool.client_id,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=challenge["Session"],
        ChallengeResponses={
            "USERNAME": internal,
            "SECRET_HASH": pool.hash(internal),
            "SOFTWARE_TOKEN_MFA_CODE": code,
        },
    )


def test_every_association_gets_a_fresh_random_base32_secret(pool):
    pool.create_user(OTHER, PASSWORD)
    mine, theirs = signed_in(pool, EMAIL, PASSWORD), signed_in(pool, OTHER, PASSWORD)
    secrets = [
        pool.idp.associate_software_token(AccessToken=mine)["SecretCode"],
        pool.idp.associate_software_token(AccessToken=mine)["SecretCode"],
        pool.idp.associate_software_token(AccessToken=theirs)["SecretCode"],
    ]
    assert len(set(secrets)) == 3
    for secret in secrets:
        # 32 random bytes, base32 without padding (the model: [A-Za-z0-9]+, at least 16).
        assert len(secret) == 52 and set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def test_a_code_from_another_persons_secret_does_not_sign_in(pool):
    pool.create_user(OTHER, PASSWORD)
    mine = enrol_totp(pool, signed_in(pool, EMAIL, PASSWORD))
    theirs = enrol_totp(pool, signed_in(pool, OTHER, PASSWORD))
    with pytest.raises(ClientError) as err:
        answer_totp(pool, OTHER, PASSWORD, totp_code(mine))
    assert error_of(err)[0] == "CodeMismatchException"
    assert answer_totp(pool, OTHER, PASSWORD, totp_code(theirs))["AuthenticationResult"]["IdToken"]


def test_verifying_needs_a_code_of_the_secret_just_associated(pool):
    token = signed_in(pool, EMAIL, PASSWORD)
    first = pool.idp.associate_software_token(AccessToken=token)["SecretCode"]
    second = pool.idp.associate_software_token(AccessToken=token)["SecretCode"]
    with pytest.raises(ClientError) as err:
        pool.idp.verify_software_token(AccessToken=token, UserCode=totp_code(first), FriendlyDeviceName="phone")
    # VerifySoftwareToken's own error for a wrong code (botocore's model), not the sign-in's
    # CodeMismatchException, and nothing of the request echoed back.
    assert error_of(err) == ENABLE_FAILED
    assert pool.idp.verify_software_token(AccessToken=token, UserCode=totp_code(second))["Status"] == "SUCCESS"


def test_a_new_association_replaces_the_old_secret_only_once_verified(pool):
    token = signed_in(pool, EMAIL, PASSWORD)
    old = enrol_totp(pool, token)
    # An association never verified changes nothing: the old authenticator still signs in.
    pool.idp.associate_software_token(AccessToken=token)
    assert answer_totp(pool, EMAIL, PASSWORD, totp_code(old))["AuthenticationResult"]["IdToken"]
    new = enrol_totp(pool, token)
    with pytest.raises(ClientError) as err:
        answer_totp(pool, EMAIL, PASSWORD, totp_code(old))
    assert error_of(err)[0] == "CodeMismatchException"
    assert answer_totp(pool, EMAIL, PASSWORD, totp_code(new))["AuthenticationResult"]["IdToken"]


@pytest.mark.parametrize(
    "at,expected",
    [
        (59, "287082"),
        (1111111109, "081804"),
        (1111111111, "050471"),
        (1234567890, "005924"),
        (2000000000, "279037"),
        (20000000000, "353130"),
    ],
)
def test_codes_are_rfc_6238s_appendix_b_vectors(at, expected):
    # GIVEN RFC 6238's SHA-1 secret; WHEN the emulator computes the code at the vector's time
    # THEN it is the vector's last six digits, and the matcher takes it then
    assert totp.code_at(RFC_SECRET, at // totp.STEP_SECONDS) == expected
    assert totp.matches(RFC_SECRET, expected, now=at)


@pytest.mark.parametrize("into_step", [0, 1, 15, 29, 29.999])
def test_the_matcher_accepts_one_step_either_way_and_refuses_two(into_step):
    # GIVEN a fixed time, anywhere in its 30-second step
    step = 1234567890 // 30
    now = step * 30 + into_step
    codes = {d: totp.code_at(RFC_SECRET, step + d) for d in (-3, -2, -1, 0, 1, 2, 3)}
    assert len(set(codes.values())) == len(codes)  # no two alike, so each case tests one step
    # THEN the codes of the step and the one either side are accepted, and none further away
    for d, candidate in codes.items():
        assert totp.matches(RFC_SECRET, candidate, now=now) == (abs(d) <= totp.WINDOW), d
    assert totp.WINDOW == 1


def test_a_code_is_refused_unless_it_is_six_ascii_digits():
    now = 1234567890
    for odd in ("05924", "0059240", "٠٠٥٩٢٤", " 05924", "00592a", None, 5924):
        assert not totp.matches(RFC_SECRET, odd, now=now), odd
    assert not totp.matches(None, "005924", now=now)


def test_sign_in_takes_codes_one_step_either_way_and_refuses_two(pool, clock):
    # GIVEN an enrolled person, and the emulator's clock stopped (so no step boundary can move)
    now = clock.time()
    token = signed_in(pool, EMAIL, PASSWORD)
    secret = pool.idp.associate_software_token(AccessToken=token)["SecretCode"]
    pool.idp.verify_software_token(AccessToken=token, UserCode=totp_code(secret, now=now))
    pool.idp.set_user_mfa_preference(
        AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    near = {totp_code(secret, d, now=now) for d in (-1, 0, 1)}
    # WHEN they answer with the code of the step before or after, THEN they are signed in
    for d in (-1, 1):
        assert answer_totp(pool, EMAIL, PASSWORD, totp_code(secret, d, now=now))["AuthenticationResult"]["IdToken"]
    # WHEN they answer with a code two steps away, THEN it is a wrong code
    for d in (-2, 2):
        far = totp_code(secret, d, now=now)
        if far in near:
            continue  # the same six digits as an accepted step's, by chance (about 3 in a million)
        with pytest.raises(ClientError) as err:
            answer_totp(pool, EMAIL, PASSWORD, far)
        assert error_of(err)[0] == "CodeMismatchException", d


def test_a_code_is_accepted_again_within_its_window(pool, clock):
    """RFC 6238 §5.2 says a verifier must not accept an OTP twice; Cognito does not document
    whether it refuses one, so the emulator does not (docs/cognito-conformance.md, TOTP row)."""
    now = clock.time()
    # GIVEN a person who enrolled with the code of this step
    token = signed_in(pool, EMAIL, PASSWORD)
    secret = pool.idp.associate_software_token(AccessToken=token)["SecretCode"]
    this_step = totp_code(secret, now=now)
    pool.idp.verify_software_token(AccessToken=token, UserCode=this_step)
    pool.idp.set_user_mfa_preference(
        AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    # WHEN the same code answers two sign-ins in the same step, THEN both are signed in
    for _ in range(2):
        assert answer_totp(pool, EMAIL, PASSWORD, this_step)["AuthenticationResult"]["IdToken"]
