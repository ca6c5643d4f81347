//! `openapi.yaml` says what the API's own rules say: the limits and patterns of its shared
//! schemas are the constants and patterns of `crates/domain/src/input.rs` (and the few kept
//! elsewhere), its challenge names the ones the domain answers, and every operation lists every
//! answer it can give. The route table itself is compared in `template.rs`
//! (`openapi_declares_exactly_the_route_table_with_its_access`); what the running API accepts and
//! refuses, in `contract.rs`.

use api_types::{
    challenge::{ChallengeName, MfaFactor, PreferredChallenge},
    routes::ROUTES,
};
use auth_domain::input;
use serde_yaml_ng::Value;

fn openapi() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml");
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).expect("openapi.yaml")).expect("openapi.yaml parses")
}

fn schema<'a>(spec: &'a Value, name: &str) -> &'a Value {
    let found = &spec["components"]["schemas"][name];
    assert!(!found.is_null(), "components.schemas.{name} is missing");
    found
}

fn number(value: &Value, key: &str) -> Option<usize> {
    value[key].as_u64().and_then(|n| usize::try_from(n).ok())
}

fn pattern(value: &Value) -> &str {
    value["pattern"].as_str().unwrap_or_default()
}

#[test]
fn shared_schemas_carry_the_apis_own_limits() {
    let spec = openapi();
    // (schema, minLength, maxLength) as the domain checks them.
    let limits = [
        ("Name", Some(1), input::USERNAME_MAX_CHARS),
        ("Password", Some(1), input::PASSWORD_MAX_CHARS),
        ("NewPassword", Some(1), input::PASSWORD_MAX_CHARS),
        ("Token", Some(1), input::TOKEN_MAX_CHARS),
        ("AcrValues", Some(1), input::ACR_VALUES_MAX_CHARS),
        ("Session", Some(1), input::SESSION_MAX_CHARS),
        ("ConfirmationCode", Some(1), input::CONFIRMATION_CODE_MAX_CHARS),
        ("DeviceName", Some(1), input::DEVICE_NAME_MAX_CHARS),
        ("Email", Some(3), input::EMAIL_MAX_CHARS),
        ("AttributeValue", None, input::ATTRIBUTE_VALUE_MAX_CHARS),
        ("SignUpReceipt", Some(1), auth_domain::registration::RECEIPT_MAX_CHARS),
    ];
    for (name, min, max) in limits {
        let s = schema(&spec, name);
        assert_eq!((number(s, "minLength"), number(s, "maxLength")), (min, Some(max)), "{name}");
    }
    assert_eq!(input::USERNAME_MAX_CHARS, input::GROUP_NAME_MAX_CHARS);
    assert_eq!(number(schema(&spec, "AdminAttributes"), "maxProperties"), Some(input::ATTRIBUTES_MAX));
    let groups = &schema(&spec, "CreateUserRequest")["properties"]["groups"];
    assert_eq!(number(groups, "maxItems"), Some(input::GROUPS_MAX));
    assert_eq!(
        number(&spec["components"]["parameters"]["EncodedData"]["schema"], "maxLength"),
        Some(auth_domain::context_data::ENCODED_DATA_MAX_CHARS)
    );
}

#[test]
fn shared_schemas_carry_the_apis_own_patterns() {
    let spec = openapi();
    let not_blank = input::not_blank_pattern();
    let patterns = [
        ("Name", input::name_pattern()),
        ("AcrValues", input::acr_values_pattern()),
        ("Password", not_blank.clone()),
        ("Token", not_blank.clone()),
        ("Session", not_blank.clone()),
        ("SignUpReceipt", not_blank.clone()),
        ("DeviceName", not_blank),
        ("NewPassword", input::password_pattern()),
        ("Email", input::email_pattern()),
        ("EmailAttribute", input::email_pattern()),
    ];
    for (name, expected) in patterns {
        assert_eq!(pattern(schema(&spec, name)), expected, "{name}: the pattern differs from input.rs's");
    }
    // A custom attribute's name: the name pattern, 1 to CUSTOM_ATTRIBUTE_NAME_MAX_CHARS long.
    let custom = schema(&spec, "AdminAttributes")["patternProperties"].as_mapping().expect("patternProperties");
    let name_class = input::name_pattern();
    let class = name_class.trim_start_matches('^').trim_end_matches("+$");
    let expected = format!("^custom:{class}{{1,{}}}$", input::CUSTOM_ATTRIBUTE_NAME_MAX_CHARS);
    assert_eq!(custom.keys().filter_map(Value::as_str).collect::<Vec<_>>(), [expected.as_str()]);
}

