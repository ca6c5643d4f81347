//! Least privilege, proven: each function's policy in `template.yaml` grants exactly the
//! IAM-authorized Cognito actions its code can call, no more, no less.
//!
//! What a function can call is read from the code, not from a list kept beside it: the ports its
//! state is built from (the `dyn` traits of its `new`, with their supertraits), and for each port
//! the SDK operations its adapter's methods call (any method call named as one of the service's
//! operations, whatever its receiver, in macro arguments too, and through the adapter's other
//! methods). Which operations exist and which IAM authorizes comes from the emulator's `iam`
//! module, which reads them from botocore's service model (the same facts as each action's AWS
//! API reference page). The reading fails loudly rather than miss a call: every port method of
//! an adapter must be seen calling Cognito, and every port a function holds must have an
//! adapter.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
    process::Command,
};

use local_stack::iam::{LocalResources, TemplatePolicies};
use syn::{punctuated::Punctuated, visit::Visit};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn parse(path: &str) -> syn::File {
    let path = repository().join(path);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn last_segment(path: &syn::Path) -> String {
    path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default()
}

/// Trait name -> its supertraits (marker traits left out), from `files`.
fn supertraits(files: &[&syn::File]) -> BTreeMap<String, Vec<String>> {
    let mut found = BTreeMap::new();
    for file in files {
        for item in &file.items {
            if let syn::Item::Trait(t) = item {
                let supers = t
                    .supertraits
                    .iter()
                    .filter_map(|b| match b {
                        syn::TypeParamBound::Trait(bound) => Some(last_segment(&bound.path)),
                        _ => None,
                    })
                    .filter(|name| !matches!(name.as_str(), "Send" | "Sync"))
                    .collect();
                found.insert(t.ident.to_string(), supers);
            }
        }
    }
    found
}

/// The calls one method makes: SDK operations (a method call named as one of `operations`, the
/// service's operations normalised) and the adapter's own methods (`self.method()`).
struct Calls<'a> {
    operations: &'a BTreeSet<String>,
    called: BTreeSet<String>,
    own: BTreeSet<String>,
}

impl<'a> Calls<'a> {
    fn new(operations: &'a BTreeSet<String>) -> Self {
        Self { operations, called: BTreeSet::new(), own: BTreeSet::new() }
    }
}

impl<'ast> Visit<'ast> for Calls<'_> {
    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let name = call.method.to_string();
        if self.operations.contains(&normal(&name)) {
            self.called.insert(name.clone());
        }
        if matches!(&*call.receiver, syn::Expr::Path(p) if p.path.is_ident("self")) {
            self.own.insert(name);
        }
        syn::visit::visit_expr_method_call(self, call);
    }

    /// Calls inside a macro's arguments (`tokio::try_join!(...)`), which syn leaves as tokens.
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if let Ok(args) = mac.parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated) {
            for arg in &args {
                self.visit_expr(arg);
            }
        }
    }
}

/// Port trait -> the SDK operations its adapter's methods call (`service:operation`, the
/// operation as the code spells it), through the adapter's other methods too. Every port method
/// of an adapter calls Cognito: one in which no call is found is a form this reader does not
/// know, and fails the test.
fn adapter_operations(
    adapter: &syn::File,
    service: &str,
    operations: &BTreeSet<String>,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut methods: BTreeMap<String, Calls> = BTreeMap::new();
    let mut ports: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for item in &adapter.items {
        let syn::Item::Impl(block) = item else { continue };
        for member in &block.items {
            let syn::ImplItem::Fn(method) = member else { continue };
            let mut calls = Calls::new(operations);
            calls.visit_impl_item_fn(method);
            let name = method.sig.ident.to_string();
            if let Some((_, path, _)) = &block.trait_ {
                ports.entry(last_segment(path)).or_default().push(name.clone());
            }
            methods.insert(name, calls);
        }
    }
    let reach = |method: &str| {
        let mut reached = BTreeSet::new();
        let mut seen = BTreeSet::new();
        let mut todo = vec![method.to_string()];
        while let Some(next) = todo.pop() {
            if !seen.insert(next.clone()) {
                continue;
            }
            if let Some(calls) = methods.get(&next) {
                reached.extend(calls.called.iter().map(|op| format!("{service}:{op}")));
                todo.extend(calls.own.iter().cloned());
            }
        }
        reached
    };
    let mut found = BTreeMap::new();
    for (port, names) in &ports {
        let mut all = BTreeSet::new();
        for method in names {
            let reached = reach(method);
            assert!(!reached.is_empty(), "{port}::{method}: no call of a {service} operation found");
            all.extend(reached);
        }
        found.insert(port.clone(), all);
    }
    found
}

