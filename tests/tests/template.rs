//! `template.yaml` is the deployed truth: the local gateway's route table and the local pool
//! must match it.

use std::collections::BTreeSet;

use api_types::routes::{Access, BearerTokenUse, Function, ROUTES};
use local_stack::seed::POOL_SPEC;
use serde_yaml_ng::Value;

fn template() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml");
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).expect("template.yaml")).expect("template.yaml parses")
}

fn resource<'a>(template: &'a Value, name: &str) -> &'a Value {
    &template["Resources"][name]
}

fn strings(value: &Value) -> Vec<String> {
    value.as_sequence().map(|s| s.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

/// `!If [condition, then, else]`: the condition's name and both branches.
fn if_branches(value: &Value) -> (String, Value, Value) {
    let Value::Tagged(tagged) = value else { panic!("expected !If, got {value:?}") };
    assert_eq!(tagged.tag, "If");
    let parts = tagged.value.as_sequence().expect("!If takes a list");
    (parts[0].as_str().expect("a condition").to_string(), parts[1].clone(), parts[2].clone())
}

/// The template's functions: logical id and resource.
fn functions(template: &Value) -> impl Iterator<Item = (&str, &Value)> {
    template["Resources"]
        .as_mapping()
        .expect("Resources")
        .iter()
        .filter(|(_, res)| res["Type"].as_str() == Some("AWS::Serverless::Function"))
        .map(|(name, res)| (name.as_str().expect("logical id"), res))
}

/// The values the template's conditions take in one deployment: [`Deployed::resolve`] reads a
/// template value as CloudFormation would deploy it then.
struct Deployed {
    conditions: std::collections::BTreeMap<&'static str, bool>,
}

impl Deployed {
    fn with(conditions: &[(&'static str, bool)]) -> Self {
        Self { conditions: conditions.iter().copied().collect() }
    }

    /// `value` with every `!If` replaced by its chosen branch, and every key or item that comes
    /// out `!Ref AWS::NoValue` left out; `None` when `value` itself is left out. Panics on a
    /// condition this deployment does not name, so a test states every condition it depends on.
    fn resolve_opt(&self, value: &Value) -> Option<Value> {
        match value {
            Value::Tagged(tagged) if tagged.tag == "Ref" && tagged.value.as_str() == Some("AWS::NoValue") => None,
            Value::Tagged(tagged) if tagged.tag == "If" => {
                let (condition, then, otherwise) = if_branches(value);
                let on = *self
                    .conditions
                    .get(condition.as_str())
                    .unwrap_or_else(|| panic!("condition {condition} not given"));
                self.resolve_opt(if on { &then } else { &otherwise })
            }
            Value::Mapping(mapping) => Some(Value::Mapping(
                mapping.iter().filter_map(|(k, v)| self.resolve_opt(v).map(|v| (k.clone(), v))).collect(),
            )),
            Value::Sequence(items) => Some(Value::Sequence(items.iter().filter_map(|v| self.resolve_opt(v)).collect())),
            other => Some(other.clone()),
        }
    }

    /// [`Deployed::resolve_opt`], with a left-out value as `Null`.
    fn resolve(&self, value: &Value) -> Value {
        self.resolve_opt(value).unwrap_or(Value::Null)
    }
}

/// Every combination of the pool's conditions that passkeys interact with.
fn pool_deployments() -> Vec<(bool, bool, bool)> {
    let mut all = Vec::new();
    for email in [false, true] {
        for passkeys in [false, true] {
            for threat_protection in [false, true] {
                all.push((email, passkeys, threat_protection));
            }
        }
    }
    all
}

fn pool_deployment(email: bool, passkeys: bool, threat_protection: bool) -> Deployed {
    Deployed::with(&[
        ("HasEmailSender", email),
        ("HasEmailFrom", false),
        ("PasskeysOn", passkeys),
        ("ThreatProtectionOn", threat_protection),
    ])
}

fn function_of(logical_id: &str) -> Function {
    match logical_id {
        "AuthFunction" => Function::Auth,
        "RefreshFunction" => Function::Refresh,
        "PasswordFunction" => Function::Password,
        "UsersFunction" => Function::Users,
        "CredentialsFunction" => Function::Credentials,
        other => panic!("template function {other} has API events but no route-table function"),
    }
}

#[test]
fn template_declares_exactly_the_route_table() {
    let template = template();
    let mut declared = BTreeSet::new();
    for (name, res) in functions(&template) {
        let Some(events) = res["Properties"]["Events"].as_mapping() else { continue };
        for (_, event) in events {
            if event["Type"].as_str() != Some("Api") {
                continue;
            }
            let props = &event["Properties"];
            let public = props["Auth"]["Authorizer"].as_str() == Some("NONE");
            declared.insert((
                props["Method"].as_str().expect("Method").to_uppercase(),
                props["Path"].as_str().expect("Path").to_string(),
                function_of(name),
                public,
            ));
        }
    }
    let table: BTreeSet<_> = ROUTES
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_string(), r.function(), r.access == Access::Public))
        .collect();
    assert_eq!(declared, table, "template.yaml routes (left) differ from api_types::routes::ROUTES (right)");
}

#[test]
fn every_function_builds_a_workspace_binary() {
    let template = template();
    for (name, res) in functions(&template) {
        assert_eq!(res["Metadata"]["BuildMethod"].as_str(), Some("rust-cargolambda"), "{name:?}");
        let binary = res["Metadata"]["BuildProperties"]["Binary"].as_str().expect("Binary");
        let main = format!("{}/src/main.rs", package_dir(binary));
        let path = format!("{}/../{main}", env!("CARGO_MANIFEST_DIR"));
        assert!(std::path::Path::new(&path).exists(), "{name:?} builds {binary}, but {main} does not exist");
    }
}

/// The workspace directory of the package that builds a template function's `Binary`.
fn package_dir(binary: &str) -> String {
    match binary {
        "authorizer" => "authorizer".to_string(),
        other => format!("functions/{other}"),
    }
}

/// `sam build` runs `cargo lambda build --bin NAME` at the workspace root, where dependency
/// features are unified over the default members: those must be exactly the deployed functions,
/// or a test-only feature lands in a Lambda and `sam build` recompiles what `make build` built.
#[test]
fn the_workspace_default_members_are_exactly_the_deployed_functions() {
    let template = template();
    let deployed: BTreeSet<String> = functions(&template)
        .map(|(_, res)| package_dir(res["Metadata"]["BuildProperties"]["Binary"].as_str().expect("Binary")))
        .collect();

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&out.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout).expect("cargo metadata JSON");
    let root = std::path::Path::new(metadata["workspace_root"].as_str().expect("workspace_root"));
    let defaults = metadata["workspace_default_members"].as_array().expect("workspace_default_members");
    let default_members: BTreeSet<String> = metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|package| defaults.contains(&package["id"]))
        .map(|package| {
            let manifest = std::path::Path::new(package["manifest_path"].as_str().expect("manifest_path"));
            let dir = manifest.parent().expect("package dir").strip_prefix(root).expect("inside the workspace");
            dir.to_string_lossy().into_owned()
        })
        .collect();
    assert_eq!(
        default_members, deployed,
        "Cargo.toml default-members (left) differ from template.yaml's functions (right)"
    );
}

