//! Passkeys through the local gateway as a browser app calls it, against the strict emulator,
//! which verifies every ceremony with py_webauthn: register one (`POST /passkeys/registration`,
//! then `POST /passkeys` with the credential), list it, sign in with it and no password
//! (`USER_AUTH` with `preferredChallenge: WEB_AUTHN`, then the `WEB_AUTHN` challenge answered with
//! the assertion), delete it and be refused. The authenticator is a software one, written here
//! from the WebAuthn Level 3 spec (section 6.1, authenticator data; 6.5, attestation; the "none"
//! format) and RFC 9052's COSE_Key, so nothing of the API's own code checks its own output.
//! docs/cognito-conformance.md, "Passkeys (WebAuthn)".

use aws_lc_rs::{
    digest::{SHA256, digest},
    rand::SystemRandom,
    signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair},
};
use data_encoding::BASE64URL_NOPAD;
use e2e::{ApiResponse, TestStack, text};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The web app's origin, which the pool's relying party (`localhost`) allows.
const ORIGIN: &str = "http://localhost:5173";

/// Flags of the authenticator data: user present, user verified, attested credential data.
const UP: u8 = 0x01;
const UV: u8 = 0x04;
const AT: u8 = 0x40;

/// A P-256 passkey held by a software authenticator.
struct Authenticator {
    key: EcdsaKeyPair,
    id: Vec<u8>,
    sign_count: u32,
}

impl Authenticator {
    fn new() -> Self {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).expect("key");
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref()).expect("key");
        let mut id = vec![0; 16];
        aws_lc_rs::rand::fill(&mut id).expect("random id");
        Self { key, id, sign_count: 0 }
    }

    fn id(&self) -> String {
        BASE64URL_NOPAD.encode(&self.id)
    }

    /// `navigator.credentials.create` for `options` (the API's `credentialCreationOptions`), at
    /// `origin`, for `rp_id`, with `flags`: the credential's `toJSON()`.
    fn create(&self, options: &Value, origin: &str, rp_id: &str, flags: u8) -> Value {
        let client_data = client_data("webauthn.create", text(options, "/challenge"), origin);
        // The public key: uncompressed point 0x04 | x | y.
        let point = self.key.public_key().as_ref();
        let (x, y) = (&point[1..33], &point[33..65]);
        let cose_key = cbor_map(&[
            (cbor_int(1), cbor_int(2)),  // kty: EC2
            (cbor_int(3), cbor_int(-7)), // alg: ES256
            (cbor_int(-1), cbor_int(1)), // crv: P-256
            (cbor_int(-2), cbor_bytes(x)),
            (cbor_int(-3), cbor_bytes(y)),
        ]);
        let mut auth_data = authenticator_data(rp_id, flags | AT, self.sign_count);
        auth_data.extend([0; 16]); // AAGUID
        auth_data.extend(u16::try_from(self.id.len()).expect("short id").to_be_bytes());
        auth_data.extend(&self.id);
        auth_data.extend(&cose_key);
        let attestation = cbor_map(&[
            (cbor_text("fmt"), cbor_text("none")),
            (cbor_text("attStmt"), cbor_map(&[])),
            (cbor_text("authData"), cbor_bytes(&auth_data)),
        ]);
        // SubjectPublicKeyInfo for an EC P-256 key (RFC 5480), as `getPublicKey()` gives it.
        let mut spki = data_encoding::HEXLOWER
            .decode(b"3059301306072a8648ce3d020106082a8648ce3d030107034200")
            .expect("SPKI prefix");
        spki.extend(point);
        json!({
            "id": self.id(), "rawId": self.id(), "type": "public-key",
            "authenticatorAttachment": "platform", "clientExtensionResults": {},
            "response": {
                "clientDataJSON": BASE64URL_NOPAD.encode(&client_data),
                "attestationObject": BASE64URL_NOPAD.encode(&attestation),
                "authenticatorData": BASE64URL_NOPAD.encode(&auth_data),
                "transports": ["internal"],
                "publicKeyAlgorithm": -7,
                "publicKey": BASE64URL_NOPAD.encode(&spki),
            },
        })
    }

    /// `navigator.credentials.get` for `options` (a challenge's `credentialRequestOptions`), at
    /// `origin`: the assertion's `toJSON()`, as the string `POST /auth/challenge` takes.
    fn get(&mut self, options: &Value, origin: &str, user_handle: &str) -> String {
        self.sign_count += 1;
        let client_data = client_data("webauthn.get", text(options, "/challenge"), origin);
        let auth_data = authenticator_data(text(options, "/rpId"), UP | UV, self.sign_count);
        let mut signed = auth_data.clone();
        signed.extend(digest(&SHA256, &client_data).as_ref());
        let signature = self.key.sign(&SystemRandom::new(), &signed).expect("signature");
        json!({
            "id": self.id(), "rawId": self.id(), "type": "public-key",
            "authenticatorAttachment": "platform", "clientExtensionResults": {},
            "response": {
                "clientDataJSON": BASE64URL_NOPAD.encode(&client_data),
                "authenticatorData": BASE64URL_NOPAD.encode(&auth_data),
                "signature": BASE64URL_NOPAD.encode(signature.as_ref()),
                "userHandle": user_handle,
            },
        })
        .to_string()
    }
}

