//! The `users` handler from real API Gateway (REST) events: defence in depth behind the
//! authorizer.

use std::sync::Arc;

use auth_domain::{
    testing::{Call, ScriptedPool, ScriptedReply, error},
    user_pool::{AccountUser, AdminAction, PoolUser},
};
use lambda_glue::{
    Cors,
    testing::{
        Value, access_token_event, authorized_event, body_json, caller_bearer_token, json, request, with_header,
    },
};

/// An admin route's request for `someone@example.com` from the caller, in `groups`, with their
/// access token as the bearer, signed in just now with a password and TOTP (level 4).
fn event(method: &str, resource: &str, path: &str, groups: &str) -> Value {
    signed_in(method, resource, path, groups, "urn:cognito:loa:4", Some(auth_domain::unix_time()))
}

/// [`event`], signed in at level `acr` at `auth_time` (seconds since the epoch; `None`: the token
/// has none).
fn signed_in(method: &str, resource: &str, path: &str, groups: &str, acr: &str, auth_time: Option<u64>) -> Value {
    let mut event = access_token_event(method, resource, None);
    event["path"] = json!(path);
    event["requestContext"]["path"] = json!(format!("/prod{path}"));
    event["pathParameters"] = json!({"username": "someone@example.com"});
    let context = &mut event["requestContext"]["authorizer"];
    context["groups"] = json!(groups);
    context["acr"] = json!(acr);
    match auth_time {
        Some(auth_time) => context["authTime"] = json!(auth_time.to_string()),
        None => drop(context.as_object_mut().and_then(|c| c.remove("authTime"))),
    }
    event
}

#[tokio::test]
async fn an_admin_signed_in_with_an_emailed_code_is_asked_to_step_up_before_any_cognito_call() {
    // GIVEN an admin signed in just now with one emailed code (level 2), or by a token without acr
    let pool = Arc::new(ScriptedPool::default());
    let state = fn_users::UsersState::new(pool.clone(), "admins", Cors::default());
    let now = auth_domain::unix_time();
    for (acr, method, resource, path) in [
        ("urn:cognito:loa:2", "GET", "/users", "/users"),
        ("urn:cognito:loa:1", "GET", "/users/{username}", "/users/someone@example.com"),
        ("", "GET", "/users", "/users"),
        ("urn:cognito:loa:2", "POST", "/users/{username}/disable", "/users/someone@example.com/disable"),
    ] {
        // WHEN they call an admin route
        let response =
            fn_users::handle(&state, request(&signed_in(method, resource, path, "admins", acr, Some(now)))).await;
        // THEN RFC 9470's challenge names the levels that would do, and the body the same
        assert_eq!(response.status(), 401, "{acr} {method} {path}");
        let challenge = response.headers()["www-authenticate"].to_str().unwrap();
        assert!(challenge.starts_with("Bearer error=\"insufficient_user_authentication\""), "{challenge}");
        assert!(challenge.contains("acr_values=\"urn:cognito:loa:4 urn:cognito:loa:3\""), "{challenge}");
        let error = &body(&response)["error"];
        assert_eq!(
            (error["code"].as_str(), error["acrValues"].as_str()),
            (Some("InsufficientUserAuthentication"), Some("urn:cognito:loa:4 urn:cognito:loa:3"))
        );
    }
    assert!(pool.calls().is_empty());
}

