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
}
