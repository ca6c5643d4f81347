//! CORS headers for the configured allowed origins (`ALLOWED_ORIGINS`, comma-separated; `*` for
//! any). With none configured, no CORS headers are sent: browsers then refuse cross-origin calls.

/// The allowed origins.
#[derive(Debug, Clone, Default)]
pub struct Cors {
    any: bool,
    origins: Vec<String>,
}

/// Headers a preflight answer allows.
pub const ALLOW_HEADERS: &str = "authorization,content-type,x-request-id";
/// Methods a preflight answer allows.
pub const ALLOW_METHODS: &str = "GET,POST,PUT,DELETE,OPTIONS";

impl Cors {
    /// Reads `ALLOWED_ORIGINS`.
    pub fn from_env() -> Self {
        Self::new(&std::env::var("ALLOWED_ORIGINS").unwrap_or_default())
    }

    /// From a comma-separated list; `*` allows any origin.
    pub fn new(list: &str) -> Self {
        let origins: Vec<String> =
            list.split(',').map(|o| o.trim().trim_end_matches('/').to_string()).filter(|o| !o.is_empty()).collect();
        Self { any: origins.iter().any(|o| o == "*"), origins }
    }

    /// The CORS headers for a request from `origin` (the `Origin` header), empty when the origin
    /// is not allowed or absent.
    pub fn headers(&self, origin: Option<&str>) -> Vec<(&'static str, String)> {
        let allowed = if self.any {
            Some("*".to_string())
        } else {
            origin.filter(|o| self.origins.iter().any(|a| a == o)).map(str::to_string)
        };
        match allowed {
            None => Vec::new(),
            Some(value) => {
                let mut headers = vec![
                    ("access-control-allow-origin", value),
                    ("access-control-expose-headers", "x-request-id,retry-after".to_string()),
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
    fn echoes_only_listed_origins() {
        let cors = Cors::new("https://app.example.com, http://localhost:5173/");
        assert_eq!(cors.headers(Some("https://app.example.com"))[0].1, "https://app.example.com");
        assert_eq!(cors.headers(Some("http://localhost:5173"))[0].1, "http://localhost:5173");
        assert!(cors.headers(Some("https://evil.example.com")).is_empty());
        assert!(cors.headers(None).is_empty());
    }

    #[test]
    fn star_allows_any_origin_and_nothing_configured_allows_none() {
        assert_eq!(Cors::new("*").headers(None)[0].1, "*");
        assert!(Cors::new("").preflight_headers(Some("https://a.example")).is_empty());
    }
}