fn client_data(kind: &str, challenge: &str, origin: &str) -> Vec<u8> {
    json!({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false}).to_string().into_bytes()
}

/// rpIdHash | flags | signCount (WebAuthn Level 3, section 6.1).
fn authenticator_data(rp_id: &str, flags: u8, sign_count: u32) -> Vec<u8> {
    let mut data = digest(&SHA256, rp_id.as_bytes()).as_ref().to_vec();
    data.push(flags);
    data.extend(sign_count.to_be_bytes());
    data
}

// Just enough CBOR (RFC 8949) for a COSE key and a "none" attestation object.
fn cbor_head(major: u8, n: usize) -> Vec<u8> {
    let n = u64::try_from(n).expect("length");
    match n {
        0..=23 => vec![major << 5 | n as u8],
        24..=0xff => vec![major << 5 | 24, n as u8],
        _ => [vec![major << 5 | 25], u16::try_from(n).expect("short").to_be_bytes().to_vec()].concat(),
    }
}

fn cbor_int(n: i64) -> Vec<u8> {
    let magnitude = |m: i64| usize::try_from(m).expect("small");
    if n >= 0 { cbor_head(0, magnitude(n)) } else { cbor_head(1, magnitude(-1 - n)) }
}

fn cbor_bytes(bytes: &[u8]) -> Vec<u8> {
    [cbor_head(2, bytes.len()), bytes.to_vec()].concat()
}

fn cbor_text(text: &str) -> Vec<u8> {
    [cbor_head(3, text.len()), text.as_bytes().to_vec()].concat()
}

/// A map of `pairs` (keys and values already encoded).
fn cbor_map(pairs: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    let mut map = cbor_head(5, pairs.len());
    for (key, value) in pairs {
        map.extend(key);
        map.extend(value);
    }
    map
}

/// The access token and username of the demo user, just signed in.
async fn signed_in(t: &TestStack) -> (String, String) {
    let session = t.sign_in(&t.user().clone()).await;
    (text(&session, "/tokens/accessToken").to_string(), text(&session, "/username").to_string())
}

async fn start_registration(t: &TestStack, token: &str) -> Value {
    let started = t.send("POST", "/passkeys/registration", Some(token), None).await;
    assert_eq!(started.status, StatusCode::OK, "{:?}", started.body);
    started.body["credentialCreationOptions"].clone()
}

async fn complete_registration(t: &TestStack, token: &str, credential: &Value) -> ApiResponse {
    t.send("POST", "/passkeys", Some(token), Some(&json!({ "credential": credential }).to_string())).await
}

async fn passkey_sign_in(t: &TestStack) -> ApiResponse {
    let body = json!({"username": t.user().email, "flow": "USER_AUTH", "preferredChallenge": "WEB_AUTHN"});
    t.post("/auth/sign-in", body).await
}

