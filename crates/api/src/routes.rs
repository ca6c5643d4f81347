//! The route table: every route of the API, what it does (its [`Operation`], which names the
//! function that serves it) and who may call it.
//!
//! It is the single list the local gateway serves, the authorizer's policy is derived from and
//! the functions dispatch on (each matches its own operations exhaustively); tests check that
//! `template.yaml` and `openapi.yaml` declare exactly the same routes.

use std::collections::BTreeMap;

/// The Lambda function that serves a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Function {
    /// Sign-in, challenges, sign-up, MFA, `/me` and the person's own account.
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

/// Which Cognito token a protected route takes as its bearer (`Authorization: Bearer <token>`),
/// named by the token's `token_use` claim ("Understanding user pool JSON web tokens", Cognito
/// developer guide).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BearerTokenUse {
    /// The ID token (`token_use` `id`, the app client in `aud`): who the person is, for routes
    /// the API answers from the token's claims alone.
    Id,
    /// The access token (`token_use` `access`, the app client in `client_id`, the
    /// `aws.cognito.signin.user.admin` scope): for routes that act as the person towards Cognito,
    /// which checks it again and refuses it once revoked (sign-out, a password change, an admin's
    /// global sign-out).
    Access,
}

impl BearerTokenUse {
    /// The `token_use` claim of such a token: `id` or `access`.
    pub const fn claim(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Access => "access",
        }
    }
}

/// Who may call a route, and with which token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// Anyone: no authorizer.
    Public,
    /// Any signed-in caller, with a valid token of this kind.
    SignedIn(BearerTokenUse),
    /// Callers in the admins group, with a valid token of this kind.
    Admin(BearerTokenUse),
}

impl Access {
    /// The token the route takes as its bearer; `None` for a public route.
    pub const fn bearer(self) -> Option<BearerTokenUse> {
        match self {
            Self::Public => None,
            Self::SignedIn(token) | Self::Admin(token) => Some(token),
        }
    }

    /// Whether only the admins group may call it.
    pub const fn is_admin(self) -> bool {
        matches!(self, Self::Admin(_))
    }
}

/// Declares the operations of one function: an enum with one variant per route the function
/// serves, named after the route's `operationId` in `openapi.yaml`, with its conversions to and
/// from [`Operation`]. A macro only so that each enum's `ALL` lists every variant by construction:
/// a variant without a route then fails `every_route_has_one_operation_and_back`.
macro_rules! function_operations {
    (
        $(#[$doc:meta])*
        $name:ident for $function:ident {
            $($(#[$variant_doc:meta])* $variant:ident = $id:literal,)+
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$variant_doc])* $variant,)+
        }

        impl $name {
            /// Every operation of this function.
            pub const ALL: &[Self] = &[$(Self::$variant,)+];

            /// The `operationId` of this operation in `openapi.yaml`.
            pub const fn id(self) -> &'static str {
                match self {
                    $(Self::$variant => $id,)+
                }
            }
        }

        impl From<$name> for Operation {
            fn from(operation: $name) -> Self {
                Operation::$function(operation)
            }
        }

        /// The operation itself back when it belongs to another function.
        impl TryFrom<Operation> for $name {
            type Error = Operation;

            fn try_from(operation: Operation) -> Result<Self, Operation> {
                match operation {
                    Operation::$function(operation) => Ok(operation),
                    other => Err(other),
                }
            }
        }
    };
}

