//! `authctl sign-in`: signs in directly against the user pool with the domain's flows (SRP by
//! default, `SECRET_HASH` when the client has a secret), answers the challenges that follow, saves
//! the session and prints the ID token (or what `--print` asks for).

use std::{collections::BTreeMap, process::ExitCode};

use anyhow::bail;
use api_types::{
    Secret,
    challenge::{ChallengeName, MfaFactor, PreferredChallenge},
    wire::{Challenge, ChallengeRequest, SignInFlow, SignInRequest, SignInResponse, Tokens},
};
use auth_domain::sign_in::SignInService;

use super::{Cognito, Context, print_line};
use crate::{
    cli::{Flow, Method, Print, SignInArgs, StepUpArgs},
    config::Credentials,
    error::{describe, refresh_failure, sign_in_failure},
    jwt, prompt,
    session::{self, Session},
};

/// Challenges answered in a row before giving up: a new password, a choice of MFA and a code
/// take three; more means something loops.
const MAX_CHALLENGES: usize = 5;

/// The challenges authctl answers (those [`answers_to`] has an arm for).
const ANSWERED: &[ChallengeName] = &[
    ChallengeName::NewPasswordRequired,
    ChallengeName::SoftwareTokenMfa,
    ChallengeName::SelectMfaType,
    ChallengeName::SelectChallenge,
    ChallengeName::Password,
    ChallengeName::PasswordSrp,
    ChallengeName::EmailOtp,
    ChallengeName::SmsOtp,
];

/// Where a challenge's answers come from.
pub trait Answers {
    /// A new password, for `NEW_PASSWORD_REQUIRED`.
    fn new_password(&mut self) -> anyhow::Result<String>;
    /// A code from the authenticator app, for `SOFTWARE_TOKEN_MFA`.
    fn totp_code(&mut self) -> anyhow::Result<String>;
    /// The first factor to sign in with, of those Cognito `offered` (`SELECT_CHALLENGE`).
    fn first_factor(&mut self, offered: &[ChallengeName]) -> anyhow::Result<ChallengeName>;
    /// The password, for a password factor chosen or asked for.
    fn password(&mut self) -> anyhow::Result<String>;
    /// The one-time code sent by `medium` (`EMAIL`, `SMS`) to `destination` (masked).
    fn one_time_code(&mut self, medium: &str, destination: &str) -> anyhow::Result<String>;
}

/// Answers from the flags, stdin and the terminal.
struct FromUser {
    new_password_stdin: bool,
    totp_code: Option<String>,
    method: Option<Method>,
    password: Option<String>,
    password_stdin: bool,
    code: Option<String>,
    code_stdin: bool,
}

impl Answers for FromUser {
    fn first_factor(&mut self, offered: &[ChallengeName]) -> anyhow::Result<ChallengeName> {
        if let Some(method) = self.method {
            let wanted = method.challenge().challenge();
            if offered.contains(&wanted) {
                return Ok(wanted);
            }
            let offered = offered.iter().map(ChallengeName::as_str).collect::<Vec<_>>().join(", ");
            bail!("Cognito does not offer {wanted} for this account; it offers {offered}");
        }
        note!("Sign in with:");
        for (n, factor) in offered.iter().enumerate() {
            note!("  {}. {}", n + 1, describe_factor(factor));
        }
        let picked = prompt::line("Choice (number): ", "sign-in method", "--method")?;
        let index = picked.trim().parse::<usize>().ok().and_then(|n| n.checked_sub(1));
        match index.and_then(|i| offered.get(i)) {
            Some(factor) => Ok(factor.clone()),
            None => bail!("{picked:?} is not one of the numbers above"),
        }
    }

    fn password(&mut self) -> anyhow::Result<String> {
        match self.password.take() {
            Some(password) => Ok(password),
            None if self.password_stdin => prompt::stdin_line("password"),
            None => prompt::secret("Password: ", "password", "--password-stdin"),
        }
    }