#[test]
fn local_pool_is_seeded_as_the_template_deploys_it() {
    let template = template();
    let pool = &resource(&template, "UserPool")["Properties"];
    let policy = &pool["Policies"]["PasswordPolicy"];
    let client = &resource(&template, "UserPoolClient")["Properties"];
    let all_classes = ["RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols"]
        .iter()
        .all(|k| policy[*k].as_bool() == Some(true));

    assert_eq!(strings(&pool["UsernameAttributes"]), POOL_SPEC.username_attributes);
    assert_eq!(strings(&pool["AutoVerifiedAttributes"]), POOL_SPEC.auto_verified_attributes);
    assert_eq!(pool["UsernameConfiguration"]["CaseSensitive"].as_bool(), Some(POOL_SPEC.case_sensitive_usernames));
    // Absent from the template, the list is empty and the seed leaves the setting out.
    assert_eq!(
        strings(&pool["UserAttributeUpdateSettings"]["AttributesRequireVerificationBeforeUpdate"]),
        POOL_SPEC.attributes_require_verification_before_update
    );
    assert_eq!(policy["MinimumLength"].as_i64(), Some(POOL_SPEC.password_min_length.into()));
    assert_eq!(all_classes, POOL_SPEC.password_require_all_classes);
    assert_eq!(
        policy["TemporaryPasswordValidityDays"].as_i64(),
        Some(POOL_SPEC.temporary_password_validity_days.into())
    );
    assert_eq!(pool["MfaConfiguration"].as_str(), Some(POOL_SPEC.mfa_configuration));
    let mfas = if_branches(&pool["EnabledMfas"]);
    assert_eq!(
        (mfas.0.as_str(), strings(&mfas.1)),
        ("HasEmailSender", POOL_SPEC.enabled_mfas.iter().map(|s| s.to_string()).collect())
    );
    assert_eq!(strings(&mfas.2), ["SOFTWARE_TOKEN_MFA"]);
    // The first factors depend on the email sender and on passkeys: the local stack is deployed
    // as with an email sender, and with passkeys when it seeds WEB_AUTHN.
    let seeded_passkeys = POOL_SPEC.allowed_first_auth_factors.contains(&"WEB_AUTHN");
    let deployed = Deployed::with(&[("HasEmailSender", true), ("PasskeysOn", seeded_passkeys)]);
    assert_eq!(
        strings(&deployed.resolve(&pool["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"])),
        POOL_SPEC.allowed_first_auth_factors
    );
    assert_eq!(strings(&client["ExplicitAuthFlows"]), POOL_SPEC.explicit_auth_flows);
    assert_eq!(client["PreventUserExistenceErrors"].as_str(), Some(POOL_SPEC.prevent_user_existence_errors));
    assert_eq!(strings(&client["ReadAttributes"]), POOL_SPEC.read_attributes);
    assert_eq!(strings(&client["WriteAttributes"]), POOL_SPEC.write_attributes);
    assert_eq!(client["GenerateSecret"].as_bool(), Some(POOL_SPEC.generate_secret));
    let rotation = &client["RefreshTokenRotation"];
    assert_eq!(rotation["Feature"].as_str() == Some("ENABLED"), POOL_SPEC.rotate_refresh_tokens);
    // With rotation, REFRESH_TOKEN_AUTH is refused: the client does not list it.
    assert!(!POOL_SPEC.explicit_auth_flows.contains(&"ALLOW_REFRESH_TOKEN_AUTH"));
}

#[test]
fn the_functions_know_the_app_clients_write_attributes() {
    // GIVEN the client's WriteAttributes as deployed
    let template = template();
    let client = strings(&resource(&template, "UserPoolClient")["Properties"]["WriteAttributes"]);
    // THEN every function told WRITE_ATTRIBUTES gets exactly that list, the auth function (the
    // one writing attributes) among them, and the domain's default is the same list
    let mut told = Vec::new();
    for (name, res) in functions(&template) {
        if let Some(list) = res["Properties"]["Environment"]["Variables"]["WRITE_ATTRIBUTES"].as_str() {
            let parsed = auth_domain::WriteAttributes::parse(list).expect("WRITE_ATTRIBUTES parses");
            assert_eq!(parsed.names().collect::<Vec<_>>(), client, "{name}");
            told.push(name);
        }
    }
    assert!(told.contains(&"AuthFunction"), "AuthFunction must get WRITE_ATTRIBUTES");
    assert_eq!(auth_domain::WriteAttributes::TEMPLATE, client);
}

