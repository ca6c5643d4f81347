//! The local stand-in of the stack's AWS WAF web ACL (`ApiWebAcl` in `template.yaml`): three
//! rate-based rules keyed on the caller's address, evaluated before the authorizer and the
//! function, from the same parameters as the template.
//!
//! | rule (priority) | counts | template parameter |
//! |---|---|---|
//! | [`RateRule::SignIn`] (0) | `POST` to `/auth/sign-in`, `/auth/challenge` | `SignInRateLimit` |
//! | [`RateRule::PublicRoutes`] (1) | `POST` to every other public route of the route table | `PublicRoutesRateLimit` |
//! | [`RateRule::WholeApi`] (2) | every request, any method | `ApiRateLimit` |
//!
//! As AWS WAF does ("Rate-based rule high-level settings",
//! <https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html>):
//! each rule counts, per address, the requests it evaluated over the evaluation window looking
//! back from now, and blocks the requests above its limit; the rules run in priority order and a
//! block ends the evaluation, so a request one rule blocked is not counted by the rules after it.
//! Blocked requests count too: an address that keeps flooding stays blocked until it slows down.
//! Where it differs: AWS WAF checks the rate every few seconds and "applies rate limiting near the
//! limit", so it lets a few requests more through; this counts exactly.
//!
//! The path match is the template's: the URI path percent-decoded (`URL_DECODE`), then with
//! doubled slashes, `.` and `..` segments removed (`NORMALIZE_PATH`), ending in the route's path
//! followed by any slashes, so neither the stage prefix (`/prod/auth/sign-in` on an execute-api
//! URL) nor a spelling API Gateway would still route dodges it. The method match is the
//! template's too: exactly `POST` (no transformation), so a browser's CORS preflights (`OPTIONS`)
//! use up none of a person's sign-ins; [`RateRule::WholeApi`] still counts them.

use std::{
    collections::{HashMap, VecDeque},
    fmt,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

use api_types::routes::{self, Access};
use serde::{Serialize, Serializer};

/// The paths of [`RateRule::SignIn`]: a password or a challenge answer is guessed here.
pub const SIGN_IN_PATHS: &[&str] = &["/auth/sign-in", "/auth/challenge"];

/// The method [`RateRule::SignIn`] and [`RateRule::PublicRoutes`] count: the template's
/// `ByteMatchStatement` on `Method`, `EXACTLY`, no transformation (so case-sensitive).
pub const COUNTED_METHOD: &str = "POST";

/// Addresses counted at most. When a new address arrives with the map full, the address whose
/// last request is the oldest is forgotten: an address that keeps sending is the most recently
/// seen, so a flood is never the one dropped, and memory stays bounded however many addresses
/// call.
const MAX_TRACKED: usize = 10_000;

/// Whether the per-caller limits apply (the template's `PerCallerLimits`, `ON` by default; `OFF`
/// for an API fronted by its own WAF or CDN). Serialised as the stack file's `perCallerLimits`:
/// `null` when off, else [`RateLimits`]'s object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PerCallerLimits {
    /// No web ACL: every address may call as often as the stage's throttling allows.
    Off,
    /// The web ACL's three rate-based rules.
    On(RateLimits),
}

/// A variable of [`PerCallerLimits::from_lookup`] is malformed: start-up fails naming it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name} {reason}")]
pub struct PerCallerLimitsError {
    name: &'static str,
    reason: &'static str,
}