function_operations! {
    /// What the `auth` function does.
    AuthOperation for Auth {
        /// `POST /auth/sign-in`.
        SignIn = "signIn",
        /// `POST /auth/challenge`.
        AnswerChallenge = "answerChallenge",
        /// `POST /auth/sign-up`.
        SignUp = "signUp",
        /// `POST /auth/confirm-sign-up`.
        ConfirmSignUp = "confirmSignUp",
        /// `POST /auth/resend-code`.
        ResendCode = "resendCode",
        /// `GET /me`.
        Me = "me",
        /// `POST /mfa/totp/setup`.
        TotpSetup = "totpSetup",
        /// `POST /mfa/totp/verify`.
        TotpVerify = "totpVerify",
        /// `GET /mfa/preference`: read the caller's MFA factors and preference.
        MfaPreference = "mfaPreference",
        /// `PUT /mfa/preference`: turn factors on or off and choose the preferred one.
        SetMfaPreference = "setMfaPreference",
        /// `GET /account`: the person's username, attributes and second factors.
        GetAccount = "getAccount",
        /// `PATCH /account`: change attributes the app client may write.
        UpdateAccount = "updateAccount",
        /// `DELETE /account`: delete the account (after a recent sign-in).
        DeleteAccount = "deleteAccount",
        /// `POST /account/attributes/{attribute}/code`: send a code to verify an address.
        SendAttributeCode = "sendAttributeCode",
        /// `POST /account/attributes/{attribute}/verify`: verify an address with its code.
        VerifyAttribute = "verifyAttribute",
        /// `POST /passkeys/registration`: the options to create a passkey with (after a recent
        /// sign-in).
        StartPasskeyRegistration = "startPasskeyRegistration",
        /// `POST /passkeys`: the passkey the browser created from them.
        CompletePasskeyRegistration = "completePasskeyRegistration",
        /// `GET /passkeys`: the person's passkeys, a page at a time.
        ListPasskeys = "listPasskeys",
        /// `DELETE /passkeys/{credentialId}`: delete one.
        DeletePasskey = "deletePasskey",
    }
}

function_operations! {
    /// What the `refresh` function does.
    RefreshOperation for Refresh {
        /// `POST /auth/refresh`.
        Refresh = "refresh",
        /// `POST /auth/sign-out`.
        SignOut = "signOut",
    }
}

function_operations! {
    /// What the `password` function does.
    PasswordOperation for Password {
        /// `POST /password/change`.
        ChangePassword = "changePassword",
        /// `POST /password/forgot`.
        ForgotPassword = "forgotPassword",
        /// `POST /password/reset`.
        ResetPassword = "resetPassword",
    }
}

function_operations! {
    /// What the `users` function does.
    UsersOperation for Users {
        /// `POST /users`.
        CreateUser = "createUser",
        /// `GET /users`.
        ListUsers = "listUsers",
        /// `GET /users/{username}`.
        GetUser = "getUser",
        /// `DELETE /users/{username}`.
        DeleteUser = "deleteUser",
        /// `POST /users/{username}/disable`.
        DisableUser = "disableUser",
        /// `POST /users/{username}/enable`.
        EnableUser = "enableUser",
        /// `PUT /users/{username}/groups/{group}`.
        AddUserToGroup = "addUserToGroup",
        /// `DELETE /users/{username}/groups/{group}`.
        RemoveUserFromGroup = "removeUserFromGroup",
        /// `POST /users/{username}/reset-password`.
        ResetUserPassword = "resetUserPassword",
        /// `PUT /users/{username}/password`.
        SetUserPassword = "setUserPassword",
        /// `POST /users/{username}/sign-out`: end every session of the person.
        SignOutUser = "signOutUser",
        /// `POST /users/{username}/invitation`: send the invitation again, with a new temporary
        /// password.
        ResendInvitation = "resendInvitation",
    }
}

function_operations! {
    /// What the `credentials` function does.
    CredentialsOperation for Credentials {
        /// `POST /credentials`.
        Credentials = "credentials",
    }
}

/// What a route does: one variant per route of [`ROUTES`], grouped by the function that serves
/// it, so each function's handler can `match` its own operations exhaustively.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    /// A route of the `auth` function.
    Auth(AuthOperation),
    /// A route of the `refresh` function.
    Refresh(RefreshOperation),
    /// A route of the `password` function.
    Password(PasswordOperation),
    /// A route of the `users` function.
    Users(UsersOperation),
    /// A route of the `credentials` function.
    Credentials(CredentialsOperation),
}

impl Operation {
    /// The operation of the route with this method and path template (`/users/{username}`, as
    /// API Gateway's `resource`), compared exactly; `None` when no route has them.
    pub fn of(method: &str, resource: &str) -> Option<Self> {
        Route::of(method, resource).map(|route| route.operation)
    }

    /// Every operation, function by function.
    pub fn all() -> impl Iterator<Item = Self> {
        let auth = AuthOperation::ALL.iter().copied().map(Self::from);
        let refresh = RefreshOperation::ALL.iter().copied().map(Self::from);
        let password = PasswordOperation::ALL.iter().copied().map(Self::from);
        let users = UsersOperation::ALL.iter().copied().map(Self::from);
        let credentials = CredentialsOperation::ALL.iter().copied().map(Self::from);
        auth.chain(refresh).chain(password).chain(users).chain(credentials)
    }

