//! CORS headers for the configured allowed origins (`ALLOWED_ORIGINS`, comma-separated; `*` for
//! any; `loopback` for any page served from this machine: `http(s)://localhost`, `127.0.0.1` or
//! `[::1]` on any port). With none configured, no CORS headers are sent: browsers then refuse
//! cross-origin calls.

/// The allowed origins.
#[derive(Debug, Clone, Default)]
pub struct Cors {
    any: bool,
    loopback: bool,
    origins: Vec<String>,
}

/// The `ALLOWED_ORIGINS` entry that allows any page served from this machine (the local stack's
/// default in tests; `make dev` allows exactly its web app's origin). A web page elsewhere must
/// not be able to call a local stack with the demo users.
pub const LOOPBACK: &str = "loopback";

/// Whether `origin` is a page of this machine: scheme http or https, host `localhost`,
/// `127.0.0.1` or `[::1]`, any port, nothing else.
fn is_loopback(origin: &str) -> bool {
    let Some(rest) = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) else {
        return false;
    };
    let host = ["localhost", "127.0.0.1", "[::1]"].into_iter().find(|host| rest.starts_with(host));
    let Some(host) = host else { return false };
    match &rest[host.len()..] {
        "" => true,
        port => port
            .strip_prefix(':')
            .is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit())),
    }
}

/// Headers a preflight answer allows.
pub const ALLOW_HEADERS: &str = "authorization,content-type,x-cognito-encoded-data,x-request-id";
/// Response headers a page's script may read (`Access-Control-Expose-Headers`), on every answer.
pub const EXPOSE_HEADERS: &str = "x-request-id,retry-after,www-authenticate";
/// Methods a preflight answer allows.
pub const ALLOW_METHODS: &str = "GET,POST,PUT,PATCH,DELETE,OPTIONS";

impl Cors {
    /// Reads `ALLOWED_ORIGINS`.
    pub fn from_env() -> Self {
        Self::new(&std::env::var("ALLOWED_ORIGINS").unwrap_or_default())
    }

    /// From a comma-separated list; `*` allows any origin.
    pub fn new(list: &str) -> Self {
        let origins: Vec<String> =
            list.split(',').map(|o| o.trim().trim_end_matches('/').to_string()).filter(|o| !o.is_empty()).collect();
        Self { any: origins.iter().any(|o| o == "*"), loopback: origins.iter().any(|o| o == LOOPBACK), origins }
    }

    /// The CORS headers for a request from `origin` (the `Origin` header), empty when the origin
    /// is not allowed or absent.
    pub fn headers(&self, origin: Option<&str>) -> Vec<(&'static str, String)> {
        let allowed = if self.any {
            Some("*".to_string())
        } else {
            origin
                .filter(|o| self.origins.iter().any(|a| a == o) || (self.loopback && is_loopback(o)))
                .map(str::to_string)
        };
        match allowed {
            None => Vec::new(),
            Some(value) => {
                let mut headers = vec![
                    ("access-control-allow-origin", value),
                    ("access-control-expose-headers", EXPOSE_HEADERS.to_string()),
                ];
                if !self.any {
                    headers.push(("vary", "Origin".to_string()));
                }
                headers
            }
        }
    }

    /// The headers of a successful preflight answer.
    pub fn preflight_headers(&self, origin: Option<&str>) -> Vec<(&'static str, String)> {
        let mut headers = self.headers(origin);
        if !headers.is_empty() {
            headers.push(("access-control-allow-methods", ALLOW_METHODS.to_string()));
            headers.push(("access-control-allow-headers", ALLOW_HEADERS.to_string()));
            headers.push(("access-control-max-age", "600".to_string()));
        }
        headers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preflights_allow_the_method_of_every_route() {
        let allowed: Vec<&str> = ALLOW_METHODS.split(',').collect();
        for route in api_types::routes::ROUTES {
            assert!(allowed.contains(&route.method), "{} {} is not in ALLOW_METHODS", route.method, route.path);
        }
    }

    #[test]
    fn echoes_only_listed_origins() {
        let cors = Cors::new("https://app.example.com, http://localhost:5173/");
        assert_eq!(cors.headers(Some("https://app.example.com"))[0].1, "https://app.example.com");
        assert_eq!(cors.headers(Some("http://localhost:5173"))[0].1, "http://localhost:5173");
        assert!(cors.headers(Some("https://evil.example.com")).is_empty());
        assert!(cors.headers(None).is_empty());
    }

    #[test]
    fn loopback_allows_pages_of_this_machine_only() {
        let cors = Cors::new(LOOPBACK);
        for ok in ["http://localhost:5173", "http://127.0.0.1:3000", "https://localhost", "http://[::1]:8080"] {
            assert_eq!(cors.headers(Some(ok))[0].1, ok, "{ok}");
        }
        for refused in [
            "https://evil.example.com",
            "http://localhost.evil.example.com",
            "http://127.0.0.1.evil.example",
            "http://localhost:5173@evil.example",
            "http://localhost:",
            "null",
            "file://",
        ] {
            assert!(cors.headers(Some(refused)).is_empty(), "{refused}");
        }
    }

    #[test]
    fn star_allows_any_origin_and_nothing_configured_allows_none() {
        assert_eq!(Cors::new("*").headers(None)[0].1, "*");
        assert!(Cors::new("").preflight_headers(Some("https://a.example")).is_empty());
    }
}
