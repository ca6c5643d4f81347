//! User administration through the local gateway: admins only, every route.

use e2e::{TestStack, text};
use reqwest::StatusCode;
use serde_json::json;

const ROUTES: &[(&str, &str, Option<&str>)] = &[
    ("POST", "/users", Some(r#"{"username":"x@example.com"}"#)),
    ("GET", "/users", None),
    ("GET", "/users/demo@example.com", None),
    ("DELETE", "/users/demo@example.com", None),
    ("POST", "/users/demo@example.com/disable", None),
    ("POST", "/users/demo@example.com/enable", None),
    ("PUT", "/users/demo@example.com/groups/admins", None),
    ("DELETE", "/users/demo@example.com/groups/admins", None),
    ("POST", "/users/demo@example.com/reset-password", None),
    ("PUT", "/users/demo@example.com/password", Some(r#"{"password":"Any-passw0rd1"}"#)),
    ("POST", "/users/demo@example.com/sign-out", None),
    ("POST", "/users/demo@example.com/invitation", None),
];

#[tokio::test]
async fn a_non_admin_gets_403_on_every_users_route_with_either_token_even_with_a_cached_policy() {
    // GIVEN a plain user's ID and access tokens, each already allowed on a route that takes it
    let t = TestStack::start().await;
    let session = t.sign_in(t.user()).await;
    let (id, access) = (text(&session, "/tokens/idToken"), text(&session, "/tokens/accessToken"));
    // The authorizer's answer for these is cached and reused for the admin routes: it must deny them.
    assert_eq!(t.get("/me", Some(id)).await.status, StatusCode::OK);
    assert_eq!(t.get("/mfa/preference", Some(access)).await.status, StatusCode::OK);
    for token in [id, access] {
        // WHEN they call each admin route THEN 403, from the policy
        for (method, path, body) in ROUTES {
            let reply = t.send(method, path, Some(token), *body).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{method} {path}: {:?}", reply.body);
            assert_eq!(reply.error_code(), "Forbidden");
        }
    }
    // And nothing changed: the demo user is still there and enabled.
    let admin = t.access_token(t.admin()).await;
    let demo = t.get("/users/demo@example.com", Some(&admin)).await;
    assert_eq!((demo.status, &demo.body["enabled"]), (StatusCode::OK, &json!(true)));
}

#[tokio::test]
async fn an_admin_creates_finds_and_deletes_a_user() {
    let t = TestStack::start().await;
    let admin = t.access_token(t.admin()).await;
    let created = t
        .send(
            "POST",
            "/users",
            Some(&admin),
            Some(
                &json!({"username": "new@example.com", "temporaryPassword": "Temp-passw0rd1", "sendInvite": false,
                        "emailVerified": true, "attributes": {"name": "New"}, "groups": ["admins"]})
                .to_string(),
            ),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(created.body["email"], "new@example.com");
    assert_eq!(created.body["emailVerified"], true);
    assert_eq!(created.body["status"], "FORCE_CHANGE_PASSWORD");
    assert_eq!(created.body["groups"], json!(["admins"]));
    assert_eq!(created.body["attributes"]["name"], "New");
    assert!(!text(&created.body, "/sub").is_empty());

    let found = t.get("/users/new@example.com", Some(&admin)).await;
    assert_eq!((found.status, &found.body["sub"]), (StatusCode::OK, &created.body["sub"]));
    let listed = t.get("/users?email=new@example.com", Some(&admin)).await;
    assert_eq!(listed.status, StatusCode::OK, "{:?}", listed.body);
    assert_eq!(listed.body["users"].as_array().map(Vec::len), Some(1));

    // An admin cannot delete another admin through the API; demoted outside it, they can be.
    let refused = t.send("DELETE", "/users/new@example.com", Some(&admin), None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{:?}", refused.body);
    t.cognito()
        .await
        .admin_remove_user_from_group()
        .user_pool_id(&t.stack.pool.pool_id)
        .username("new@example.com")
        .group_name("admins")
        .send()
        .await
        .expect("demoted with the AWS SDK");
    let deleted = t.send("DELETE", "/users/new@example.com", Some(&admin), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{:?}", deleted.body);
    let gone = t.get("/users/new@example.com", Some(&admin)).await;
    assert_eq!((gone.status, gone.error_code()), (StatusCode::NOT_FOUND, "UserNotFound"));
    let again = t.send("DELETE", "/users/new@example.com", Some(&admin), None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn listing_pages_through_all_users() {
    let t = TestStack::start().await;
    let admin = t.access_token(t.admin()).await;
    let first = t.get("/users?limit=1", Some(&admin)).await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.body);
    assert_eq!(first.body["users"].as_array().map(Vec::len), Some(1));
    let next = text(&first.body, "/next").to_string();
    let second = t.get(&format!("/users?limit=1&next={}", urlencode(&next)), Some(&admin)).await;
    assert_eq!(second.status, StatusCode::OK, "{:?}", second.body);
    assert_ne!(first.body["users"][0]["sub"], second.body["users"][0]["sub"]);
    let confirmed = t.get("/users?status=CONFIRMED", Some(&admin)).await;
    assert_eq!(confirmed.body["users"].as_array().map(Vec::len), Some(2));
}

/// Through the strict emulator, the group-by-group reading (`ListUsersInGroup`) gives each user
/// exactly its groups; what a page costs in calls is pinned on the scripted Cognito
/// (`auth_domain::users` tests), which counts them.
#[tokio::test]
async fn a_page_read_group_by_group_gives_each_user_exactly_its_groups() {
    // GIVEN three more users, one of them in a second group
    let t = TestStack::start().await;
    let admin = t.access_token(t.admin()).await;
    t.cognito().await.create_group().user_pool_id(&t.stack.pool.pool_id).group_name("staff").send().await.unwrap();
    for (email, groups) in
        [("a@example.com", json!(["staff"])), ("b@example.com", json!([])), ("c@example.com", json!([]))]
    {
        let created = t
            .send("POST", "/users", Some(&admin), Some(&json!({"username": email, "groups": groups}).to_string()))
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    }
    // WHEN an admin lists them all (a page of five: read from the groups' member lists)
    let page = t.get("/users", Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
    // THEN each has exactly its groups
    let groups_of = |email: &str| {
        let users = page.body["users"].as_array().unwrap();
        users.iter().find(|u| u["email"] == email).map(|u| u["groups"].clone()).unwrap()
    };
    assert_eq!(groups_of("a@example.com"), json!(["staff"]));
    assert_eq!(groups_of("b@example.com"), json!([]));
    assert_eq!(groups_of(&t.admin().email), json!(["admins"]));
    assert_eq!(groups_of(&t.user().email), json!([]));
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

#[tokio::test]
async fn disabling_blocks_sign_in_and_enabling_restores_it() {
    let t = TestStack::start().await;
    let admin = t.access_token(t.admin()).await;
    let sign_in = || {
        t.post(
            "/auth/sign-in",
            json!({"username": t.user().email, "password": t.user().password, "flow": "USER_PASSWORD_AUTH"}),
        )
    };
    assert_eq!(
        t.send("POST", "/users/demo@example.com/disable", Some(&admin), None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(t.get("/users/demo@example.com", Some(&admin)).await.body["enabled"], false);
    // A disabled account answers as a wrong password does (cognito_errors.rs), never a 5xx.
    let refused = sign_in().await;
    assert_eq!(
        (refused.status, refused.error_code()),
        (StatusCode::UNAUTHORIZED, "NotAuthorized"),
        "{:?}",
        refused.body
    );
    assert_eq!(
        t.send("POST", "/users/demo@example.com/enable", Some(&admin), None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(sign_in().await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_admin_cannot_delete_or_disable_themself() {
    let t = TestStack::start().await;
    let admin = t.access_token(t.admin()).await;
    for (method, path) in [("DELETE", "/users/admin@example.com"), ("POST", "/users/admin@example.com/disable")] {
        let reply = t.send(method, path, Some(&admin), None).await;
        assert_eq!((reply.status, reply.error_code()), (StatusCode::CONFLICT, "Conflict"), "{method} {path}");
    }
}

#[tokio::test]
async fn group_membership_and_passwords_are_managed_by_admins() {
    let t = TestStack::start().await;
    let admin = t.access_token(t.admin()).await;
    assert_eq!(
        t.send("PUT", "/users/demo@example.com/groups/admins", Some(&admin), None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(t.get("/users/demo@example.com", Some(&admin)).await.body["groups"], json!(["admins"]));
    // Admins are protected from each other: no admin can take over or remove another through the
    // API (demote, disable, delete, reset or set their password).
    let set = json!({"password": "Taken-over-passw0rd1", "permanent": true}).to_string();
    for (method, path, body) in [
        ("DELETE", "/users/demo@example.com/groups/admins", None),
        ("PUT", "/users/demo@example.com/password", Some(set.as_str())),
        ("POST", "/users/demo@example.com/reset-password", None),
        ("POST", "/users/demo@example.com/disable", None),
        ("DELETE", "/users/demo@example.com", None),
    ] {
        let refused = t.send(method, path, Some(&admin), body).await;
        assert_eq!((refused.status, refused.error_code()), (StatusCode::FORBIDDEN, "Forbidden"), "{method} {path}");
    }
    assert_eq!(t.try_sign_in(&t.user().email, &t.user().password, None).await.status, StatusCode::OK);
    // Demoting an admin is done outside the API (the AWS console or CLI).
    t.cognito()
        .await
        .admin_remove_user_from_group()
        .user_pool_id(&t.stack.pool.pool_id)
        .username("demo@example.com")
        .group_name("admins")
        .send()
        .await
        .expect("demoted with the AWS SDK");
    assert_eq!(t.get("/users/demo@example.com", Some(&admin)).await.body["groups"], json!([]));
    let unknown_group = t.send("PUT", "/users/demo@example.com/groups/no-such-group", Some(&admin), None).await;
    assert_eq!(unknown_group.status, StatusCode::NOT_FOUND, "{:?}", unknown_group.body);

    let set = json!({"password": "Admin-set-passw0rd1", "permanent": true}).to_string();
    assert_eq!(
        t.send("PUT", "/users/demo@example.com/password", Some(&admin), Some(&set)).await.status,
        StatusCode::NO_CONTENT
    );
    let signed_in = t
        .post(
            "/auth/sign-in",
            json!({"username": t.user().email, "password": "Admin-set-passw0rd1", "flow": "USER_PASSWORD_AUTH"}),
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::OK, "{:?}", signed_in.body);
    let reset = t.send("POST", "/users/demo@example.com/reset-password", Some(&admin), None).await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT, "{:?}", reset.body);
}

#[tokio::test]
async fn unknown_users_and_bad_input_get_clear_errors() {
    let t = TestStack::start().await;
    let admin = t.access_token(t.admin()).await;
    for (method, path) in [("GET", "/users/nobody@example.com"), ("POST", "/users/nobody@example.com/enable")] {
        let reply = t.send(method, path, Some(&admin), None).await;
        assert_eq!((reply.status, reply.error_code()), (StatusCode::NOT_FOUND, "UserNotFound"), "{method} {path}");
    }
    for (method, path, body, field) in [
        ("GET", "/users?limit=0", None, "limit"),
        ("GET", "/users?limit=abc", None, "limit"),
        ("GET", "/users?status=ACTIVE", None, "status"),
        ("GET", "/users?email=a@b.c&status=CONFIRMED", None, "status"),
        ("POST", "/users", Some(r#"{}"#), "username"),
        ("POST", "/users", Some(r#"{"username":"a@b.c","groups":"admins"}"#), "groups"),
        ("PUT", "/users/demo@example.com/password", Some(r#"{"permanent":true}"#), "password"),
    ] {
        let reply = t.send(method, path, Some(&admin), body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{method} {path}: {:?}", reply.body);
        assert_eq!(reply.error_field(), field, "{method} {path}");
    }
}

#[tokio::test]
async fn documented_cognito_errors_are_client_errors_not_5xx() {
    let t = TestStack::start().await;
    let admin = t.access_token(t.admin()).await;
    let exists =
        t.send("POST", "/users", Some(&admin), Some(r#"{"username":"demo@example.com","sendInvite":false}"#)).await;
    assert_eq!((exists.status, exists.error_code()), (StatusCode::CONFLICT, "UsernameExists"), "{:?}", exists.body);
    let weak = t
        .send("PUT", "/users/demo@example.com/password", Some(&admin), Some(r#"{"password":"weak","permanent":true}"#))
        .await;
    assert_eq!((weak.status, weak.error_code()), (StatusCode::BAD_REQUEST, "InvalidPassword"), "{:?}", weak.body);
    assert_eq!(weak.error_field(), "password", "a weak password names the field it came in");
    let bogus_page = t.get("/users?next=not-a-page-token", Some(&admin)).await;
    assert_eq!(
        (bogus_page.status, bogus_page.error_field()),
        (StatusCode::BAD_REQUEST, "next"),
        "{:?}",
        bogus_page.body
    );
}

#[tokio::test]
async fn an_admin_finds_and_deletes_a_user_whose_name_is_percent_encoded_in_the_path() {
    // GIVEN an admin, and a user pat+tag@example.com created through the API
    let t = TestStack::start().await;
    let admin = t.access_token(t.admin()).await;
    let body = json!({"username": "pat+tag@example.com", "temporaryPassword": "Temp-passw0rd1", "sendInvite": false});
    let created = t.send("POST", "/users", Some(&admin), Some(&body.to_string())).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(created.body["email"], "pat+tag@example.com");

    // WHEN the admin asks for /users/pat%2Btag%40example.com, as a client that percent-encodes
    // the username must (API Gateway REST passes the path parameter on still encoded)
    let found = t.get("/users/pat%2Btag%40example.com", Some(&admin)).await;

    // THEN that user is found
    assert_eq!(found.status, StatusCode::OK, "{:?}", found.body);
    assert_eq!(found.body["email"], "pat+tag@example.com");
    assert_eq!(found.body["sub"], created.body["sub"]);
    // AND a '+' left unencoded is a '+' too, not a space
    let unencoded = t.get("/users/pat+tag@example.com", Some(&admin)).await;
    assert_eq!((unencoded.status, &unencoded.body["sub"]), (StatusCode::OK, &created.body["sub"]));

    // WHEN the admin deletes it through the encoded path, THEN it is gone
    let deleted = t.send("DELETE", "/users/pat%2Btag%40example.com", Some(&admin), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{:?}", deleted.body);
    let gone = t.get("/users/pat%2Btag%40example.com", Some(&admin)).await;
    assert_eq!((gone.status, gone.error_code()), (StatusCode::NOT_FOUND, "UserNotFound"));
}

#[tokio::test]
async fn a_malformed_escape_in_the_path_answers_400_naming_the_parameter() {
    let t = TestStack::start().await;
    let admin = t.access_token(t.admin()).await;
    let reply = t.get("/users/%E0%A4%A", Some(&admin)).await;
    assert_eq!((reply.status, reply.error_field()), (StatusCode::BAD_REQUEST, "username"), "{:?}", reply.body);
}

#[tokio::test]
async fn two_authorization_headers_on_a_protected_route_get_401_and_no_function_runs() {
    // GIVEN an admin's and a plain user's access tokens
    let t = TestStack::start().await;
    let admin = t.access_token(t.admin()).await;
    let user = t.access_token(t.user()).await;
    let gateway = &t.stack.gateway;
    let (authorized, invoked) = (gateway.authorizer_invocations(), gateway.function_invocations());

    for tokens in [[&admin, &user], [&user, &admin], [&admin, &admin]] {
        // WHEN a request to delete the demo user carries two Authorization headers
        let headers = tokens.map(|token| ("authorization", format!("Bearer {token}")));
        let reply = t.send_with_headers("DELETE", "/users/demo@example.com", &headers).await;

        // THEN the gateway answers 401 itself: neither the authorizer nor the function ran
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{:?}", reply.body);
        assert_eq!(reply.error_code(), "Unauthorized");
        assert_eq!(reply.headers["www-authenticate"], "Bearer");
    }
    assert_eq!(gateway.authorizer_invocations(), authorized);
    assert_eq!(gateway.function_invocations(), invoked);
    // AND the demo user is still there
    let demo = t.get("/users/demo@example.com", Some(&admin)).await;
    assert_eq!(demo.status, StatusCode::OK);
}

#[tokio::test]
async fn an_admin_token_loses_its_powers_when_its_holder_is_removed_and_nobody_enables_themself() {
    // GIVEN a signed-in admin
    let t = TestStack::start().await;
    let admin = t.access_token(t.admin()).await;
    assert_eq!(t.get("/users/demo@example.com", Some(&admin)).await.status, StatusCode::OK);
    // Nobody enables their own account (a disabled admin's token must not undo the disabling)
    let own = t.send("POST", "/users/admin@example.com/enable", Some(&admin), None).await;
    assert_eq!(own.status, StatusCode::CONFLICT, "{:?}", own.body);
    // WHEN the admin is removed from the admins group outside the API (their access token still
    // says "admins", and no sign-out revoked it)
    t.cognito()
        .await
        .admin_remove_user_from_group()
        .user_pool_id(&t.stack.pool.pool_id)
        .username(&t.admin().email)
        .group_name("admins")
        .send()
        .await
        .expect("removed with the AWS SDK");
    // THEN the token no longer does anything an admin can
    let listed = t.get("/users", Some(&admin)).await;
    assert_eq!(listed.status, StatusCode::FORBIDDEN, "{:?}", listed.body);
    let create = json!({"username": "mine@example.com", "groups": ["admins"]}).to_string();
    assert_eq!(t.send("POST", "/users", Some(&admin), Some(&create)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        t.send("PUT", "/users/admin@example.com/groups/admins", Some(&admin), None).await.status,
        StatusCode::FORBIDDEN
    );
}