fn openapi() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml");
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).expect("openapi.yaml")).expect("openapi.yaml parses")
}

/// Every operation of the contract: upper-case method, path, operation object.
fn operations(spec: &Value) -> Vec<(String, String, &Value)> {
    let mut found = Vec::new();
    for (path, item) in spec["paths"].as_mapping().expect("paths") {
        for (method, op) in item.as_mapping().expect("path item") {
            let method = method.as_str().expect("method");
            if method != "parameters" {
                found.push((method.to_uppercase(), path.as_str().expect("path").to_string(), op));
            }
        }
    }
    found
}

/// The one security scheme a security requirement list names (`[{accessToken: []}]`), or `None`
/// for `[]` (a public operation); panics on alternatives or combinations, which the route table
/// cannot express.
fn scheme_of(security: &Value, whose: &str) -> Option<String> {
    let requirements = security.as_sequence().unwrap_or_else(|| panic!("{whose}: security is not a list"));
    match requirements.as_slice() {
        [] => None,
        [one] => {
            let schemes = one.as_mapping().unwrap_or_else(|| panic!("{whose}: {one:?}"));
            assert_eq!(schemes.len(), 1, "{whose}: one scheme per requirement, not {one:?}");
            schemes.keys().next().and_then(Value::as_str).map(str::to_string)
        }
        more => panic!("{whose}: one security requirement, not alternatives {more:?}"),
    }
}

/// The `openapi.yaml` security scheme that stands for a route's bearer token.
fn scheme_for(bearer: Option<BearerTokenUse>) -> Option<String> {
    bearer.map(|token| match token {
        BearerTokenUse::Id => "idToken".to_string(),
        BearerTokenUse::Access => "accessToken".to_string(),
    })
}

#[test]
fn openapi_declares_exactly_the_route_table_with_its_access() {
    // GIVEN the contract, its default security and its schemes
    let spec = openapi();
    let global = scheme_of(&spec["security"], "the global security");
    assert_eq!(global.as_deref(), Some("accessToken"), "the default is the access token");
    let schemes = spec["components"]["securitySchemes"].as_mapping().expect("securitySchemes");
    // WHEN each operation's scheme is read: its own `security`, else the global one
    let mut declared = BTreeSet::new();
    for (method, path, op) in operations(&spec) {
        let whose = format!("{method} {path}");
        let scheme = if op["security"].is_null() { global.clone() } else { scheme_of(&op["security"], &whose) };
        let responses = op["responses"].as_mapping().expect("responses");
        let documents = |status: &str| responses.contains_key(status);
        if let Some(scheme) = &scheme {
            assert!(schemes.contains_key(scheme.as_str()), "{whose}: no security scheme {scheme}");
            // What the gateway answers on every protected route is part of the contract.
            assert!(documents("401") && documents("403"), "{whose} must document 401 and 403");
        }
        declared.insert((method, path, scheme));
    }
    // THEN the operations are the route table's, each secured by the token its route takes
    let table: BTreeSet<_> =
        ROUTES.iter().map(|r| (r.method.to_string(), r.path.to_string(), scheme_for(r.access.bearer()))).collect();
    assert_eq!(
        declared, table,
        "openapi.yaml operations and schemes (left) differ from api_types::routes::ROUTES (right)"
    );
}

#[test]
fn the_api_flows_route_table_lists_exactly_the_route_table() {
    // Rows of the form "| METHOD | `/path` | ..." in docs/api-flows.md's Routes section.
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/api-flows.md")).expect("docs");
    let api = page.split("\n## Routes\n").nth(1).and_then(|rest| rest.split("\n## ").next()).expect("a Routes section");
    let mut listed = BTreeSet::new();
    for line in api.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if let [_, method, path, ..] = cells.as_slice()
            && ["GET", "POST", "PUT", "DELETE", "PATCH"].contains(method)
        {
            let path = path.trim_matches('`');
            assert!(listed.insert((method.to_string(), path.to_string())), "{method} {path} is listed twice");
        }
    }
    let table: BTreeSet<_> = ROUTES.iter().map(|r| (r.method.to_string(), r.path.to_string())).collect();
    assert_eq!(listed, table, "docs/api-flows.md's route table (left) differs from api_types::routes::ROUTES (right)");
}

#[test]
fn openapi_operation_ids_name_the_route_table_operations() {
    let spec = openapi();
    let mut declared = BTreeSet::new();
    for (method, path, op) in operations(&spec) {
        let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId"));
        declared.insert((method, path, id.to_string()));
    }
    let table: BTreeSet<_> =
        ROUTES.iter().map(|r| (r.method.to_string(), r.path.to_string(), r.operation.id().to_string())).collect();
    assert_eq!(declared, table, "openapi.yaml operationIds (left) differ from the route table's operations (right)");
}