    fn one_time_code(&mut self, medium: &str, destination: &str) -> anyhow::Result<String> {
        match self.code.take() {
            Some(code) => Ok(code),
            None if self.code_stdin => {
                note!("Code sent by {medium} to {destination}; reading it from stdin.");
                prompt::stdin_line("code")
            }
            None => prompt::line(&format!("Code sent by {medium} to {destination}: "), "code", "--code-stdin"),
        }
    }

    fn new_password(&mut self) -> anyhow::Result<String> {
        note!("Cognito requires a new password for this account.");
        if self.new_password_stdin {
            return prompt::stdin_line("new password");
        }
        let first = prompt::secret("New password: ", "new password", "--new-password-stdin")?;
        let again = prompt::secret("New password again: ", "new password", "--new-password-stdin")?;
        if first != again {
            bail!("the two new passwords differ");
        }
        Ok(first)
    }

    fn totp_code(&mut self) -> anyhow::Result<String> {
        // A flag's code is good for one challenge: a second one means Cognito wants a fresh code.
        match self.totp_code.take() {
            Some(code) => Ok(code),
            None => prompt::line("Code from the authenticator app: ", "TOTP code", "--totp-code"),
        }
    }
}

/// Runs `authctl sign-in`.
pub async fn run(ctx: &Context, args: SignInArgs) -> anyhow::Result<ExitCode> {
    let settings = ctx.settings()?;
    let session_path = ctx.session_path()?;
    let cognito = Cognito::connect(&settings).await?;
    if args.flow == Flow::Admin && cognito.credentials == Credentials::None {
        bail!(
            "the admin flow calls AdminInitiateAuth, which needs IAM credentials: set AWS_ACCESS_KEY_ID and \
             AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or use --flow srp"
        );
    }
    let username = match args.username {
        Some(username) => username,
        None if args.password_stdin => bail!("--username is required with --password-stdin"),
        None => prompt::line("Username: ", "username", "--username")?,
    };
    if args.flow != Flow::Choice && (args.method.is_some() || args.code.is_some() || args.code_stdin) {
        bail!("--method, --code and --code-stdin go with --flow choice");
    }
    // The password first, unless the sign-in may end up not needing it (a choice-based sign-in
    // by code, or one whose method is chosen at a prompt).
    let password_now = args.flow != Flow::Choice || args.method.is_some_and(Method::takes_password);
    let password = match password_now {
        false => None,
        true if args.password_stdin => Some(prompt::stdin_line("password")?),
        true => Some(prompt::secret("Password: ", "password", "--password-stdin")?),
    };
    let flow = match args.flow {
        Flow::Srp => SignInFlow::UserSrpAuth,
        Flow::Password => SignInFlow::UserPasswordAuth,
        Flow::Admin => SignInFlow::AdminUserPasswordAuth,
        Flow::Choice => SignInFlow::UserAuth,
    };
    let request = SignInRequest {
        username,
        password: password.map(Secret::from),
        flow: Some(flow),
        preferred_challenge: args.method.map(Method::challenge),
        access_token: None,
        acr_values: None,
        max_age: None,
    };
    let answers = FromUser {
        new_password_stdin: args.new_password_stdin,
        totp_code: args.totp_code,
        method: args.method,
        password: None,
        password_stdin: args.password_stdin,
        code: args.code,
        code_stdin: args.code_stdin,
    };
    let signed_in = sign_in_answering(&cognito, &request, answers).await?;
    save_and_print(&cognito, &session_path, signed_in, args.print, "Signed in as")
}

/// Sends `request`, answers the challenges that follow from `answers`, and returns the pool's
/// internal username with the tokens.
async fn sign_in_answering(
    cognito: &Cognito,
    request: &SignInRequest,
    mut answers: FromUser,
) -> anyhow::Result<(String, Tokens)> {
    let has_secret = cognito.config.client_secret.is_some();
    let first = cognito.sign_in.sign_in(request, &super::DIRECT).await.map_err(|e| sign_in_failure(e, has_secret))?;
    complete(&cognito.sign_in, first, &mut answers).await
}

