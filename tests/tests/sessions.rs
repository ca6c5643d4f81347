//! Refresh and sign-out through the local gateway, as a frontend does them, and the tokens
//! they carry, however large.

use e2e::{TestStack, text};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Signs in with the default flow (SRP) and the email address; returns the response body.
async fn sign_in(t: &TestStack, admin: bool) -> Value {
    let user = if admin { t.admin() } else { t.user() };
    let reply = t.post("/auth/sign-in", json!({"username": user.email, "password": user.password})).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}

#[tokio::test]
async fn a_refresh_returns_working_tokens_and_the_next_refresh_token() {
    // GIVEN a user signed in with their email, through a client with a secret that rotates
    // refresh tokens
    let t = TestStack::start().await;
    let session = sign_in(&t, false).await;
    // WHEN they refresh with the username the sign-in returned
    let refreshed = t
        .post(
            "/auth/refresh",
            json!({"refreshToken": text(&session, "/tokens/refreshToken"), "username": text(&session, "/username")}),
        )
        .await;
    // THEN new tokens come back with a new refresh token, and the new ID token works
    assert_eq!(refreshed.status, StatusCode::OK, "{:?}", refreshed.body);
    assert_ne!(text(&refreshed.body, "/tokens/refreshToken"), text(&session, "/tokens/refreshToken"));
    let me = t.get("/me", Some(text(&refreshed.body, "/tokens/idToken"))).await;
    assert_eq!(me.status, StatusCode::OK);
}

#[tokio::test]
async fn a_refresh_needs_no_username_and_ignores_an_alias() {
    // GetTokensFromRefreshToken takes the client secret itself: the old alias mistake (a
    // SECRET_HASH over the typed email) cannot happen, and old clients sending a username work.
    let t = TestStack::start().await;
    let session = sign_in(&t, false).await;
    let first = t
        .post(
            "/auth/refresh",
            json!({"refreshToken": text(&session, "/tokens/refreshToken"), "username": t.user().email}),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    let second = t.post("/auth/refresh", json!({"refreshToken": text(&first.body, "/tokens/refreshToken")})).await;
    assert_eq!(second.status, StatusCode::OK, "{:?}", second.body);
}

#[tokio::test]
async fn a_disabled_users_refresh_gets_the_sign_in_error() {
    // GIVEN a signed-in user whom an admin then disables
    let t = TestStack::start().await;
    let session = sign_in(&t, false).await;
    let admin = sign_in(&t, true).await;
    let disabled = t
        .send(
            "POST",
            &format!("/users/{}/disable", text(&session, "/username")),
            Some(text(&admin, "/tokens/accessToken")),
            None,
        )
        .await;
    assert_eq!(disabled.status, StatusCode::NO_CONTENT, "{:?}", disabled.body);
    // WHEN they refresh
    let reply = t
        .post(
            "/auth/refresh",
            json!({"refreshToken": text(&session, "/tokens/refreshToken"), "username": text(&session, "/username")}),
        )
        .await;
    // THEN Cognito's "User is disabled." is the same 401 as a wrong password
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{:?}", reply.body);
    assert_eq!(reply.error_code(), "NotAuthorized");
    assert_eq!(reply.body["error"]["message"], "Incorrect username or password.");
}

#[tokio::test]
async fn an_unknown_refresh_token_gets_the_sign_in_error() {
    let t = TestStack::start().await;
    let session = sign_in(&t, false).await;
    let reply =
        t.post("/auth/refresh", json!({"refreshToken": "not-a-token", "username": text(&session, "/username")})).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.error_code(), "NotAuthorized");
}

#[tokio::test]
async fn sign_out_makes_the_refresh_token_useless() {
    // GIVEN a signed-in user
    let t = TestStack::start().await;
    let session = sign_in(&t, false).await;
    let (access_token, refresh_token) = (text(&session, "/tokens/accessToken"), text(&session, "/tokens/refreshToken"));
    // WHEN they sign out with their access token, revoking their refresh token
    let body = json!({"refreshToken": refresh_token}).to_string();
    let out = t.send("POST", "/auth/sign-out", Some(access_token), Some(&body)).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{:?}", out.body);
    // THEN the refresh token no longer refreshes
    let refreshed =
        t.post("/auth/refresh", json!({"refreshToken": refresh_token, "username": text(&session, "/username")})).await;
    assert_eq!(refreshed.status, StatusCode::UNAUTHORIZED, "{:?}", refreshed.body);
    // AND signing out again with the dead access token is Cognito's refusal, though the
    // authorizer still takes the token (signed, unexpired)
    let again = t.send("POST", "/auth/sign-out", Some(access_token), Some(&body)).await;
    assert_eq!((again.status, again.error_code()), (StatusCode::UNAUTHORIZED, "Unauthorized"), "{:?}", again.body);
}

