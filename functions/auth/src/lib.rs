//! The `auth` function: sign-in and its challenges, sign-up, TOTP enrolment, `/me`, the person's
//! own account and passkeys. Parse, call the domain, map — nothing else lives here.

use std::sync::Arc;

use api_types::{
    ApiError,
    routes::AuthOperation,
    wire::{
        ChallengeRequest, CompletePasskeyRegistrationRequest, ConfirmSignUpRequest, MeResponse, PasskeyListQuery,
        SetMfaPreferenceRequest, SignInRequest, SignUpRequest, TotpVerifyRequest, UpdateAccountRequest,
        UsernameRequest, VerifiableAttribute, VerifyAttributeRequest,
    },
};
use auth_domain::{
    AccountPort, AuthError, CognitoConfig, PasskeyPort, RegistrationPort, SignInPort, account::AccountService,
    mfa::MfaService, passkeys::PasskeyService, registration::RegistrationService, sign_in::SignInService,
    step_up::SignInRequirements,
};
use lambda_glue::{Cors, Reply, path_param};
use lambda_http::{Body, Request, Response, http::StatusCode};

/// The Cognito operations this function may call: sign-in (the admin flow included, which IAM
/// must grant), registration, the signed-in person's own account and passkeys (a test holds
/// `template.yaml`'s policy to what these reach).
pub trait AuthPorts: SignInPort + RegistrationPort + AccountPort + PasskeyPort {}

impl<T: SignInPort + RegistrationPort + AccountPort + PasskeyPort + ?Sized> AuthPorts for T {}

/// Everything the handler needs, built once at init.
#[derive(Clone)]
pub struct AuthState {
    sign_in: SignInService,
    registration: RegistrationService,
    mfa: MfaService,
    account: AccountService,
    passkeys: PasskeyService,
    requirements: SignInRequirements,
    cors: Cors,
}

impl AuthState {
    /// State for the app client in `config`, calling Cognito through `pool`.
    pub fn new(pool: Arc<dyn AuthPorts>, config: CognitoConfig, cors: Cors) -> Self {
        let write_attributes = config.write_attributes.clone();
        Self {
            sign_in: SignInService::new(pool.clone(), config.clone()),
            registration: RegistrationService::new(pool.clone(), config),
            mfa: MfaService::new(pool.clone()),
            account: AccountService::new(pool.clone(), write_attributes),
            passkeys: PasskeyService::new(pool),
            requirements: SignInRequirements::default(),
            cors,
        }
    }

    /// The values of the route table's sign-in requirements (how recent a sign-in deleting the
    /// account and registering a passkey need); [`SignInRequirements::default`] otherwise.
    pub fn with_sign_in_requirements(mut self, requirements: SignInRequirements) -> Self {
        self.requirements = requirements;
        self
    }
}

/// Serves one API Gateway request.
pub async fn handle(state: &AuthState, req: Request) -> Response<Body> {
    let result = dispatch(state, &req).await;
    lambda_glue::respond(&req, &state.cors, result)
}

async fn dispatch(state: &AuthState, req: &Request) -> Result<Reply, ApiError> {
    match lambda_glue::operation_with_step_up(req, &state.requirements)? {
        AuthOperation::SignIn => sign_in(state, req).await,
        AuthOperation::AnswerChallenge => challenge(state, req).await,
        AuthOperation::SignUp => sign_up(state, req).await,
        AuthOperation::ConfirmSignUp => confirm_sign_up(state, req).await,
        AuthOperation::ResendCode => resend_code(state, req).await,
        AuthOperation::TotpSetup => totp_setup(state, req).await,
        AuthOperation::TotpVerify => totp_verify(state, req).await,
        AuthOperation::MfaPreference => mfa_preference(state, req).await,
        AuthOperation::SetMfaPreference => set_mfa_preference(state, req).await,
        AuthOperation::Me => me(req),
        AuthOperation::GetAccount => {
            let token = lambda_glue::caller_access_token(req)?;
            Ok(Reply::ok(state.account.get(&token).await?))
        }
        AuthOperation::UpdateAccount => {
            let token = lambda_glue::caller_access_token(req)?;
            let body: UpdateAccountRequest = lambda_glue::json_body(req)?;
            Ok(Reply::ok(state.account.update(&token, &body).await?))
        }
        AuthOperation::DeleteAccount => {
            let token = lambda_glue::caller_access_token(req)?;
            state.account.delete(&token).await?;
            Ok(Reply::no_content())
        }
        AuthOperation::SendAttributeCode => {
            let token = lambda_glue::caller_access_token(req)?;
            let attribute = verifiable_attribute(req)?;
            Ok(Reply::with_status(StatusCode::ACCEPTED, state.account.send_code(&token, attribute).await?))
        }
        AuthOperation::VerifyAttribute => {
            let token = lambda_glue::caller_access_token(req)?;
            let attribute = verifiable_attribute(req)?;
            let body: VerifyAttributeRequest = lambda_glue::json_body(req)?;
            state.account.verify(&token, attribute, &body).await?;
            Ok(Reply::no_content())
        }
        AuthOperation::StartPasskeyRegistration => {
            let token = lambda_glue::caller_access_token(req)?;
            Ok(Reply::ok(state.passkeys.start_registration(&token).await?))
        }
        AuthOperation::CompletePasskeyRegistration => {
            let token = lambda_glue::caller_access_token(req)?;
            let body: CompletePasskeyRegistrationRequest = lambda_glue::json_body(req)?;
            state.passkeys.complete_registration(&token, &body.credential).await?;
            Ok(Reply::no_content())
        }
        AuthOperation::ListPasskeys => {
            let token = lambda_glue::caller_access_token(req)?;
            let query = PasskeyListQuery {
                limit: lambda_glue::query_param(req, "limit"),
                next: lambda_glue::query_param(req, "next"),
            };
            Ok(Reply::ok(state.passkeys.list(&token, &query).await?))
        }
        AuthOperation::DeletePasskey => {
            let token = lambda_glue::caller_access_token(req)?;
            let credential_id = path_param(req, "credentialId")?;
            state.passkeys.delete(&token, &credential_id).await?;
            Ok(Reply::no_content())
        }
    }
}

