//! `authctl account`: the signed-in person's own account through the API's `/account` routes,
//! with the saved access token, the one those routes take (`authctl call`'s route table says so,
//! and its request code sends them). What the API answers goes to stdout as pretty JSON, what
//! happened to stderr; a refused request is one line with the API's code and message, and what
//! to do next, and exit status 1.
//!
//! - `show`: `GET /account`, the username, every attribute and the second factors.
//! - `set NAME=VALUE...`: `PATCH /account`. A new email waits for the code sent to it: the old,
//!   verified address stays the person's, and keeps signing in, until `verify email CODE`.
//! - `send-code ATTRIBUTE`, `verify ATTRIBUTE CODE`: prove an address.
//! - `passkeys`: `GET /passkeys`, every page, as one list; `delete-passkey ID`:
//!   `DELETE /passkeys/{credentialId}`. Registering a passkey takes a browser (the web app).
//! - `delete --yes`: `DELETE /account`, then the session file. The API deletes only within
//!   minutes of a sign-in (RFC 9470's `InsufficientUserAuthentication` otherwise): sign in again
//!   first.

use std::process::ExitCode;

use api_types::wire::VerifiableAttribute;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::{
    Context,
    call::{self, render},
    print_line, token_argument,
};
use crate::{
    cli::{AccountCommand, Address},
    session,
};

