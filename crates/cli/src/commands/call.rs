//! `authctl call`: one request to the API with the saved ID token, as a frontend sends it. The
//! status line goes to stderr, the body (pretty JSON when it is JSON) to stdout; the exit status
//! is 0 for 2xx and 1 otherwise.

use std::{io::Read, process::ExitCode, time::Duration};

use anyhow::Context as _;

use super::{Context, check_session, print_line, warn_if_expired};
use crate::cli::CallArgs;

/// The whole request, body included, must finish within this.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Runs `authctl call`.
pub async fn run(ctx: &Context, args: &CallArgs) -> anyhow::Result<ExitCode> {
    let settings = ctx.settings()?;
    let url = url(settings.api_url()?, &args.path)?;
    let method = reqwest::Method::from_bytes(args.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| anyhow::anyhow!("`{}` is not an HTTP method", args.method))?;
    let body = args.data.as_deref().map(read_body).transpose()?;
    let token = if args.no_auth {
        None
    } else {
        let (_, session) = ctx.load_session().context("the call needs a signed-in session (or pass --no-auth)")?;
        // A session of another stack would only get a 401, and would hand its token to an API
        // that has no business with it.
        if let Ok(cognito) = settings.cognito() {
            check_session(&cognito, &session)?;
        }
        warn_if_expired(&session);
        Some(session.id_token)
    };

    // Redirects are shown, not followed: they are part of what is being tested.
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(TIMEOUT).build()?;
    let mut request = client.request(method, &url);
    if let Some(token) = token {
        request = request.bearer_auth(token.expose());
    }
    if let Some(body) = body {
        request = request.header(reqwest::header::CONTENT_TYPE, "application/json").body(body);
    }
    let response = request.send().await.with_context(|| format!("cannot reach {url}"))?;
    let status = response.status();
    note!("{:?} {status}", response.version());
    let bytes = response.bytes().await.with_context(|| format!("reading the answer of {url}"))?;
    let text = render(&bytes);
    if !text.is_empty() {
        print_line(&text)?;
    }
    Ok(if status.is_success() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
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
fn render(bytes: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(json) => serde_json::to_string_pretty(&json).unwrap_or_default(),
        Err(_) => String::from_utf8_lossy(bytes).trim_end().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_the_base_url_with_one_slash() {
        assert_eq!(url("http://h:1/prod", "/me").unwrap(), "http://h:1/prod/me");
        assert_eq!(url("http://h:1/prod", "users?limit=5").unwrap(), "http://h:1/prod/users?limit=5");
        assert!(url("http://h:1", "https://elsewhere/me").is_err());
        assert_eq!(url("http://h:1", "/go?next=https://x/y").unwrap(), "http://h:1/go?next=https://x/y");
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
