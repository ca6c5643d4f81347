//! The route table: every route of the API, the function that serves it and who may call it.
//!
//! It is the single list the local gateway serves and the authorizer's policy is derived from; a
//! test checks that `template.yaml` declares exactly the same routes.

use std::collections::BTreeMap;

/// The Lambda function that serves a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Function {
    /// Sign-in, challenges, sign-up, MFA and `/me`.
    Auth,
    /// Token refresh and sign-out.
    Refresh,
    /// Change, forgot and reset password.
    Password,
    /// User administration.
    Users,
    /// Temporary AWS credentials from the identity pool.
    Credentials,
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// Anyone: no authorizer.
    Public,
    /// Any caller with a valid ID token.
    SignedIn,
    /// Callers with a valid ID token in the admins group.
    Admin,
}

/// One route of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path template as API Gateway writes it (`/users/{username}`).
    pub path: &'static str,
    /// The function behind it.
    pub function: Function,
    /// Who may call it.
    pub access: Access,
}

const fn route(method: &'static str, path: &'static str, function: Function, access: Access) -> Route {
    Route { method, path, function, access }
}

/// Every route of the API.
pub const ROUTES: &[Route] = &[
    route("POST", "/auth/sign-in", Function::Auth, Access::Public),
    route("POST", "/auth/challenge", Function::Auth, Access::Public),
    route("POST", "/auth/sign-up", Function::Auth, Access::Public),
    route("POST", "/auth/confirm-sign-up", Function::Auth, Access::Public),
    route("POST", "/auth/resend-code", Function::Auth, Access::Public),
    route("GET", "/me", Function::Auth, Access::SignedIn),
    route("POST", "/mfa/totp/setup", Function::Auth, Access::SignedIn),
    route("POST", "/mfa/totp/verify", Function::Auth, Access::SignedIn),
    route("POST", "/auth/refresh", Function::Refresh, Access::Public),
    route("POST", "/auth/sign-out", Function::Refresh, Access::SignedIn),
    route("POST", "/password/change", Function::Password, Access::SignedIn),
    route("POST", "/password/forgot", Function::Password, Access::Public),
    route("POST", "/password/reset", Function::Password, Access::Public),
    route("POST", "/credentials", Function::Credentials, Access::SignedIn),
    route("POST", "/users", Function::Users, Access::Admin),
    route("GET", "/users", Function::Users, Access::Admin),
    route("GET", "/users/{username}", Function::Users, Access::Admin),
    route("DELETE", "/users/{username}", Function::Users, Access::Admin),
    route("POST", "/users/{username}/disable", Function::Users, Access::Admin),
    route("POST", "/users/{username}/enable", Function::Users, Access::Admin),
    route("PUT", "/users/{username}/groups/{group}", Function::Users, Access::Admin),
    route("DELETE", "/users/{username}/groups/{group}", Function::Users, Access::Admin),
    route("POST", "/users/{username}/reset-password", Function::Users, Access::Admin),
    route("PUT", "/users/{username}/password", Function::Users, Access::Admin),
];

/// The outcome of looking a request up in [`ROUTES`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteMatch {
    /// A route matched; path parameters by name.
    Found(Route, BTreeMap<String, String>),
    /// The path exists, but not for this method; the methods it has.
    MethodNotAllowed(Vec<&'static str>),
    /// No route has this path.
    NotFound,
}

/// Finds the route for a method and a concrete path (`/users/alice`).
pub fn find(method: &str, path: &str) -> RouteMatch {
    let mut methods = Vec::new();
    for route in ROUTES {
        if let Some(params) = match_path(route.path, path) {
            if route.method.eq_ignore_ascii_case(method) {
                return RouteMatch::Found(*route, params);
            }
            methods.push(route.method);
        }
    }
    if methods.is_empty() { RouteMatch::NotFound } else { RouteMatch::MethodNotAllowed(methods) }
}

/// Matches a concrete path against a template; `{name}` matches one non-empty segment. The path
/// must match exactly: `//users` or `/users/` is not `/users`, so no spelling of a path can reach
/// a route while escaping the authorizer policy written for it.
pub fn match_path(template: &str, path: &str) -> Option<BTreeMap<String, String>> {
    let mut params = BTreeMap::new();
    let mut want = template.strip_prefix('/')?.split('/');
    let mut got = path.strip_prefix('/')?.split('/');
    loop {
        match (want.next(), got.next()) {
            (None, None) => return Some(params),
            (Some(w), Some(g)) => {
                if let Some(name) = w.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                    if g.is_empty() {
                        return None;
                    }
                    params.insert(name.to_string(), g.to_string());
                } else if w != g {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_routes_with_and_without_parameters() {
        assert!(matches!(find("POST", "/auth/sign-in"), RouteMatch::Found(r, _) if r.function == Function::Auth));
        let params = match_path("/users/{username}/groups/{group}", "/users/alice/groups/admins").unwrap();
        assert_eq!(params["username"], "alice");
        assert_eq!(params["group"], "admins");
    }

    #[test]
    fn tells_unknown_paths_from_wrong_methods() {
        assert_eq!(find("GET", "/nope"), RouteMatch::NotFound);
        assert_eq!(find("GET", "/auth/sign-in"), RouteMatch::MethodNotAllowed(vec!["POST"]));
    }

    #[test]
    fn other_spellings_of_a_path_do_not_match() {
        for path in ["//me", "/me/", "me", "/./me", "/Me", ""] {
            assert_eq!(match_path("/me", path), None, "{path}");
        }
        assert_eq!(match_path("/users/{username}", "//users/alice"), None);
    }

    #[test]
    fn parameters_do_not_match_empty_or_extra_segments() {
        assert_eq!(match_path("/users/{username}", "/users/"), None);
        assert_eq!(match_path("/users/{username}", "/users//"), None);
        assert_eq!(match_path("/users/{username}", "/users/a/b"), None);
        assert_eq!(match_path("/me", "/me/x"), None);
    }

    #[test]
    fn every_route_is_unique() {
        for (i, a) in ROUTES.iter().enumerate() {
            for b in &ROUTES[i + 1..] {
                assert!(!(a.method == b.method && a.path == b.path), "{a:?} twice");
            }
        }
    }
}
