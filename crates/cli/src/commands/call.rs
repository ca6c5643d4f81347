//! `authctl call`: one request to the API with the saved token its route takes, as a frontend
//! sends it: the ID token where the API answers from who the person is (`GET /me`,
//! `POST /credentials`), the access token where it acts as the person towards Cognito and on the
//! admin routes, none on a public route (the API's route table says which). The status line goes
//! to stderr, the body (pretty JSON when it is JSON) to stdout; the exit status is 0 for 2xx and
//! 1 otherwise.

use std::{io::Read, process::ExitCode, time::Duration};

use anyhow::Context as _;
use api_types::routes::{self, BearerTokenUse, RouteMatch};

use super::{Context, check_session, print_line, warn_if_expired};
use crate::cli::{CallArgs, JwtKind, TokenKind};

/// The whole request, body included, must finish within this.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Runs `authctl call`.
pub async fn run(ctx: &Context, args: &CallArgs) -> anyhow::Result<ExitCode> {
    let method = reqwest::Method::from_bytes(args.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| anyhow::anyhow!("`{}` is not an HTTP method", args.method))?;
    let body = args.data.as_deref().map(read_body).transpose()?;
    let kind = if args.no_auth { None } else { token_for(method.as_str(), &args.path, args.token) };
    let answer = send(ctx, method, &args.path, kind, body).await?;
    note!("{:?} {}", answer.version, answer.status);
    let text = render(&answer.body);
    if !text.is_empty() {
        print_line(&text)?;
    }
    if let Some(command) = step_up_command(&answer.body) {
        note!("The route needs a stronger or more recent sign-in. Step up, then call again: {command}");
    }
    Ok(if answer.status.is_success() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// After RFC 9470's refusal (`InsufficientUserAuthentication` with the `acrValues` a route
/// needs, and its `maxAge`), the `authctl step-up` command that reaches them; `None` for any
/// other answer, and for a refusal that names no level (only a new sign-in helps there).
fn step_up_command(body: &[u8]) -> Option<String> {
    let body: serde_json::Value = serde_json::from_slice(body).ok()?;
    let error = body.get("error")?;
    if error.get("code")?.as_str()? != "InsufficientUserAuthentication" {
        return None;
    }
    // Quoted for a POSIX shell: in single quotes, a single quote is written '\''.
    let acr_values = error.get("acrValues")?.as_str()?.replace('\'', r"'\''");
    let mut command = format!("authctl step-up --acr-values '{acr_values}'");
    if let Some(max_age) = error.get("maxAge").and_then(serde_json::Value::as_u64) {
        command.push_str(&format!(" --max-age {max_age}"));
    }
    Some(command)
}

/// What the API answered one request.
#[derive(Debug)]
pub(crate) struct Answer {
    /// The HTTP version it answered with.
    pub version: reqwest::Version,
    /// The status.
    pub status: reqwest::StatusCode,
    /// The body, as it came.
    pub body: Vec<u8>,
}

/// Sends one request to the API at `path` (under its base URL) with the saved token of `kind`
/// (none: no `Authorization`, and no session needed), and `body` as JSON when given: what
/// `authctl call` and the commands built on the API's routes (`authctl account`) share. A
/// session of another pool or app client is refused before anything is sent, and expired tokens
/// are warned about (the API's 401 follows).
pub(crate) async fn send(
    ctx: &Context,
    method: reqwest::Method,
    path: &str,
    kind: Option<JwtKind>,
    body: Option<String>,
) -> anyhow::Result<Answer> {
    let settings = ctx.settings()?;
    let url = url(settings.api_url()?, path)?;
    let session = match kind {
        None => None,
        Some(_) => {
            let (_, session) = ctx.load_session().context("the call needs a signed-in session")?;
            // A session of another stack would only get a 401, and would hand its token to an API
            // that has no business with it.
            if let Ok(cognito) = settings.cognito() {
                check_session(&cognito, &session)?;
            }
            warn_if_expired(&session);
            Some(session)
        }
    };
    let token = kind.zip(session.as_ref()).and_then(|(kind, session)| session.token(TokenKind::from(kind)));

    // Redirects are shown, not followed: they are part of what is being tested.
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(TIMEOUT).build()?;
    let mut request = client.request(method, &url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.header(reqwest::header::CONTENT_TYPE, "application/json").body(body);
    }
    let response = request.send().await.with_context(|| format!("cannot reach {url}"))?;
    let (version, status) = (response.version(), response.status());
    let body = response.bytes().await.with_context(|| format!("reading the answer of {url}"))?.to_vec();
    Ok(Answer { version, status, body })
}

/// Which saved token a call sends: `chosen` (`--token`) when given; otherwise the one the route
/// takes in the API's route table (none for a public route); the ID token, as before the API took
/// access tokens, for a request the table does not know (a wrong method or path, tested on
/// purpose: the API's own 404 or 405 is what is being looked at).
pub(crate) fn token_for(method: &str, path: &str, chosen: Option<JwtKind>) -> Option<JwtKind> {
    if chosen.is_some() {
        return chosen;
    }
    // The route is matched on the path alone, as API Gateway does: no query string or fragment.
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let path = if path.starts_with('/') { path.to_owned() } else { format!("/{path}") };
    match routes::find(&method.to_ascii_uppercase(), &path) {
        RouteMatch::Found(route, _) => route.access.bearer().map(|token| match token {
            BearerTokenUse::Id => JwtKind::Id,
            BearerTokenUse::Access => JwtKind::Access,
        }),
        RouteMatch::MethodNotAllowed(_) | RouteMatch::NotFound => Some(JwtKind::Id),
    }
}

/// `path` under the API's base URL (which has no trailing `/`). A URL is refused, so the token
/// never goes to another host; a URL in the query string is fine.
fn url(base: &str, path: &str) -> anyhow::Result<String> {
    if path.split('?').next().is_some_and(|before_query| before_query.contains("://")) {
        anyhow::bail!("give a path under the API URL ({base}), such as /me, not a URL");
    }
    Ok(if path.starts_with('/') { format!("{base}{path}") } else { format!("{base}/{path}") })
}

/// The body: the text itself, `@FILE`, or `-` for stdin. Sent as given, so invalid JSON can be
/// tested too.
fn read_body(data: &str) -> anyhow::Result<String> {
    if data == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).context("reading the body from stdin")?;
        Ok(text)
    } else if let Some(file) = data.strip_prefix('@') {
        std::fs::read_to_string(file).with_context(|| format!("reading the body from {file}"))
    } else {
        Ok(data.to_string())
    }
}