    /// The function that serves it.
    pub const fn function(self) -> Function {
        match self {
            Self::Auth(_) => Function::Auth,
            Self::Refresh(_) => Function::Refresh,
            Self::Password(_) => Function::Password,
            Self::Users(_) => Function::Users,
            Self::Credentials(_) => Function::Credentials,
        }
    }

    /// Its `operationId` in `openapi.yaml`.
    pub const fn id(self) -> &'static str {
        match self {
            Self::Auth(operation) => operation.id(),
            Self::Refresh(operation) => operation.id(),
            Self::Password(operation) => operation.id(),
            Self::Users(operation) => operation.id(),
            Self::Credentials(operation) => operation.id(),
        }
    }
}

/// One route of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path template as API Gateway writes it (`/users/{username}`).
    pub path: &'static str,
    /// What it does, which names the function behind it.
    pub operation: Operation,
    /// Who may call it.
    pub access: Access,
    /// How strongly and how recently the caller must have signed in.
    pub sign_in: SignInRequirement,
}

impl Route {
    /// The route with this method and path template (`/users/{username}`, as API Gateway's
    /// `resource`), compared exactly; `None` when there is none.
    pub fn of(method: &str, resource: &str) -> Option<&'static Self> {
        ROUTES.iter().find(|route| route.method == method && route.path == resource)
    }

    /// The function behind it.
    pub const fn function(&self) -> Function {
        self.operation.function()
    }

    /// The route with `sign_in` as its requirement.
    const fn needs(self, sign_in: SignInRequirement) -> Self {
        Self { sign_in, ..self }
    }
}

const fn route(method: &'static str, path: &'static str, operation: Operation, access: Access) -> Route {
    Route { method, path, operation, access, sign_in: SignInRequirement::NONE }
}