impl PerCallerLimits {
    /// Reads the limits through `lookup` (`|name| std::env::var(name).ok()` in `make dev`), from
    /// variables named like the template's parameters, with its defaults and bounds:
    ///
    /// | variable | default | bounds |
    /// |---|---|---|
    /// | `PER_CALLER_LIMITS` | `ON` | `ON` or `OFF` |
    /// | `SIGN_IN_RATE_LIMIT` | 300 | at least 10 (AWS WAF's least) |
    /// | `PUBLIC_ROUTES_RATE_LIMIT` | 300 | at least 10 |
    /// | `API_RATE_LIMIT` | 3000 | at least 10 |
    /// | `RATE_LIMIT_WINDOW_SECONDS` | 300 | 60, 120, 300 or 600 (AWS WAF's windows) |
    ///
    /// # Errors
    /// A variable is set to a value outside its bounds.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, PerCallerLimitsError> {
        let invalid = |name, reason| PerCallerLimitsError { name, reason };
        match lookup("PER_CALLER_LIMITS").as_deref() {
            None | Some("ON") => {}
            Some("OFF") => return Ok(Self::Off),
            Some(_) => return Err(invalid("PER_CALLER_LIMITS", "must be ON or OFF")),
        }
        let defaults = RateLimits::TEMPLATE_DEFAULTS;
        let limit = |name: &'static str, default: u64| match lookup(name).map(|v| v.parse::<u64>()) {
            None => Ok(default),
            Some(Ok(n)) if n >= 10 => Ok(n),
            Some(_) => Err(invalid(name, "must be a number of requests, at least 10 (AWS WAF's least)")),
        };
        let window = match lookup("RATE_LIMIT_WINDOW_SECONDS").map(|v| v.parse::<u64>()) {
            None => defaults.window,
            Some(Ok(seconds @ (60 | 120 | 300 | 600))) => Duration::from_secs(seconds),
            Some(_) => {
                return Err(invalid("RATE_LIMIT_WINDOW_SECONDS", "must be 60, 120, 300 or 600 (AWS WAF's windows)"));
            }
        };
        Ok(Self::On(RateLimits {
            sign_in: limit("SIGN_IN_RATE_LIMIT", defaults.sign_in)?,
            public_routes: limit("PUBLIC_ROUTES_RATE_LIMIT", defaults.public_routes)?,
            api: limit("API_RATE_LIMIT", defaults.api)?,
            window,
        }))
    }
}

/// `off (PER_CALLER_LIMITS=OFF)`, or `300 sign-ins, 300 other public calls, 3000 requests per
/// address per 300 s`: `make dev`'s start-up line.
impl fmt::Display for PerCallerLimits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Off => f.write_str("off (PER_CALLER_LIMITS=OFF)"),
            Self::On(l) => write!(
                f,
                "{} sign-ins, {} other public calls, {} requests per address per {} s",
                l.sign_in,
                l.public_routes,
                l.api,
                l.window.as_secs()
            ),
        }
    }
}

impl Serialize for PerCallerLimits {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Off => serializer.serialize_none(),
            Self::On(limits) => limits.serialize(serializer),
        }
    }
}

/// The limits of the three rules: requests per address per `window`. AWS WAF takes a limit of
/// at least 10 and a window of 60, 120, 300 or 600 s; tests use any window. Serialised with the
/// template's parameter names (`{"signInRateLimit": 300, ..., "rateLimitWindowSeconds": 300}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RateLimits {
    /// `SignInRateLimit`: sign-ins and challenge answers.
    #[serde(rename = "signInRateLimit")]
    pub sign_in: u64,
    /// `PublicRoutesRateLimit`: the other public routes (sign-up, codes, refresh, password reset).
    #[serde(rename = "publicRoutesRateLimit")]
    pub public_routes: u64,
    /// `ApiRateLimit`: every request.
    #[serde(rename = "apiRateLimit")]
    pub api: u64,
    /// `RateLimitWindowSeconds`: how far back each rule counts.
    #[serde(rename = "rateLimitWindowSeconds", serialize_with = "seconds")]
    pub window: Duration,
}

fn seconds<S: Serializer>(window: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(window.as_secs())
}

impl RateLimits {
    /// The template's defaults: 300 sign-ins, 300 other public calls and 3000 requests per
    /// address per 300 s.
    pub const TEMPLATE_DEFAULTS: Self =
        Self { sign_in: 300, public_routes: 300, api: 3000, window: Duration::from_secs(300) };