#[test]
fn list_users_parameters_carry_the_apis_own_limits() {
    let spec = openapi();
    let parameters = spec["paths"]["/users"]["get"]["parameters"].as_sequence().expect("parameters");
    let param = |name: &str| {
        &parameters.iter().find(|p| p["name"].as_str() == Some(name)).unwrap_or_else(|| panic!("{name}"))["schema"]
    };
    assert_eq!(number(param("limit"), "maximum"), Some(input::PAGE_SIZE_MAX));
    assert_eq!(number(param("next"), "maxLength"), Some(input::PAGINATION_TOKEN_MAX_CHARS));
    assert_eq!(pattern(param("next")), input::not_blank_pattern());
    assert_eq!(number(param("email"), "maxLength"), Some(input::LIST_EMAIL_MAX_CHARS));
    assert_eq!(pattern(param("email")), input::filter_value_pattern());
}

#[test]
fn the_passkey_routes_carry_the_apis_own_limits() {
    use auth_domain::passkeys::{CREDENTIAL_ID_MAX_CHARS, PASSKEY_PAGE_MAX};
    let spec = openapi();
    let list = spec["paths"]["/passkeys"]["get"]["parameters"].as_sequence().expect("parameters");
    let limit = list.iter().find(|p| p["name"].as_str() == Some("limit")).expect("limit");
    assert_eq!(number(&limit["schema"], "maximum"), Some(usize::from(PASSKEY_PAGE_MAX)));
    let next = list.iter().find(|p| p["name"].as_str() == Some("next")).expect("next");
    assert_eq!(number(&next["schema"], "maxLength"), Some(input::PAGINATION_TOKEN_MAX_CHARS));
    let id = find_key(&spec["paths"]["/passkeys/{credentialId}"], "schema").expect("credentialId schema");
    assert_eq!(number(id, "maxLength"), Some(CREDENTIAL_ID_MAX_CHARS));
    let web_authn = schema(&spec, "ChallengeRequest")["oneOf"]
        .as_sequence()
        .expect("oneOf")
        .iter()
        .find(|branch| strings(&branch["properties"]["name"]["enum"]) == ["WEB_AUTHN"])
        .expect("a WEB_AUTHN branch");
    let credential = &web_authn["properties"]["responses"]["properties"]["CREDENTIAL"];
    assert_eq!(number(credential, "maxLength"), Some(input::WEB_AUTHN_CREDENTIAL_MAX_CHARS));
}

#[test]
fn the_challenge_names_are_those_the_domain_answers_and_those_cognito_can_issue() {
    let spec = openapi();
    let names: Vec<&str> =
        schema(&spec, "ChallengeName")["enum"].as_sequence().expect("enum").iter().filter_map(Value::as_str).collect();
    let answered = auth_domain::challenge::answered_challenges();
    assert_eq!(names, answered.iter().map(ChallengeName::as_str).collect::<Vec<_>>());
    // A sign-in may pass on any challenge Cognito documents, answered or not.
    let issued: Vec<&str> = schema(&spec, "IssuedChallengeName")["enum"]
        .as_sequence()
        .expect("enum")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(issued, ChallengeName::KNOWN.iter().map(ChallengeName::as_str).collect::<Vec<_>>());
    // Each answer's shape in ChallengeRequest names its challenge, and all are there.
    let mut shaped: Vec<String> = schema(&spec, "ChallengeRequest")["oneOf"]
        .as_sequence()
        .expect("oneOf")
        .iter()
        .flat_map(|branch| branch["properties"]["name"]["enum"].as_sequence().cloned().unwrap_or_default())
        .filter_map(|name| name.as_str().map(str::to_string))
        .collect();
    shaped.sort_unstable();
    let mut expected: Vec<String> = answered.iter().map(ChallengeName::to_string).collect();
    expected.sort_unstable();
    assert_eq!(shaped, expected);
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_sequence()
        .map_or_else(Vec::new, |items| items.iter().filter_map(Value::as_str).map(str::to_string).collect())
}

