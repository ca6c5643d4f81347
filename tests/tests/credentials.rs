//! Temporary AWS credentials through the identity pool, used as a frontend would use them.

use e2e::TestStack;
use reqwest::StatusCode;

#[tokio::test]
async fn signed_in_users_get_credentials_that_list_the_bucket() {
    // GIVEN a signed-in user
    let t = TestStack::start().await;
    let token = t.id_token(t.user()).await;
    // WHEN they ask for credentials
    let reply = t.send("POST", "/credentials", Some(&token), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let field = |name: &str| {
        reply.body[name].as_str().filter(|v| !v.is_empty()).unwrap_or_else(|| panic!("{name}")).to_string()
    };
    let (identity, key, secret, session) =
        (field("identityId"), field("accessKeyId"), field("secretAccessKey"), field("sessionToken"));
    assert!(identity.starts_with(&t.stack.pool.region), "{identity}");
    assert!(reply.body["expiration"].is_string());
    // THEN an S3 client with them lists the stack's bucket
    let credentials = aws_credential_types::Credentials::new(key, secret, Some(session), None, "api");
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(t.stack.pool.region.clone()))
        .credentials_provider(credentials)
        .endpoint_url(&t.stack.moto.endpoint)
        .load()
        .await;
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&sdk).force_path_style(true).build());
    let listed = s3.list_objects_v2().bucket(&t.stack.pool.bucket).send().await;
    assert!(listed.is_ok(), "{listed:?}");
}

#[tokio::test]
async fn credentials_need_a_valid_id_token() {
    let t = TestStack::start().await;
    assert_eq!(t.send("POST", "/credentials", None, None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(t.send("POST", "/credentials", Some("not-a-token"), None).await.status, StatusCode::UNAUTHORIZED);
    // The access token is the other kind: the identity pool takes ID tokens only.
    let access_token = t.access_token(t.user()).await;
    let reply = t.send("POST", "/credentials", Some(&access_token), None).await;
    assert_eq!((reply.status, reply.error_code()), (StatusCode::FORBIDDEN, "Forbidden"), "{:?}", reply.body);
}

#[tokio::test]
async fn the_same_person_keeps_one_identity_and_another_person_gets_another() {
    // GIVEN the demo user, signed in twice (two ID tokens), and the admin
    let t = TestStack::start().await;
    let (first, second) = (t.id_token(t.user()).await, t.id_token(t.user()).await);
    let admin = t.id_token(t.admin()).await;
    // WHEN each asks for credentials
    let identity = |token: String| {
        let t = &t;
        async move {
            let reply = t.send("POST", "/credentials", Some(&token), None).await;
            assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
            (e2e::text(&reply.body, "/identityId").to_string(), e2e::text(&reply.body, "/accessKeyId").to_string())
        }
    };
    let (mine, mine_key) = identity(first).await;
    let (again, again_key) = identity(second).await;
    let (theirs, _) = identity(admin).await;
    // THEN the same person has one identity whatever the token; another person has another;
    // each call is a new set of temporary credentials
    assert_eq!(mine, again);
    assert_ne!(mine, theirs);
    assert_ne!(mine_key, again_key);
}

#[tokio::test]
async fn a_person_signed_out_everywhere_gets_no_credentials_with_their_old_id_token() {
    // GIVEN a signed-in person who has had credentials with their ID token
    let t = TestStack::start().await;
    let session = t.sign_in(t.user()).await;
    let id_token = e2e::text(&session, "/tokens/idToken");
    assert_eq!(t.send("POST", "/credentials", Some(id_token), None).await.status, StatusCode::OK);
    // WHEN they sign out (everywhere: GlobalSignOut) with their access token
    let out = t.send("POST", "/auth/sign-out", Some(e2e::text(&session, "/tokens/accessToken")), None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{:?}", out.body);
    // THEN the identity pool (ServerSideTokenCheck) no longer takes that ID token, although it
    // has not expired ...
    let reply = t.send("POST", "/credentials", Some(id_token), None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{:?}", reply.body);
    // ... and a new sign-in gets credentials again
    let again = t.id_token(t.user()).await;
    assert_eq!(t.send("POST", "/credentials", Some(&again), None).await.status, StatusCode::OK);
}