    fn limit(&self, rule: RateRule) -> u64 {
        match rule {
            RateRule::SignIn => self.sign_in,
            RateRule::PublicRoutes => self.public_routes,
            RateRule::WholeApi => self.api,
        }
    }
}

/// One rate-based rule of the web ACL, named as in the template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateRule {
    /// `SignIn`: `POST` to [`SIGN_IN_PATHS`].
    SignIn,
    /// `PublicRoutes`: `POST` to [`public_paths`].
    PublicRoutes,
    /// `WholeApi`: every request.
    WholeApi,
}

impl RateRule {
    /// The rules in priority order.
    pub const ALL: [Self; 3] = [Self::SignIn, Self::PublicRoutes, Self::WholeApi];

    /// The rule's `Name` in the template.
    pub const fn name(self) -> &'static str {
        match self {
            Self::SignIn => "SignIn",
            Self::PublicRoutes => "PublicRoutes",
            Self::WholeApi => "WholeApi",
        }
    }

    const fn index(self) -> usize {
        match self {
            Self::SignIn => 0,
            Self::PublicRoutes => 1,
            Self::WholeApi => 2,
        }
    }

    /// Whether the rule counts a `method` request for `path` (as sent, percent-encoded).
    pub fn matches(self, method: &str, path: &str) -> bool {
        match self {
            Self::SignIn => method == COUNTED_METHOD && ends_with_any(path, SIGN_IN_PATHS.iter().copied()),
            Self::PublicRoutes => method == COUNTED_METHOD && ends_with_any(path, public_paths()),
            Self::WholeApi => true,
        }
    }
}

/// The public routes of the route table other than [`SIGN_IN_PATHS`]: what
/// [`RateRule::PublicRoutes`] counts.
pub fn public_paths() -> impl Iterator<Item = &'static str> + Clone {
    routes::ROUTES
        .iter()
        .filter(|route| route.access == Access::Public && !SIGN_IN_PATHS.contains(&route.path))
        .map(|route| route.path)
}

/// What the web ACL does with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WafAction {
    /// No rule is over its limit for the caller (`WAF_ALLOW`).
    Allow,
    /// This rule is (`WAF_BLOCK`): API Gateway answers with the `WAF_FILTERED` gateway response.
    Block(RateRule),
}

/// The recent requests of one address, per rule ([`RateRule::index`]).
#[derive(Debug)]
struct Counts {
    per_rule: [VecDeque<Instant>; 3],
    /// Its last request: what [`Tracked::make_room`] forgets the oldest by.
    last: Instant,
}

/// What the web ACL remembers.
#[derive(Debug, Default)]
struct Tracked {
    addresses: HashMap<IpAddr, Counts>,
    /// When addresses with nothing left in their window were last dropped.
    swept: Option<Instant>,
}

impl Tracked {
    /// Drops the addresses whose last request has left the window, at most once per `window`:
    /// a sweep walks every address, so it must not run on every request.
    fn sweep(&mut self, now: Instant, window: Duration) {
        if self.swept.is_some_and(|swept| now.duration_since(swept) < window) {
            return;
        }
        self.swept = Some(now);
        self.addresses.retain(|_, counts| now.duration_since(counts.last) < window);
    }

    /// Makes room for `ip` when it is new and [`MAX_TRACKED`] addresses are counted: forgets the
    /// address whose last request is the oldest (one walk over the map, only when full).
    fn make_room(&mut self, ip: IpAddr, max: usize) {
        if self.addresses.len() < max || self.addresses.contains_key(&ip) {
            return;
        }
        if let Some(oldest) = self.addresses.iter().min_by_key(|(_, counts)| counts.last).map(|(ip, _)| *ip) {
            self.addresses.remove(&oldest);
        }
    }
}

/// The web ACL's state: the recent requests of each address, per rule.
#[derive(Debug)]
pub struct WebAcl {
    limits: RateLimits,
    tracked: Mutex<Tracked>,
    max_tracked: usize,
    /// How far tests have moved the web ACL's clock ([`WebAcl::advance_clock`]).
    offset: Mutex<Duration>,
}