#[test]
fn the_factors_are_the_catalogs_and_each_challenge_takes_the_answers_it_lists() {
    let spec = openapi();
    let first: Vec<&str> = PreferredChallenge::ALL.iter().map(|f| f.as_str()).collect();
    assert_eq!(strings(&schema(&spec, "FirstFactor")["enum"]), first);
    let second: Vec<&str> = MfaFactor::ALL.iter().map(|f| f.as_str()).collect();
    assert_eq!(strings(&schema(&spec, "MfaFactor")["enum"]), second);
    // Every first factor leads to the challenge of its name, which the API answers.
    for factor in PreferredChallenge::ALL {
        assert_eq!(factor.challenge().as_str(), factor.as_str());
        assert!(factor.challenge().answers().is_some(), "{factor:?}");
    }
    // Each ChallengeRequest branch's `responses` are exactly what the catalog says its
    // challenge takes (the attributes of NEW_PASSWORD_REQUIRED aside).
    for branch in schema(&spec, "ChallengeRequest")["oneOf"].as_sequence().expect("oneOf") {
        let responses = &branch["properties"]["responses"];
        let shapes = responses["oneOf"].as_sequence().cloned().unwrap_or_else(|| vec![responses.clone()]);
        let mut keys: Vec<String> = shapes
            .iter()
            .flat_map(|shape| shape["properties"].as_mapping().cloned().unwrap_or_default())
            .filter_map(|(key, _)| key.as_str().map(str::to_string))
            .filter(|key| !key.starts_with("userAttributes."))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        for name in strings(&branch["properties"]["name"]["enum"]) {
            let mut expected: Vec<String> = ChallengeName::from(name.as_str())
                .answers()
                .unwrap_or_else(|| panic!("{name} has a ChallengeRequest branch but no answers"))
                .iter()
                .map(|key| key.to_string())
                .collect();
            expected.sort_unstable();
            assert_eq!(keys, expected, "{name}");
        }
    }
    // What a SELECT_CHALLENGE may offer is a challenge Cognito documents.
    let offered = find_key(&spec["components"]["schemas"], "availableChallenges").expect("availableChallenges");
    for name in strings(&offered["items"]["enum"]) {
        assert!(!matches!(ChallengeName::from(name.as_str()), ChallengeName::Unknown(_)), "{name}");
    }
}

/// The first value under `key` anywhere inside `value`.
fn find_key<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    match value {
        Value::Mapping(map) => map.get(key).or_else(|| map.values().find_map(|inner| find_key(inner, key))),
        Value::Sequence(items) => items.iter().find_map(|inner| find_key(inner, key)),
        _ => None,
    }
}

