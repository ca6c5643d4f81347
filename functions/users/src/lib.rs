//! The `users` function: user administration for the admins group. Parse, call the domain, map.

use std::sync::Arc;

use api_types::{
    ApiError,
    routes::UsersOperation,
    wire::{CreateUserRequest, SetPasswordRequest, UserQuery},
};
use auth_domain::{
    AccountPort, AdminPort,
    step_up::SignInRequirements,
    user_pool::{AdminAction, MembershipChange},
    users::AdminService,
};
use lambda_glue::{Cors, Reply, path_param};
use lambda_http::{Body, Request, Response, http::StatusCode};

/// The Cognito operations this function may call: administration (which IAM must grant) and,
/// with the caller's own access token, the live check of their session (a test holds
/// `template.yaml`'s policy to what these reach).
pub trait UsersPorts: AdminPort + AccountPort {}

impl<T: AdminPort + AccountPort + ?Sized> UsersPorts for T {}

/// Everything the handler needs, built once at init.
#[derive(Clone)]
pub struct UsersState {
    admin: AdminService,
    requirements: SignInRequirements,
    cors: Cors,
}

impl UsersState {
    /// The state for the admins group `admin_group`, calling Cognito through `pool`.
    pub fn new(pool: Arc<dyn UsersPorts>, admin_group: &str, cors: Cors) -> Self {
        Self {
            admin: AdminService::new(pool.clone(), pool, admin_group),
            requirements: SignInRequirements::default(),
            cors,
        }
    }

    /// The values of the route table's sign-in requirements (the level administration needs,
    /// how recent a sign-in its changes need); [`SignInRequirements::default`] otherwise.
    pub fn with_sign_in_requirements(mut self, requirements: SignInRequirements) -> Self {
        self.requirements = requirements;
        self
    }
}

/// Serves one API Gateway request.
pub async fn handle(state: &UsersState, req: Request) -> Response<Body> {
    let result = dispatch(state, &req).await;
    lambda_glue::respond(&req, &state.cors, result)
}

fn query(req: &Request) -> UserQuery {
    let get = |name: &str| lambda_glue::query_param(req, name);
    UserQuery { limit: get("limit"), next: get("next"), email: get("email"), status: get("status") }
}

async fn dispatch(state: &UsersState, req: &Request) -> Result<Reply, ApiError> {
    let caller = lambda_glue::require_caller(req)?;
    let admin = &state.admin;
    // Defence in depth, before anything else: the authorizer should not have let a non-admin in.
    admin.require_admin(&caller)?;
    // Then how strongly and how recently they signed in, as the route asks.
    let operation = lambda_glue::operation_with_step_up(req, &state.requirements)?;
    let caller = lambda_glue::caller_access_token(req)?;
    let username = || path_param(req, "username");
    let reply = match operation {
        UsersOperation::CreateUser => {
            let body: CreateUserRequest = lambda_glue::json_body(req)?;
            Reply::with_status(StatusCode::CREATED, admin.create(&caller, &body).await?)
        }
        UsersOperation::ListUsers => Reply::ok(admin.list(&caller, &query(req)).await?),
        UsersOperation::GetUser => Reply::ok(admin.get(&caller, &username()?).await?),
        UsersOperation::DeleteUser => no_content(admin.act(&caller, AdminAction::Delete, &username()?).await?),
        UsersOperation::DisableUser => no_content(admin.act(&caller, AdminAction::Disable, &username()?).await?),
        UsersOperation::EnableUser => no_content(admin.act(&caller, AdminAction::Enable, &username()?).await?),
        UsersOperation::ResetUserPassword => {
            no_content(admin.act(&caller, AdminAction::ResetPassword, &username()?).await?)
        }
        UsersOperation::AddUserToGroup => {
            let group = path_param(req, "group")?;
            no_content(admin.membership(&caller, &username()?, &group, MembershipChange::Add).await?)
        }
        UsersOperation::RemoveUserFromGroup => {
            let group = path_param(req, "group")?;
            no_content(admin.membership(&caller, &username()?, &group, MembershipChange::Remove).await?)
        }
        UsersOperation::SetUserPassword => {
            let body: SetPasswordRequest = lambda_glue::json_body(req)?;
            no_content(admin.set_password(&caller, &username()?, &body).await?)
        }
        UsersOperation::SignOutUser => no_content(admin.act(&caller, AdminAction::SignOut, &username()?).await?),
        UsersOperation::ResendInvitation => {
            admin.resend_invitation(&caller, &username()?).await?;
            Reply::accepted()
        }
    };
    Ok(reply)
}

fn no_content((): ()) -> Reply {
    Reply::no_content()
}