/// Every route of the API.
pub const ROUTES: &[Route] = {
    use {
        AuthOperation as A, CredentialsOperation as C, Operation as O, PasswordOperation as P, RefreshOperation as R,
        UsersOperation as U,
    };
    // The ID token where the API answers from its claims; the access token wherever a function
    // acts as the person towards Cognito, and for every admin route, whose live check asks
    // Cognito with it (so an admin's power ends when their sessions do).
    const ID: Access = Access::SignedIn(BearerTokenUse::Id);
    const ACCESS: Access = Access::SignedIn(BearerTokenUse::Access);
    const ADMIN: Access = Access::Admin(BearerTokenUse::Access);
    const PUBLIC: Access = Access::Public;
    // Administration needs a second factor or a passkey; its changes, a recent sign-in too.
    // Deleting one's account and adding a passkey need a recent sign-in.
    const ADMIN_READ: SignInRequirement =
        SignInRequirement { acr: Some(AcrRequirement::Administration), max_age: None };
    const ADMIN_CHANGE: SignInRequirement = SignInRequirement {
        acr: Some(AcrRequirement::Administration),
        max_age: Some(MaxAgeRequirement::AdministrationChange),
    };
    const RECENT_FOR_DELETION: SignInRequirement =
        SignInRequirement { acr: None, max_age: Some(MaxAgeRequirement::AccountDeletion) };
    const RECENT_FOR_PASSKEY: SignInRequirement =
        SignInRequirement { acr: None, max_age: Some(MaxAgeRequirement::PasskeyRegistration) };
    &[
        route("POST", "/auth/sign-in", O::Auth(A::SignIn), PUBLIC),
        route("POST", "/auth/challenge", O::Auth(A::AnswerChallenge), PUBLIC),
        route("POST", "/auth/sign-up", O::Auth(A::SignUp), PUBLIC),
        route("POST", "/auth/confirm-sign-up", O::Auth(A::ConfirmSignUp), PUBLIC),
        route("POST", "/auth/resend-code", O::Auth(A::ResendCode), PUBLIC),
        route("GET", "/me", O::Auth(A::Me), ID),
        route("POST", "/mfa/totp/setup", O::Auth(A::TotpSetup), ACCESS),
        route("POST", "/mfa/totp/verify", O::Auth(A::TotpVerify), ACCESS),
        route("GET", "/mfa/preference", O::Auth(A::MfaPreference), ACCESS),
        route("PUT", "/mfa/preference", O::Auth(A::SetMfaPreference), ACCESS),
        route("GET", "/account", O::Auth(A::GetAccount), ACCESS),
        route("PATCH", "/account", O::Auth(A::UpdateAccount), ACCESS),
        route("DELETE", "/account", O::Auth(A::DeleteAccount), ACCESS).needs(RECENT_FOR_DELETION),
        route("POST", "/passkeys/registration", O::Auth(A::StartPasskeyRegistration), ACCESS).needs(RECENT_FOR_PASSKEY),
        route("POST", "/passkeys", O::Auth(A::CompletePasskeyRegistration), ACCESS),
        route("GET", "/passkeys", O::Auth(A::ListPasskeys), ACCESS),
        route("DELETE", "/passkeys/{credentialId}", O::Auth(A::DeletePasskey), ACCESS),
        route("POST", "/account/attributes/{attribute}/code", O::Auth(A::SendAttributeCode), ACCESS),
        route("POST", "/account/attributes/{attribute}/verify", O::Auth(A::VerifyAttribute), ACCESS),
        route("POST", "/auth/refresh", O::Refresh(R::Refresh), PUBLIC),
        route("POST", "/auth/sign-out", O::Refresh(R::SignOut), ACCESS),
        route("POST", "/password/change", O::Password(P::ChangePassword), ACCESS),
        route("POST", "/password/forgot", O::Password(P::ForgotPassword), PUBLIC),
        route("POST", "/password/reset", O::Password(P::ResetPassword), PUBLIC),
        route("POST", "/credentials", O::Credentials(C::Credentials), ID),
        route("POST", "/users", O::Users(U::CreateUser), ADMIN).needs(ADMIN_CHANGE),
        route("GET", "/users", O::Users(U::ListUsers), ADMIN).needs(ADMIN_READ),
        route("GET", "/users/{username}", O::Users(U::GetUser), ADMIN).needs(ADMIN_READ),
        route("DELETE", "/users/{username}", O::Users(U::DeleteUser), ADMIN).needs(ADMIN_CHANGE),
        route("POST", "/users/{username}/disable", O::Users(U::DisableUser), ADMIN).needs(ADMIN_CHANGE),
        route("POST", "/users/{username}/enable", O::Users(U::EnableUser), ADMIN).needs(ADMIN_CHANGE),
        route("PUT", "/users/{username}/groups/{group}", O::Users(U::AddUserToGroup), ADMIN).needs(ADMIN_CHANGE),
        route("DELETE", "/users/{username}/groups/{group}", O::Users(U::RemoveUserFromGroup), ADMIN)
            .needs(ADMIN_CHANGE),
        route("POST", "/users/{username}/reset-password", O::Users(U::ResetUserPassword), ADMIN).needs(ADMIN_CHANGE),
        route("PUT", "/users/{username}/password", O::Users(U::SetUserPassword), ADMIN).needs(ADMIN_CHANGE),
        route("POST", "/users/{username}/sign-out", O::Users(U::SignOutUser), ADMIN).needs(ADMIN_CHANGE),
        route("POST", "/users/{username}/invitation", O::Users(U::ResendInvitation), ADMIN).needs(ADMIN_CHANGE),
    ]
};

/// How strongly and how recently the caller must have signed in to call a route (RFC 9470,
/// "OAuth 2.0 Step Up Authentication Challenge"): which of the deployment's configured
/// requirements apply. The route table says where each applies; the values (the level, the
/// minutes) are configuration, read once at init by the functions that check them before they
/// serve the route. None applies to a public route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SignInRequirement {
    /// The minimum authentication level (`acr`, RFC 9470 `acr_values`) the route needs, when it
    /// needs one.
    pub acr: Option<AcrRequirement>,
    /// The longest time since the person signed in (`auth_time`, RFC 9470 `max_age`) the route
    /// allows, when it has a limit.
    pub max_age: Option<MaxAgeRequirement>,
}