#[test]
fn the_emulator_answers_the_challenges_of_the_catalog() {
    // The emulator's table of the challenges it takes answers to (`CHALLENGES` in
    // strict_cognito/api/sign_in.py), read from its source.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../crates/local-stack/emulator/strict_cognito/api/sign_in.py");
    let source = std::fs::read_to_string(path).expect("sign_in.py");
    let table = source.split_once("\nCHALLENGES = {").expect("CHALLENGES = { in sign_in.py").1;
    let table = table.split_once("\n}").expect("the end of CHALLENGES").0;
    let emulated: Vec<ChallengeName> = table
        .lines()
        .filter_map(|line| line.trim().strip_prefix('"')?.split_once('"').map(|(name, _)| ChallengeName::from(name)))
        .collect();
    assert!(!emulated.is_empty(), "no names read from CHALLENGES");
    for name in &emulated {
        assert!(!matches!(name, ChallengeName::Unknown(_)), "the emulator answers {name}, which the catalog lacks");
    }
    // Every challenge the API sends Cognito an answer to, in the flows the emulator drives, is one
    // it takes: those a client answers and SRP's second step. Not MFA_SETUP (answered with
    // VerifySoftwareToken's session), nor PASSWORD and PASSWORD_SRP, which Cognito documents as
    // challenge names but the emulator's choice-based sign-in takes only as SELECT_CHALLENGE's
    // answers or preferred challenges.
    let not_issued = [ChallengeName::MfaSetup, ChallengeName::Password, ChallengeName::PasswordSrp];
    let sent = ChallengeName::KNOWN
        .iter()
        .filter(|name| name.answers().is_some() && !not_issued.contains(name))
        .chain([&ChallengeName::PasswordVerifier]);
    for name in sent {
        assert!(emulated.contains(name), "the emulator does not answer {name}");
    }
}

#[test]
fn the_attributes_a_person_sets_are_those_the_app_client_may_write() {
    let spec = openapi();
    let keys = |value: &Value| -> Vec<String> {
        let mut keys: Vec<String> =
            value.as_mapping().expect("properties").keys().filter_map(Value::as_str).map(str::to_string).collect();
        keys.sort();
        keys
    };
    let mut writable: Vec<String> = auth_domain::WriteAttributes::TEMPLATE.iter().map(|s| s.to_string()).collect();
    writable.sort();
    assert_eq!(keys(&schema(&spec, "SignUpRequest")["properties"]["attributes"]["properties"]), writable);
    // Answering NEW_PASSWORD_REQUIRED, never the sign-in name.
    let new_password = schema(&spec, "ChallengeRequest")["oneOf"][0]["properties"]["responses"]["properties"].clone();
    let mut expected: Vec<String> = writable
        .iter()
        .filter(|name| !input::SIGN_IN_ATTRIBUTES.contains(&name.as_str()))
        .map(|name| format!("userAttributes.{name}"))
        .chain(["NEW_PASSWORD".to_string()])
        .collect();
    expected.sort();
    assert_eq!(keys(&new_password), expected);
}

#[test]
fn every_operation_lists_every_answer_it_can_give() {
    let spec = openapi();
    for route in ROUTES {
        let op = &spec["paths"][route.path][route.method.to_lowercase()];
        let responses = op["responses"].as_mapping().unwrap_or_else(|| panic!("{} {}", route.method, route.path));
        let lists = |status: &str| responses.contains_key(status);
        // Any request can be unreadable (400), throttled by API Gateway (429) or fail (5xx).
        for status in ["400", "429", "5XX"] {
            assert!(lists(status), "{} {} must list {status}", route.method, route.path);
        }
        // A body can be too large.
        if !op["requestBody"].is_null() {
            assert!(lists("413"), "{} {} takes a body and must list 413", route.method, route.path);
        }
    }
    // 429 says when to retry; every error answer has the error body.
    let throttled = &spec["components"]["responses"]["TooManyRequests"];
    assert!(!throttled["headers"]["Retry-After"].is_null(), "the 429 must document Retry-After");
    for (name, response) in spec["components"]["responses"].as_mapping().expect("responses") {
        let name = name.as_str().unwrap_or_default();
        if ["NoContent", "Accepted"].contains(&name) {
            continue;
        }
        let body = &response["content"]["application/json"]["schema"]["$ref"];
        assert_eq!(body.as_str(), Some("#/components/schemas/Error"), "{name}");
    }
}
