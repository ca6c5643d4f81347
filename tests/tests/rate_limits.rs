//! Limits per caller (the template's web ACL and its local stand-in) and the local access log.
//!
//! The flooding address is a client socket bound to 127.0.0.2 while the server stays on
//! 127.0.0.1 (Linux routes all of 127.0.0.0/8 to the loopback interface), so two callers with two
//! addresses reach the same stack. The web ACL's clock is moved instead of slept through.

use std::{
    collections::BTreeSet,
    net::IpAddr,
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

use api_types::routes::{self, Access};
use auth_domain::testing::CapturedLog;
use e2e::{
    TestStack,
    local_stack::{
        StackOptions,
        access_log::FIELDS,
        gateway::WAF_FILTERED_MESSAGE,
        limits::{COUNTED_METHOD, PerCallerLimits, RateLimits, SIGN_IN_PATHS, public_paths},
    },
};
use serde_json::{Value, json};
use serde_yaml_ng::Value as Yaml;

const ORIGIN: &str = "http://localhost:5173";
const FLOODER: [u8; 4] = [127, 0, 0, 2];
const WINDOW: Duration = Duration::from_secs(60);

fn limits(sign_in: u64, public_routes: u64, api: u64) -> PerCallerLimits {
    PerCallerLimits::On(RateLimits { sign_in, public_routes, api, window: WINDOW })
}

async fn stack_with(per_caller_limits: PerCallerLimits) -> TestStack {
    TestStack::start_with(StackOptions { per_caller_limits, ..StackOptions::for_tests() }).await
}

/// A client calling from `address`, as a browser page of [`ORIGIN`] would.
fn client_from(address: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder().local_address(IpAddr::from(address)).build().expect("an HTTP client")
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

async fn call(client: &reqwest::Client, t: &TestStack, method: &str, path: &str, body: Option<Value>) -> Answer {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut request = client.request(method, format!("{}{path}", t.stack.url)).header("origin", ORIGIN);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("the local gateway answers");
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    let bytes = response.bytes().await.expect("a body");
    Answer { status, headers, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null) }
}

/// A sign-in Cognito refuses, each for another username: no account reaches Cognito's lockout
/// (its 429 after five failures), so any 429 here is the web ACL's.
fn wrong_sign_in() -> Option<Value> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    Some(
        json!({"username": format!("nobody{n}@example.com"), "password": "Wrong-passw0rd", "flow": "USER_PASSWORD_AUTH"}),
    )
}

/// The access-log line of the request `answer` answered (by its `x-request-id`).
fn line_of(t: &TestStack, answer: &Answer) -> Value {
    let id = answer.header("x-request-id");
    let lines = t.stack.gateway.access_log().lines();
    let mine: Vec<&Value> = lines.iter().filter(|line| line["requestId"] == id).collect();
    assert_eq!(mine.len(), 1, "one line for request {id}: {lines:#?}");
    mine[0].clone()
}

fn assert_blocked_by_the_web_acl(answer: &Answer) {
    assert_eq!(answer.status, 429, "{:?}", answer.body);
    assert_eq!(answer.body, json!({"error": {"code": "TooManyRequests", "message": WAF_FILTERED_MESSAGE}}));
    assert_eq!(answer.header("retry-after"), WINDOW.as_secs().to_string());
    assert_eq!(answer.header("access-control-allow-origin"), ORIGIN);
    assert!(answer.header("access-control-expose-headers").contains("retry-after"));
    assert!(!answer.header("x-request-id").is_empty());
}

#[tokio::test]
async fn one_address_flooding_sign_in_is_refused_while_another_address_signs_in() {
    // GIVEN the web ACL at AWS WAF's least sign-in limit, 10 per window
    let t = stack_with(limits(10, 100, 1000)).await;
    let flooder = client_from(FLOODER);

    // WHEN one address sends its 10 sign-ins, then one more
    for _ in 0..10 {
        assert_eq!(call(&flooder, &t, "POST", "/auth/sign-in", wrong_sign_in()).await.status, 401);
    }
    let invoked = t.stack.gateway.function_invocations();
    let refused = call(&flooder, &t, "POST", "/auth/sign-in", wrong_sign_in()).await;

    // THEN the 11th is the web ACL's 429, with the API's error body, Retry-After and the CORS
    // headers, before any function runs
    assert_blocked_by_the_web_acl(&refused);
    assert_eq!(t.stack.gateway.function_invocations(), invoked);
    // AND the challenge route shares the sign-in rule's count
    let answer = call(&flooder, &t, "POST", "/auth/challenge", Some(json!({}))).await;
    assert_blocked_by_the_web_acl(&answer);

    // AND another address signs in meanwhile
    t.sign_in(t.user()).await;
}

