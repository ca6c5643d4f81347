//! IAM in the local stack: each function calls Cognito as itself, with the policy
//! `template.yaml` gives it. Every action a function's policy grants is needed: taken out, the
//! route that uses it answers the function's 5xx, and the function's log names the refusal
//! (`AccessDeniedException`, the principal, the action). And with the template's real policies,
//! the admin list answers pages of every size.

use std::sync::{Arc, Mutex, OnceLock};

use e2e::{TestStack, text};
use local_stack::iam::TemplatePolicies;
use reqwest::StatusCode;
use serde_json::json;

/// Everything the functions log in this test binary (the local gateway runs them in-process).
fn log() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || Writer(writer.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber of this test binary");
        buffer
    })
    .clone()
}

struct Writer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Writer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn logged_since(start: usize) -> String {
    let log = log();
    let buffer = log.lock().expect("log");
    String::from_utf8_lossy(&buffer[start.min(buffer.len())..]).into_owned()
}

fn log_len() -> usize {
    log().lock().expect("log").len()
}

/// One action of a function's policy and the request that needs it.
struct Needed<'a> {
    function: &'static str,
    action: &'static str,
    method: &'static str,
    path: &'static str,
    body: Option<&'a str>,
}

const USERS: &str = "UsersFunction";

/// Each action `template.yaml` grants the users function, with a route that calls it. The
/// users are arranged by [`users_arranged`].
const USERS_ACTIONS: &[Needed<'static>] = &[
    Needed { function: USERS, action: "AdminCreateUser", method: "POST", path: "/users", body: Some(NEW_USER) },
    Needed { function: USERS, action: "AdminGetUser", method: "GET", path: "/users/demo@example.com", body: None },
    // The live admin check (every admin route): GetUser with the admin's access token (no IAM),
    // then their groups.
    Needed {
        function: USERS,
        action: "AdminListGroupsForUser",
        method: "GET",
        path: "/users/demo@example.com",
        body: None,
    },
    Needed { function: USERS, action: "ListUsers", method: "GET", path: "/users", body: None },
    Needed { function: USERS, action: "ListGroups", method: "GET", path: "/users", body: None },
    Needed { function: USERS, action: "ListUsersInGroup", method: "GET", path: "/users", body: None },
    Needed { function: USERS, action: "AdminDeleteUser", method: "DELETE", path: "/users/c@example.com", body: None },
    Needed {
        function: USERS,
        action: "AdminDisableUser",
        method: "POST",
        path: "/users/a@example.com/disable",
        body: None,
    },
    Needed {
        function: USERS,
        action: "AdminEnableUser",
        method: "POST",
        path: "/users/a@example.com/enable",
        body: None,
    },
    Needed {
        function: USERS,
        action: "AdminAddUserToGroup",
        method: "PUT",
        path: "/users/a@example.com/groups/readers",
        body: None,
    },
    // Groups named at creation are looked up before anything is created.
    Needed { function: USERS, action: "GetGroup", method: "POST", path: "/users", body: Some(NEW_GROUPED_USER) },
    Needed {
        function: USERS,
        action: "AdminRemoveUserFromGroup",
        method: "DELETE",
        path: "/users/b@example.com/groups/readers",
        body: None,
    },
    Needed {
        function: USERS,
        action: "AdminResetUserPassword",
        method: "POST",
        path: "/users/demo@example.com/reset-password",
        body: None,
    },
    Needed {
        function: USERS,
        action: "AdminSetUserPassword",
        method: "PUT",
        path: "/users/a@example.com/password",
        body: Some(r#"{"password":"Any-passw0rd1"}"#),
    },
    // Signing someone out everywhere; disabling, deleting, a reset, a password set and a removal
    // from a group call it too, each shown by this row's refusal.
    Needed {
        function: USERS,
        action: "AdminUserGlobalSignOut",
        method: "POST",
        path: "/users/b@example.com/sign-out",
        body: None,
    },
];

const NEW_USER: &str = r#"{"username":"new@example.com","temporaryPassword":"Temp-passw0rd1","sendInvite":false}"#;
const NEW_GROUPED_USER: &str = r#"{"username":"grouped@example.com","sendInvite":false,"groups":["readers"]}"#;

/// Three more people (a, b, c), b in a second group `readers`: pages of five with two groups,
/// which the list reads group by group.
async fn users_arranged(t: &TestStack) {
    let cognito = t.cognito().await;
    let pool = &t.stack.pool.pool_id;
    cognito.create_group().user_pool_id(pool).group_name("readers").send().await.expect("group");
    for email in ["a@example.com", "b@example.com", "c@example.com"] {
        t.invited_with_sdk(email, "Temp-passw0rd1").await;
    }
    cognito
        .admin_add_user_to_group()
        .user_pool_id(pool)
        .username("b@example.com")
        .group_name("readers")
        .send()
        .await
        .expect("b in readers");
}

/// The actions of the auth function's policy, each shown needed by
/// [`without_either_admin_flow_action_the_auth_function_fails_with_a_5xx_and_logs_why`].
const AUTH_ACTIONS: &[&str] = &["AdminInitiateAuth", "AdminRespondToAuthChallenge"];

/// The actions of the password function's policy, each shown needed by
/// [`without_the_global_sign_out_after_a_reset_the_password_function_fails_with_a_5xx_and_logs_why`].
const PASSWORD_ACTIONS: &[&str] = &["AdminUserGlobalSignOut"];

/// Sends `needed`'s request as `token`, with the function's policy less `needed.action`; THEN
/// the function's 5xx, its log naming the refusal; and with the policy restored, the same
/// request succeeds.
async fn refused_without(t: &TestStack, template: &TemplatePolicies, token: Option<&str>, needed: &Needed<'_>) {
    refused_only_without(t, template, token, needed).await;
    let again = t.send(needed.method, needed.path, token, needed.body).await;
    assert!(
        again.status.is_success(),
        "{} {} with {} granted again: {} {:?}",
        needed.method,
        needed.path,
        needed.action,
        again.status,
        again.body
    );
}

/// The first half of [`refused_without`]: the refusal, then the policy restored (for a request
/// that cannot be sent twice, such as a reset that uses up its code).
async fn refused_only_without(t: &TestStack, template: &TemplatePolicies, token: Option<&str>, needed: &Needed<'_>) {
    let qualified = format!("cognito-idp:{}", needed.action);
    assert!(
        template.allowed_actions(needed.function).contains(&qualified),
        "{} does not grant {qualified}: the table is out of date",
        needed.function
    );
    t.stack.set_policies(&template.clone().without_action(needed.function, &qualified)).expect("policies written");
    let start = log_len();
    let reply = t.send(needed.method, needed.path, token, needed.body).await;
    assert!(
        reply.status.is_server_error(),
        "{} {} without {qualified}: {} {:?}",
        needed.method,
        needed.path,
        reply.status,
        reply.body
    );
    assert_eq!(reply.error_code(), "UpstreamError", "{:?}", reply.body);
    let logged = logged_since(start);
    let principal = format!("assumed-role/{}Role/{}", needed.function, needed.function);
    assert!(
        logged.contains("AccessDeniedException") && logged.contains(&principal) && logged.contains(&qualified),
        "{qualified}: the function's log does not name the refusal:\n{logged}"
    );
    t.stack.set_policies(template).expect("policies restored");
}

#[test]
fn every_action_any_function_is_granted_has_a_test_that_needs_it() {
    let template = TemplatePolicies::from_repository().expect("template.yaml");
    let covered: Vec<(&str, String)> = USERS_ACTIONS
        .iter()
        .map(|n| (n.function, format!("cognito-idp:{}", n.action)))
        .chain(AUTH_ACTIONS.iter().map(|a| ("AuthFunction", format!("cognito-idp:{a}"))))
        .chain(PASSWORD_ACTIONS.iter().map(|a| ("PasswordFunction", format!("cognito-idp:{a}"))))
        .collect();
    for function in template.functions() {
        for granted in template.allowed_actions(function) {
            assert!(
                covered.iter().any(|(f, a)| *f == function && *a == granted),
                "{function} is granted {granted}, and no test here shows it needed"
            );
        }
    }
}

#[tokio::test]
async fn without_any_one_action_of_its_policy_the_users_function_fails_with_a_5xx_and_logs_why() {
    let _ = log();
    let t = TestStack::start().await;
    let template = TemplatePolicies::from_repository().expect("template.yaml");
    users_arranged(&t).await;
    let admin = t.access_token(t.admin()).await;
    // Every action the template grants the users function is in the table.
    let covered: Vec<String> = USERS_ACTIONS.iter().map(|n| format!("cognito-idp:{}", n.action)).collect();
    for granted in template.allowed_actions(USERS) {
        assert!(covered.contains(&granted), "{granted} has no route in USERS_ACTIONS");
    }
    for needed in USERS_ACTIONS {
        refused_without(&t, &template, Some(&admin), needed).await;
    }
}

#[tokio::test]
async fn without_either_admin_flow_action_the_auth_function_fails_with_a_5xx_and_logs_why() {
    let _ = log();
    let t = TestStack::start().await;
    let template = TemplatePolicies::from_repository().expect("template.yaml");
    let demo = t.user();
    let sign_in =
        json!({"username": demo.email, "password": demo.password, "flow": "ADMIN_USER_PASSWORD_AUTH"}).to_string();
    let initiate = Needed {
        function: "AuthFunction",
        action: AUTH_ACTIONS[0],
        method: "POST",
        path: "/auth/sign-in",
        body: Some(&sign_in),
    };
    refused_without(&t, &template, None, &initiate).await;

    // An invited person's first admin-flow sign-in is a challenge, answered with the admin call.
    t.invited_with_sdk("invited@example.com", "Temp-passw0rd1").await;
    let first = t.try_sign_in("invited@example.com", "Temp-passw0rd1", Some("ADMIN_USER_PASSWORD_AUTH")).await;
    assert_eq!(text(&first.body, "/challenge/name"), "NEW_PASSWORD_REQUIRED", "{:?}", first.body);
    let answer = json!({
        "username": text(&first.body, "/username"),
        "name": "NEW_PASSWORD_REQUIRED",
        "session": text(&first.body, "/challenge/session"),
        "responses": {"NEW_PASSWORD": "Chosen-passw0rd2"},
    })
    .to_string();
    let respond = Needed {
        function: "AuthFunction",
        action: AUTH_ACTIONS[1],
        method: "POST",
        path: "/auth/challenge",
        body: Some(&answer),
    };
    // Refused, the session is not used up: granted again, the same answer signs them in.
    refused_without(&t, &template, None, &respond).await;
}

#[tokio::test]
async fn without_the_global_sign_out_after_a_reset_the_password_function_fails_with_a_5xx_and_logs_why() {
    // GIVEN the demo user, who forgot their password, and the code Cognito emailed them
    let _ = log();
    let t = TestStack::start().await;
    let template = TemplatePolicies::from_repository().expect("template.yaml");
    let email = t.user().email.clone();
    let reset_with =
        |code: String| json!({"username": email, "code": code, "newPassword": "Reset-passw0rd1"}).to_string();
    assert_eq!(t.post("/password/forgot", json!({"username": email})).await.status, StatusCode::ACCEPTED);
    let body = reset_with(t.sent_code(&email, "reset-password"));
    // WHEN the reset is sent with the password function's policy less AdminUserGlobalSignOut
    // THEN a 5xx (the password changed, but the sessions could not be ended), the log naming why
    let reset = Needed {
        function: "PasswordFunction",
        action: PASSWORD_ACTIONS[0],
        method: "POST",
        path: "/password/reset",
        body: Some(&body),
    };
    refused_only_without(&t, &template, None, &reset).await;
    // AND with the policy restored, a reset with a new code succeeds (the first one is used up)
    assert_eq!(t.post("/password/forgot", json!({"username": email})).await.status, StatusCode::ACCEPTED);
    let again = reset_with(t.sent_code(&email, "reset-password"));
    let done = t.send("POST", "/password/reset", None, Some(&again)).await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{:?}", done.body);
}

#[tokio::test]
async fn with_the_templates_policies_the_admin_list_answers_pages_of_3_20_and_60() {
    // GIVEN 60 people besides the demo pair, in four groups (the admins, and three of ten each)
    let t = TestStack::start().await;
    let cognito = t.cognito().await;
    let pool = &t.stack.pool.pool_id;
    for group in ["g1", "g2", "g3"] {
        cognito.create_group().user_pool_id(pool).group_name(group).send().await.expect("group");
    }
    for i in 0..60 {
        let email = format!("person{i:02}@example.com");
        t.invited_with_sdk(&email, "Temp-passw0rd1").await;
        if i < 30 {
            cognito
                .admin_add_user_to_group()
                .user_pool_id(pool)
                .username(&email)
                .group_name(["g1", "g2", "g3"][i % 3])
                .send()
                .await
                .expect("membership");
        }
    }
    let admin = t.access_token(t.admin()).await;
    // WHEN an admin lists pages of 3, 20 and 60 THEN each is a 200 with that many people and
    // their groups
    for limit in [3, 20, 60] {
        let page = t.get(&format!("/users?limit={limit}"), Some(&admin)).await;
        assert_eq!(page.status, StatusCode::OK, "limit {limit}: {:?}", page.body);
        let users = page.body["users"].as_array().expect("users");
        assert_eq!(users.len(), limit, "limit {limit}");
        assert!(users.iter().all(|u| u["groups"].is_array()), "{:?}", page.body);
    }
    let everyone = t.get("/users?limit=60", Some(&admin)).await;
    let in_groups = everyone.body["users"]
        .as_array()
        .expect("users")
        .iter()
        .filter(|u| u["groups"].as_array().is_some_and(|g| !g.is_empty()))
        .count();
    assert!(in_groups >= 25, "{in_groups} of a page of 60 listed with a group");
}