/// Runs `authctl step-up`: choice-based sign-in with the saved session's access token (refreshed
/// first when expired) and the levels to reach (RFC 9470's `acr_values`, and `max_age`). Cognito
/// asks only for what the session's sign-in lacks (the authenticator app's code after a password
/// alone; a first factor again when the sign-in is older than `max_age`), and the new tokens,
/// at the new level, replace the session's.
pub async fn step_up(ctx: &Context, args: StepUpArgs) -> anyhow::Result<ExitCode> {
    let (session_path, mut saved) = ctx.load_session()?;
    let cognito = Cognito::connect(&ctx.settings()?).await?;
    cognito.check_session(&saved)?;
    if saved.expires_at <= session::now() {
        super::refresh::refresh_session(&cognito, &mut saved).await.map_err(refresh_failure)?;
        // Kept at once: a rotated refresh token must not be lost if the step-up then fails.
        session::save(&session_path, &saved)?;
    }
    let request = SignInRequest {
        username: saved.username.clone(),
        password: None,
        flow: Some(SignInFlow::UserAuth),
        preferred_challenge: None,
        access_token: Some(saved.access_token.clone()),
        acr_values: Some(args.acr_values.clone()),
        max_age: args.max_age,
    };
    let answers = FromUser {
        new_password_stdin: false,
        totp_code: args.totp_code,
        method: args.method,
        password: None,
        password_stdin: args.password_stdin,
        code: args.code,
        code_stdin: args.code_stdin,
    };
    let signed_in = sign_in_answering(&cognito, &request, answers).await?;
    // The same person's tokens only: a step-up never swaps the session for someone else's.
    if signed_in.0 != saved.username {
        bail!(
            "the step-up answered tokens of {}, not of the saved session's {}; nothing saved",
            signed_in.0,
            saved.username
        );
    }
    save_and_print(&cognito, &session_path, signed_in, args.print, "Stepped up")
}

/// Saves the session of `username` with `tokens` (a refresh token Cognito did not issue keeps
/// none), says so on stderr after `verb`, and prints what `print` asks for.
fn save_and_print(
    cognito: &Cognito,
    session_path: &std::path::Path,
    (username, tokens): (String, Tokens),
    print: Print,
    verb: &str,
) -> anyhow::Result<ExitCode> {
    let now = session::now();
    let session = Session {
        username,
        id_token: tokens.id_token,
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
        expires_at: now + u64::try_from(tokens.expires_in).unwrap_or(0),
        user_pool_id: cognito.config.user_pool_id.clone(),
        client_id: cognito.config.client_id.clone(),
    };
    session::save(session_path, &session)?;
    note!(
        "{verb} {} (tokens expire {}); session saved to {}",
        session.username,
        jwt::relative(session.expires_at, now),
        session_path.display()
    );
    match print {
        Print::Id => print_line(session.id_token.expose()),
        Print::Access => print_line(session.access_token.expose()),
        Print::Refresh => match &session.refresh_token {
            Some(token) => print_line(token.expose()),
            None => bail!("Cognito issued no refresh token"),
        },
        Print::Json => print_line(&serde_json::to_string_pretty(&session)?),
    }
}

/// Answers challenges until Cognito issues tokens; returns them with the pool's internal
/// username.
pub async fn complete(
    service: &SignInService,
    mut response: SignInResponse,
    answers: &mut dyn Answers,
) -> anyhow::Result<(String, Tokens)> {
    let mut answered = 0;
    loop {
        let (challenge, username) = match response {
            SignInResponse::Tokens { tokens, username } => return Ok((username, tokens)),
            SignInResponse::Challenge { challenge, username } => (challenge, username),
        };
        if answered == MAX_CHALLENGES {
            bail!("Cognito asked for more than {MAX_CHALLENGES} challenges in a row; giving up");
        }
        answered += 1;
        let responses = answers_to(&challenge, answers)?;
        let request = ChallengeRequest { username, name: challenge.name, session: challenge.session, responses };
        response =
            service.answer_challenge(&request, &super::DIRECT).await.map_err(|e| anyhow::anyhow!(describe(e)))?;
    }
}