/// The body for a person: pretty JSON when it is JSON, else the text as it came.
pub(crate) fn render(bytes: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(json) => serde_json::to_string_pretty(&json).unwrap_or_default(),
        Err(_) => String::from_utf8_lossy(bytes).trim_end().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_up_refusal_names_the_command_that_reaches_the_level() {
        let refusal = br#"{"error":{"code":"InsufficientUserAuthentication","message":"m",
            "acrValues":"urn:cognito:loa:4 urn:cognito:loa:3","maxAge":900}}"#;
        assert_eq!(
            step_up_command(refusal).as_deref(),
            Some("authctl step-up --acr-values 'urn:cognito:loa:4 urn:cognito:loa:3' --max-age 900")
        );
        let quoted = br#"{"error":{"code":"InsufficientUserAuthentication","message":"m","acrValues":"it's"}}"#;
        assert_eq!(step_up_command(quoted).as_deref(), Some(r"authctl step-up --acr-values 'it'\''s'"));
        let age_only = br#"{"error":{"code":"InsufficientUserAuthentication","message":"m","maxAge":300}}"#;
        for other in [&age_only[..], br#"{"error":{"code":"Unauthorized","message":"m"}}"#, b"not json"] {
            assert_eq!(step_up_command(other), None);
        }
    }

    #[test]
    fn paths_join_the_base_url_with_one_slash() {
        assert_eq!(url("http://h:1/prod", "/me").unwrap(), "http://h:1/prod/me");
        assert_eq!(url("http://h:1/prod", "users?limit=5").unwrap(), "http://h:1/prod/users?limit=5");
        assert!(url("http://h:1", "https://elsewhere/me").is_err());
        assert_eq!(url("http://h:1", "/go?next=https://x/y").unwrap(), "http://h:1/go?next=https://x/y");
    }

    #[test]
    fn the_routes_that_answer_from_who_the_person_is_get_the_id_token() {
        assert_eq!(token_for("GET", "/me", None), Some(JwtKind::Id));
        assert_eq!(token_for("post", "credentials", None), Some(JwtKind::Id));
    }

    #[test]
    fn the_routes_that_act_as_the_person_and_the_admin_routes_get_the_access_token() {
        for (method, path) in [
            ("POST", "/mfa/totp/setup"),
            ("POST", "/mfa/totp/verify"),
            ("GET", "/mfa/preference"),
            ("PUT", "/mfa/preference"),
            ("PATCH", "/account"),
            ("POST", "/password/change"),
            ("POST", "/auth/sign-out"),
            ("GET", "/users?limit=5"),
            ("POST", "/users"),
            ("GET", "/users/demo%40example.com"),
            // a username that is the name of an ID-token route changes nothing
            ("GET", "/users/me"),
            ("DELETE", "/users/ann/groups/admins"),
            ("POST", "/users/ann/sign-out"),
            ("POST", "/users/ann/invitation"),
        ] {
            assert_eq!(token_for(method, path, None), Some(JwtKind::Access), "{method} {path}");
        }
    }

    #[test]
    fn public_routes_get_no_token() {
        for path in ["/auth/sign-in", "/auth/refresh", "/password/forgot", "/auth/sign-up?x=1"] {
            assert_eq!(token_for("POST", path, None), None, "{path}");
        }
    }

    #[test]
    fn a_request_the_route_table_does_not_know_gets_the_id_token() {
        assert_eq!(token_for("GET", "/nope", None), Some(JwtKind::Id));
        assert_eq!(token_for("DELETE", "/me", None), Some(JwtKind::Id));
        assert_eq!(token_for("GET", "/users/", None), Some(JwtKind::Id));
    }

    #[test]
    fn the_token_flag_overrides_the_route_table() {
        assert_eq!(token_for("GET", "/me", Some(JwtKind::Access)), Some(JwtKind::Access));
        assert_eq!(token_for("POST", "/password/change", Some(JwtKind::Id)), Some(JwtKind::Id));
        assert_eq!(token_for("POST", "/auth/sign-in", Some(JwtKind::Id)), Some(JwtKind::Id));
    }

    #[test]
    fn json_bodies_are_pretty_and_others_verbatim() {
        assert_eq!(render(br#"{"a":1}"#), "{\n  \"a\": 1\n}");
        assert_eq!(render(b"plain text\n"), "plain text");
        assert_eq!(render(b""), "");
    }

    #[test]
    fn a_body_is_literal_text_or_a_file() {
        assert_eq!(read_body(r#"{"x":1}"#).unwrap(), r#"{"x":1}"#);
        assert!(read_body("@/nonexistent/body.json").unwrap_err().to_string().contains("/nonexistent/body.json"));
    }
}