impl WebAcl {
    /// A web ACL applying `limits`.
    pub fn new(limits: RateLimits) -> Self {
        Self { limits, tracked: Mutex::default(), max_tracked: MAX_TRACKED, offset: Mutex::default() }
    }

    /// The limits it applies.
    pub fn limits(&self) -> &RateLimits {
        &self.limits
    }

    /// How many addresses it counts now.
    pub fn tracked_addresses(&self) -> usize {
        self.tracked.lock().map(|tracked| tracked.addresses.len()).unwrap_or(0)
    }

    /// Moves the web ACL's clock `by` forward, as if that much time had passed: a test ends a
    /// window without sleeping through it.
    pub fn advance_clock(&self, by: Duration) {
        if let Ok(mut offset) = self.offset.lock() {
            *offset += by;
        }
    }

    fn now(&self) -> Instant {
        Instant::now() + self.offset.lock().map(|offset| *offset).unwrap_or_default()
    }

    /// Counts a `method` request from `ip` for `path` under each rule that matches it, in
    /// priority order, and says whether one of them blocks it.
    pub fn evaluate(&self, ip: IpAddr, method: &str, path: &str) -> WafAction {
        let now = self.now();
        let window = self.limits.window;
        // A poisoned lock is a panic elsewhere while counting; the counts are still sound.
        let mut tracked = self.tracked.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        tracked.sweep(now, window);
        tracked.make_room(ip, self.max_tracked);
        let counts = tracked.addresses.entry(ip).or_insert_with(|| Counts { per_rule: Default::default(), last: now });
        counts.last = now;
        for rule in RateRule::ALL {
            if !rule.matches(method, path) {
                continue;
            }
            let limit = self.limits.limit(rule);
            let times = &mut counts.per_rule[rule.index()];
            while times.front().is_some_and(|first| now.duration_since(*first) >= window) {
                times.pop_front();
            }
            times.push_back(now);
            // Over the limit exactly when the limit+1 most recent requests are all in the window:
            // nothing older is needed.
            while times.len() as u64 > limit.saturating_add(1) {
                times.pop_front();
            }
            if times.len() as u64 > limit {
                return WafAction::Block(rule);
            }
        }
        WafAction::Allow
    }
}

/// The path as the template's rules see it after `URL_DECODE` and `NORMALIZE_PATH`: its
/// segments, without empty (`//`, trailing `/`) and `.` segments, `..` taking the one before.
fn normalized_segments(path: &str) -> Vec<String> {
    // WAF's URL_DECODE is lenient: a `%` that starts no escape stays as it is.
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let mut segments: Vec<String> = Vec::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other.to_string()),
        }
    }
    segments
}