/// The answers to one challenge, or why authctl cannot give them.
pub fn answers_to(challenge: &Challenge, answers: &mut dyn Answers) -> anyhow::Result<BTreeMap<String, Secret>> {
    let one = |key: &str, value: String| BTreeMap::from([(key.to_string(), Secret::from(value))]);
    match &challenge.name {
        ChallengeName::NewPasswordRequired => {
            let required = required_attributes(challenge);
            if !required.is_empty() {
                bail!(
                    "Cognito requires a new password and these attributes: {}; authctl sets only the password \
                     (answer through the API's POST /auth/challenge with userAttributes.<name>)",
                    required.join(", ")
                );
            }
            Ok(one("NEW_PASSWORD", answers.new_password()?))
        }
        ChallengeName::SoftwareTokenMfa => Ok(one("SOFTWARE_TOKEN_MFA_CODE", answers.totp_code()?.trim().to_string())),
        // The only MFA authctl can answer is TOTP: choose it, when Cognito offers it.
        ChallengeName::SelectMfaType => {
            let totp = MfaFactor::SoftwareToken;
            // `MFAS_CAN_CHOOSE` is a JSON array of factor names.
            let listed = challenge.parameters.get("MFAS_CAN_CHOOSE").map(Secret::expose).unwrap_or("[]");
            let offered: Vec<String> = serde_json::from_str(listed).unwrap_or_default();
            if !offered.is_empty() && !offered.iter().any(|name| MfaFactor::from_name(name) == Some(totp)) {
                bail!(
                    "Cognito offers only {} as MFA, and authctl answers only {}; \
                     answer through the API's POST /auth/challenge",
                    offered.join(", "),
                    totp.as_str()
                );
            }
            Ok(one("ANSWER", totp.as_str().to_string()))
        }
        // Choice-based sign-in: the factor (with the password, when it takes one), then its code.
        ChallengeName::SelectChallenge => {
            let factor = answers.first_factor(&challenge.available_challenges)?;
            let mut chosen = one("ANSWER", factor.to_string());
            if factor.first_factor().is_some_and(PreferredChallenge::takes_password) {
                chosen.insert("PASSWORD".into(), answers.password()?.into());
            }
            Ok(chosen)
        }
        ChallengeName::Password | ChallengeName::PasswordSrp => Ok(one("PASSWORD", answers.password()?)),
        ChallengeName::EmailOtp | ChallengeName::SmsOtp => {
            let parameter = |key: &str| challenge.parameters.get(key).map(Secret::expose).unwrap_or_default();
            let medium = if challenge.name == ChallengeName::SmsOtp { "SMS" } else { "EMAIL" };
            let code = answers.one_time_code(medium, parameter("CODE_DELIVERY_DESTINATION"))?;
            Ok(one(&format!("{}_CODE", challenge.name), code.trim().to_string()))
        }
        other => bail!(
            "Cognito asks for the {other} challenge, which authctl does not answer (it answers {}); \
             answer it through the API's POST /auth/challenge",
            ANSWERED.iter().map(ChallengeName::as_str).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// A first factor as the prompt lists it.
fn describe_factor(factor: &ChallengeName) -> String {
    match factor.first_factor() {
        Some(PreferredChallenge::PasswordSrp) => "password (SRP: it never leaves this machine)".into(),
        Some(PreferredChallenge::Password) => "password (sent to Cognito over TLS)".into(),
        Some(PreferredChallenge::EmailOtp) => "a code sent by email".into(),
        Some(PreferredChallenge::SmsOtp) => "a code sent by SMS".into(),
        Some(PreferredChallenge::WebAuthn) => "a passkey (authctl cannot use one: sign in in a browser)".into(),
        None => format!("{factor} (authctl cannot answer it)"),
    }
}

/// The attributes a `NEW_PASSWORD_REQUIRED` challenge requires (its `requiredAttributes`
/// parameter: a JSON array of `userAttributes.<name>`).
fn required_attributes(challenge: &Challenge) -> Vec<String> {
    let Some(raw) = challenge.parameters.get("requiredAttributes").map(Secret::expose) else { return Vec::new() };
    let names: Vec<String> = serde_json::from_str(raw).unwrap_or_else(|_| vec![raw.to_string()]);
    names.into_iter().map(|n| n.trim_start_matches("userAttributes.").to_string()).filter(|n| !n.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use auth_domain::{
        testing::{Call, ScriptedPool, ScriptedReply},
        user_pool::{AuthResult, IssuedTokens},
    };

    use super::*;

    /// Scripted answers that count what was asked.
    #[derive(Default)]
    struct Scripted {
        asked: Vec<&'static str>,
    }

    impl Answers for Scripted {
        fn new_password(&mut self) -> anyhow::Result<String> {
            self.asked.push("new password");
            Ok("N3w-passw0rd".into())
        }

        fn totp_code(&mut self) -> anyhow::Result<String> {
            self.asked.push("totp");
            Ok(" 123456\n".into())
        }

        fn first_factor(&mut self, offered: &[ChallengeName]) -> anyhow::Result<ChallengeName> {
            self.asked.push("factor");
            offered.last().cloned().ok_or_else(|| anyhow::anyhow!("nothing offered"))
        }

        fn password(&mut self) -> anyhow::Result<String> {
            self.asked.push("password");
            Ok("Demo-passw0rd".into())
        }

        fn one_time_code(&mut self, _medium: &str, _destination: &str) -> anyhow::Result<String> {
            self.asked.push("code");
            Ok("12345678\n".into())
        }
    }

    fn challenge(name: &str, parameters: &[(&str, &str)]) -> Challenge {
        Challenge {
            name: name.into(),
            session: "s1".into(),
            parameters: parameters.iter().map(|(k, v)| (k.to_string(), Secret::from(*v))).collect(),
            available_challenges: Vec::new(),
            credential_request_options: None,
        }
    }

    fn auth_challenge(name: &str, session: &str) -> Result<ScriptedReply, auth_domain::CognitoError> {
        Ok(ScriptedReply::Auth(AuthResult::Challenge {
            name: name.into(),
            session: session.into(),
            parameters: BTreeMap::new(),
            available: Vec::new(),
        }))
    }

    #[test]
    fn answers_a_new_password_a_totp_code_and_the_mfa_choice() {
        let mut answers = Scripted::default();
        let new_password =
            answers_to(&challenge("NEW_PASSWORD_REQUIRED", &[("requiredAttributes", "[]")]), &mut answers);
        assert_eq!(new_password.unwrap()["NEW_PASSWORD"], "N3w-passw0rd");
        let code = answers_to(&challenge("SOFTWARE_TOKEN_MFA", &[]), &mut answers).unwrap();
        assert_eq!(code["SOFTWARE_TOKEN_MFA_CODE"], "123456");
        let offered = [("MFAS_CAN_CHOOSE", r#"["SMS_MFA","SOFTWARE_TOKEN_MFA"]"#)];
        let choice = answers_to(&challenge("SELECT_MFA_TYPE", &offered), &mut answers).unwrap();
        assert_eq!(choice["ANSWER"], "SOFTWARE_TOKEN_MFA");
        assert_eq!(answers.asked, ["new password", "totp"]);
    }

    #[test]
    fn answers_the_choice_of_first_factor_the_password_and_the_code() {
        let mut answers = Scripted::default();
        let mut choice = challenge("SELECT_CHALLENGE", &[]);
        choice.available_challenges = vec![ChallengeName::Password, ChallengeName::PasswordSrp];
        let chosen = answers_to(&choice, &mut answers).unwrap();
        assert_eq!((chosen["ANSWER"].expose(), chosen["PASSWORD"].expose()), ("PASSWORD_SRP", "Demo-passw0rd"));
        choice.available_challenges = vec![ChallengeName::Password, ChallengeName::EmailOtp];
        let chosen = answers_to(&choice, &mut answers).unwrap();
        assert_eq!((chosen["ANSWER"].expose(), chosen.len()), ("EMAIL_OTP", 1), "a code factor takes no password");
        let code = answers_to(&challenge("EMAIL_OTP", &[("CODE_DELIVERY_DESTINATION", "d***@e***")]), &mut answers);
        assert_eq!(code.unwrap()["EMAIL_OTP_CODE"], "12345678");
        assert_eq!(answers_to(&challenge("SMS_OTP", &[]), &mut answers).unwrap()["SMS_OTP_CODE"], "12345678");
        assert_eq!(answers_to(&challenge("PASSWORD", &[]), &mut answers).unwrap()["PASSWORD"], "Demo-passw0rd");
        assert_eq!(answers.asked, ["factor", "password", "factor", "code", "code", "password"]);
    }

    #[test]
    fn a_challenge_it_cannot_answer_is_named_in_the_error() {
        let mut answers = Scripted::default();
        for name in ["MFA_SETUP", "SMS_MFA", "CUSTOM_CHALLENGE"] {
            let err = answers_to(&challenge(name, &[]), &mut answers).unwrap_err().to_string();
            assert!(err.contains(name) && err.contains("NEW_PASSWORD_REQUIRED"), "{err}");
        }
        let required = challenge("NEW_PASSWORD_REQUIRED", &[("requiredAttributes", r#"["userAttributes.name"]"#)]);
        let err = answers_to(&required, &mut answers).unwrap_err().to_string();
        assert!(err.contains("attributes: name"), "{err}");
        let sms_only = challenge("SELECT_MFA_TYPE", &[("MFAS_CAN_CHOOSE", r#"["SMS_MFA"]"#)]);
        let err = answers_to(&sms_only, &mut answers).unwrap_err().to_string();
        assert!(err.contains("SMS_MFA") && err.contains("POST /auth/challenge"), "{err}");
        assert!(answers.asked.is_empty(), "nothing is asked for a challenge that cannot be answered");
    }

    #[tokio::test]
    async fn chained_challenges_are_answered_until_tokens_come_back() {
        // GIVEN Cognito asking for a new password, then a TOTP code, then issuing tokens
        let tokens = IssuedTokens {
            id_token: auth_domain::testing::token_with_sub("sub-1").into(),
            access_token: "a".into(),
            refresh_token: Some("r".into()),
            expires_in: 3600,
            token_type: "Bearer".into(),
        };
        let pool = Arc::new(ScriptedPool::new([
            auth_challenge("SOFTWARE_TOKEN_MFA", "s2"),
            Ok(ScriptedReply::Auth(AuthResult::Tokens(tokens))),
        ]));
        let service = SignInService::new(pool.clone(), auth_domain::testing::config());
        let first =
            SignInResponse::Challenge { challenge: challenge("NEW_PASSWORD_REQUIRED", &[]), username: "u-1".into() };
        // WHEN the sign-in is completed
        let mut answers = Scripted::default();
        let (username, tokens) = complete(&service, first, &mut answers).await.unwrap();
        // THEN both challenges were answered in order, for the internal username
        assert_eq!(answers.asked, ["new password", "totp"]);
        assert_eq!(tokens.refresh_token.as_ref().map(Secret::expose), Some("r"));
        assert_eq!(username, "u-1");
        let names: Vec<_> = pool
            .calls()
            .into_iter()
            .map(|call| match call {
                Call::Respond { challenge, responses, .. } => (challenge, responses["USERNAME"].clone()),
                other => panic!("unexpected call {other:?}"),
            })
            .collect();
        assert_eq!(
            names,
            [("NEW_PASSWORD_REQUIRED".into(), "u-1".into()), ("SOFTWARE_TOKEN_MFA".into(), "u-1".into())]
        );
    }

    #[tokio::test]
    async fn a_challenge_loop_gives_up() {
        let replies: Vec<_> = (0..MAX_CHALLENGES).map(|_| auth_challenge("SELECT_MFA_TYPE", "s")).collect();
        let service = SignInService::new(Arc::new(ScriptedPool::new(replies)), auth_domain::testing::config());
        let first = SignInResponse::Challenge { challenge: challenge("SELECT_MFA_TYPE", &[]), username: "u-1".into() };
        let err = complete(&service, first, &mut Scripted::default()).await.unwrap_err().to_string();
        assert!(err.contains("giving up"), "{err}");
    }
}