/// Runs `authctl account`.
pub async fn run(ctx: &Context, command: &AccountCommand) -> anyhow::Result<ExitCode> {
    match command {
        AccountCommand::Show => {
            let answer = request(ctx, Method::GET, "/account", None).await?;
            print_line(&render(&answer))
        }
        AccountCommand::Set(args) => {
            let body = set_body(&args.attributes)?;
            let answer = request(ctx, Method::PATCH, "/account", Some(body)).await?;
            for line in deliveries(&answer) {
                note!("{line}");
            }
            print_line(&render(&answer))
        }
        AccountCommand::SendCode(args) => {
            let answer = request(ctx, Method::POST, &code_path(args.attribute), None).await?;
            for line in deliveries(&answer) {
                note!("{line}");
            }
            print_line(&render(&answer))
        }
        AccountCommand::Verify(args) => {
            let code = token_argument(Some(&args.code))?.unwrap_or_default();
            let body = json!({ "code": code }).to_string();
            request(ctx, Method::POST, &verify_path(args.attribute), Some(body)).await?;
            note!("{}", verified(args.attribute));
            Ok(ExitCode::SUCCESS)
        }
        AccountCommand::Passkeys => {
            let mut passkeys = Vec::new();
            let mut next: Option<String> = None;
            loop {
                let path = match &next {
                    Some(token) => format!("/passkeys?next={}", utf8_percent_encode(token, NON_ALPHANUMERIC)),
                    None => "/passkeys".to_string(),
                };
                let page: Value = serde_json::from_slice(&request(ctx, Method::GET, &path, None).await?)?;
                passkeys.extend(page["passkeys"].as_array().cloned().unwrap_or_default());
                next = page["next"].as_str().map(str::to_owned);
                if next.is_none() {
                    break;
                }
            }
            print_line(&render(json!({ "passkeys": passkeys }).to_string().as_bytes()))
        }
        AccountCommand::DeletePasskey(args) => {
            let path = format!("/passkeys/{}", utf8_percent_encode(&args.credential_id, NON_ALPHANUMERIC));
            request(ctx, Method::DELETE, &path, None).await?;
            note!("Deleted the passkey {}: it no longer signs in.", args.credential_id);
            Ok(ExitCode::SUCCESS)
        }
        AccountCommand::Delete(args) => {
            if !args.yes {
                anyhow::bail!("deleting the account cannot be undone: run `authctl account delete --yes` to delete it");
            }
            let (path, saved) = ctx.load_session()?;
            request(ctx, Method::DELETE, "/account", None).await?;
            session::remove(&path)?;
            note!(
                "Deleted the account of {}: it can no longer sign in, and its tokens no longer work. Removed {}",
                saved.username,
                path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Sends one request with the token the route takes (the access token, for every `/account`
/// route), through `authctl call`'s request code; the answer's body when it is a 2xx, else the
/// error line of [`failure`].
async fn request(ctx: &Context, method: Method, path: &str, body: Option<String>) -> anyhow::Result<Vec<u8>> {
    let kind = call::token_for(method.as_str(), path, None);
    let answer = call::send(ctx, method, path, kind, body).await?;
    if answer.status.is_success() { Ok(answer.body) } else { Err(failure(answer.status, &answer.body)) }
}

/// `PATCH /account`'s body: `{"attributes": {NAME: VALUE, ...}}`, each name once.
fn set_body(pairs: &[(String, String)]) -> anyhow::Result<String> {
    let mut attributes = Map::new();
    for (name, value) in pairs {
        if attributes.insert(name.clone(), Value::String(value.clone())).is_some() {
            anyhow::bail!("`{name}` is given twice: give each attribute once");
        }
    }
    Ok(json!({ "attributes": attributes }).to_string())
}

fn code_path(address: Address) -> String {
    format!("/account/attributes/{}/code", VerifiableAttribute::from(address).as_str())
}

fn verify_path(address: Address) -> String {
    format!("/account/attributes/{}/verify", VerifiableAttribute::from(address).as_str())
}

/// What the person does next, for each code an answer says was sent (`codeDeliveries` of
/// `PATCH /account`, `codeDelivery` of `.../code`).
fn deliveries(body: &[u8]) -> Vec<String> {
    let Ok(answer) = serde_json::from_slice::<Value>(body) else { return Vec::new() };
    let listed = answer.get("codeDeliveries").and_then(Value::as_array).cloned().unwrap_or_default();
    let single = answer.get("codeDelivery").cloned().into_iter();
    listed
        .into_iter()
        .chain(single)
        .map(|d| {
            let text = |key: &str| d.get(key).and_then(Value::as_str).unwrap_or("?").to_owned();
            let attribute = text("attributeName");
            let mut line = format!(
                "A code went to {} ({}): prove it with `authctl account verify {attribute} CODE`.",
                text("destination"),
                text("deliveryMedium"),
            );
            if attribute == "email" || attribute == "phone_number" {
                line.push_str(" Until then, a changed address waits: the old one stays, and keeps signing in.");
            }
            line
        })
        .collect()
}

fn verified(address: Address) -> String {
    let name = VerifiableAttribute::from(address).as_str();
    format!(
        "Verified {name}: a change that waited for it has taken effect. `authctl refresh` gets tokens that carry it."
    )
}

/// One line for a refused request: the API's code and message (and the field it names), and what
/// to do next when the answer says it.
fn failure(status: StatusCode, body: &[u8]) -> anyhow::Error {
    let error = serde_json::from_slice::<Value>(body).ok().and_then(|v| v.get("error").cloned());
    let text = |key: &str| error.as_ref().and_then(|e| e.get(key)).and_then(Value::as_str).map(str::to_owned);
    let (Some(code), Some(message)) = (text("code"), text("message")) else {
        let shown = render(body);
        return anyhow::anyhow!("the API answered {status}{}{shown}", if shown.is_empty() { "" } else { ": " });
    };
    let mut line = format!("{code}: {message}");
    if let Some(field) = text("field") {
        line.push_str(&format!(" (field `{field}`)"));
    }
    match code.as_str() {
        // RFC 9470: the sign-in is too old for the route; a refresh keeps its time.
        "InsufficientUserAuthentication" => {
            line.push_str(" Sign in again first (`authctl sign-in`), then `authctl account delete --yes`.");
        }
        "Unauthorized" => {
            line.push_str(" Run `authctl refresh`, or `authctl sign-in` if the session has ended.");
        }
        _ => {}
    }
    anyhow::anyhow!(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::JwtKind;

    #[test]
    fn every_account_route_takes_the_access_token() {
        for (method, path) in [
            ("GET", "/account".to_owned()),
            ("PATCH", "/account".to_owned()),
            ("DELETE", "/account".to_owned()),
            ("POST", code_path(Address::Email)),
            ("POST", verify_path(Address::PhoneNumber)),
        ] {
            assert_eq!(call::token_for(method, &path, None), Some(JwtKind::Access), "{method} {path}");
        }
    }

    #[test]
    fn the_paths_name_the_address_as_cognito_does() {
        assert_eq!(code_path(Address::PhoneNumber), "/account/attributes/phone_number/code");
        assert_eq!(verify_path(Address::Email), "/account/attributes/email/verify");
    }

    #[test]
    fn attributes_become_the_patch_body_each_once() {
        let pairs =
            |list: &[(&str, &str)]| list.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect::<Vec<_>>();
        let body: Value =
            serde_json::from_str(&set_body(&pairs(&[("given_name", "Ann"), ("locale", "")])).unwrap()).unwrap();
        assert_eq!(body, json!({"attributes": {"given_name": "Ann", "locale": ""}}));
        let twice = set_body(&pairs(&[("name", "A"), ("name", "B")])).unwrap_err().to_string();
        assert!(twice.contains("`name` is given twice"), "{twice}");
    }

    #[test]
    fn a_sign_in_too_old_says_to_sign_in_again_first() {
        // GIVEN RFC 9470's answer to DELETE /account after an old sign-in
        let body = br#"{"error":{"code":"InsufficientUserAuthentication","message":"This needs a sign-in within the last 5 minutes: sign in again."}}"#;
        // WHEN it is told THEN the line says what happened and what to do first
        let line = failure(StatusCode::UNAUTHORIZED, body).to_string();
        assert!(
            line.starts_with("InsufficientUserAuthentication: This needs a sign-in within the last 5 minutes"),
            "{line}"
        );
        assert!(line.contains("Sign in again first (`authctl sign-in`)"), "{line}");
    }

    #[test]
    fn a_refused_token_says_to_refresh_and_wrong_input_names_its_field() {
        let refused = br#"{"error":{"code":"Unauthorized","message":"The access token is invalid, expired or revoked: sign in again."}}"#;
        assert!(failure(StatusCode::UNAUTHORIZED, refused).to_string().contains("`authctl refresh`"));
        let taken = br#"{"error":{"code":"Conflict","message":"Another account already uses this address."}}"#;
        assert_eq!(
            failure(StatusCode::CONFLICT, taken).to_string(),
            "Conflict: Another account already uses this address."
        );
        let wrong = br#"{"error":{"code":"InvalidCode","message":"The code is wrong or has expired.","field":"code"}}"#;
        assert_eq!(
            failure(StatusCode::BAD_REQUEST, wrong).to_string(),
            "InvalidCode: The code is wrong or has expired. (field `code`)"
        );
        let bare = failure(StatusCode::BAD_GATEWAY, b"").to_string();
        assert_eq!(bare, "the API answered 502 Bad Gateway");
    }

    #[test]
    fn each_code_sent_says_where_and_how_to_prove_it() {
        let patch =
            br#"{"codeDeliveries":[{"destination":"n***@e***","deliveryMedium":"EMAIL","attributeName":"email"}]}"#;
        let lines = deliveries(patch);
        assert_eq!(lines.len(), 1);
        assert!(
            lines[0]
                .starts_with("A code went to n***@e*** (EMAIL): prove it with `authctl account verify email CODE`.")
        );
        assert!(lines[0].contains("the old one stays"), "{}", lines[0]);
        let sent =
            br#"{"codeDelivery":{"destination":"+*******1234","deliveryMedium":"SMS","attributeName":"phone_number"}}"#;
        assert!(deliveries(sent)[0].contains("`authctl account verify phone_number CODE`"));
        assert!(deliveries(br#"{"codeDeliveries":[]}"#).is_empty());
    }
}