/// The `dyn` traits in the parameters of the `new` functions of `file`'s inherent impls: the
/// ports a function's state is built from.
fn state_ports(file: &syn::File) -> BTreeSet<String> {
    #[derive(Default)]
    struct DynTraits(BTreeSet<String>);
    impl<'ast> Visit<'ast> for DynTraits {
        fn visit_type_trait_object(&mut self, object: &'ast syn::TypeTraitObject) {
            for bound in &object.bounds {
                if let syn::TypeParamBound::Trait(t) = bound {
                    self.0.insert(last_segment(&t.path));
                }
            }
        }
    }
    let mut found = DynTraits::default();
    for item in &file.items {
        let syn::Item::Impl(block) = item else { continue };
        if block.trait_.is_some() {
            continue;
        }
        for member in &block.items {
            if let syn::ImplItem::Fn(method) = member
                && method.sig.ident == "new"
            {
                for input in &method.sig.inputs {
                    found.visit_fn_arg(input);
                }
            }
        }
    }
    found.0
}

fn expand(ports: &BTreeSet<String>, supertraits: &BTreeMap<String, Vec<String>>) -> BTreeSet<String> {
    let mut all = BTreeSet::new();
    let mut todo: Vec<String> = ports.iter().cloned().collect();
    while let Some(port) = todo.pop() {
        if all.insert(port.clone()) {
            todo.extend(supertraits.get(&port).cloned().unwrap_or_default());
        }
    }
    all
}

/// Per service, its operations and the ones IAM authorizes, lower case without separators, as
/// the emulator reads them from botocore's model.
struct Classes {
    operations: BTreeMap<String, BTreeSet<String>>,
    iam_authorized: BTreeMap<String, BTreeSet<String>>,
}

fn classes() -> Classes {
    let python = local_stack::moto::default_moto_bin().with_file_name("python");
    let script = "import json; from strict_cognito import iam; \
                  print(json.dumps([{s: sorted(iam.operations(s)) for s in iam.SERVICES}, \
                                    {s: sorted(iam.iam_authorized(s)) for s in iam.SERVICES}]))";
    let out = Command::new(&python)
        .args(["-c", script])
        .env("PYTHONPATH", local_stack::moto::EMULATOR_DIR)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e} (run `make venv`)", python.display()));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let [operations, iam_authorized]: [BTreeMap<String, Vec<String>>; 2] =
        serde_json::from_slice(&out.stdout).expect("JSON");
    let normalised = |by_service: BTreeMap<String, Vec<String>>| {
        by_service
            .into_iter()
            .map(|(service, actions)| (service, actions.iter().map(|a| normal(a)).collect()))
            .collect()
    };
    Classes { operations: normalised(operations), iam_authorized: normalised(iam_authorized) }
}

/// `cognito-idp:AdminInitiateAuth` and `cognito-idp:admin_initiate_auth` alike (IAM action
/// names are case-insensitive).
fn normal(action: &str) -> String {
    action.chars().filter(|c| *c != '_').flat_map(char::to_lowercase).collect()
}

/// Binary name (`Metadata.BuildProperties.Binary`) -> the template's logical id.
fn template_functions() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(local_stack::iam::template_path()).expect("template.yaml");
    let template: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).expect("template.yaml parses");
    template["Resources"]
        .as_mapping()
        .expect("Resources")
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::Serverless::Function"))
        .map(|(id, r)| {
            let binary = r["Metadata"]["BuildProperties"]["Binary"].as_str().expect("Binary");
            (binary.to_string(), id.as_str().expect("logical id").to_string())
        })
        .collect()
}