#[test]
fn throttling_covers_the_stage_and_every_public_auth_route_with_paths_api_gateway_recognises() {
    let template = template();
    let settings = resource(&template, "Api")["Properties"]["MethodSettings"].as_sequence().expect("MethodSettings");
    // `!Ref Name` parses as a tagged value whose tag is `Ref`.
    let reference = |setting: &Value, key: &str| match &setting[key] {
        Value::Tagged(tagged) if tagged.tag == "Ref" => tagged.value.as_str().map(str::to_string),
        _ => None,
    };
    // The stage as a whole
    let stage = settings.iter().find(|s| s["ResourcePath"].as_str() == Some("/*")).expect("a stage-wide setting");
    assert_eq!(stage["HttpMethod"].as_str(), Some("*"));
    assert_eq!(reference(stage, "ThrottlingRateLimit").as_deref(), Some("ThrottlingRateLimit"));
    assert_eq!(reference(stage, "ThrottlingBurstLimit").as_deref(), Some("ThrottlingBurstLimit"));
    // Per route: "/" and the path with each "/" as "~1", as API Gateway expects it (a setting with
    // a path it does not know is ignored without an error)
    let encoded = |path: &str| format!("/{}", path.replace('/', "~1"));
    let mut per_route = BTreeSet::new();
    for setting in settings.iter().filter(|s| s["ResourcePath"].as_str() != Some("/*")) {
        let path = setting["ResourcePath"].as_str().expect("ResourcePath");
        let method = setting["HttpMethod"].as_str().expect("HttpMethod");
        let route = ROUTES.iter().find(|r| encoded(r.path) == path && r.method == method);
        assert!(route.is_some(), "{method} {path} names no route: API Gateway would ignore it");
        assert_eq!(reference(setting, "ThrottlingRateLimit").as_deref(), Some("PublicAuthRateLimit"), "{path}");
        assert_eq!(reference(setting, "ThrottlingBurstLimit").as_deref(), Some("PublicAuthBurstLimit"), "{path}");
        per_route.insert((method.to_string(), path.to_string()));
    }
    let public_auth: BTreeSet<_> = ROUTES
        .iter()
        .filter(|r| r.access == Access::Public && (r.path.starts_with("/auth/") || r.path.starts_with("/password/")))
        .map(|r| (r.method.to_string(), encoded(r.path)))
        .collect();
    assert_eq!(
        per_route, public_auth,
        "tighter limits (left) must cover exactly the public /auth and /password routes"
    );
    // API Gateway's own 429 carries the API's error body, a request id and the CORS origin
    let throttled = &resource(&template, "Api")["Properties"]["GatewayResponses"]["THROTTLED"];
    assert_eq!(throttled["StatusCode"].as_u64(), Some(429));
    assert!(throttled["ResponseTemplates"]["application/json"].as_str().is_some_and(|b| b.contains("TooManyRequests")));
    assert_eq!(throttled["ResponseParameters"]["Headers"]["x-request-id"].as_str(), Some("context.requestId"));
    assert_eq!(throttled["ResponseParameters"]["Headers"]["Retry-After"].as_str(), Some("'1'"));
}

#[test]
fn every_gateway_answer_lets_a_page_read_its_body_its_request_id_and_retry_after() {
    // A browser hides an answer without the CORS origin from the page, and a header not exposed.
    let template = template();
    let responses =
        resource(&template, "Api")["Properties"]["GatewayResponses"].as_mapping().expect("GatewayResponses");
    assert!(responses.contains_key("DEFAULT_4XX") && responses.contains_key("DEFAULT_5XX"));
    for (name, response) in responses {
        let name = name.as_str().unwrap_or("?");
        let headers = &response["ResponseParameters"]["Headers"];
        assert!(!headers["Access-Control-Allow-Origin"].is_null(), "{name}: no CORS origin");
        let (_, exposed, _) = if_branches(&headers["Access-Control-Expose-Headers"]);
        assert_eq!(
            exposed.as_str().map(|e| e.trim_matches('\'')),
            Some(lambda_glue::cors::EXPOSE_HEADERS),
            "{name}: the gateway must expose what the functions expose"
        );
    }
}

#[test]
fn the_user_pool_survives_a_stack_deletion_or_replacement_and_refuses_deletion() {
    let template = template();
    let pool = resource(&template, "UserPool");
    assert_eq!(pool["DeletionPolicy"], "Retain");
    assert_eq!(pool["UpdateReplacePolicy"], "Retain");
    assert_eq!(pool["Properties"]["DeletionProtection"], "ACTIVE");
}

#[test]
fn an_email_change_needs_verification_before_it_becomes_the_sign_in_name() {
    let template = template();
    let pool = &resource(&template, "UserPool")["Properties"];
    assert_eq!(strings(&pool["UsernameAttributes"]), ["email"]);
    assert_eq!(strings(&pool["UserAttributeUpdateSettings"]["AttributesRequireVerificationBeforeUpdate"]), ["email"]);
}

#[test]
fn cognito_is_told_the_caller_and_threat_protection_is_an_explicit_off_by_default_choice() {
    let template = template();
    let pool = &resource(&template, "UserPool")["Properties"];
    let client = &resource(&template, "UserPoolClient")["Properties"];
    // The client lets Cognito take the address the functions send as the caller's
    assert_eq!(
        client["EnablePropagateAdditionalUserContextData"].as_bool(),
        Some(POOL_SPEC.propagate_additional_user_context_data)
    );
    // (Cognito allows it on clients with a secret only.)
    assert_eq!(client["GenerateSecret"].as_bool(), Some(true));
    // Threat protection: a parameter, OFF unless chosen
    let parameter = &template["Parameters"]["ThreatProtection"];
    assert_eq!(parameter["Default"].as_str(), Some("OFF"));
    assert_eq!(strings(&parameter["AllowedValues"]), ["OFF", "AUDIT", "ENFORCED"]);
    let Value::Tagged(mode) = &pool["UserPoolAddOns"]["AdvancedSecurityMode"] else { panic!("not a !Ref") };
    assert_eq!((mode.tag.to_string().as_str(), mode.value.as_str()), ("!Ref", Some("ThreatProtection")));
    // The plan is explicit: Plus when threat protection is on (it needs it), Essentials when off,
    // as the local stack seeds it
    let Value::Tagged(tier) = &pool["UserPoolTier"] else { panic!("UserPoolTier is not an !If") };
    assert_eq!(tier.tag.to_string(), "!If");
    assert_eq!(strings(&tier.value), ["ThreatProtectionOn", "PLUS", "ESSENTIALS"]);
    let Value::Tagged(on) = &template["Conditions"]["ThreatProtectionOn"] else { panic!("no condition") };
    assert_eq!(on.tag.to_string(), "!Not");
    use aws_sdk_cognitoidentityprovider::types::{AdvancedSecurityModeType as Mode, UserPoolTierType as Tier};
    assert_eq!(local_stack::seed::feature_tier(&Mode::Off), Tier::Essentials);
    assert_eq!(local_stack::seed::feature_tier(&Mode::Audit), Tier::Plus);
    assert_eq!(local_stack::seed::feature_tier(&Mode::Enforced), Tier::Plus);
}