#[tokio::test]
async fn an_address_may_call_again_once_the_window_has_passed() {
    // GIVEN an address blocked on sign-in
    let t = stack_with(limits(10, 100, 1000)).await;
    let flooder = client_from(FLOODER);
    for _ in 0..11 {
        call(&flooder, &t, "POST", "/auth/sign-in", wrong_sign_in()).await;
    }
    assert_eq!(call(&flooder, &t, "POST", "/auth/sign-in", wrong_sign_in()).await.status, 429);

    // WHEN the window passes with nothing sent
    t.stack.gateway.web_acl().expect("the limits are on").advance_clock(WINDOW);

    // THEN it is let through again
    assert_eq!(call(&flooder, &t, "POST", "/auth/sign-in", wrong_sign_in()).await.status, 401);
}

#[tokio::test]
async fn the_other_public_routes_have_a_rule_of_their_own() {
    // GIVEN the public-routes rule at 10
    let t = stack_with(limits(100, 10, 1000)).await;
    let flooder = client_from(FLOODER);

    // WHEN one address calls the other public routes 10 times
    for path in public_paths().cycle().take(10) {
        assert_ne!(call(&flooder, &t, "POST", path, Some(json!({}))).await.status, 429, "{path}");
    }

    // THEN the next one is blocked, while its sign-ins are still let through
    assert_blocked_by_the_web_acl(&call(&flooder, &t, "POST", "/password/forgot", Some(json!({}))).await);
    assert_eq!(call(&flooder, &t, "POST", "/auth/sign-in", wrong_sign_in()).await.status, 401);
}

#[tokio::test]
async fn the_whole_api_rule_counts_protected_routes_too() {
    // GIVEN the whole-API rule at 10 and a signed-in person on this address
    let t = stack_with(limits(100, 100, 10)).await;
    let token = t.id_token(t.user()).await; // 1 request counted

    // WHEN they call a protected route 9 times, then once more
    for _ in 0..9 {
        assert_eq!(t.get("/me", Some(&token)).await.status, 200);
    }
    let authorized = t.stack.gateway.authorizer_invocations();
    let refused = t.send_with_headers("GET", "/me", &[("authorization", format!("Bearer {token}"))]).await;

    // THEN the 11th request of the address is blocked before the authorizer runs
    assert_eq!(refused.status, 429);
    assert_eq!(refused.error_code(), "TooManyRequests");
    assert_eq!(t.stack.gateway.authorizer_invocations(), authorized);
    // AND the other address is not
    assert_eq!(call(&client_from(FLOODER), &t, "GET", "/me", None).await.status, 401);
}

#[tokio::test]
async fn preflights_use_up_none_of_the_sign_ins_but_count_against_the_whole_api() {
    // GIVEN sign-ins at 10 and the whole API at 15 per address
    let t = stack_with(limits(10, 100, 15)).await;
    let browser = client_from(FLOODER);

    // WHEN a page sends 10 preflights of the sign-in route, then signs in
    for _ in 0..10 {
        assert_eq!(call(&browser, &t, "OPTIONS", "/auth/sign-in", None).await.status, 204);
    }
    let signed_in = call(&browser, &t, "POST", "/auth/sign-in", wrong_sign_in()).await;

    // THEN the sign-in reaches the function: the preflights used none of the sign-in rule
    assert_eq!(signed_in.status, 401, "{:?}", signed_in.body);
    // AND the whole-API rule counted them: after 4 more requests (15 in all) the next is blocked
    for _ in 0..4 {
        assert_eq!(call(&browser, &t, "OPTIONS", "/auth/sign-in", None).await.status, 204);
    }
    let blocked = call(&browser, &t, "OPTIONS", "/auth/sign-in", None).await;
    assert_blocked_by_the_web_acl(&blocked);
}