fn ends_with_any<'a>(path: &str, candidates: impl Iterator<Item = &'a str>) -> bool {
    let segments = normalized_segments(path);
    candidates.into_iter().any(|candidate| {
        let want: Vec<&str> = candidate.split('/').filter(|s| !s.is_empty()).collect();
        segments.len() >= want.len() && segments[segments.len() - want.len()..].iter().zip(&want).all(|(a, b)| a == b)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(sign_in: u64, public_routes: u64, api: u64) -> RateLimits {
        RateLimits { sign_in, public_routes, api, window: Duration::from_secs(60) }
    }

    #[test]
    fn the_sign_in_rule_matches_every_spelling_api_gateway_would_route() {
        for path in [
            "/auth/sign-in",
            "/prod/auth/sign-in",
            "/auth/sign-in/",
            "//auth//sign-in",
            "/auth/./sign-in",
            "/auth/x/../sign-in",
            "/auth/sign%2Din",
            "/%61uth/challenge",
        ] {
            assert!(RateRule::SignIn.matches("POST", path), "{path}");
        }
        for path in ["/auth/sign-up", "/me", "/xauth/sign-in", "/auth/sign-in-x"] {
            assert!(!RateRule::SignIn.matches("POST", path), "{path}");
        }
    }

    #[test]
    fn the_public_rule_takes_the_other_public_routes_of_the_route_table() {
        let paths: Vec<&str> = public_paths().collect();
        assert_eq!(
            paths,
            [
                "/auth/sign-up",
                "/auth/confirm-sign-up",
                "/auth/resend-code",
                "/auth/refresh",
                "/password/forgot",
                "/password/reset"
            ]
        );
        assert!(RateRule::PublicRoutes.matches("POST", "/prod/password/reset/"));
        assert!(!RateRule::PublicRoutes.matches("POST", "/password/change"));
    }

    #[test]
    fn a_rule_blocks_above_its_limit_until_the_window_has_passed() {
        let acl = WebAcl::new(limits(2, 100, 100));
        let ip: IpAddr = [127, 0, 0, 1].into();
        assert_eq!(acl.evaluate(ip, "POST", "/auth/sign-in"), WafAction::Allow);
        assert_eq!(acl.evaluate(ip, "POST", "/auth/sign-in"), WafAction::Allow);
        assert_eq!(acl.evaluate(ip, "POST", "/auth/sign-in"), WafAction::Block(RateRule::SignIn));
        assert_eq!(acl.evaluate([127, 0, 0, 2].into(), "POST", "/auth/sign-in"), WafAction::Allow);
        acl.advance_clock(Duration::from_secs(60));
        assert_eq!(acl.evaluate(ip, "POST", "/auth/sign-in"), WafAction::Allow);
    }

    #[test]
    fn a_request_one_rule_blocked_is_not_counted_by_the_rules_after_it() {
        let acl = WebAcl::new(limits(1, 100, 3));
        let ip: IpAddr = [127, 0, 0, 1].into();
        assert_eq!(acl.evaluate(ip, "POST", "/auth/sign-in"), WafAction::Allow);
        for _ in 0..5 {
            assert_eq!(acl.evaluate(ip, "POST", "/auth/sign-in"), WafAction::Block(RateRule::SignIn));
        }
        // One request counted by the whole-API rule so far: two more pass, the third is over.
        assert_eq!(acl.evaluate(ip, "GET", "/me"), WafAction::Allow);
        assert_eq!(acl.evaluate(ip, "GET", "/me"), WafAction::Allow);
        assert_eq!(acl.evaluate(ip, "GET", "/me"), WafAction::Block(RateRule::WholeApi));
    }

    #[test]
    fn only_posts_count_against_the_sign_in_and_public_rules_while_the_whole_api_counts_every_method() {
        // GIVEN sign-ins and the other public routes at 10, the whole API at 15
        let acl = WebAcl::new(limits(10, 10, 15));
        let ip: IpAddr = [127, 0, 0, 1].into();
        for method in ["OPTIONS", "GET", "post"] {
            assert!(!RateRule::SignIn.matches(method, "/auth/sign-in"), "{method}");
            assert!(!RateRule::PublicRoutes.matches(method, "/auth/refresh"), "{method}");
            assert!(RateRule::WholeApi.matches(method, "/auth/sign-in"), "{method}");
        }

        // WHEN a browser sends 10 preflights of the sign-in route and 4 of refresh
        for _ in 0..10 {
            assert_eq!(acl.evaluate(ip, "OPTIONS", "/auth/sign-in"), WafAction::Allow);
        }
        for _ in 0..4 {
            assert_eq!(acl.evaluate(ip, "OPTIONS", "/auth/refresh"), WafAction::Allow);
        }

        // THEN its sign-in still passes the sign-in rule: the preflights used none of it
        assert_eq!(acl.evaluate(ip, "POST", "/auth/sign-in"), WafAction::Allow);
        // AND the whole-API rule counted all 15, so the next request of any kind is over
        assert_eq!(acl.evaluate(ip, "OPTIONS", "/auth/sign-in"), WafAction::Block(RateRule::WholeApi));
    }

    #[test]
    fn past_its_cap_the_web_acl_forgets_the_least_recent_address_and_keeps_blocking_a_flood() {
        // GIVEN a web ACL counting at most 3 addresses, and one address over its sign-in limit
        let acl = WebAcl { max_tracked: 3, ..WebAcl::new(limits(2, 100, 1000)) };
        let flooder: IpAddr = [10, 0, 0, 1].into();
        for _ in 0..2 {
            assert_eq!(acl.evaluate(flooder, "POST", "/auth/sign-in"), WafAction::Allow);
        }

        // WHEN 50 other addresses call, each once, while the flood goes on
        for n in 0..50u8 {
            assert_eq!(acl.evaluate([10, 0, 1, n].into(), "GET", "/me"), WafAction::Allow);
            // THEN the flooder, the most recent caller, is never the one forgotten: still blocked
            assert_eq!(acl.evaluate(flooder, "POST", "/auth/sign-in"), WafAction::Block(RateRule::SignIn));
            // AND no more than 3 addresses are ever held
            assert!(acl.tracked_addresses() <= 3);
        }
    }

    #[test]
    fn addresses_with_nothing_left_in_their_window_are_swept_once_a_window_has_passed() {
        let acl = WebAcl::new(limits(10, 10, 10));
        for n in 0..20u8 {
            acl.evaluate([10, 0, 0, n].into(), "GET", "/me");
        }
        assert_eq!(acl.tracked_addresses(), 20);
        acl.advance_clock(Duration::from_secs(60));
        acl.evaluate([10, 0, 1, 0].into(), "GET", "/me");
        assert_eq!(acl.tracked_addresses(), 1);
    }

    #[test]
    fn the_limits_are_read_with_the_templates_defaults_and_bounds() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
        };
        let on = PerCallerLimits::from_lookup(env(&[])).unwrap();
        assert_eq!(on, PerCallerLimits::On(RateLimits::TEMPLATE_DEFAULTS));
        assert_eq!(on.to_string(), "300 sign-ins, 300 other public calls, 3000 requests per address per 300 s");
        let off = PerCallerLimits::from_lookup(env(&[("PER_CALLER_LIMITS", "OFF")])).unwrap();
        assert_eq!((&off, off.to_string().as_str()), (&PerCallerLimits::Off, "off (PER_CALLER_LIMITS=OFF)"));
        let set =
            PerCallerLimits::from_lookup(env(&[("SIGN_IN_RATE_LIMIT", "10"), ("RATE_LIMIT_WINDOW_SECONDS", "60")]));
        assert_eq!(
            set.unwrap(),
            PerCallerLimits::On(RateLimits {
                sign_in: 10,
                window: Duration::from_secs(60),
                ..RateLimits::TEMPLATE_DEFAULTS
            })
        );
        for (bad, name) in [
            (&[("PER_CALLER_LIMITS", "on")][..], "PER_CALLER_LIMITS"),
            (&[("API_RATE_LIMIT", "9")], "API_RATE_LIMIT"),
            (&[("PUBLIC_ROUTES_RATE_LIMIT", "many")], "PUBLIC_ROUTES_RATE_LIMIT"),
            (&[("RATE_LIMIT_WINDOW_SECONDS", "1")], "RATE_LIMIT_WINDOW_SECONDS"),
        ] {
            let err = PerCallerLimits::from_lookup(env(bad)).unwrap_err();
            assert!(err.to_string().starts_with(name), "{bad:?}: {err}");
        }
    }

    #[test]
    fn the_limits_serialise_with_the_templates_parameter_names_and_null_when_off() {
        let on = serde_json::to_value(PerCallerLimits::On(RateLimits::TEMPLATE_DEFAULTS)).unwrap();
        assert_eq!(
            on,
            serde_json::json!({"signInRateLimit": 300, "publicRoutesRateLimit": 300, "apiRateLimit": 3000,
                "rateLimitWindowSeconds": 300})
        );
        assert_eq!(serde_json::to_value(PerCallerLimits::Off).unwrap(), serde_json::Value::Null);
    }
}