#[tokio::test]
async fn an_admin_change_needs_a_sign_in_within_the_window_and_a_read_does_not() {
    // GIVEN an admin at level 3 whose sign-in is 16 minutes old (refreshed since, as may be)
    let pool = Arc::new(ScriptedPool::default());
    let state = fn_users::UsersState::new(pool.clone(), "admins", Cors::default());
    let old = Some(auth_domain::unix_time() - 16 * 60);
    // WHEN they disable someone, or their token has no auth_time
    for auth_time in [old, None] {
        let disable = signed_in(
            "POST",
            "/users/{username}/disable",
            "/users/someone@example.com/disable",
            "admins",
            "urn:cognito:loa:3",
            auth_time,
        );
        let response = fn_users::handle(&state, request(&disable)).await;
        // THEN the challenge asks for both the level and a sign-in within 15 minutes
        assert_eq!(response.status(), 401, "{auth_time:?}");
        let challenge = response.headers()["www-authenticate"].to_str().unwrap();
        assert!(
            challenge.ends_with("acr_values=\"urn:cognito:loa:4 urn:cognito:loa:3\", max_age=\"900\""),
            "{challenge}"
        );
        assert_eq!(body(&response)["error"]["maxAge"], 900);
    }
    assert!(pool.calls().is_empty());
    // AND the same old sign-in still reads: reading asks for the level only
    let pool = Arc::new(ScriptedPool::new(
        live_admin().into_iter().chain([Ok(ScriptedReply::User(pool_user("true"))), Ok(ScriptedReply::Groups(vec![]))]),
    ));
    let state = fn_users::UsersState::new(pool, "admins", Cors::default());
    let read = signed_in("GET", "/users/{username}", "/users/someone@example.com", "admins", "urn:cognito:loa:3", old);
    let response = fn_users::handle(&state, request(&read)).await;
    assert_eq!(response.status(), 200, "{:?}", body(&response));
}

fn body(response: &lambda_http::Response<lambda_http::Body>) -> Value {
    body_json(response)
}

#[tokio::test]
async fn a_handler_reached_without_the_admins_group_answers_403_before_any_cognito_call() {
    // GIVEN a request that got past the gateway without the admins group (a misconfigured
    // authorizer, say), and a Cognito that fails any call
    let pool = Arc::new(ScriptedPool::default());
    let state = fn_users::UsersState::new(pool.clone(), "admins", Cors::default());
    for (method, resource, path) in [
        ("DELETE", "/users/{username}", "/users/someone@example.com"),
        ("GET", "/users", "/users"),
        ("POST", "/users/{username}/disable", "/users/someone@example.com/disable"),
    ] {
        // WHEN it reaches the handler, THEN it is refused with 403, and Cognito is never called
        let response = fn_users::handle(&state, request(&event(method, resource, path, "staff,admins-readonly"))).await;
        assert_eq!(response.status(), 403, "{method} {path}");
        assert_eq!(body(&response)["error"]["code"], "Forbidden");
    }
    assert!(pool.calls().is_empty());
}

#[tokio::test]
async fn a_request_without_any_caller_answers_401() {
    let state = fn_users::UsersState::new(Arc::new(ScriptedPool::default()), "admins", Cors::default());
    let mut anonymous = event("GET", "/users", "/users", "admins");
    anonymous["requestContext"].as_object_mut().unwrap().remove("authorizer");
    let response = fn_users::handle(&state, request(&anonymous)).await;
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
}

/// `GET /users/pat%2Btag%40example.com` exactly as API Gateway REST delivers it: `path` and
/// `pathParameters` still percent-encoded; from an admin signed in just now with a password and
/// TOTP (the fixture's context has no `acr` or `authTime`: the test adds them).
fn encoded_get_user() -> Value {
    let mut event: Value = serde_json::from_str(include_str!("fixtures/apigw-get-user-encoded.json")).unwrap();
    let context = &mut event["requestContext"]["authorizer"];
    context["acr"] = json!("urn:cognito:loa:4");
    context["authTime"] = json!(auth_domain::unix_time().to_string());
    event
}