#[tokio::test]
async fn with_the_limits_off_a_flood_goes_through() {
    // GIVEN the test stack's default: no web ACL
    let t = stack_with(PerCallerLimits::Off).await;
    let flooder = client_from(FLOODER);

    // WHEN one address sends 30 sign-ins
    for _ in 0..30 {
        // THEN every one reaches the function
        let answer = call(&flooder, &t, "POST", "/auth/sign-in", wrong_sign_in()).await;
        assert_eq!(answer.status, 401);
        // AND the access log says no web ACL saw it
        assert_eq!(line_of(&t, &answer)["wafResponseCode"], "-");
    }
}

// ---------------------------------------------------------------- the access log

/// The keys of the template's `AccessLogSetting.Format`, in its order.
fn template_access_log_keys() -> Vec<String> {
    let api = &template()["Resources"]["Api"]["Properties"];
    let format = api["AccessLogSetting"]["Format"].as_str().expect("a Format string");
    let sample: Value = serde_json::from_str(format).expect("the Format is one JSON object");
    // serde_json's map sorts its keys: the order is read from the text (`{"key":"$context.x",...}`,
    // no value holding a comma).
    let keys: Vec<String> = format
        .trim_start_matches('{')
        .trim_end_matches('}')
        .split(',')
        .map(|pair| pair.split(':').next().unwrap_or("").trim_matches('"').to_string())
        .collect();
    assert_eq!(sorted(&keys), sorted(sample.as_object().expect("an object").keys()));
    keys
}

/// The keys of an access-log line as written, in its order.
fn keys_in_order(line: &str) -> Vec<String> {
    let object: Value = serde_json::from_str(line).expect("a JSON line");
    let mut keys: Vec<(usize, String)> = object
        .as_object()
        .expect("an object")
        .keys()
        .map(|key| (line.find(&format!("\"{key}\":")).expect("the key is in the line"), key.clone()))
        .collect();
    keys.sort();
    keys.into_iter().map(|(_, key)| key).collect()
}

fn sorted(keys: impl IntoIterator<Item = impl ToString>) -> BTreeSet<String> {
    keys.into_iter().map(|k| k.to_string()).collect()
}

