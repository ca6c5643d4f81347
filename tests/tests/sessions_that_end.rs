//! Sessions that end, through the local gateway as a frontend calls the API: a new password, a
//! sign-out and an administrator's action end every session of the person (Cognito leaves that
//! to the API after a password change or reset: the API signs the person out itself), and an
//! access token Cognito has revoked is refused by Cognito on the next call, whatever the
//! authorizer (which checks signature and expiry only) or its cache says. Each route takes the
//! token it names: an ID token on `/users` and an access token on `/me` are 403.
//! docs/cognito-conformance.md, "Sessions that end (through the API)".

use std::time::Duration;

use e2e::{ApiResponse, TestStack, text};
use local_stack::StackOptions;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The demo user signed in (USER_PASSWORD_AUTH) with `password`: the sign-in's body.
async fn demo_signed_in(t: &TestStack, password: &str) -> Value {
    let reply = t.try_sign_in(&t.user().email, password, Some("USER_PASSWORD_AUTH")).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}

/// `POST /auth/refresh` with the session's refresh token.
async fn refresh(t: &TestStack, session: &Value) -> ApiResponse {
    t.post("/auth/refresh", json!({"refreshToken": text(session, "/tokens/refreshToken")})).await
}

/// `GET /mfa/preference` with the session's access token: Cognito's `GetUser`.
async fn read_preference(t: &TestStack, session: &Value) -> ApiResponse {
    t.get("/mfa/preference", Some(text(session, "/tokens/accessToken"))).await
}

/// THEN the session is over: its refresh token no longer refreshes (401 `NotAuthorized`, as any
/// refused refresh token) and Cognito refuses its access token (401 `Unauthorized`: sign in again).
async fn assert_ended(t: &TestStack, session: &Value, what: &str) {
    let refreshed = refresh(t, session).await;
    assert_eq!(
        (refreshed.status, refreshed.error_code()),
        (StatusCode::UNAUTHORIZED, "NotAuthorized"),
        "{what}: the old refresh token still refreshes: {:?}",
        refreshed.body
    );
    let read = read_preference(t, session).await;
    assert_eq!(
        (read.status, read.error_code()),
        (StatusCode::UNAUTHORIZED, "Unauthorized"),
        "{what}: Cognito still takes the old access token: {:?}",
        read.body
    );
}

/// An admin's action on the demo user, with a fresh admin access token: the reply.
async fn as_admin(t: &TestStack, method: &str, path: &str, body: Option<Value>) -> ApiResponse {
    let admin = t.access_token(t.admin()).await;
    t.send(method, path, Some(&admin), body.map(|b| b.to_string()).as_deref()).await
}

#[tokio::test]
async fn after_a_password_change_every_old_refresh_and_access_token_of_the_person_is_refused() {
    // GIVEN the demo user signed in on two devices, each session working
    let t = TestStack::start().await;
    let (phone, laptop) = (demo_signed_in(&t, &t.user().password).await, demo_signed_in(&t, &t.user().password).await);
    assert_eq!(read_preference(&t, &phone).await.status, StatusCode::OK);
    // WHEN they change their password on the phone
    let body = json!({"previousPassword": t.user().password, "proposedPassword": "Changed-passw0rd1"});
    let changed =
        t.send("POST", "/password/change", Some(text(&phone, "/tokens/accessToken")), Some(&body.to_string())).await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{:?}", changed.body);
    // THEN both sessions are over, the phone's own included
    assert_ended(&t, &phone, "the device that changed it").await;
    assert_ended(&t, &laptop, "the other device").await;
    // AND the new password signs in, and that session works
    let fresh = demo_signed_in(&t, "Changed-passw0rd1").await;
    assert_eq!(read_preference(&t, &fresh).await.status, StatusCode::OK);
    assert_eq!(refresh(&t, &fresh).await.status, StatusCode::OK);
}

#[tokio::test]
async fn after_a_password_reset_with_the_emailed_code_every_old_session_of_the_person_is_refused() {
    // GIVEN the demo user signed in somewhere (a stolen session, say)
    let t = TestStack::start().await;
    let old = demo_signed_in(&t, &t.user().password).await;
    // WHEN they reset their password with the code Cognito emailed them
    let email = t.user().email.clone();
    assert_eq!(t.post("/password/forgot", json!({"username": email})).await.status, StatusCode::ACCEPTED);
    let code = t.sent_code(&email, "reset-password");
    let reset =
        t.post("/password/reset", json!({"username": email, "code": code, "newPassword": "Reset-passw0rd1"})).await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT, "{:?}", reset.body);
    // THEN that session is over
    assert_ended(&t, &old, "after the reset").await;
    // AND the new password signs in
    demo_signed_in(&t, "Reset-passw0rd1").await;
}