#[test]
fn the_deployed_cors_preflight_allows_the_headers_the_functions_read_and_every_routes_method() {
    let template = template();
    // `Cors: !If [HasAllowedOrigin, {...}, !Ref AWS::NoValue]`
    let Value::Tagged(cors) = &resource(&template, "Api")["Properties"]["Cors"] else { panic!("Cors is not an !If") };
    let allowed = cors.value[1]["AllowHeaders"].as_str().expect("AllowHeaders");
    assert_eq!(allowed.trim_matches('\''), lambda_glue::cors::ALLOW_HEADERS);
    assert!(allowed.contains(lambda_glue::ENCODED_DATA_HEADER));
    // A browser calls a route only if the preflight allows its method (PATCH /account included)
    let methods = cors.value[1]["AllowMethods"].as_str().expect("AllowMethods").trim_matches('\'');
    assert_eq!(methods, lambda_glue::cors::ALLOW_METHODS, "the local gateway's preflight answers the same");
    for route in ROUTES {
        assert!(
            methods.split(',').any(|m| m == route.method),
            "{} {} is not in AllowMethods",
            route.method,
            route.path
        );
    }
}

#[test]
fn memory_sizes_are_the_ones_the_sizing_table_picked() {
    // docs/performance.md, "Memory sizing" (make bench): the SRP sign-in's function gets 512 MB, the rest 128.
    let template = template();
    assert_eq!(template["Globals"]["Function"]["MemorySize"].as_u64(), Some(128));
    for (name, _) in functions(&template) {
        let own = template["Resources"][name]["Properties"]["MemorySize"].as_u64();
        assert_eq!(own, (name == "AuthFunction").then_some(512), "{name}");
    }
}

/// A template value as text: a plain string as it is, an intrinsic as its short form
/// (`!Ref AWS::StackName`, `!Sub ${AWS::StackName}-api`).
fn text_of(value: &Value) -> String {
    match value {
        Value::Tagged(tagged) => format!("{} {}", tagged.tag, text_of(&tagged.value)),
        Value::String(s) => s.clone(),
        other => serde_yaml_ng::to_string(other).unwrap_or_default().trim().to_string(),
    }
}

/// One metric an alarm watches, as CloudWatch names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Watched {
    namespace: String,
    metric: String,
    dimensions: std::collections::BTreeMap<String, String>,
    /// `Sum`, `p99`, ...
    statistic: String,
}

fn dimensions(list: &Value) -> std::collections::BTreeMap<String, String> {
    list.as_sequence()
        .into_iter()
        .flatten()
        .map(|d| (d["Name"].as_str().expect("dimension Name").to_string(), text_of(&d["Value"])))
        .collect()
}

/// The template's alarms: logical id, condition, resource, and the metrics each watches (its
/// own metric, or those of its metric math).
fn alarms(template: &Value) -> Vec<(String, Option<String>, &Value, Vec<Watched>)> {
    let mut found = Vec::new();
    for (name, res) in template["Resources"].as_mapping().expect("Resources") {
        if res["Type"].as_str() != Some("AWS::CloudWatch::Alarm") {
            continue;
        }
        let props = &res["Properties"];
        let watched = match props["Metrics"].as_sequence() {
            Some(metrics) => metrics
                .iter()
                .filter(|m| !m["MetricStat"].is_null())
                .map(|m| {
                    let stat = &m["MetricStat"];
                    Watched {
                        namespace: text_of(&stat["Metric"]["Namespace"]),
                        metric: text_of(&stat["Metric"]["MetricName"]),
                        dimensions: dimensions(&stat["Metric"]["Dimensions"]),
                        statistic: text_of(&stat["Stat"]),
                    }
                })
                .collect(),
            None => vec![Watched {
                namespace: text_of(&props["Namespace"]),
                metric: text_of(&props["MetricName"]),
                dimensions: dimensions(&props["Dimensions"]),
                statistic: props["Statistic"]
                    .as_str()
                    .or(props["ExtendedStatistic"].as_str())
                    .unwrap_or("?")
                    .to_string(),
            }],
        };
        let condition = res["Condition"].as_str().map(str::to_string);
        found.push((name.as_str().expect("logical id").to_string(), condition, res, watched));
    }
    found
}