#[tokio::test]
async fn a_percent_encoded_username_is_decoded_before_the_lookup() {
    // GIVEN the REST event for GET /users/pat%2Btag%40example.com from an admin, and a pool that
    // knows pat+tag@example.com
    let event = encoded_get_user();
    assert_eq!(event["pathParameters"]["username"], "pat%2Btag%40example.com");
    let user = PoolUser {
        username: "pat+tag@example.com".into(),
        attributes: [("sub".to_string(), "sub-pat".to_string()), ("email".into(), "pat+tag@example.com".into())]
            .into_iter()
            .collect(),
        status: "CONFIRMED".into(),
        enabled: true,
        ..PoolUser::default()
    };
    // The live admin check comes first: the caller's session lives, and they are an admin.
    let pool = Arc::new(ScriptedPool::new(
        live_admin().into_iter().chain([Ok(ScriptedReply::User(user)), Ok(ScriptedReply::Groups(vec![]))]),
    ));
    let state = fn_users::UsersState::new(pool.clone(), "admins", Cors::default());

    // WHEN the function handles it
    let response = fn_users::handle(&state, request(&event)).await;

    // THEN it looked the user up by the decoded name, and answers 200 with that user
    assert_eq!(pool.calls().get(2), Some(&Call::AdminGetUser("pat+tag@example.com".into())));
    assert_eq!(response.status(), 200, "{:?}", body(&response));
    assert_eq!(body(&response)["username"], "pat+tag@example.com");
    assert_eq!(body(&response)["email"], "pat+tag@example.com");
}

#[tokio::test]
async fn a_malformed_or_non_utf8_username_in_the_path_answers_400_naming_it() {
    for (raw, message) in [
        ("%E0%A4%A", "username in the path has a malformed percent-escape."),
        ("pat%zz", "username in the path has a malformed percent-escape."),
        ("%FF", "username in the path is not percent-encoded UTF-8."),
    ] {
        // GIVEN an admin's request whose username segment does not decode
        let pool = Arc::new(ScriptedPool::default());
        let state = fn_users::UsersState::new(pool.clone(), "admins", Cors::default());
        let mut event = encoded_get_user();
        event["path"] = json!(format!("/users/{raw}"));
        event["requestContext"]["path"] = json!(format!("/prod/users/{raw}"));
        event["pathParameters"]["username"] = json!(raw);

        // WHEN the function handles it
        let response = fn_users::handle(&state, request(&event)).await;

        // THEN 400 names the parameter (not a 500), and Cognito is never called
        assert_eq!(response.status(), 400, "{raw}");
        let body = body(&response);
        assert_eq!(body["error"]["code"], "BadRequest", "{raw}");
        assert_eq!(body["error"]["field"], "username", "{raw}");
        assert_eq!(body["error"]["message"], message, "{raw}");
        assert!(pool.calls().is_empty(), "{raw}");
    }
}

#[tokio::test]
async fn a_request_with_two_authorization_values_answers_401_before_any_cognito_call() {
    // GIVEN an admin's event whose multiValueHeaders carry two Authorization values (`headers`
    // keeps the last, as API Gateway does), whichever of them the authorizer was handed
    let pool = Arc::new(ScriptedPool::default());
    let state = fn_users::UsersState::new(pool.clone(), "admins", Cors::default());
    let mut event = encoded_get_user();
    event["multiValueHeaders"]["Authorization"] = json!(["Bearer first.token.sig", "Bearer second.token.sig"]);
    event["headers"]["Authorization"] = json!("Bearer second.token.sig");

    // WHEN the function handles it
    let response = fn_users::handle(&state, request(&event)).await;

    // THEN it is refused as unauthenticated, and Cognito is never called
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_eq!(body(&response)["error"]["code"], "Unauthorized");
    assert!(pool.calls().is_empty());
}

/// The two answers of the live admin check: Cognito takes the caller's access token
/// (`GetUser`), and lists them in the admins group.
fn live_admin() -> [Result<ScriptedReply, auth_domain::CognitoError>; 2] {
    [
        Ok(ScriptedReply::Account(AccountUser { username: "8f1c0d2e-sub".into(), ..AccountUser::default() })),
        Ok(ScriptedReply::Groups(vec!["admins".into()])),
    ]
}

