//! Strict JSON request bodies: every route parses its body with [`parse_body`], so every route
//! answers bad input the same way — a 400 naming the field, or 413 for an oversized body.

use serde::de::DeserializeOwned;

use crate::{ApiError, ErrorCode};

/// The largest request body accepted (64 KiB); larger bodies get 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Parses a JSON body into `T`. Request types use `#[serde(deny_unknown_fields)]`, so an unknown
/// field is an error too.
///
/// Errors: 413 over [`MAX_BODY_BYTES`]; 400 for an empty body, invalid JSON, a missing or unknown
/// field or a wrong type, naming the field where one is at fault.
pub fn parse_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("The request body is larger than {MAX_BODY_BYTES} bytes."),
        ));
    }
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        None => return Err(ApiError::bad_field(BODY, "A JSON request body is required.")),
        Some(b'{') => {}
        Some(_) => return Err(not_an_object()),
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| describe(&e))?;
    de.end().map_err(|_| not_json())?;
    Ok(value)
}

fn describe(err: &serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let inner = err.inner();
    if inner.is_syntax() || inner.is_eof() {
        return not_json();
    }
    let text = inner.to_string();
    // serde reports a missing field at the parent's path, naming the field in backticks; an
    // unknown field is reported at its own path.
    let missing = text.strip_prefix("missing field `").and_then(|rest| rest.split('`').next());
    let path = err.path().to_string();
    let field = match (missing, path.as_str()) {
        (Some(name), ".") => name.to_string(),
        (Some(name), parent) => format!("{parent}.{name}"),
        (None, ".") => return not_an_object(),
        (None, path) => path.to_string(),
    };
    let message = if text.starts_with("missing field") {
        format!("{field} is required.")
    } else if text.starts_with("unknown field") {
        format!("{field} is not a known field.")
    } else {
        // serde's type messages ("invalid type: integer `1`, expected a string") are safe to show:
        // they describe only the client's own input. Drop the position suffix.
        let detail = text.split(" at line ").next().unwrap_or(&text);
        format!("{field}: {detail}.")
    };
    ApiError::bad_field(field, message)
}

/// The `field` of a 400 about the body as a whole.
const BODY: &str = "body";

fn not_json() -> ApiError {
    ApiError::bad_field(BODY, "The request body is not valid JSON.")
}

fn not_an_object() -> ApiError {
    ApiError::bad_field(BODY, "The request body must be a JSON object.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Req {
        username: String,
        count: Option<u8>,
        nested: Option<Nested>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Nested {
        inner: String,
    }

    fn err(body: &str) -> ApiError {
        parse_body::<Req>(body.as_bytes()).unwrap_err()
    }

    #[test]
    fn accepts_a_valid_body() {
        let req: Req = parse_body(br#"{"username":"a","count":3}"#).unwrap();
        assert_eq!(req.username, "a");
    }

    #[test]
    fn rejects_missing_field_naming_it() {
        let e = err("{}");
        assert_eq!(e.code, ErrorCode::BadRequest);
        assert_eq!(e.field.as_deref(), Some("username"));
    }

    #[test]
    fn rejects_unknown_field_naming_it() {
        assert_eq!(err(r#"{"username":"a","admin":true}"#).field.as_deref(), Some("admin"));
    }

    #[test]
    fn rejects_wrong_type_naming_the_field() {
        assert_eq!(err(r#"{"username":5}"#).field.as_deref(), Some("username"));
        assert_eq!(err(r#"{"username":"a","count":300}"#).field.as_deref(), Some("count"));
    }

    #[test]
    fn names_nested_fields_with_their_path() {
        assert_eq!(err(r#"{"username":"a","nested":{}}"#).field.as_deref(), Some("nested.inner"));
    }

    #[test]
    fn rejects_non_json_empty_and_non_object_bodies() {
        for body in ["not json", "", "  ", "[1,2]", "\"str\"", r#"{"username":"a"} trailing"#] {
            let e = err(body);
            assert_eq!(e.code, ErrorCode::BadRequest, "{body}");
            assert_eq!(e.field.as_deref(), Some("body"), "{body}");
        }
    }

    #[test]
    fn rejects_oversized_body_with_413() {
        let body = format!(r#"{{"username":"{}"}}"#, "a".repeat(MAX_BODY_BYTES));
        assert_eq!(err(&body).code, ErrorCode::PayloadTooLarge);
    }
}