#[tokio::test]
async fn each_kind_of_answer_logs_one_line_with_the_templates_fields() {
    // GIVEN a stack behind the web ACL, and a signed-in person
    let t = stack_with(limits(10, 100, 1000)).await;
    let me = client_from([127, 0, 0, 1]);
    let flooder = client_from(FLOODER);
    let token = t.id_token(t.user()).await;

    // WHEN it answers with a function, the gateway's 401 (no token, and a token the authorizer
    // refuses), its 404, a preflight and the web ACL's block
    let function = {
        let request =
            me.get(format!("{}/me", t.stack.url)).bearer_auth(&token).header("user-agent", "tests\",\"x\":\"1");
        let response = request.send().await.expect("an answer");
        Answer { status: response.status().as_u16(), headers: response.headers().clone(), body: Value::Null }
    };
    let no_token = call(&me, &t, "GET", "/me", None).await;
    let refused = t.send_with_headers("GET", "/me", &[("authorization", "Bearer not-a-token".into())]).await;
    let refused = Answer { status: refused.status.as_u16(), headers: refused.headers, body: refused.body };
    let not_found = call(&me, &t, "GET", "/nowhere", None).await;
    let preflight = call(&me, &t, "OPTIONS", "/auth/sign-in", None).await;
    for _ in 0..10 {
        call(&flooder, &t, "POST", "/auth/sign-in", wrong_sign_in()).await;
    }
    let blocked = call(&flooder, &t, "POST", "/auth/sign-in", wrong_sign_in()).await;

    // THEN each has one line whose keys are exactly the template's, in its order, every value a
    // string
    let keys = template_access_log_keys();
    assert_eq!(keys, FIELDS, "the local gateway logs the template's fields in its order");
    for text in t.stack.gateway.access_log().text_lines() {
        assert_eq!(keys_in_order(&text), keys, "{text}");
    }
    let line = |answer: &Answer| {
        let line = line_of(&t, answer);
        let object = line.as_object().expect("an object");
        assert_eq!(sorted(object.keys()), sorted(&keys));
        assert!(object.values().all(Value::is_string), "{line}");
        assert_eq!(line["status"], answer.status.to_string());
        assert!(line["xrayTraceId"].as_str().unwrap().starts_with("1-"), "{line}");
        line
    };
    let l = line(&function);
    assert_eq!((&l["resourcePath"], &l["httpMethod"], &l["ip"]), (&json!("/me"), &json!("GET"), &json!("127.0.0.1")));
    // AND nothing the caller wrote is logged (API Gateway would not escape it)
    assert!(l.get("userAgent").is_none() && l.get("path").is_none(), "{l}");
    assert!(!serde_json::to_string(&l).unwrap().contains("tests"), "{l}");
    assert_eq!(
        (&l["integrationStatus"], &l["authorizerStatus"], &l["authorizerError"]),
        (&json!("200"), &json!("200"), &json!("-"))
    );
    assert_ne!(l["principalId"], "-");
    assert_ne!(l["integrationLatency"], "-");
    assert_eq!(
        (&l["wafStatus"], &l["wafResponseCode"], &l["errorResponseType"]),
        (&json!("200"), &json!("WAF_ALLOW"), &json!("-"))
    );
    assert_eq!(l["responseLength"], function.header("content-length"));

    let l = line(&no_token);
    assert_eq!(
        (&l["status"], &l["errorResponseType"], &l["authorizerStatus"]),
        (&json!("401"), &json!("UNAUTHORIZED"), &json!("-"))
    );
    assert_eq!(l["integrationStatus"], "-");

    let l = line(&refused);
    assert_eq!(
        (&l["authorizerStatus"], &l["authorizerError"], &l["errorResponseType"]),
        (&json!("401"), &json!("Unauthorized"), &json!("UNAUTHORIZED"))
    );
    assert_ne!(l["authorizerLatency"], "-");
    assert_eq!(l["integrationStatus"], "-");

    let l = line(&not_found);
    assert_eq!(
        (&l["status"], &l["resourcePath"], &l["errorResponseType"]),
        (&json!("404"), &json!("-"), &json!("MISSING_AUTHENTICATION_TOKEN"))
    );

    let l = line(&preflight);
    assert_eq!(
        (&l["status"], &l["httpMethod"], &l["resourcePath"]),
        (&json!("204"), &json!("OPTIONS"), &json!("/auth/sign-in"))
    );
    assert_eq!(
        (&l["authorizerStatus"], &l["integrationStatus"], &l["errorResponseType"]),
        (&json!("-"), &json!("-"), &json!("-"))
    );

    let l = line(&blocked);
    assert_eq!((&l["status"], &l["ip"]), (&json!("429"), &json!("127.0.0.2")));
    assert_eq!(
        (&l["wafStatus"], &l["wafResponseCode"], &l["errorResponseType"]),
        (&json!("403"), &json!("WAF_BLOCK"), &json!("WAF_FILTERED"))
    );
    assert_eq!((&l["integrationStatus"], &l["authorizerStatus"]), (&json!("-"), &json!("-")));
}

#[tokio::test]
async fn the_access_log_holds_no_token_and_no_body() {
    // GIVEN a person who signs in and uses their token
    let t = stack_with(PerCallerLimits::Off).await;
    let user = t.user().clone();
    let signed_in = t.sign_in(&user).await;
    let id_token = signed_in["tokens"]["idToken"].as_str().unwrap().to_string();
    let refresh = signed_in["tokens"]["refreshToken"].as_str().unwrap().to_string();
    t.get("/me", Some(&id_token)).await;
    t.get("/me", Some("not-a-real-token-but-secret")).await;

    // WHEN the access log is read
    let log = serde_json::to_string(&t.stack.gateway.access_log().lines()).unwrap();

    // THEN it names the requests, and none of the secrets or bodies they carried
    assert!(log.contains("/auth/sign-in") && log.contains("/me"));
    for secret in [id_token.as_str(), &refresh, &user.password, "not-a-real-token-but-secret", "USER_PASSWORD_AUTH"] {
        assert!(!log.contains(secret), "the access log holds {secret}");
    }
}