#[tokio::test]
async fn an_admins_sign_out_of_a_person_ends_every_session_of_theirs_and_of_nobody_else() {
    // GIVEN the demo user signed in, and the admin
    let t = TestStack::start().await;
    let demo = demo_signed_in(&t, &t.user().password).await;
    let admin = t.access_token(t.admin()).await;
    // WHEN the admin signs the demo user out everywhere
    let out = t.send("POST", "/users/demo@example.com/sign-out", Some(&admin), None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{:?}", out.body);
    // THEN the demo user's session is over, the admin's is not, and the demo user can sign in again
    assert_ended(&t, &demo, "after the admin's sign-out").await;
    assert_eq!(t.get("/users/demo@example.com", Some(&admin)).await.status, StatusCode::OK);
    demo_signed_in(&t, &t.user().password).await;
    // AND an unknown person is a 404
    let nobody = t.send("POST", "/users/nobody@example.com/sign-out", Some(&admin), None).await;
    assert_eq!((nobody.status, nobody.error_code()), (StatusCode::NOT_FOUND, "UserNotFound"), "{:?}", nobody.body);
}

#[tokio::test]
async fn an_admin_cannot_sign_themself_out_through_the_users_routes() {
    // GIVEN a signed-in admin
    let t = TestStack::start().await;
    let admin = t.sign_in(t.admin()).await;
    let token = text(&admin, "/tokens/accessToken");
    // WHEN they ask to sign themself out as an admin THEN 409 (their own sign-out is /auth/sign-out)
    let own = t.send("POST", "/users/admin@example.com/sign-out", Some(token), None).await;
    assert_eq!((own.status, own.error_code()), (StatusCode::CONFLICT, "Conflict"), "{:?}", own.body);
    // AND their session goes on
    assert_eq!(refresh(&t, &admin).await.status, StatusCode::OK);
    assert_eq!(t.get("/users", Some(token)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_admins_password_reset_ends_the_persons_sessions() {
    // GIVEN the demo user signed in (a person in RESET_REQUIRED could otherwise still refresh)
    let t = TestStack::start().await;
    let demo = demo_signed_in(&t, &t.user().password).await;
    // WHEN an admin makes them reset their password
    let reset = as_admin(&t, "POST", "/users/demo@example.com/reset-password", None).await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT, "{:?}", reset.body);
    // THEN their session is over
    assert_ended(&t, &demo, "after the admin's reset").await;
}

#[tokio::test]
async fn a_password_an_admin_sets_ends_the_persons_sessions() {
    // GIVEN the demo user signed in
    let t = TestStack::start().await;
    let demo = demo_signed_in(&t, &t.user().password).await;
    // WHEN an admin sets their password
    let set = json!({"password": "Set-by-admin-passw0rd1", "permanent": true});
    let reply = as_admin(&t, "PUT", "/users/demo@example.com/password", Some(set)).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{:?}", reply.body);
    // THEN their session is over, and the password set signs in
    assert_ended(&t, &demo, "after the admin set the password").await;
    demo_signed_in(&t, "Set-by-admin-passw0rd1").await;
}

#[tokio::test]
async fn disabling_ends_the_persons_sessions_for_good_even_once_enabled_again() {
    // GIVEN the demo user signed in
    let t = TestStack::start().await;
    let demo = demo_signed_in(&t, &t.user().password).await;
    // WHEN an admin disables them, then enables them again
    let disabled = as_admin(&t, "POST", "/users/demo@example.com/disable", None).await;
    assert_eq!(disabled.status, StatusCode::NO_CONTENT, "{:?}", disabled.body);
    let enabled = as_admin(&t, "POST", "/users/demo@example.com/enable", None).await;
    assert_eq!(enabled.status, StatusCode::NO_CONTENT, "{:?}", enabled.body);
    // THEN the session from before stays over (disabling alone would not have revoked the refresh
    // token), and a new sign-in works
    assert_ended(&t, &demo, "after disable and enable").await;
    demo_signed_in(&t, &t.user().password).await;
}

#[tokio::test]
async fn removal_from_a_group_ends_the_persons_sessions_so_no_token_names_the_group_any_more() {
    // GIVEN the demo user in a group "staff", signed in: their tokens name the group
    let t = TestStack::start().await;
    t.cognito().await.create_group().user_pool_id(&t.stack.pool.pool_id).group_name("staff").send().await.unwrap();
    let added = as_admin(&t, "PUT", "/users/demo@example.com/groups/staff", None).await;
    assert_eq!(added.status, StatusCode::NO_CONTENT, "{:?}", added.body);
    let demo = demo_signed_in(&t, &t.user().password).await;
    let me = t.get("/me", Some(text(&demo, "/tokens/idToken"))).await;
    assert_eq!(me.body["groups"], json!(["staff"]), "{:?}", me.body);
    // WHEN an admin removes them from the group
    let removed = as_admin(&t, "DELETE", "/users/demo@example.com/groups/staff", None).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{:?}", removed.body);
    // THEN the session whose tokens name the group is over, and a new one names no group
    assert_ended(&t, &demo, "after the removal").await;
    let fresh = demo_signed_in(&t, &t.user().password).await;
    assert_eq!(t.get("/me", Some(text(&fresh, "/tokens/idToken"))).await.body["groups"], json!([]));
}

/// A stack whose gateway does not cache the authorizer's answers: every request runs it, so a
/// 401 from the function shows the authorizer took the token and Cognito refused it.
async fn uncached() -> TestStack {
    TestStack::start_with(StackOptions { authorizer_cache_ttl: Duration::ZERO, ..StackOptions::for_tests() }).await
}

/// THEN `/users` with `token` is Cognito's refusal, not the authorizer's: the authorizer ran and
/// let the request through (the token is signed and unexpired), the function ran, and answered
/// 401 `Unauthorized` because Cognito refused the revoked token.
async fn assert_refused_by_cognito_not_the_authorizer(t: &TestStack, token: &str) {
    let gateway = &t.stack.gateway;
    let (authorized, invoked) = (gateway.authorizer_invocations(), gateway.function_invocations());
    let listed = t.get("/users", Some(token)).await;
    assert_eq!((listed.status, listed.error_code()), (StatusCode::UNAUTHORIZED, "Unauthorized"), "{:?}", listed.body);
    assert_eq!(gateway.authorizer_invocations(), authorized + 1, "the authorizer was asked");
    assert_eq!(gateway.function_invocations(), invoked + 1, "the authorizer let it through to the function");
}

#[tokio::test]
async fn an_admin_who_signs_out_can_no_longer_use_the_users_routes_with_their_old_access_token() {
    // GIVEN a signed-in admin whose access token lists people
    let t = uncached().await;
    let token = t.access_token(t.admin()).await;
    assert_eq!(t.get("/users", Some(&token)).await.status, StatusCode::OK);
    // WHEN they sign out
    let out = t.send("POST", "/auth/sign-out", Some(&token), None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{:?}", out.body);
    // THEN the token, still signed and unexpired, no longer administers anything
    assert_refused_by_cognito_not_the_authorizer(&t, &token).await;
    let disabled = t.send("POST", "/users/demo@example.com/disable", Some(&token), None).await;
    assert_eq!(disabled.status, StatusCode::UNAUTHORIZED, "{:?}", disabled.body);
    // AND nothing was done with it
    let admin = t.access_token(t.admin()).await;
    assert_eq!(t.get("/users/demo@example.com", Some(&admin)).await.body["enabled"], json!(true));
}

#[tokio::test]
async fn an_admin_who_changes_their_password_can_no_longer_use_the_users_routes_with_their_old_access_token() {
    // GIVEN a signed-in admin, their answer to GET /users cached by the gateway
    let t = TestStack::start().await;
    let token = t.access_token(t.admin()).await;
    assert_eq!(t.get("/users", Some(&token)).await.status, StatusCode::OK);
    // WHEN they change their password
    let body = json!({"previousPassword": t.admin().password, "proposedPassword": "Changed-admin-passw0rd1"});
    let changed = t.send("POST", "/password/change", Some(&token), Some(&body.to_string())).await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{:?}", changed.body);
    // THEN the cached Allow lets the request through, and Cognito's refusal answers it
    let listed = t.get("/users", Some(&token)).await;
    assert_eq!((listed.status, listed.error_code()), (StatusCode::UNAUTHORIZED, "Unauthorized"), "{:?}", listed.body);
    // AND with no cache at all the same: the authorizer takes the token, Cognito does not
    let t = uncached().await;
    let token = t.access_token(t.admin()).await;
    let body = json!({"previousPassword": t.admin().password, "proposedPassword": "Changed-admin-passw0rd1"});
    let changed = t.send("POST", "/password/change", Some(&token), Some(&body.to_string())).await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{:?}", changed.body);
    assert_refused_by_cognito_not_the_authorizer(&t, &token).await;
}

#[tokio::test]
async fn an_id_token_is_refused_on_the_users_routes_and_an_access_token_on_me() {
    // GIVEN an admin's ID and access tokens, both valid
    let t = TestStack::start().await;
    let admin = t.sign_in(t.admin()).await;
    let (id, access) = (text(&admin, "/tokens/idToken"), text(&admin, "/tokens/accessToken"));
    // WHEN the ID token calls /users, and the access token /me
    let users = t.get("/users", Some(id)).await;
    let me = t.get("/me", Some(access)).await;
    // THEN each is a 403 from the authorizer's policy: the route takes the other token
    assert_eq!((users.status, users.error_code()), (StatusCode::FORBIDDEN, "Forbidden"), "{:?}", users.body);
    assert_eq!((me.status, me.error_code()), (StatusCode::FORBIDDEN, "Forbidden"), "{:?}", me.body);
    // AND each works where it belongs, after the policy cached for it denied the other route
    assert_eq!(t.get("/users", Some(access)).await.status, StatusCode::OK);
    assert_eq!(t.get("/me", Some(id)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn resending_an_invitation_gives_a_new_temporary_password_and_the_old_one_stops_working() {
    // GIVEN a person an admin invited through the API, with a temporary password emailed to them,
    // who has not signed in within the pool's seven days
    let t = TestStack::start().await;
    t.stop_clock().await;
    let admin = t.access_token(t.admin()).await;
    let email = "invited@example.com";
    let created = t.send("POST", "/users", Some(&admin), Some(&json!({"username": email}).to_string())).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let first = t.sent_code(email, "invitation");
    let fresh = t.try_sign_in(email, &first, Some("USER_PASSWORD_AUTH")).await;
    assert_eq!(text(&fresh.body, "/challenge/name"), "NEW_PASSWORD_REQUIRED", "{:?}", fresh.body);
    t.advance_clock(Duration::from_secs(8 * 24 * 60 * 60)).await;
    // (Cognito's "Temporary password has expired and must be reset by an administrator.", said
    // only after the right password, reaches the client as a 403 saying what to do.)
    let expired = t.try_sign_in(email, &first, Some("USER_PASSWORD_AUTH")).await;
    assert_eq!(
        (expired.status, expired.error_code()),
        (StatusCode::FORBIDDEN, "PasswordResetRequired"),
        "{:?}",
        expired.body
    );
    assert!(text(&expired.body, "/error/message").contains("invitation"), "{:?}", expired.body);
    // WHEN an admin sends the invitation again
    let resent = t.send("POST", &format!("/users/{email}/invitation"), Some(&admin), None).await;
    assert_eq!(resent.status, StatusCode::ACCEPTED, "{:?}", resent.body);
    // THEN a new temporary password is in the outbox, and it leads to choosing a password
    let second = t.sent_code(email, "invitation");
    assert_ne!(first, second);
    let started = t.try_sign_in(email, &second, Some("USER_PASSWORD_AUTH")).await;
    assert_eq!(text(&started.body, "/challenge/name"), "NEW_PASSWORD_REQUIRED", "{:?}", started.body);
    // AND the old one no longer signs in
    let old = t.try_sign_in(email, &first, Some("USER_PASSWORD_AUTH")).await;
    assert_eq!((old.status, old.error_code()), (StatusCode::UNAUTHORIZED, "NotAuthorized"), "{:?}", old.body);
    let done = t.answer(&started, json!({"NEW_PASSWORD": "Chosen-passw0rd1"})).await;
    assert_eq!(done.status, StatusCode::OK, "{:?}", done.body);
}

#[tokio::test]
async fn an_invitation_is_resent_only_to_a_person_who_has_not_signed_in_yet() {
    // GIVEN an admin, and the demo user, who has signed in (CONFIRMED)
    let t = TestStack::start().await;
    let admin = t.access_token(t.admin()).await;
    let before = t.stack.outbox.messages().len();
    // WHEN the admin asks to invite the demo user again THEN 409, and nothing is sent
    let confirmed = t.send("POST", "/users/demo@example.com/invitation", Some(&admin), None).await;
    assert_eq!((confirmed.status, confirmed.error_code()), (StatusCode::CONFLICT, "Conflict"), "{:?}", confirmed.body);
    assert_eq!(t.stack.outbox.messages().len(), before);
    // AND the demo user's password still works
    demo_signed_in(&t, &t.user().password).await;
    // AND an unknown person is a 404
    let nobody = t.send("POST", "/users/nobody@example.com/invitation", Some(&admin), None).await;
    assert_eq!((nobody.status, nobody.error_code()), (StatusCode::NOT_FOUND, "UserNotFound"), "{:?}", nobody.body);
}