#[tokio::test]
async fn sign_out_without_a_body_ends_every_session_of_the_person() {
    // GIVEN a user signed in twice (two devices)
    let t = TestStack::start().await;
    let phone = sign_in(&t, false).await;
    let laptop = sign_in(&t, false).await;
    // WHEN they sign out on the phone, sending no body
    let out = t.send("POST", "/auth/sign-out", Some(text(&phone, "/tokens/accessToken")), None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{:?}", out.body);
    // THEN the laptop's refresh token is refused too (GlobalSignOut), and its access token
    for session in [&phone, &laptop] {
        let refreshed = t.post("/auth/refresh", json!({"refreshToken": text(session, "/tokens/refreshToken")})).await;
        assert_eq!(refreshed.status, StatusCode::UNAUTHORIZED, "{:?}", refreshed.body);
    }
    let read = t.get("/mfa/preference", Some(text(&laptop, "/tokens/accessToken"))).await;
    assert_eq!((read.status, read.error_code()), (StatusCode::UNAUTHORIZED, "Unauthorized"), "{:?}", read.body);
    // AND an ID token, which nothing asks Cognito about, still answers /me until it expires
    // (the identity pool refuses it: credentials.rs)
    assert_eq!(t.get("/me", Some(text(&laptop, "/tokens/idToken"))).await.status, StatusCode::OK);
}

#[tokio::test]
async fn sign_out_takes_the_access_token_and_ends_only_its_holders_sessions() {
    let t = TestStack::start().await;
    let user = sign_in(&t, false).await;
    let admin = sign_in(&t, true).await;
    // Without a token: the authorizer answers 401.
    assert_eq!(t.send("POST", "/auth/sign-out", None, None).await.status, StatusCode::UNAUTHORIZED);
    // With the user's ID token: 403 (the route takes the access token), and nothing is signed out.
    let reply = t.send("POST", "/auth/sign-out", Some(text(&user, "/tokens/idToken")), None).await;
    assert_eq!((reply.status, reply.error_code()), (StatusCode::FORBIDDEN, "Forbidden"), "{:?}", reply.body);
    // With the admin's access token: the admin is signed out everywhere, and the user is not.
    let out = t.send("POST", "/auth/sign-out", Some(text(&admin, "/tokens/accessToken")), None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{:?}", out.body);
    let refreshed = t.post("/auth/refresh", json!({"refreshToken": text(&user, "/tokens/refreshToken")})).await;
    assert_eq!(refreshed.status, StatusCode::OK, "{:?}", refreshed.body);
    let admins = t.post("/auth/refresh", json!({"refreshToken": text(&admin, "/tokens/refreshToken")})).await;
    assert_eq!(admins.status, StatusCode::UNAUTHORIZED, "{:?}", admins.body);
}

#[tokio::test]
async fn bad_refresh_and_sign_out_bodies_get_400_naming_the_field() {
    let t = TestStack::start().await;
    let session = sign_in(&t, false).await;
    let access_token = text(&session, "/tokens/accessToken");
    for (path, token, body, field) in [
        ("/auth/refresh", None, r#"{"username":"u"}"#, "refreshToken"),
        ("/auth/refresh", None, r#"{"refreshToken":"","username":"u"}"#, "refreshToken"),
        ("/auth/refresh", None, r#"{"refreshToken":"r","username":"u","extra":1}"#, "extra"),
        // The access token is the bearer now: in the body it is an unknown field.
        ("/auth/sign-out", Some(access_token), r#"{"accessToken":"a"}"#, "accessToken"),
        ("/auth/sign-out", Some(access_token), r#"{"refreshToken":5}"#, "refreshToken"),
        ("/auth/sign-out", Some(access_token), r#"{"refreshToken":[]}"#, "refreshToken"),
    ] {
        let reply = t.send("POST", path, token, Some(body)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{path} {body}: {:?}", reply.body);
        assert_eq!(reply.error_field(), field, "{path} {body}");
    }
    // AND none of them signed the person out
    let refreshed = t.post("/auth/refresh", json!({"refreshToken": text(&session, "/tokens/refreshToken")})).await;
    assert_eq!(refreshed.status, StatusCode::OK, "{:?}", refreshed.body);
}

#[tokio::test]
async fn an_id_token_over_8_kib_of_a_person_in_many_groups_is_verified_and_served() {
    // GIVEN the demo user in 50 groups with long names (Cognito allows 128 characters)
    let t = TestStack::start().await;
    let cognito = t.cognito().await;
    let pool = &t.stack.pool.pool_id;
    let groups: Vec<String> = (0..50).map(|i| format!("group-{i:02}-{}", "x".repeat(100))).collect();
    for group in &groups {
        cognito.create_group().user_pool_id(pool).group_name(group).send().await.expect("group");
        cognito
            .admin_add_user_to_group()
            .user_pool_id(pool)
            .username(&t.user().email)
            .group_name(group)
            .send()
            .await
            .expect("member");
    }
    // WHEN they sign in: their ID token is over 8 KiB, within what API Gateway lets a request
    // carry in its headers (10,240 bytes with the request line)
    let session = sign_in(&t, false).await;
    let id_token = text(&session, "/tokens/idToken");
    assert!((8 * 1024..10 * 1024 - 200).contains(&id_token.len()), "{} bytes", id_token.len());
    // THEN the authorizer verifies it and the API answers with every group
    let me = t.get("/me", Some(id_token)).await;
    assert_eq!(me.status, StatusCode::OK, "{:?}", me.body);
    assert_eq!(me.body["groups"].as_array().map(Vec::len), Some(50), "{:?}", me.body);
}

/// Signs `payload` (JSON) with `header` (JSON) by the emulator's signing key (moto's, read from
/// the emulator's own interpreter), as RS256: a token the pool's JWKS vouches for, whatever its
/// header says.
fn signed_by_the_pool(header: &Value, payload: &Value) -> String {
    const SIGN: &str = r#"
import base64, gzip, json, pathlib, sys
import moto
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
path = pathlib.Path(moto.__file__).parent / "cognitoidp/resources/jwks-private.json.gz"
jwk = json.loads(gzip.decompress(path.read_bytes()))
num = lambda k: int.from_bytes(base64.urlsafe_b64decode(jwk[k] + "=" * (-len(jwk[k]) % 4)), "big")
n, e, d = num("n"), num("e"), num("d")
p, q = rsa.rsa_recover_prime_factors(n, e, d)
key = rsa.RSAPrivateNumbers(p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q),
                            rsa.RSAPublicNumbers(e, n)).private_key()
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
signing_input = b64(sys.argv[1].encode()) + "." + b64(sys.argv[2].encode())
signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
print(signing_input + "." + b64(signature))
"#;
    let python = e2e::local_stack::moto::default_moto_bin().with_file_name("python");
    let output = std::process::Command::new(python)
        .args(["-c", SIGN, &header.to_string(), &payload.to_string()])
        .output()
        .expect("the emulator's python runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("a token").trim().to_string()
}

#[tokio::test]
async fn a_token_with_a_crit_header_is_refused_though_the_pools_key_signed_it() {
    // GIVEN the claims of a real ID token, signed again by the pool's key: once as Cognito's
    // header is, once with a critical extension the verifier does not know (RFC 7515 §4.1.11)
    let t = TestStack::start().await;
    let session = sign_in(&t, false).await;
    let id_token = text(&session, "/tokens/idToken");
    let header: Value = e2e::decode_segment(id_token, 0);
    let claims: Value = e2e::decode_segment(id_token, 1);
    let plain = signed_by_the_pool(&header, &claims);
    let mut critical = header.clone();
    critical["crit"] = json!(["urn:example:ext"]);
    critical["urn:example:ext"] = json!(true);
    let with_crit = signed_by_the_pool(&critical, &claims);
    // THEN the one without crit is served (the signing is the pool's), the one with crit refused
    assert_eq!(t.get("/me", Some(&plain)).await.status, StatusCode::OK);
    let refused = t.get("/me", Some(&with_crit)).await;
    assert_eq!(
        (refused.status, refused.error_code()),
        (StatusCode::UNAUTHORIZED, "Unauthorized"),
        "{:?}",
        refused.body
    );
}
