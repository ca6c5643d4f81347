//! The real `authctl` binary against the local stack (moto and the local gateway on loopback),
//! the way a person testing the API uses it: a stack file like the one `make dev` writes, a
//! session file in a temporary directory, passwords on stdin.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use e2e::TestStack;
use tokio::io::AsyncWriteExt;

/// Variables that would override the stack file: the test must not depend on the caller's.
const OVERRIDING_VARS: &[&str] = &[
    "API_URL",
    "AWS_REGION",
    "USER_POOL_ID",
    "USER_POOL_CLIENT_ID",
    "USER_POOL_CLIENT_SECRET",
    "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
    "AUTHCTL_STACK",
    "AUTHCTL_SESSION",
];

/// What a run of authctl did.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn succeeded(&self) -> bool {
        self.code == Some(0)
    }
}

/// authctl pointed at one stack, with its own session file; the directory goes on drop.
struct Authctl {
    dir: PathBuf,
    stack: PathBuf,
    session: PathBuf,
}

impl Authctl {
    /// Writes a stack file for `t` the way `make dev` does.
    fn for_stack(t: &TestStack, name: &str) -> Self {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("authctl-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temporary directory");
        let info = t.stack.stack_file();
        let stack = dir.join("stack.json");
        std::fs::write(&stack, serde_json::to_string_pretty(&info).expect("json")).expect("stack file");
        let session = dir.join("state/session.json");
        Self { dir, stack, session }
    }

    /// Runs authctl with `args` and the stack file named (`--stack`), feeding `stdin`.
    async fn run(&self, args: &[&str], stdin: &str) -> Run {
        let stack = ["--stack".as_ref(), self.stack.as_os_str()];
        self.run_with(&stack, args, stdin).await
    }

    /// Runs authctl with no stack file named: it finds `.dev/stack.json` in its directory, if any.
    async fn run_in_dir(&self, args: &[&str], stdin: &str) -> Run {
        self.run_with(&[], args, stdin).await
    }