// ---------------------------------------------------------------- trace ids

/// Sends `request`, capturing every log line the stack writes while it serves it (the
/// subscriber is this thread's, and a `#[tokio::test]` runs the stack's tasks on its one thread,
/// so no other test's lines get in). Its answer and those lines.
async fn logged_while_serving(log: &CapturedLog, request: reqwest::RequestBuilder) -> (Answer, Vec<String>) {
    let before = log.text().len();
    let response = request.send().await.expect("the local gateway answers");
    let answer = Answer { status: response.status().as_u16(), headers: response.headers().clone(), body: Value::Null };
    let lines = log.text()[before..].lines().map(str::to_string).collect();
    (answer, lines)
}

#[tokio::test]
async fn every_line_logged_while_serving_a_request_carries_its_trace_id() {
    // GIVEN every line this thread logs captured, at the level Lambda runs at
    let log = CapturedLog::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .with_writer(move || writer.clone())
        .finish();
    // tracing caches a callsite's interest when it is first hit, asking only the hitting thread's
    // subscriber while a single one is registered (tracing-core `callsite::Dispatchers`): another
    // test's thread, with none, would turn the invocation span off for this one too. A global
    // subscriber writing nowhere keeps every INFO callsite on.
    let sink = tracing_subscriber::fmt().with_max_level(tracing::Level::INFO).with_writer(std::io::sink).finish();
    let _ = tracing::subscriber::set_global_default(sink);
    let _default = tracing::subscriber::set_default(subscriber);
    let t = stack_with(PerCallerLimits::Off).await;
    let me = client_from([127, 0, 0, 1]);
    let access = t.access_token(t.user()).await;

    // WHEN the authorizer refuses a token, and a function deletes an account
    let refused = logged_while_serving(&log, me.get(format!("{}/me", t.stack.url)).bearer_auth("not-a-token")).await;
    let deleted = logged_while_serving(&log, me.delete(format!("{}/account", t.stack.url)).bearer_auth(&access)).await;
    assert_eq!((refused.0.status, deleted.0.status), (401, 204));

    // THEN every line written while each was served sits in a `Lambda runtime invoke` span
    // carrying the trace id its access-log line holds, the lines that say what happened included
    for ((answer, lines), message) in [(&refused, "authorizer decision"), (&deleted, "account deleted by its owner")] {
        let root = line_of(&t, answer)["xrayTraceId"].as_str().unwrap().to_string();
        assert!(lines.iter().any(|l| l.contains(message)), "no {message:?} line while serving {root}: {lines:#?}");
        for line in lines {
            assert!(line.contains("Lambda runtime invoke{requestId="), "outside an invocation's span: {line}");
            assert!(line.contains(&format!("xrayTraceId=Root={root};Sampled=1")), "without {root}: {line}");
        }
    }
}

// ---------------------------------------------------------------- the template's web ACL

fn template() -> Yaml {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml");
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).expect("template.yaml")).expect("template.yaml parses")
}

fn tagged<'a>(value: &'a Yaml, tag: &str) -> &'a Yaml {
    match value {
        Yaml::Tagged(t) if t.tag == tag => &t.value,
        other => panic!("expected !{tag}, got {other:?}"),
    }
}

/// The paths a scope-down regex `/(?:a|b|...)/*$` matches the end of.
fn regex_paths(regex: &str) -> BTreeSet<String> {
    let inner = regex
        .strip_prefix("/(?:")
        .and_then(|r| r.strip_suffix(")/*$"))
        .unwrap_or_else(|| panic!("not of the form /(?:...)/*$: {regex}"));
    inner.split('|').map(|p| format!("/{p}")).collect()
}