#[test]
fn alarms_watch_the_api_the_authorizer_every_function_and_the_web_acl_and_notify_the_alarm_topic() {
    // GIVEN the template's alarms, listed with what they watch
    let template = template();
    let alarms = alarms(&template);
    for (name, condition, _, watched) in &alarms {
        for w in watched {
            println!(
                "{name}{}: {} {} {:?} {}",
                condition.as_ref().map(|c| format!(" (if {c})")).unwrap_or_default(),
                w.namespace,
                w.metric,
                w.dimensions,
                w.statistic
            );
        }
    }
    let watching = |namespace: &str, metric: &str, dims: &[(&str, &str)]| {
        let dims: std::collections::BTreeMap<String, String> =
            dims.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        alarms
            .iter()
            .filter(|(_, _, _, watched)| {
                watched.iter().any(|w| w.namespace == namespace && w.metric == metric && w.dimensions == dims)
            })
            .collect::<Vec<_>>()
    };
    // THEN every function and the authorizer has an Errors and a Throttles alarm, by its name
    for (function, _) in functions(&template) {
        let by_name = format!("!Ref {function}");
        for metric in ["Errors", "Throttles"] {
            let found = watching("AWS/Lambda", metric, &[("FunctionName", &by_name)]);
            assert_eq!(found.len(), 1, "{function}: one {metric} alarm, found {}", found.len());
            assert!(found[0].3.iter().all(|w| w.statistic == "Sum"), "{function} {metric}: counted, not averaged");
        }
    }
    // The API's, named as CloudWatch names it: the REST API's name (the stack's) and the stage
    let api = &resource(&template, "Api")["Properties"];
    assert_eq!(text_of(&api["Name"]), "!Ref AWS::StackName");
    let stage = [("ApiName", "!Ref AWS::StackName"), ("Stage", "!Ref StageName")];
    let server_errors = watching("AWS/ApiGateway", "5XXError", &stage);
    assert_eq!(server_errors.len(), 1, "one 5xx alarm");
    let latency = watching("AWS/ApiGateway", "Latency", &stage);
    assert_eq!(latency.len(), 1, "one latency alarm");
    assert_eq!(latency[0].3[0].statistic, "p99");
    // Its threshold is below the functions' timeout, or a slow API would show as 5xx first
    let timeout_ms = template["Globals"]["Function"]["Timeout"].as_f64().expect("Timeout") * 1000.0;
    let threshold = latency[0].2["Properties"]["Threshold"].as_f64().expect("Threshold");
    assert!(threshold < timeout_ms, "latency threshold {threshold} ms >= the {timeout_ms} ms timeout");
    // The web ACL's blocks, only where there is a web ACL, under the metric name it reports
    let blocks = watching(
        "AWS/WAFV2",
        "BlockedRequests",
        &[("WebACL", "!Sub ${AWS::StackName}-api"), ("Region", "!Ref AWS::Region"), ("Rule", "ALL")],
    );
    assert_eq!(blocks.len(), 1, "one WAF alarm");
    assert_eq!(blocks[0].1.as_deref(), Some("PerCallerLimitsOn"));
    let acl = resource(&template, "ApiWebAcl");
    if !acl.is_null() {
        assert_eq!(acl["Condition"].as_str(), Some("PerCallerLimitsOn"));
        assert_eq!(
            text_of(&acl["Properties"]["VisibilityConfig"]["MetricName"]),
            "!Sub ${AWS::StackName}-api",
            "the WebACL dimension is the web ACL's metric name"
        );
    }
    // Every alarm notifies the topic when one is given, into ALARM and back to OK, and takes no
    // data (a quiet stack) as fine
    let Value::Tagged(has_topic) = &template["Conditions"]["HasAlarmTopic"] else { panic!("no HasAlarmTopic") };
    assert_eq!(has_topic.tag.to_string(), "!Not");
    assert_eq!(text_of(&template["Parameters"]["AlarmTopicArn"]["Default"]), "");
    for (name, _, alarm, _) in &alarms {
        let props = &alarm["Properties"];
        for actions in ["AlarmActions", "OKActions"] {
            let (condition, then, otherwise) = if_branches(&props[actions]);
            assert_eq!(condition, "HasAlarmTopic", "{name} {actions}");
            assert_eq!(
                then.as_sequence().map(|t| t.iter().map(text_of).collect::<Vec<_>>()),
                Some(vec!["!Ref AlarmTopicArn".to_string()])
            );
            assert_eq!(text_of(&otherwise), "!Ref AWS::NoValue", "{name} {actions}");
        }
        assert_eq!(props["TreatMissingData"].as_str(), Some("notBreaching"), "{name}");
    }
}

#[test]
fn the_dashboard_body_is_json_and_shows_every_alarmed_metric_and_the_access_log() {
    let template = template();
    let Value::Tagged(body) = &resource(&template, "Dashboard")["Properties"]["DashboardBody"] else {
        panic!("DashboardBody is not a !Sub")
    };
    assert_eq!(body.tag.to_string(), "!Sub");
    let text = body.value.as_str().expect("a !Sub string");
    // Every ${...} names a parameter, a resource or a pseudo parameter
    let known = |name: &str| {
        name.starts_with("AWS::")
            || !template["Parameters"][name].is_null()
            || !template["Resources"][name.split('.').next().unwrap_or(name)].is_null()
    };
    for name in text.split("${").skip(1).filter_map(|rest| rest.split('}').next()) {
        assert!(known(name), "the dashboard names ${{{name}}}, which the template does not declare");
    }
    let dashboard: serde_json::Value = serde_json::from_str(text).expect("the dashboard body is JSON");
    let widgets = dashboard["widgets"].as_array().expect("widgets");
    let shown: BTreeSet<(String, String)> = widgets
        .iter()
        .flat_map(|w| w["properties"]["metrics"].as_array().cloned().unwrap_or_default())
        .filter_map(|row| Some((row[0].as_str()?.to_string(), row[1].as_str()?.to_string())))
        .collect();
    for (name, _, _, watched) in alarms(&template) {
        for w in watched {
            assert!(shown.contains(&(w.namespace.clone(), w.metric.clone())), "{name}: {} {}", w.namespace, w.metric);
        }
    }
    let queries: Vec<&str> = widgets.iter().filter_map(|w| w["properties"]["query"].as_str()).collect();
    assert!(
        queries.iter().any(|q| q.contains("SOURCE '${ApiAccessLogGroup}'")),
        "a Logs Insights widget on the access log"
    );
}

#[test]
fn tracing_is_active_on_the_api_every_function_and_the_authorizer_with_json_logs() {
    let template = template();
    assert_eq!(resource(&template, "Api")["Properties"]["TracingEnabled"].as_bool(), Some(true));
    let globals = &template["Globals"]["Function"];
    assert_eq!(globals["Tracing"].as_str(), Some("Active"));
    assert_eq!(globals["LoggingConfig"]["LogFormat"].as_str(), Some("JSON"));
    let mut names = Vec::new();
    for (name, res) in functions(&template) {
        // A function's own setting would override the global one
        assert!(res["Properties"]["Tracing"].is_null(), "{name} sets its own Tracing");
        assert!(res["Properties"]["LoggingConfig"].is_null(), "{name} sets its own LoggingConfig");
        names.push(name);
    }
    assert!(names.contains(&"AuthorizerFunction"), "{names:?}");
}