fn crate_source(binary: &str) -> String {
    if binary == "authorizer" { "authorizer/src/lib.rs".into() } else { format!("functions/{binary}/src/lib.rs") }
}

/// Function logical id -> the IAM-authorized actions its code can call (normalised).
fn derived_from_code() -> BTreeMap<String, BTreeSet<String>> {
    let classes = classes();
    let user_pool = parse("crates/domain/src/user_pool.rs");
    let identity_pool = parse("crates/domain/src/identity_pool.rs");
    let mut operations = adapter_operations(
        &parse("crates/domain/src/sdk/user_pool.rs"),
        "cognito-idp",
        &classes.operations["cognito-idp"],
    );
    operations.extend(adapter_operations(
        &parse("crates/domain/src/sdk/identity_pool.rs"),
        "cognito-identity",
        &classes.operations["cognito-identity"],
    ));
    // The admin port reaches the group listing that once went ungranted.
    assert!(operations["AdminPort"].contains("cognito-idp:list_users_in_group"));
    let mut derived = BTreeMap::new();
    for (binary, logical_id) in template_functions() {
        let lib = parse(&crate_source(&binary));
        let traits = supertraits(&[&user_pool, &identity_pool, &lib]);
        let ports = expand(&state_ports(&lib), &traits);
        // A port without an adapter here would hide its calls: only the function's own bundles of
        // ports (traits it declares) may have none.
        let bundles = supertraits(&[&lib]);
        for port in &ports {
            assert!(
                operations.contains_key(port) || bundles.contains_key(port),
                "{binary}: port {port} has no adapter in crates/domain/src/sdk"
            );
        }
        let reached: BTreeSet<String> = ports.iter().filter_map(|p| operations.get(p)).flatten().cloned().collect();
        if binary != "authorizer" {
            assert!(!reached.is_empty(), "{binary}: no Cognito call found through ports {ports:?}");
        }
        let authorized = reached
            .iter()
            .filter(|action| {
                let (service, operation) = action.split_once(':').expect("service:operation");
                classes.iam_authorized.get(service).is_some_and(|c| c.contains(&normal(operation)))
            })
            .map(|a| normal(a))
            .collect();
        derived.insert(logical_id, authorized);
    }
    derived
}

#[test]
fn each_functions_policy_grants_exactly_the_iam_authorized_actions_its_ports_call() {
    let policies = TemplatePolicies::from_repository().expect("template.yaml's policies");
    let derived = derived_from_code();
    assert_eq!(policies.functions().map(str::to_string).collect::<BTreeSet<_>>(), derived.keys().cloned().collect());
    for (function, needed) in &derived {
        let granted: BTreeSet<String> = policies.allowed_actions(function).iter().map(|a| normal(a)).collect();
        let missing: Vec<_> = needed.difference(&granted).collect();
        let extra: Vec<_> = granted.difference(needed).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{function}: the policy lacks {missing:?} and grants {extra:?} beyond what its code calls"
        );
    }
}

#[test]
fn every_grant_is_of_named_actions_on_the_pool_itself() {
    let policies = TemplatePolicies::from_repository().expect("template.yaml's policies");
    let local = LocalResources {
        region: "us-east-1".into(),
        user_pool_id: "us-east-1_pool".into(),
        identity_pool_id: "us-east-1:identity".into(),
    };
    let pool_arn = format!("arn:aws:cognito-idp:us-east-1:{}:userpool/us-east-1_pool", local_stack::iam::LOCAL_ACCOUNT);
    for (function, statements) in policies.resolve(&local).expect("resolved") {
        for statement in statements {
            assert_eq!(statement["Effect"], "Allow", "{function}: {statement}");
            let actions = match &statement["Action"] {
                serde_json::Value::String(one) => vec![one.clone()],
                serde_json::Value::Array(many) => many.iter().filter_map(|a| a.as_str().map(str::to_string)).collect(),
                other => panic!("{function}: Action {other} (NotAction grants what it does not name)"),
            };
            assert!(
                actions.iter().all(|a| a.starts_with("cognito-idp:") && !a.contains(['*', '?'])),
                "{function}: {actions:?}"
            );
            assert_eq!(statement["Resource"], serde_json::json!(pool_arn), "{function}: {statement}");
        }
    }
}