/// The demo user, signed in, with a passkey registered: their access token, the authenticator
/// and the creation options it answered (whose `user.id` is the user handle).
async fn with_a_passkey(t: &TestStack) -> (String, Authenticator, Value) {
    let (token, _) = signed_in(t).await;
    let authenticator = Authenticator::new();
    let options = start_registration(t, &token).await;
    let credential = authenticator.create(&options, ORIGIN, "localhost", UP | UV);
    assert_eq!(complete_registration(t, &token, &credential).await.status, StatusCode::NO_CONTENT);
    (token, authenticator, options)
}

#[tokio::test]
async fn a_person_registers_a_passkey_signs_in_with_it_and_no_password_then_deletes_it() {
    let t = TestStack::start().await;
    let (token, _) = signed_in(&t).await;
    let mut authenticator = Authenticator::new();
    // WHEN they start a registration
    let options = start_registration(&t, &token).await;
    // THEN the options are an object for the browser: the relying party, a challenge, ES256 among
    // the algorithms (a negative number, as COSE spells it), and no passkey to exclude yet
    assert_eq!(text(&options, "/rp/id"), "localhost");
    assert!(options["pubKeyCredParams"].as_array().expect("params").iter().any(|p| p["alg"] == -7), "{options}");
    assert_eq!(options["excludeCredentials"].as_array().map(Vec::len).unwrap_or(0), 0, "{options}");
    // WHEN the browser's credential comes back
    let credential = authenticator.create(&options, ORIGIN, "localhost", UP | UV);
    let completed = complete_registration(&t, &token, &credential).await;
    assert_eq!(completed.status, StatusCode::NO_CONTENT, "{:?}", completed.body);
    // THEN it is listed
    let listed = t.get("/passkeys", Some(&token)).await;
    assert_eq!(listed.status, StatusCode::OK, "{:?}", listed.body);
    assert_eq!(text(&listed.body, "/passkeys/0/credentialId"), authenticator.id());
    assert_eq!(text(&listed.body, "/passkeys/0/relyingPartyId"), "localhost");
    // AND a new registration excludes it, so the browser refuses the same authenticator twice
    let again = start_registration(&t, &token).await;
    assert_eq!(text(&again, "/excludeCredentials/0/id"), authenticator.id(), "{again}");
    // WHEN they sign in with it, no password
    let challenge = passkey_sign_in(&t).await;
    assert_eq!(challenge.status, StatusCode::OK, "{:?}", challenge.body);
    assert_eq!(text(&challenge.body, "/challenge/name"), "WEB_AUTHN");
    let request_options = challenge.body["challenge"]["credentialRequestOptions"].clone();
    assert_eq!(text(&request_options, "/rpId"), "localhost", "an object, not Cognito's string");
    let user_handle = text(&options, "/user/id").to_string();
    let assertion = authenticator.get(&request_options, ORIGIN, &user_handle);
    let signed = t.answer(&challenge, json!({ "CREDENTIAL": assertion })).await;
    // THEN they get tokens
    assert_eq!(signed.status, StatusCode::OK, "{:?}", signed.body);
    assert!(!text(&signed.body, "/tokens/accessToken").is_empty());
    // WHEN they delete it
    let path = format!("/passkeys/{}", authenticator.id());
    let deleted = t.send("DELETE", &path, Some(&token), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{:?}", deleted.body);
    // THEN it is gone, a second delete is a 404, and it signs no one in
    let listed = t.get("/passkeys", Some(&token)).await;
    assert_eq!(listed.body["passkeys"], json!([]), "{:?}", listed.body);
    let again = t.send("DELETE", &path, Some(&token), None).await;
    assert_eq!((again.status, again.error_code()), (StatusCode::NOT_FOUND, "NotFound"), "{:?}", again.body);
    // (Under PreventUserExistenceErrors the emulator offers WEB_AUTHN to every name, and refuses
    // the answer; without it, a person with no passkey gets the choice without WEB_AUTHN.)
    let challenge = passkey_sign_in(&t).await;
    match text(&challenge.body, "/challenge/name") {
        "WEB_AUTHN" => {
            let options = challenge.body["challenge"]["credentialRequestOptions"].clone();
            let assertion = authenticator.get(&options, ORIGIN, &user_handle);
            let refused = t.answer(&challenge, json!({ "CREDENTIAL": assertion })).await;
            assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{:?}", refused.body);
        }
        other => {
            assert_eq!(other, "SELECT_CHALLENGE", "{:?}", challenge.body);
            assert!(!challenge.body["challenge"]["availableChallenges"].to_string().contains("WEB_AUTHN"));
        }
    }
}

#[tokio::test]
async fn a_ceremony_from_another_origin_or_relying_party_or_without_user_verification_is_a_400_on_credential() {
    let t = TestStack::start().await;
    let (token, _) = signed_in(&t).await;
    let authenticator = Authenticator::new();
    for (origin, rp_id, flags, says) in [
        ("http://evil.example:5173", "localhost", UP | UV, "page this user pool does not allow"),
        (ORIGIN, "example.com", UP | UV, "another site"),
        // (Which exception Cognito raises for a missing user verification is not documented: only
        // that it is refused, on `credential`.)
        (ORIGIN, "localhost", UP, ""),
    ] {
        let options = start_registration(&t, &token).await;
        let refused = complete_registration(&t, &token, &authenticator.create(&options, origin, rp_id, flags)).await;
        assert_eq!(
            (refused.status, refused.error_code(), refused.error_field()),
            (StatusCode::BAD_REQUEST, "InvalidParameter", "credential"),
            "{origin} {rp_id}: {:?}",
            refused.body
        );
        assert!(text(&refused.body, "/error/message").contains(says), "{:?}", refused.body);
    }
    // AND a registration is single-use: the same credential twice is refused the second time
    let options = start_registration(&t, &token).await;
    let credential = authenticator.create(&options, ORIGIN, "localhost", UP | UV);
    assert_eq!(complete_registration(&t, &token, &credential).await.status, StatusCode::NO_CONTENT);
    let replayed = complete_registration(&t, &token, &credential).await;
    assert_eq!(replayed.status, StatusCode::BAD_REQUEST, "{:?}", replayed.body);
    assert!(text(&replayed.body, "/error/message").contains("start it again"), "{:?}", replayed.body);
}

#[tokio::test]
async fn a_credential_stripped_of_members_or_not_an_object_is_refused_and_nothing_registered() {
    let t = TestStack::start().await;
    let (token, _) = signed_in(&t).await;
    let authenticator = Authenticator::new();
    let options = start_registration(&t, &token).await;
    let mut stripped = authenticator.create(&options, ORIGIN, "localhost", UP | UV);
    stripped["response"].as_object_mut().expect("response").remove("publicKey");
    let refused = complete_registration(&t, &token, &stripped).await;
    assert_eq!((refused.status, refused.error_field()), (StatusCode::BAD_REQUEST, "credential"), "{:?}", refused.body);
    let not_object = complete_registration(&t, &token, &json!("credential")).await;
    assert_eq!((not_object.status, not_object.error_field()), (StatusCode::BAD_REQUEST, "credential"));
    assert_eq!(t.get("/passkeys", Some(&token)).await.body["passkeys"], json!([]));
}

#[tokio::test]
async fn choosing_the_passkey_from_the_choice_of_first_factors_leads_to_the_same_challenge() {
    // GIVEN the demo user with a passkey
    let t = TestStack::start().await;
    let (_, mut authenticator, options) = with_a_passkey(&t).await;
    // WHEN they sign in choosing among the first factors
    let choice = t.post("/auth/sign-in", json!({"username": t.user().email, "flow": "USER_AUTH"})).await;
    assert_eq!(text(&choice.body, "/challenge/name"), "SELECT_CHALLENGE", "{:?}", choice.body);
    assert!(choice.body["challenge"]["availableChallenges"].to_string().contains("WEB_AUTHN"), "{:?}", choice.body);
    let challenge = t.answer(&choice, json!({ "ANSWER": "WEB_AUTHN" })).await;
    // THEN the passkey's challenge comes, with its options as an object, and the assertion signs in
    assert_eq!(text(&challenge.body, "/challenge/name"), "WEB_AUTHN", "{:?}", challenge.body);
    let request_options = challenge.body["challenge"]["credentialRequestOptions"].clone();
    let assertion = authenticator.get(&request_options, ORIGIN, text(&options, "/user/id"));
    let signed = t.answer(&challenge, json!({ "CREDENTIAL": assertion })).await;
    assert_eq!(signed.status, StatusCode::OK, "{:?}", signed.body);
    assert!(!text(&signed.body, "/tokens/idToken").is_empty());
}

/// `PUT /mfa/preference` with `body`.
async fn set_mfa(t: &TestStack, token: &str, body: Value) -> ApiResponse {
    t.send("PUT", "/mfa/preference", Some(token), Some(&body.to_string())).await
}

/// The demo user's passkey sign-in, answered by `authenticator` (user handle `user_handle`).
async fn sign_in_with(t: &TestStack, authenticator: &mut Authenticator, user_handle: &str) -> ApiResponse {
    let challenge = passkey_sign_in(t).await;
    assert_eq!(text(&challenge.body, "/challenge/name"), "WEB_AUTHN", "{:?}", challenge.body);
    let options = challenge.body["challenge"]["credentialRequestOptions"].clone();
    let assertion = authenticator.get(&options, ORIGIN, user_handle);
    t.answer(&challenge, json!({ "CREDENTIAL": assertion })).await
}

#[tokio::test]
async fn with_passkey_mfa_on_a_passkey_sign_in_satisfies_mfa_and_no_code_follows() {
    // GIVEN the demo user with a passkey, in a pool whose passkeys may satisfy MFA
    let t = TestStack::start().await;
    let (token, mut authenticator, options) = with_a_passkey(&t).await;
    let user_handle = text(&options, "/user/id").to_string();
    // WHEN they turn passkey MFA on with no other second factor
    let alone = set_mfa(&t, &token, json!({"passkey": true})).await;
    // THEN it is a 400 on passkey: losing the passkey would lock them out
    assert_eq!((alone.status, alone.error_field()), (StatusCode::BAD_REQUEST, "passkey"), "{:?}", alone.body);
    // GIVEN an authenticator app enrolled: MFA now applies to them (the pool's MFA is optional)
    let setup = t.send("POST", "/mfa/totp/setup", Some(&token), None).await;
    let secret = text(&setup.body, "/secretCode").to_string();
    let verify = json!({"code": e2e::totp_now(&secret)}).to_string();
    assert_eq!(t.send("POST", "/mfa/totp/verify", Some(&token), Some(&verify)).await.status, StatusCode::NO_CONTENT);
    // THEN the passkey alone no longer signs them in (the pool's existence privacy asks for it
    // as from anyone, and the answer is refused)
    let refused = sign_in_with(&t, &mut authenticator, &user_handle).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{:?}", refused.body);
    // WHEN they turn passkey MFA on
    let on = set_mfa(&t, &token, json!({"passkey": true})).await;
    // THEN the answer lists the factors Cognito reports (passkey MFA is not among them)
    assert_eq!(on.status, StatusCode::OK, "{:?}", on.body);
    assert_eq!(on.body, json!({"enabled": ["SOFTWARE_TOKEN_MFA"], "preferred": "SOFTWARE_TOKEN_MFA"}));
    // AND the passkey signs them in with no code after it
    let signed = sign_in_with(&t, &mut authenticator, &user_handle).await;
    assert_eq!(signed.status, StatusCode::OK, "{:?}", signed.body);
    assert!(!text(&signed.body, "/tokens/accessToken").is_empty(), "{:?}", signed.body);
    // AND the password still asks for the authenticator app's code
    let password = t.try_sign_in(&t.user().email, &t.user().password, None).await;
    assert_eq!(text(&password.body, "/challenge/name"), "SOFTWARE_TOKEN_MFA", "{:?}", password.body);
    // WHEN they turn it off again, THEN the passkey alone is refused again
    assert_eq!(set_mfa(&t, &token, json!({"passkey": false})).await.status, StatusCode::OK);
    let refused = sign_in_with(&t, &mut authenticator, &user_handle).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{:?}", refused.body);
}