#[test]
fn the_stage_writes_one_json_object_of_strings_per_request_to_a_log_group_with_retention() {
    let template = template();
    let setting = &resource(&template, "Api")["Properties"]["AccessLogSetting"];
    // DestinationArn: !GetAtt Group.Arn, a log group kept LogRetentionDays
    let destination = text_of(&setting["DestinationArn"]);
    let group = destination.strip_prefix("!GetAtt ").and_then(|g| g.strip_suffix(".Arn")).expect("!GetAtt X.Arn");
    let group = resource(&template, group);
    assert_eq!(group["Type"].as_str(), Some("AWS::Logs::LogGroup"));
    assert_eq!(text_of(&group["Properties"]["RetentionInDays"]), "!Ref LogRetentionDays");
    // The format: one JSON object, every value a string, with the fields that join a request's
    // lines (docs/deploy.md)
    let format = setting["Format"].as_str().expect("Format");
    assert!(!format.contains('\n'), "one line per request");
    let line: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(format).expect("Format is a JSON object");
    for (field, value) in &line {
        assert!(value.as_str().is_some_and(|v| v.starts_with("$context.")), "{field}: {value}");
    }
    for field in ["requestId", "xrayTraceId", "ip", "resourcePath", "status"] {
        assert!(line.contains_key(field), "no {field}");
    }
    // The account's CloudWatch log role: created and set unless the account has one, before the
    // stage's log group, and kept after the stack (other APIs of the Region may use it)
    let parameter = &template["Parameters"]["ApiGatewayLogsRole"];
    assert_eq!(parameter["Default"].as_str(), Some("CREATE"));
    assert_eq!(strings(&parameter["AllowedValues"]), ["CREATE", "EXISTING"]);
    let role = resource(&template, "ApiGatewayCloudWatchRole");
    let account = resource(&template, "ApiGatewayAccount");
    for res in [role, account] {
        assert_eq!(res["Condition"].as_str(), Some("CreateApiGatewayLogsRole"));
        assert_eq!(res["DeletionPolicy"].as_str(), Some("Retain"));
    }
    assert_eq!(text_of(&account["Properties"]["CloudWatchRoleArn"]), "!GetAtt ApiGatewayCloudWatchRole.Arn");
    let policies: Vec<String> =
        role["Properties"]["ManagedPolicyArns"].as_sequence().expect("policies").iter().map(text_of).collect();
    assert_eq!(
        policies,
        ["!Sub arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"]
    );
    assert_eq!(group["DependsOn"].as_str(), Some("ApiGatewayLogsRoleReady"));
    let ready = resource(&template, "ApiGatewayLogsRoleReady");
    let (condition, then, _) = if_branches(&ready["Metadata"]["AccountSetting"]);
    assert_eq!((condition.as_str(), text_of(&then).as_str()), ("CreateApiGatewayLogsRole", "!Ref ApiGatewayAccount"));
}

/// `PasskeyRelyingPartyId`'s `AllowedPattern`, anchored as CloudFormation applies it: to the whole
/// value.
fn relying_party_pattern(template: &Value) -> regex::Regex {
    let pattern = template["Parameters"]["PasskeyRelyingPartyId"]["AllowedPattern"].as_str().expect("AllowedPattern");
    regex::Regex::new(&format!("^(?:{pattern})$")).expect("the pattern compiles")
}

#[test]
fn the_relying_party_is_a_bare_host_name_without_scheme_port_path_or_ip_address() {
    // GIVEN the relying-party parameter as deployed
    let template = template();
    let parameter = &template["Parameters"]["PasskeyRelyingPartyId"];
    let pattern = relying_party_pattern(&template);
    // THEN its default is empty (passkeys off), which the pattern allows
    assert_eq!(parameter["Default"].as_str(), Some(""));
    assert!(pattern.is_match(""));
    // AND host names pass, a single label (the local stack's) among them
    for host in ["example.com", "auth.example.co.uk", "localhost", "xn--bcher-kva.example", "a-b.example.com"] {
        assert!(pattern.is_match(host), "{host} refused");
    }
    // AND what browsers refuse as a relying party ID does not (a scheme, a port, a path, an IP
    // address, a bracketed IPv6 address), nor anything but a lowercase host name (the effective
    // domain a browser compares it with is lowercase)
    for value in [
        "https://example.com",
        "example.com:443",
        "example.com/path",
        "127.0.0.1",
        "localhost:5173",
        "[::1]",
        "::1",
        "10.0.0.1",
        "Example.com",
        "-example.com",
        "example-.com",
        "example..com",
        "example.com.",
        " example.com",
        "user@example.com",
    ] {
        assert!(!pattern.is_match(value), "{value:?} accepted");
    }
    // AND it fits CloudFormation's own limit on WebAuthnRelyingPartyID (63 characters)
    assert_eq!(parameter["MaxLength"].as_i64(), Some(63));
    let description = parameter["ConstraintDescription"].as_str().expect("ConstraintDescription");
    assert!(description.contains("port") && description.contains("IP address"), "{description}");
}

#[test]
fn passkeys_are_on_exactly_when_a_relying_party_is_given() {
    let template = template();
    // PasskeysOn: !Not [!Equals [!Ref PasskeyRelyingPartyId, ""]]
    let Value::Tagged(not) = &template["Conditions"]["PasskeysOn"] else { panic!("PasskeysOn is not a !Not") };
    assert_eq!(not.tag, "Not");
    let Value::Tagged(equals) = &not.value[0] else { panic!("!Not of an !Equals") };
    assert_eq!(equals.tag, "Equals");
    assert_eq!(text_of(&equals.value[0]), "!Ref PasskeyRelyingPartyId");
    assert_eq!(equals.value[1].as_str(), Some(""));
}