#[test]
fn the_derivation_sees_the_admin_flow_in_auth_and_the_group_listing_in_users() {
    let derived = derived_from_code();
    assert!(derived["AuthFunction"].contains("cognito-idp:admininitiateauth"));
    assert!(derived["UsersFunction"].contains("cognito-idp:listgroups"));
    assert!(derived["UsersFunction"].contains("cognito-idp:listusersingroup"));
    // The sessions a reset or an admin's action ends: the one grant either needs for it.
    for function in ["PasswordFunction", "UsersFunction"] {
        assert!(
            derived[function].contains("cognito-idp:adminuserglobalsignout"),
            "{function}: {:?}",
            derived[function]
        );
    }
    assert_eq!(derived["PasswordFunction"].len(), 1, "{:?}", derived["PasswordFunction"]);
    // Public and token-authorized calls need no grant: the users function's live check with the
    // admin's access token (GetUser) adds none.
    assert!(!derived["UsersFunction"].contains("cognito-idp:getuser"));
    for function in ["RefreshFunction", "CredentialsFunction", "AuthorizerFunction"] {
        assert!(derived[function].is_empty(), "{function}: {:?}", derived[function]);
    }
}

/// `template.yaml` as SAM deploys it (the translator of the virtualenv's SAM CLI, run offline:
/// the code location and the pseudo parameters filled in, managed policies known by name).
fn transformed_template() -> serde_json::Value {
    let python = local_stack::moto::default_moto_bin().with_file_name("python");
    let script = "import json, sys\n\
                  from samcli.yamlhelper import yaml_parse\n\
                  from samtranslator.translator.transform import transform\n\
                  class NoLookups:\n    def load(self): return {}\n\
                  t = yaml_parse(open(sys.argv[1]).read())\n\
                  t['Globals']['Function']['CodeUri'] = 's3://bucket/key'\n\
                  print(json.dumps(transform(t, {}, NoLookups())))";
    let out = Command::new(&python)
        .args(["-c", script])
        .arg(local_stack::iam::template_path())
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap_or_else(|e| panic!("{}: {e} (run `make venv`)", python.display()));
    assert!(out.status.success(), "the SAM translator: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn each_deployed_role_adds_only_lambdas_log_and_trace_writes_to_the_template_policy() {
    // GIVEN the roles SAM generates for the functions
    let deployed = transformed_template();
    let policies = TemplatePolicies::from_repository().expect("template.yaml's policies");
    for function in policies.functions() {
        let role = &deployed["Resources"][format!("{function}Role")]["Properties"];
        // THEN the managed policies are the Lambda service's own: CloudWatch Logs (every
        // function) and, with Tracing: Active, X-Ray's writes (xray:PutTraceSegments,
        // PutTelemetryRecords and the sampling-rule reads, which IAM grants on Resource "*" only:
        // X-Ray has no resource-level permissions). The code calls neither service.
        let managed: Vec<&str> = role["ManagedPolicyArns"]
            .as_array()
            .expect("ManagedPolicyArns")
            .iter()
            .filter_map(|a| a.as_str())
            .collect();
        assert_eq!(
            managed,
            [
                "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"
            ],
            "{function}"
        );
        // AND the inline statements grant exactly what the template's Policies grant (what the
        // tests above hold to the code, and the local stack enforces)
        let inline: BTreeSet<String> = role["Policies"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|p| p["PolicyDocument"]["Statement"].as_array().cloned().unwrap_or_default())
            .filter(|s| s["Effect"] == "Allow")
            .flat_map(|s| match &s["Action"] {
                serde_json::Value::String(one) => vec![one.clone()],
                many => many.as_array().into_iter().flatten().filter_map(|a| a.as_str().map(str::to_string)).collect(),
            })
            .collect();
        assert_eq!(inline, policies.allowed_actions(function), "{function}");
    }
}