impl SignInRequirement {
    /// No requirement: any valid token of the route's kind will do.
    pub const NONE: Self = Self { acr: None, max_age: None };
    /// Reading as an admin: administration's level.
    pub const ADMINISTRATION: Self = Self { acr: Some(AcrRequirement::Administration), max_age: None };
    /// A change as an admin: administration's level and a recent sign-in.
    pub const ADMINISTRATION_CHANGE: Self =
        Self { acr: Some(AcrRequirement::Administration), max_age: Some(MaxAgeRequirement::AdministrationChange) };
    /// Deleting one's account: a recent sign-in.
    pub const ACCOUNT_DELETION: Self = Self { acr: None, max_age: Some(MaxAgeRequirement::AccountDeletion) };
    /// Registering a passkey: a recent sign-in.
    pub const PASSKEY_REGISTRATION: Self = Self { acr: None, max_age: Some(MaxAgeRequirement::PasskeyRegistration) };

    /// Whether the route asks for anything beyond a valid token.
    pub const fn is_none(self) -> bool {
        self.acr.is_none() && self.max_age.is_none()
    }
}

/// Which configured minimum level a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AcrRequirement {
    /// User administration's level (`ADMIN_MIN_ACR_LEVEL`; level 3, a second factor or a
    /// passkey, by default).
    Administration,
}

/// Which configured window a route's sign-in must fall in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MaxAgeRequirement {
    /// A change made by an admin (`ADMIN_CHANGE_MAX_AGE_MINUTES`; 15 minutes by default).
    AdministrationChange,
    /// Deleting one's own account (`ACCOUNT_DELETION_MAX_AGE_MINUTES`; 5 minutes by default).
    AccountDeletion,
    /// Registering a passkey (`PASSKEY_REGISTRATION_MAX_AGE_MINUTES`; 15 minutes by default).
    PasskeyRegistration,
}

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
        assert!(matches!(find("POST", "/auth/sign-in"), RouteMatch::Found(r, _) if r.function() == Function::Auth));
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

    #[test]
    fn every_route_has_one_operation_and_back() {
        // GIVEN the route table and every operation the functions dispatch on
        let operations: Vec<Operation> = Operation::all().collect();

        // THEN each route's operation leads back to that route, and to no other
        for route in ROUTES {
            assert_eq!(Operation::of(route.method, route.path), Some(route.operation), "{route:?}");
            assert_eq!(ROUTES.iter().filter(|r| r.operation == route.operation).count(), 1, "{route:?}");
            assert!(operations.contains(&route.operation), "{route:?}");
        }
        // AND each operation has exactly one route
        assert_eq!(operations.len(), ROUTES.len());
        for operation in operations {
            assert_eq!(ROUTES.iter().filter(|r| r.operation == operation).count(), 1, "{operation:?}");
        }
    }

    #[test]
    fn administration_needs_the_level_its_changes_a_recent_sign_in_and_only_self_service_deletion_and_passkeys_more() {
        for route in ROUTES {
            let expected = match (route.access, route.method, route.operation) {
                (Access::Admin(_), "GET", _) => SignInRequirement::ADMINISTRATION,
                (Access::Admin(_), _, _) => SignInRequirement::ADMINISTRATION_CHANGE,
                (_, _, Operation::Auth(AuthOperation::DeleteAccount)) => SignInRequirement::ACCOUNT_DELETION,
                (_, _, Operation::Auth(AuthOperation::StartPasskeyRegistration)) => {
                    SignInRequirement::PASSKEY_REGISTRATION
                }
                _ => SignInRequirement::NONE,
            };
            assert_eq!(route.sign_in, expected, "{} {}", route.method, route.path);
            // AND a public route asks nothing: it has no caller to ask
            assert!(route.access != Access::Public || route.sign_in.is_none(), "{route:?}");
        }
    }

    #[test]
    fn an_operation_belongs_to_its_function_only() {
        let me = Operation::of("GET", "/me").unwrap();
        assert_eq!(AuthOperation::try_from(me), Ok(AuthOperation::Me));
        assert_eq!(UsersOperation::try_from(me), Err(me));
        assert_eq!(me.function(), Function::Auth);
        assert_eq!(me.id(), "me");
    }

    #[test]
    fn operations_are_found_by_the_exact_method_and_template() {
        assert_eq!(Operation::of("GET", "/users/{username}"), Some(Operation::Users(UsersOperation::GetUser)));
        for (method, resource) in [("get", "/me"), ("GET", "/users/alice"), ("POST", "/me"), ("GET", "/nope")] {
            assert_eq!(Operation::of(method, resource), None, "{method} {resource}");
        }
    }
}