/// The `{attribute}` of `/account/attributes/{attribute}/...`: `email` or `phone_number`, else
/// a 400 naming `attribute`.
fn verifiable_attribute(req: &Request) -> Result<VerifiableAttribute, ApiError> {
    let name = path_param(req, "attribute")?;
    VerifiableAttribute::from_name(&name)
        .ok_or_else(|| ApiError::from(AuthError::bad_input("attribute", "attribute must be email or phone_number.")))
}

async fn sign_in(state: &AuthState, req: &Request) -> Result<Reply, ApiError> {
    let body: SignInRequest = lambda_glue::json_body(req)?;
    let context = lambda_glue::context_data(req)?;
    Ok(Reply::ok(state.sign_in.sign_in(&body, &context).await?))
}

async fn challenge(state: &AuthState, req: &Request) -> Result<Reply, ApiError> {
    let body: ChallengeRequest = lambda_glue::json_body(req)?;
    let context = lambda_glue::context_data(req)?;
    Ok(Reply::ok(state.sign_in.answer_challenge(&body, &context).await?))
}

async fn sign_up(state: &AuthState, req: &Request) -> Result<Reply, ApiError> {
    let body: SignUpRequest = lambda_glue::json_body(req)?;
    let context = lambda_glue::context_data(req)?;
    Ok(Reply::with_status(StatusCode::CREATED, state.registration.sign_up(&body, &context).await?))
}

async fn confirm_sign_up(state: &AuthState, req: &Request) -> Result<Reply, ApiError> {
    let body: ConfirmSignUpRequest = lambda_glue::json_body(req)?;
    let context = lambda_glue::context_data(req)?;
    let session = state.registration.confirm(&body, &context).await?;
    // Signed in at once when asked with the sign-up's receipt and the client allows it (the
    // domain returns a session only then); otherwise confirmed only (204). The
    // account is confirmed either way: a failed sign-in here (an expired session, throttling) is
    // answered 204 too, so the person signs in as usual instead of confirming again in vain.
    if let (true, Some(session)) = (body.sign_in, session) {
        match state.sign_in.sign_in_confirmed(&body.username, &session, &context).await {
            Ok(signed_in) => return Ok(Reply::ok(signed_in)),
            Err(err) => {
                tracing::warn!(error = %err, "confirmed, but signing in with the confirmation's session failed")
            }
        }
    }
    Ok(Reply::no_content())
}

async fn resend_code(state: &AuthState, req: &Request) -> Result<Reply, ApiError> {
    let body: UsernameRequest = lambda_glue::json_body(req)?;
    state.registration.resend_code(&body, &lambda_glue::context_data(req)?).await?;
    Ok(Reply::accepted())
}

async fn totp_setup(state: &AuthState, req: &Request) -> Result<Reply, ApiError> {
    let token = lambda_glue::caller_access_token(req)?;
    Ok(Reply::ok(state.mfa.setup(&token).await?))
}

async fn totp_verify(state: &AuthState, req: &Request) -> Result<Reply, ApiError> {
    let token = lambda_glue::caller_access_token(req)?;
    let body: TotpVerifyRequest = lambda_glue::json_body(req)?;
    state.mfa.verify(&token, &body).await?;
    Ok(Reply::no_content())
}

async fn mfa_preference(state: &AuthState, req: &Request) -> Result<Reply, ApiError> {
    let token = lambda_glue::caller_access_token(req)?;
    Ok(Reply::ok(state.mfa.preference(&token).await?))
}

async fn set_mfa_preference(state: &AuthState, req: &Request) -> Result<Reply, ApiError> {
    let token = lambda_glue::caller_access_token(req)?;
    let body: SetMfaPreferenceRequest = lambda_glue::json_body(req)?;
    Ok(Reply::ok(state.mfa.set_preference(&token, &body).await?))
}

fn me(req: &Request) -> Result<Reply, ApiError> {
    let caller = lambda_glue::require_caller(req)?;
    Ok(Reply::ok(MeResponse {
        groups: caller.group_list().into_iter().map(str::to_string).collect(),
        sub: caller.sub,
        username: caller.username,
        email: caller.email,
        email_verified: caller.email_verified,
    }))
}