fn pool_user(email_verified: &str) -> PoolUser {
    PoolUser {
        username: "new@example.com".into(),
        attributes: [("sub", "sub-new"), ("email", "new@example.com"), ("email_verified", email_verified)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        status: "FORCE_CHANGE_PASSWORD".into(),
        enabled: true,
        ..PoolUser::default()
    }
}

#[tokio::test]
async fn creating_a_user_sends_email_verified_to_cognito_as_the_string_it_stores() {
    for (verified, stored) in [(true, "true"), (false, "false")] {
        // GIVEN an admin creating a user whose email is (or is not) to be marked verified
        let pool = Arc::new(ScriptedPool::new(
            live_admin()
                .into_iter()
                .chain([Ok(ScriptedReply::User(pool_user(stored))), Ok(ScriptedReply::Groups(vec![]))]),
        ));
        let state = fn_users::UsersState::new(pool.clone(), "admins", Cors::default());
        let body = json!({"username": "new@example.com", "emailVerified": verified}).to_string();
        // WHEN the function handles the POST
        let response = fn_users::handle(&state, request(&access_token_event("POST", "/users", Some(&body)))).await;
        // THEN Cognito is told "true" or "false" (its attribute values are strings), and the
        // answer shows the boolean again
        assert_eq!(response.status(), 201, "{verified}: {:?}", body_json(&response));
        let Some(Call::AdminCreateUser(new)) = pool.calls().get(2).cloned() else {
            panic!("{verified}: expected AdminCreateUser, got {:?}", pool.calls())
        };
        assert!(new.attributes.contains(&("email_verified".into(), stored.into())), "{:?}", new.attributes);
        assert_eq!(body_json(&response)["emailVerified"], json!(verified));
    }
}

#[tokio::test]
async fn email_verified_as_a_string_in_the_body_is_a_400_naming_it() {
    // GIVEN a client that sends the attribute's string form instead of a boolean
    for sent in [json!("true"), json!("false")] {
        let pool = Arc::new(ScriptedPool::default());
        let state = fn_users::UsersState::new(pool.clone(), "admins", Cors::default());
        let body = json!({"username": "new@example.com", "emailVerified": sent}).to_string();
        // WHEN it is posted
        let response = fn_users::handle(&state, request(&access_token_event("POST", "/users", Some(&body)))).await;
        // THEN 400 names the field, and nothing is created
        assert_eq!(response.status(), 400, "{sent}");
        assert_eq!(body_json(&response)["error"]["field"], "emailVerified", "{sent}");
        assert!(pool.calls().is_empty(), "{sent}");
    }
}

#[tokio::test]
async fn a_users_email_verified_reads_from_cognitos_string() {
    // GIVEN users whose email_verified Cognito holds as "true", "false", or not at all
    for (stored, shown) in [(Some("true"), true), (Some("false"), false), (None, false)] {
        let mut user = pool_user(stored.unwrap_or_default());
        if stored.is_none() {
            user.attributes.remove("email_verified");
        }
        let pool = Arc::new(ScriptedPool::new(
            live_admin().into_iter().chain([Ok(ScriptedReply::User(user)), Ok(ScriptedReply::Groups(vec![]))]),
        ));
        let state = fn_users::UsersState::new(pool, "admins", Cors::default());
        // WHEN an admin looks the user up
        let response =
            fn_users::handle(&state, request(&event("GET", "/users/{username}", "/users/new@example.com", "admins")))
                .await;
        // THEN the answer shows a boolean
        assert_eq!(response.status(), 200, "{stored:?}");
        assert_eq!(body_json(&response)["emailVerified"], json!(shown), "{stored:?}");
    }
}

/// `someone@example.com`, as Cognito's `AdminGetUser` answers for them, in `status`.
fn someone(status: &str) -> Result<ScriptedReply, auth_domain::CognitoError> {
    Ok(ScriptedReply::User(PoolUser {
        username: "someone@example.com".into(),
        attributes: [("sub".to_string(), "sub-someone".to_string())].into_iter().collect(),
        status: status.into(),
        enabled: true,
        ..PoolUser::default()
    }))
}

#[tokio::test]
async fn an_admin_signs_a_user_out_everywhere_with_a_204() {
    // GIVEN an admin, and a user with sessions
    let pool =
        Arc::new(ScriptedPool::new(live_admin().into_iter().chain([someone("CONFIRMED"), Ok(ScriptedReply::Done)])));
    let state = fn_users::UsersState::new(pool.clone(), "admins", Cors::default());
    // WHEN the admin signs them out
    let event = event("POST", "/users/{username}/sign-out", "/users/someone@example.com/sign-out", "admins");
    let response = fn_users::handle(&state, request(&event)).await;
    // THEN 204, after the live check with the admin's own access token and the global sign-out
    assert_eq!(response.status(), 204, "{:?}", response.body());
    assert_eq!(
        pool.calls(),
        [
            Call::GetUser(caller_bearer_token()),
            Call::AdminGroups("8f1c0d2e-sub".into()),
            Call::AdminGetUser("someone@example.com".into()),
            Call::AdminAction(AdminAction::SignOut, "someone@example.com".into()),
        ]
    );
}

#[tokio::test]
async fn an_admin_sends_an_invitation_again_with_a_202() {
    // GIVEN an admin, and a user who has not signed in yet
    let pool = Arc::new(ScriptedPool::new(
        live_admin().into_iter().chain([someone("FORCE_CHANGE_PASSWORD"), Ok(ScriptedReply::Done)]),
    ));
    let state = fn_users::UsersState::new(pool.clone(), "admins", Cors::default());
    // WHEN the admin sends the invitation again
    let event = event("POST", "/users/{username}/invitation", "/users/someone@example.com/invitation", "admins");
    let response = fn_users::handle(&state, request(&event)).await;
    // THEN 202 with no body, after Cognito was asked to resend it
    assert_eq!(response.status(), 202, "{:?}", response.body());
    assert_eq!(pool.calls().last(), Some(&Call::ResendInvitation("someone@example.com".into())));
}

#[tokio::test]
async fn an_admin_route_called_with_an_id_token_is_a_401_with_the_apis_error_body_before_cognito() {
    // GIVEN an admin whose request the authorizer let in with their ID token
    let pool = Arc::new(ScriptedPool::default());
    let state = fn_users::UsersState::new(pool.clone(), "admins", Cors::default());
    let mut event = authorized_event("GET", "/users", None);
    event["requestContext"]["authorizer"]["groups"] = json!("admins");
    let event = with_header(event, "Authorization", &format!("Bearer {}", caller_bearer_token()));
    // WHEN it reaches the handler
    let response = fn_users::handle(&state, request(&event)).await;
    // THEN 401 with the API's error body and a Bearer challenge, and Cognito is never called
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    assert_eq!(body(&response)["error"]["code"], "Unauthorized");
    assert!(pool.calls().is_empty());
}

#[tokio::test]
async fn an_admin_whose_session_ended_is_answered_401_and_nothing_is_done() {
    // GIVEN an admin whose access token Cognito now refuses (signed out, password changed, disabled)
    let pool = Arc::new(ScriptedPool::new([Err(error("NotAuthorizedException"))]));
    let state = fn_users::UsersState::new(pool.clone(), "admins", Cors::default());
    // WHEN they delete someone
    let event = event("DELETE", "/users/{username}", "/users/someone@example.com", "admins");
    let response = fn_users::handle(&state, request(&event)).await;
    // THEN 401 (sign in again), and the live check was the only call
    assert_eq!(response.status(), 401);
    assert_eq!(body(&response)["error"]["code"], "Unauthorized");
    assert_eq!(pool.calls(), [Call::GetUser(caller_bearer_token())]);
}
