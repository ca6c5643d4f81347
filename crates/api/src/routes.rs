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
        ROUTES.iter().find(|route| route.method == method && route.path == resource).map(|route| route.operation)
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
}

impl Route {
    /// The function behind it.
    pub const fn function(&self) -> Function {
        self.operation.function()
    }
}

const fn route(method: &'static str, path: &'static str, operation: Operation, access: Access) -> Route {
    Route { method, path, operation, access }
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
        route("DELETE", "/account", O::Auth(A::DeleteAccount), ACCESS),
        route("POST", "/passkeys/registration", O::Auth(A::StartPasskeyRegistration), ACCESS),
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
        route("POST", "/users", O::Users(U::CreateUser), ADMIN),
        route("GET", "/users", O::Users(U::ListUsers), ADMIN),
        route("GET", "/users/{username}", O::Users(U::GetUser), ADMIN),
        route("DELETE", "/users/{username}", O::Users(U::DeleteUser), ADMIN),
        route("POST", "/users/{username}/disable", O::Users(U::DisableUser), ADMIN),
        route("POST", "/users/{username}/enable", O::Users(U::EnableUser), ADMIN),
        route("PUT", "/users/{username}/groups/{group}", O::Users(U::AddUserToGroup), ADMIN),
        route("DELETE", "/users/{username}/groups/{group}", O::Users(U::RemoveUserFromGroup), ADMIN),
        route("POST", "/users/{username}/reset-password", O::Users(U::ResetUserPassword), ADMIN),
        route("PUT", "/users/{username}/password", O::Users(U::SetUserPassword), ADMIN),
        route("POST", "/users/{username}/sign-out", O::Users(U::SignOutUser), ADMIN),
        route("POST", "/users/{username}/invitation", O::Users(U::ResendInvitation), ADMIN),
    ]
};

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