/// Every `RegexString` in `value`, however deep.
fn regex_strings(value: &Yaml, found: &mut Vec<String>) {
    match value {
        Yaml::Mapping(map) => {
            for (key, value) in map {
                match (key.as_str(), value.as_str()) {
                    (Some("RegexString"), Some(regex)) => found.push(regex.to_string()),
                    _ => regex_strings(value, found),
                }
            }
        }
        Yaml::Sequence(items) => items.iter().for_each(|item| regex_strings(item, found)),
        Yaml::Tagged(tagged) => regex_strings(&tagged.value, found),
        _ => {}
    }
}

/// Whether `regex` has a capturing group: a `(` not escaped and not followed by `?`.
fn has_capturing_group(regex: &str) -> bool {
    let bytes = regex.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'(' if bytes.get(i + 1) != Some(&b'?') => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

#[test]
fn no_waf_regex_of_the_template_has_a_capturing_group() {
    // AWS WAF refuses "backreferences and capturing subexpressions" when the web ACL is created
    // (waf-regex-pattern-support.html): every group must be `(?:...)`.
    assert!(has_capturing_group("/(a|b)$") && has_capturing_group("(?:a)(b)"));
    assert!(!has_capturing_group("/(?:a|b)/*$") && !has_capturing_group("\\(a\\)"));
    let mut found = Vec::new();
    regex_strings(&template(), &mut found);
    assert_eq!(found.len(), 2, "{found:?}");
    for regex in found {
        assert!(!has_capturing_group(&regex), "a capturing group, which AWS WAF refuses: {regex}");
    }
}

#[test]
fn the_web_acl_has_three_rules_on_the_callers_address_covering_every_public_route() {
    let template = template();
    let acl = &template["Resources"]["ApiWebAcl"];
    assert_eq!(acl["Type"], "AWS::WAFv2::WebACL");
    assert_eq!(acl["Condition"], "PerCallerLimitsOn");
    let props = &acl["Properties"];
    assert_eq!(props["Scope"], "REGIONAL");
    assert!(props["DefaultAction"]["Allow"].is_mapping());
    assert_eq!(tagged(&props["Name"], "Sub"), "${AWS::StackName}-api");
    assert_eq!(tagged(&props["VisibilityConfig"]["MetricName"], "Sub"), "${AWS::StackName}-api");
    let on = tagged(&template["Conditions"]["PerCallerLimitsOn"], "Equals");
    assert_eq!(tagged(&on[0], "Ref"), "PerCallerLimits");
    assert_eq!(on[1], "ON");
    assert_eq!(template["Parameters"]["PerCallerLimits"]["Default"], "ON");

    let rules = props["Rules"].as_sequence().expect("rules");
    let names: Vec<&str> = rules.iter().map(|r| r["Name"].as_str().unwrap()).collect();
    assert_eq!(names, ["SignIn", "PublicRoutes", "WholeApi"]);
    let mut metrics = BTreeSet::new();
    for (priority, (rule, limit)) in
        rules.iter().zip(["SignInRateLimit", "PublicRoutesRateLimit", "ApiRateLimit"]).enumerate()
    {
        assert_eq!(rule["Priority"].as_u64(), Some(priority as u64));
        assert!(rule["Action"]["Block"].is_mapping(), "{rule:?} blocks, with no WAF custom response");
        assert!(rule["Action"]["Block"]["CustomResponse"].is_null());
        let rate = &rule["Statement"]["RateBasedStatement"];
        assert_eq!(rate["AggregateKeyType"], "IP");
        assert_eq!(tagged(&rate["Limit"], "Ref"), limit);
        assert_eq!(tagged(&rate["EvaluationWindowSec"], "Ref"), "RateLimitWindowSeconds");
        let parameter = &template["Parameters"][limit];
        assert!(parameter["MinValue"].as_u64() >= Some(10), "AWS WAF's least limit is 10");
        assert!(metrics.insert(tagged(&rule["VisibilityConfig"]["MetricName"], "Sub").as_str().unwrap().to_string()));
    }
    let windows: Vec<u64> = template["Parameters"]["RateLimitWindowSeconds"]["AllowedValues"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(windows, [60, 120, 300, 600], "AWS WAF's evaluation windows");

    // The scope-down statements: POSTs only (exactly, no transformation: a preflight is not a
    // sign-in), on paths decoded and normalised before the match; sign-in and challenge for the
    // first rule, exactly the other public routes for the second, nothing protected.
    let scope = |rule: &Yaml| {
        let and = &rule["Statement"]["RateBasedStatement"]["ScopeDownStatement"]["AndStatement"]["Statements"];
        assert_eq!(and.as_sequence().map(Vec::len), Some(2), "{rule:?}");
        let method = &and[0]["ByteMatchStatement"];
        assert!(method["FieldToMatch"]["Method"].is_mapping(), "{method:?}");
        assert_eq!(
            (&method["SearchString"], &method["PositionalConstraint"]),
            (&Yaml::from(COUNTED_METHOD), &Yaml::from("EXACTLY"))
        );
        let none: Vec<&str> =
            method["TextTransformations"].as_sequence().unwrap().iter().map(|t| t["Type"].as_str().unwrap()).collect();
        assert_eq!(none, ["NONE"]);
        let regex = &and[1]["RegexMatchStatement"];
        assert!(regex["FieldToMatch"]["UriPath"].is_mapping());
        let transformations: Vec<&str> =
            regex["TextTransformations"].as_sequence().unwrap().iter().map(|t| t["Type"].as_str().unwrap()).collect();
        assert_eq!(transformations, ["URL_DECODE", "NORMALIZE_PATH"]);
        regex_paths(regex["RegexString"].as_str().unwrap())
    };
    let sign_in = scope(&rules[0]);
    let public = scope(&rules[1]);
    assert!(rules[2]["Statement"]["RateBasedStatement"]["ScopeDownStatement"].is_null());
    assert_eq!(sign_in, SIGN_IN_PATHS.iter().map(|p| p.to_string()).collect());
    assert_eq!(public, public_paths().map(str::to_string).collect());
    let every_public: BTreeSet<String> =
        routes::ROUTES.iter().filter(|r| r.access == Access::Public).map(|r| r.path.to_string()).collect();
    assert_eq!(sign_in.union(&public).cloned().collect::<BTreeSet<_>>(), every_public);
    for route in routes::ROUTES.iter().filter(|r| r.access != Access::Public) {
        assert!(!sign_in.contains(route.path) && !public.contains(route.path), "{} is protected", route.path);
    }
}

#[test]
fn the_web_acl_is_associated_with_the_stage_and_its_block_is_the_apis_429() {
    let template = template();
    let association = &template["Resources"]["ApiWebAclAssociation"];
    assert_eq!(association["Type"], "AWS::WAFv2::WebACLAssociation");
    assert_eq!(association["Condition"], "PerCallerLimitsOn");
    let arn = tagged(&association["Properties"]["ResourceArn"], "Sub").as_str().unwrap();
    assert!(arn.ends_with("::/restapis/${Api}/stages/${Api.Stage}"), "{arn}");
    let web_acl = tagged(&association["Properties"]["WebACLArn"], "GetAtt");
    assert_eq!(web_acl, "ApiWebAcl.Arn");

    let responses = &template["Resources"]["Api"]["Properties"]["GatewayResponses"];
    let filtered = &responses["WAF_FILTERED"];
    assert_eq!(filtered["StatusCode"].as_u64(), Some(429));
    let body: Value =
        serde_json::from_str(filtered["ResponseTemplates"]["application/json"].as_str().unwrap()).unwrap();
    assert_eq!(body, json!({"error": {"code": "TooManyRequests", "message": WAF_FILTERED_MESSAGE}}));
    let headers = &filtered["ResponseParameters"]["Headers"];
    assert_eq!(tagged(&headers["Retry-After"], "Sub"), "'${RateLimitWindowSeconds}'");
    assert_eq!(headers["x-request-id"], "context.requestId");
    // The same CORS headers as every other gateway response.
    let throttled = &responses["THROTTLED"]["ResponseParameters"]["Headers"];
    for name in ["Access-Control-Allow-Origin", "Access-Control-Expose-Headers"] {
        assert_eq!(headers[name], throttled[name], "{name}");
    }
}