#[test]
fn the_pool_gets_its_webauthn_settings_only_when_passkeys_are_on() {
    let template = template();
    let pool = &resource(&template, "UserPool")["Properties"];
    let settings = [
        ("WebAuthnRelyingPartyID", "PasskeyRelyingPartyId"),
        ("WebAuthnUserVerification", "PasskeyUserVerification"),
        ("WebAuthnFactorConfiguration", "PasskeyFactorConfiguration"),
    ];
    for (email, passkeys, threat_protection) in pool_deployments() {
        // GIVEN a deployment
        let deployed = pool_deployment(email, passkeys, threat_protection).resolve(pool);
        for (property, parameter) in settings {
            // THEN with passkeys on, each WebAuthn property is its parameter; off, it is absent
            let value = deployed.as_mapping().expect("Properties").get(property);
            if passkeys {
                assert_eq!(value.map(text_of), Some(format!("!Ref {parameter}")), "{property}");
            } else {
                assert_eq!(value, None, "{property} set with passkeys off");
            }
        }
    }
    // AND user verification is required unless chosen otherwise, and a passkey is one factor
    // (Cognito's default) unless the operator lets it satisfy MFA
    let verification = &template["Parameters"]["PasskeyUserVerification"];
    assert_eq!(verification["Default"].as_str(), Some("required"));
    assert_eq!(strings(&verification["AllowedValues"]), ["required", "preferred"]);
    let factor = &template["Parameters"]["PasskeyFactorConfiguration"];
    assert_eq!(factor["Default"].as_str(), Some("SINGLE_FACTOR"));
    assert_eq!(strings(&factor["AllowedValues"]), ["SINGLE_FACTOR", "MULTI_FACTOR_WITH_USER_VERIFICATION"]);
}

#[test]
fn web_authn_is_a_first_factor_exactly_when_passkeys_are_on() {
    let template = template();
    let factors = &resource(&template, "UserPool")["Properties"]["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"];
    for (email, passkeys, threat_protection) in pool_deployments() {
        // GIVEN a deployment
        let deployed = strings(&pool_deployment(email, passkeys, threat_protection).resolve(factors));
        // THEN a password always, a code by email with an email sender, a passkey with passkeys
        let mut expected = vec!["PASSWORD"];
        if email {
            expected.push("EMAIL_OTP");
        }
        if passkeys {
            expected.push("WEB_AUTHN");
        }
        assert_eq!(deployed, expected, "email sender {email}, passkeys {passkeys}");
    }
}

#[test]
fn every_deployment_with_passkeys_is_on_a_feature_plan_that_offers_them() {
    // Passkeys need the Essentials plan or higher (API_WebAuthnConfigurationType)
    let template = template();
    let pool = &resource(&template, "UserPool")["Properties"];
    for (email, passkeys, threat_protection) in pool_deployments().into_iter().filter(|(_, p, _)| *p) {
        let tier = pool_deployment(email, passkeys, threat_protection).resolve(&pool["UserPoolTier"]);
        assert!(
            matches!(tier.as_str(), Some("ESSENTIALS" | "PLUS")),
            "threat protection {threat_protection}: {tier:?}"
        );
    }
}

#[test]
fn each_sign_in_requirement_reaches_its_function_from_its_parameter_with_the_functions_defaults_and_bounds() {
    use auth_domain::step_up::SignInRequirements;
    let template = template();
    for (function, variable, parameter) in [
        ("AuthFunction", "ACCOUNT_DELETION_MAX_AGE_MINUTES", "AccountDeletionMaxAgeMinutes"),
        ("AuthFunction", "PASSKEY_REGISTRATION_MAX_AGE_MINUTES", "PasskeyRegistrationMaxAgeMinutes"),
        ("UsersFunction", "ADMIN_CHANGE_MAX_AGE_MINUTES", "AdminChangeMaxAgeMinutes"),
        ("UsersFunction", "ADMIN_MIN_ACR_LEVEL", "AdminMinAcrLevel"),
        ("UsersFunction", "ACR_VALUES", "AcrValues"),
    ] {
        // GIVEN the function that serves the routes with the requirement, and its parameter
        let variables = &resource(&template, function)["Properties"]["Environment"]["Variables"];
        let declared = &template["Parameters"][parameter];
        // THEN the function is told the parameter as deployed
        assert_eq!(text_of(&variables[variable]), format!("!Ref {parameter}"), "{function} {variable}");
        let read = |value: &str| SignInRequirements::from_lookup(|name| (name == variable).then(|| value.to_string()));
        // AND its default is the function's own
        let default = text_of(&declared["Default"]);
        assert_eq!(read(&default), Ok(SignInRequirements::default()), "{parameter} default {default}");
        // AND every value it allows starts the function, and none just outside it
        let allowed: Vec<String> = match (declared["AllowedValues"].as_sequence(), declared["MinValue"].as_u64()) {
            (Some(values), _) => values.iter().map(text_of).collect(),
            (None, Some(min)) => {
                let max = declared["MaxValue"].as_u64().unwrap_or_else(|| panic!("{parameter} MaxValue"));
                assert!(read(&(min - 1).to_string()).is_err() && read(&(max + 1).to_string()).is_err(), "{parameter}");
                vec![min.to_string(), max.to_string()]
            }
            (None, None) => vec![default.clone()],
        };
        for value in allowed {
            assert!(read(&value).is_ok(), "{parameter}={value} refused");
        }
    }
    // AND a level the template does not allow is refused by the function too
    let level = &template["Parameters"]["AdminMinAcrLevel"];
    assert_eq!(level["Type"].as_str(), Some("Number"));
    assert!(SignInRequirements::from_lookup(|name| (name == "ADMIN_MIN_ACR_LEVEL").then(|| "5".into())).is_err());
    let variables = &resource(&template, "AuthFunction")["Properties"]["Environment"]["Variables"];
    // AND the pool's WebAuthn settings are the pool's alone: no variable repeats them
    for removed in ["PASSKEY_RELYING_PARTY_ID", "PASSKEY_USER_VERIFICATION"] {
        assert!(variables[removed].is_null(), "{removed} is still set");
    }
}