    async fn run_with(&self, stack: &[&std::ffi::OsStr], args: &[&str], stdin: &str) -> Run {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_authctl"));
        command.args(stack).arg("--session").arg(&self.session).args(args).env_remove("AUTHCTL_STACK");
        for var in OVERRIDING_VARS {
            command.env_remove(var);
        }
        command
            .current_dir(&self.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn().expect("authctl starts");
        let mut input = child.stdin.take().expect("stdin");
        // authctl may refuse and exit before it reads stdin (a bad stack file): the pipe it closed
        // is then part of the answer under test, not a failure of the test.
        match input.write_all(stdin.as_bytes()).await {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            written => written.expect("stdin written"),
        }
        drop(input);
        let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .unwrap_or_else(|_| panic!("authctl {args:?} finished within 60 s"))
            .expect("authctl output");
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Drop for Authctl {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs `authctl sign-in` with `args`, and once the outbox holds a new `kind` code for `email`,
/// types it on stdin, as a person reading their mail would.
async fn sign_in_with_mailed_code(t: &TestStack, cli: &Authctl, args: &[&str], email: &str, kind: &str) -> Run {
    let before = t.stack.outbox.latest_code(email, kind);
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_authctl"));
    command.arg("--stack").arg(&cli.stack).arg("--session").arg(&cli.session).args(args);
    for var in OVERRIDING_VARS {
        command.env_remove(var);
    }
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
    let mut child = command.spawn().expect("authctl starts");
    let mut input = child.stdin.take().expect("stdin");
    let code = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            match t.stack.outbox.latest_code(email, kind) {
                Some(code) if Some(&code) != before.as_ref() => break code,
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    })
    .await
    .expect("the code reaches the outbox within 30 s");
    input.write_all(format!("{code}\n").as_bytes()).await.expect("code written");
    drop(input);
    let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("authctl finished within 60 s")
        .expect("authctl output");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn is_jwt(text: &str) -> bool {
    text.split('.').count() == 3 && !text.contains(char::is_whitespace)
}

#[tokio::test]
async fn signs_in_calls_verifies_refreshes_and_signs_out() {
    // GIVEN the local stack and its stack file
    let t = TestStack::start().await;
    let cli = Authctl::for_stack(&t, "flow");
    let user = t.user().clone();

    // WHEN the demo user signs in with the password on stdin (SRP, the default)
    let sign_in = cli.run(&["sign-in", "-u", &user.email, "--password-stdin"], &format!("{}\n", user.password)).await;
    // THEN the ID token alone is on stdout, and the session is saved for the owner only
    assert!(sign_in.succeeded(), "{sign_in:?}");
    let id_token = sign_in.stdout.trim_end().to_string();
    assert!(is_jwt(&id_token), "{sign_in:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&cli.session).expect("session file").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cli.session).expect("session")).expect("session JSON");
    assert_eq!(saved["idToken"], id_token.as_str());
    assert!(saved["username"].as_str().is_some_and(|u| !u.is_empty() && u != user.email), "internal username");
    let token = cli.run(&["token"], "").await;
    assert_eq!((token.code, token.stdout.trim_end()), (Some(0), id_token.as_str()));

    // WHEN the API is called with the saved token, THEN it knows the user
    let me = cli.run(&["call", "GET", "/me"], "").await;
    assert!(me.succeeded(), "{me:?}");
    assert!(me.stderr.contains("200 OK"), "{me:?}");
    let body: serde_json::Value = serde_json::from_str(&me.stdout).expect("pretty JSON body");
    assert_eq!(body["email"], user.email.as_str());
    // and without it, the API's 401 is a failure
    let anonymous = cli.run(&["call", "GET", "/me", "--no-auth"], "").await;
    assert_eq!(anonymous.code, Some(1), "{anonymous:?}");
    assert!(anonymous.stderr.contains("401") && anonymous.stdout.contains("Unauthorized"), "{anonymous:?}");
    // and a session of another app client is not sent at all
    let mismatch = cli.run(&["call", "GET", "/me", "--client-id", "another-client"], "").await;
    assert_eq!(mismatch.code, Some(1), "{mismatch:?}");
    assert!(mismatch.stderr.contains("another-client") && mismatch.stdout.is_empty(), "{mismatch:?}");

    // WHEN the token is verified against the emulator's JWKS, THEN its claims are printed
    let verify = cli.run(&["verify"], "").await;
    assert!(verify.succeeded(), "{verify:?}");
    let claims: serde_json::Value = serde_json::from_str(&verify.stdout).expect("claims JSON");
    assert_eq!((&claims["email"], &claims["token_use"]), (&serde_json::json!(user.email), &serde_json::json!("id")));
    // and a tampered token is refused with one line saying why
    let tampered = format!("{}x", &id_token[..id_token.len() - 1]);
    let refused = cli.run(&["verify", &tampered], "").await;
    assert_eq!(refused.code, Some(1), "{refused:?}");
    assert_eq!(refused.stderr.trim_end().lines().count(), 1, "{refused:?}");
    assert!(refused.stderr.starts_with("invalid: ") && refused.stdout.is_empty(), "{refused:?}");
    // the access token verifies as one, and not as an ID token
    let access = cli.run(&["verify", "--kind", "access"], "").await;
    assert!(access.succeeded(), "{access:?}");
    let access_token = cli.run(&["token", "--kind", "access"], "").await.stdout.trim_end().to_string();
    let wrong_use = cli.run(&["verify", "-"], &access_token).await;
    assert_eq!(wrong_use.code, Some(1), "{wrong_use:?}");
    assert!(wrong_use.stderr.contains("--kind access"), "{wrong_use:?}");
    // while decode shows the claims, labelled unverified
    let decoded = cli.run(&["decode"], "").await;
    assert!(decoded.succeeded() && decoded.stderr.contains("UNVERIFIED"), "{decoded:?}");
    assert!(decoded.stdout.contains("\"verified\": false") && decoded.stdout.contains(&user.email), "{decoded:?}");

    // WHEN the session is refreshed, THEN a working ID token is printed and saved
    let before = cli.run(&["token", "--kind", "refresh"], "").await.stdout;
    let refresh = cli.run(&["refresh"], "").await;
    assert!(refresh.succeeded(), "{refresh:?}");
    let refreshed = refresh.stdout.trim_end().to_string();
    assert!(is_jwt(&refreshed), "{refresh:?}");
    assert_eq!(cli.run(&["token"], "").await.stdout.trim_end(), refreshed);
    // Refresh tokens rotate: the session keeps the new one, and it refreshes in turn
    let after = cli.run(&["token", "--kind", "refresh"], "").await.stdout;
    assert!(!after.trim().is_empty() && after != before, "the rotated refresh token is kept");
    assert!(cli.run(&["refresh"], "").await.succeeded());
    assert!(cli.run(&["call", "GET", "/me"], "").await.succeeded());

    // WHEN the saved tokens have expired, THEN `token` warns
    let kept = std::fs::read(&cli.session).expect("session before sign-out");
    let mut expired: serde_json::Value = serde_json::from_slice(&kept).expect("session JSON");
    expired["expiresAt"] = 0.into();
    std::fs::write(&cli.session, expired.to_string()).expect("session rewritten");
    let stale = cli.run(&["token"], "").await;
    assert!(stale.succeeded() && stale.stderr.contains("expired"), "{stale:?}");

    // WHEN the user signs out with them, THEN authctl refreshes first, the session file is gone
    // and refresh fails
    let sign_out = cli.run(&["sign-out"], "").await;
    assert!(sign_out.succeeded() && sign_out.stderr.contains("Signed out"), "{sign_out:?}");
    assert!(!cli.session.exists());
    let no_session = cli.run(&["refresh"], "").await;
    assert_ne!(no_session.code, Some(0), "{no_session:?}");
    assert!(no_session.stderr.contains("authctl sign-in"), "{no_session:?}");
    // and even the old session's refresh token is dead at Cognito
    std::fs::write(&cli.session, kept).expect("old session restored");
    let revoked = cli.run(&["refresh"], "").await;
    assert_ne!(revoked.code, Some(0), "{revoked:?}");
    assert!(revoked.stderr.contains("NotAuthorized") && revoked.stdout.is_empty(), "{revoked:?}");
}

#[tokio::test]
async fn a_wrong_password_fails_with_not_authorized_and_prints_no_token() {
    // GIVEN the local stack (its emulator checks the password in every flow, SRP included)
    let t = TestStack::start().await;
    let cli = Authctl::for_stack(&t, "wrong-password");
    let email = t.user().email.clone();
    // WHEN the demo user signs in with a wrong password, with SRP (the default) and the password flow
    for flow in ["srp", "password"] {
        let args = ["sign-in", "-u", &email, "--flow", flow, "--password-stdin"];
        let run = cli.run(&args, "Wrong-passw0rd\n").await;
        // THEN authctl fails with the API's NotAuthorized message, prints no token and saves nothing
        assert_ne!(run.code, Some(0), "{run:?}");
        assert!(run.stderr.contains("NotAuthorized: Incorrect username or password."), "{flow}: {run:?}");
        assert!(run.stdout.is_empty(), "{run:?}");
        assert!(!cli.session.exists());
    }
    // AND with no password on stdin at all, it says what it expected
    let empty = cli.run(&["sign-in", "-u", &email, "--password-stdin"], "").await;
    assert_ne!(empty.code, Some(0));
    assert!(empty.stderr.contains("password on stdin"), "{empty:?}");
}

#[tokio::test]
async fn a_stack_file_found_in_the_directory_is_used_only_when_private_and_local() {
    use std::os::unix::fs::PermissionsExt;
    // GIVEN a .dev/stack.json in the directory authctl runs in, as make dev writes it
    let t = TestStack::start().await;
    let cli = Authctl::for_stack(&t, "implicit-stack");
    let implicit = cli.dir.join(".dev/stack.json");
    std::fs::create_dir_all(cli.dir.join(".dev")).expect(".dev");
    std::fs::copy(&cli.stack, &implicit).expect("stack file");
    let sign_in = ["sign-in", "-u", &t.user().email, "--flow", "password", "--password-stdin"];
    let password = format!("{}\n", t.user().password);
    // WHEN others may read it, THEN authctl refuses it before sending anything anywhere
    std::fs::set_permissions(&implicit, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let refused = cli.run_in_dir(&sign_in, &password).await;
    assert_ne!(refused.code, Some(0), "{refused:?}");
    assert!(refused.stderr.contains("not using .dev/stack.json: others may read or write it"), "{refused:?}");
    assert!(!cli.session.exists());
    // WHEN it is private (and names this machine only), THEN it is used
    std::fs::set_permissions(&implicit, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let used = cli.run_in_dir(&sign_in, &password).await;
    assert_eq!(used.code, Some(0), "{used:?}");
    assert!(cli.session.exists());
}

#[tokio::test]
async fn signs_in_by_choice_with_a_code_from_the_mail_or_the_password() {
    // GIVEN the local stack, whose pool allows email codes as a first factor
    let t = TestStack::start().await;
    let cli = Authctl::for_stack(&t, "choice");
    let user = t.user().clone();
    // WHEN the demo user signs in with a code by email, typing the code they received
    let args = ["sign-in", "-u", &user.email, "--flow", "choice", "--method", "email-code", "--code-stdin"];
    let by_code = sign_in_with_mailed_code(&t, &cli, &args, &user.email, "email-otp").await;
    // THEN they are signed in, and no password was asked for
    assert!(by_code.succeeded(), "{by_code:?}");
    assert!(is_jwt(by_code.stdout.trim_end()), "{by_code:?}");
    assert!(!by_code.stderr.contains("assword"), "{by_code:?}");
    // AND the password, proven with SRP, works as a choice too
    let args = ["sign-in", "-u", &user.email, "--flow", "choice", "--method", "srp", "--password-stdin"];
    let by_password = cli.run(&args, &format!("{}\n", user.password)).await;
    assert!(by_password.succeeded(), "{by_password:?}");
    // AND --method outside --flow choice is refused, naming the flag
    let wrong = cli.run(&["sign-in", "-u", &user.email, "--method", "srp", "--password-stdin"], "x\n").await;
    assert!(!wrong.succeeded() && wrong.stderr.contains("--flow choice"), "{wrong:?}");
}

#[tokio::test]
async fn manages_the_persons_own_account_with_the_access_token() {
    // GIVEN the demo user signed in with authctl
    let t = TestStack::start().await;
    let cli = Authctl::for_stack(&t, "account");
    let user = t.user().clone();
    let signs_in = |email: String| {
        let t = &t;
        let password = user.password.clone();
        async move { t.try_sign_in(&email, &password, Some("USER_PASSWORD_AUTH")).await.status.as_u16() }
    };
    let sign_in = cli.run(&["sign-in", "-u", &user.email, "--password-stdin"], &format!("{}\n", user.password)).await;
    assert!(sign_in.succeeded(), "{sign_in:?}");

    // WHEN the account is shown, THEN it is the person's, as JSON on stdout
    let show = cli.run(&["account", "show"], "").await;
    assert!(show.succeeded(), "{show:?}");
    let account: serde_json::Value = serde_json::from_str(&show.stdout).expect("account JSON");
    assert_eq!(account["attributes"]["email"], user.email.as_str());

    // WHEN the passkeys are listed, THEN there are none yet; deleting one they do not hold fails
    let passkeys = cli.run(&["account", "passkeys"], "").await;
    assert!(passkeys.succeeded(), "{passkeys:?}");
    let listed: serde_json::Value = serde_json::from_str(&passkeys.stdout).expect("passkeys JSON");
    assert_eq!(listed, serde_json::json!({ "passkeys": [] }));
    let delete = cli.run(&["account", "delete-passkey", "AbC-_9"], "").await;
    assert!(!delete.succeeded() && delete.stderr.contains("No such passkey"), "{delete:?}");

    // WHEN a name is set, THEN the account holds it
    let set = cli.run(&["account", "set", "given_name=Ann", "family_name=Example"], "").await;
    assert!(set.succeeded(), "{set:?}");
    let shown: serde_json::Value = serde_json::from_str(&cli.run(&["account", "show"], "").await.stdout).expect("JSON");
    assert_eq!(
        (&shown["attributes"]["given_name"], &shown["attributes"]["family_name"]),
        (&"Ann".into(), &"Example".into())
    );

    // WHEN the email is changed, THEN a code goes to the new address, and the old one still
    // signs in until it is proven
    let new = "renamed@example.com";
    let change = cli.run(&["account", "set", &format!("email={new}")], "").await;
    assert!(change.succeeded(), "{change:?}");
    assert!(change.stderr.contains("`authctl account verify email CODE`"), "{change:?}");
    assert_eq!(signs_in(user.email.clone()).await, 200);
    assert_eq!(signs_in(new.to_owned()).await, 401);
    // AND a wrong code is refused, naming the field
    let wrong = cli.run(&["account", "verify", "email", "000000"], "").await;
    let code = t.sent_code(new, "verify-email");
    assert!(code != "000000" && !wrong.succeeded(), "{wrong:?}");
    assert!(wrong.stderr.contains("InvalidCode:") && wrong.stderr.contains("(field `code`)"), "{wrong:?}");
    // WHEN the code comes on stdin, THEN the new address is the person's
    let verify = cli.run(&["account", "verify", "email", "-"], &format!("{code}\n")).await;
    assert!(verify.succeeded() && verify.stderr.contains("Verified email"), "{verify:?}");
    assert_eq!(signs_in(new.to_owned()).await, 200);
    assert_eq!(signs_in(user.email.clone()).await, 401);

    // WHEN the deletion is not confirmed, THEN nothing is deleted
    let unconfirmed = cli.run(&["account", "delete"], "").await;
    assert!(!unconfirmed.succeeded() && unconfirmed.stderr.contains("--yes"), "{unconfirmed:?}");
    assert!(cli.session.exists());
    assert_eq!(signs_in(new.to_owned()).await, 200);
    // WHEN it is, right after the sign-in, THEN the account and the session file are gone
    let delete = cli.run(&["account", "delete", "--yes"], "").await;
    assert!(delete.succeeded() && delete.stderr.contains("Deleted the account"), "{delete:?}");
    assert!(!cli.session.exists());
    assert_eq!(signs_in(new.to_owned()).await, 401);
}

#[tokio::test]
async fn steps_up_the_saved_session_with_the_code_of_the_authenticator_app() {
    // GIVEN a stack with the template's requirements (the admin routes need level 3 or 4), and the
    // admin signed in with a password alone (level 1), who has an authenticator app
    let t = e2e::TestStack::start_with(e2e::local_stack::StackOptions {
        sign_in_requirements: auth_domain::step_up::SignInRequirements::default(),
        ..e2e::local_stack::StackOptions::for_tests()
    })
    .await;
    let cli = Authctl::for_stack(&t, "step-up");
    let admin = t.admin().clone();
    let sign_in = cli
        .run(
            &["sign-in", "-u", &admin.email, "--flow", "password", "--password-stdin"],
            &format!("{}\n", admin.password),
        )
        .await;
    assert!(sign_in.succeeded(), "{sign_in:?}");
    let access_token = t.access_token(&admin).await;
    let setup = t.send("POST", "/mfa/totp/setup", Some(&access_token), None).await;
    let secret = setup.body["secretCode"].as_str().expect("secretCode").to_string();
    let verify = serde_json::json!({"code": e2e::totp_now(&secret)}).to_string();
    assert_eq!(t.send("POST", "/mfa/totp/verify", Some(&access_token), Some(&verify)).await.status, 204);

    // WHEN the Users route is called with the saved session
    let refused = cli.run(&["call", "GET", "/users"], "").await;
    // THEN it is refused, and authctl names the command that steps up to the route's levels
    assert_eq!(refused.code, Some(1), "{refused:?}");
    let command = "authctl step-up --acr-values 'urn:cognito:loa:4 urn:cognito:loa:3'";
    assert!(refused.stderr.contains(command), "{refused:?}");

    // WHEN the session steps up with the app's code
    let code = e2e::totp_now(&secret);
    let stepped =
        cli.run(&["step-up", "--acr-values", "urn:cognito:loa:4 urn:cognito:loa:3", "--totp-code", &code], "").await;
    // THEN the new tokens are saved, at level 4, and the route serves them
    assert!(stepped.succeeded() && stepped.stderr.contains("Stepped up"), "{stepped:?}");
    let decoded = cli.run(&["decode", "--kind", "access"], "").await;
    assert!(decoded.stdout.contains("urn:cognito:loa:4"), "{decoded:?}");
    let listed = cli.run(&["call", "GET", "/users"], "").await;
    assert!(listed.succeeded(), "{listed:?}");
}
