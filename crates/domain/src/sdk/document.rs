//! JSON values to and from the SDK's [`Document`], the type of the WebAuthn calls' free-form
//! members (`CredentialCreationOptions`, `Credential`). Every number keeps its sign and kind: COSE
//! algorithm identifiers are negative (`-7` ES256, `-257` RS256; RFC 9053 section 2.1 and the IANA
//! COSE Algorithms registry), and a credential loses nothing on the way to Cognito, which refuses
//! one missing members ("Credential data is not valid").

use aws_smithy_types::{Document, Number};
use serde_json::Value;

/// `value` as a [`Document`]: objects, arrays, strings, booleans and null as they are; integers
/// as [`Number::PosInt`] or [`Number::NegInt`], other numbers as [`Number::Float`].
pub fn to_document(value: &Value) -> Document {
    match value {
        Value::Null => Document::Null,
        Value::Bool(b) => Document::Bool(*b),
        Value::String(s) => Document::String(s.clone()),
        Value::Number(n) => Document::Number(match (n.as_u64(), n.as_i64()) {
            (Some(positive), _) => Number::PosInt(positive),
            (None, Some(negative)) => Number::NegInt(negative),
            (None, None) => Number::Float(n.as_f64().unwrap_or_default()),
        }),
        Value::Array(items) => Document::Array(items.iter().map(to_document).collect()),
        Value::Object(map) => Document::Object(map.iter().map(|(k, v)| (k.clone(), to_document(v))).collect()),
    }
}

/// `document` as JSON. A float JSON cannot hold (NaN, an infinity) becomes `null`.
pub fn to_json(document: &Document) -> Value {
    match document {
        Document::Null => Value::Null,
        Document::Bool(b) => Value::Bool(*b),
        Document::String(s) => Value::String(s.clone()),
        Document::Number(Number::PosInt(n)) => Value::from(*n),
        Document::Number(Number::NegInt(n)) => Value::from(*n),
        Document::Number(Number::Float(f)) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        Document::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        Document::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn cose_algorithms_keep_their_negative_sign_both_ways() {
        let options =
            json!({"pubKeyCredParams": [{"type": "public-key", "alg": -7}, {"type": "public-key", "alg": -257}]});
        let document = to_document(&options);
        let params = document.as_object().and_then(|o| o.get("pubKeyCredParams")).and_then(Document::as_array);
        let first = params.and_then(|p| p.first()).and_then(Document::as_object).and_then(|o| o.get("alg"));
        assert_eq!(first, Some(&Document::Number(Number::NegInt(-7))));
        assert_eq!(to_json(&document), options);
    }

    #[test]
    fn a_whole_credential_survives_the_round_trip() {
        let credential = json!({
            "id": "AbC-_1", "rawId": "AbC-_1", "type": "public-key", "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {"clientDataJSON": "eyJ0", "attestationObject": "o2Nm", "authenticatorData": "SZYN",
                         "transports": ["internal", "hybrid"], "publicKeyAlgorithm": -7, "publicKey": "MFkw"},
            "float": 1.5, "big": u64::MAX, "null": null, "yes": true
        });
        assert_eq!(to_json(&to_document(&credential)), credential);
    }
}
