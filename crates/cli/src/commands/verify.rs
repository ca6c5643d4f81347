//! `authctl verify`: the same verification the API's authorizer runs (`cognito-verifier`):
//! RS256 against the pool's JWKS, issuer, token use, app client, expiry. Prints the claims of a
//! valid token; an invalid one gets exit status 1 and one line saying why.

use std::{process::ExitCode, sync::Arc};

use cognito_verifier::{JwksCache, JwksSource, TokenUse, Verifier, VerifierConfig, VerifyError, verifier::issuers};

use super::{Context, decode::saved_token, print_line, token_argument};
use crate::{
    cli::{JwtKind, VerifyArgs},
    jwt::{Unverified, decode_unverified, relative},
    session,
};

/// Runs `authctl verify`.
pub async fn run(ctx: &Context, args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let settings = ctx.settings()?;
    let (pool, client) = (settings.user_pool_id()?, settings.client_id()?);
    let token = match token_argument(args.token.as_deref())? {
        Some(token) => token,
        None => saved_token(ctx, args.kind)?,
    };
    let url = settings.jwks_url(args.jwks_url.as_deref())?;
    let jwks = JwksCache::new(JwksSource::Url(url.clone()))?;
    jwks.load().await.map_err(|e| anyhow::anyhow!("cannot load the pool's keys from {url}: {e}"))?;
    let token_use = match args.kind {
        JwtKind::Id => TokenUse::Id,
        JwtKind::Access => TokenUse::Access,
    };
    let config = VerifierConfig { token_use, ..VerifierConfig::id_tokens(vec![client.to_string()]) };
    let verifier = Verifier::single(config, pool, Arc::new(jwks));
    match verifier.verify(&token).await {
        Ok(claims) => {
            note!(
                "valid: {} token of {} for app client {}, expires {}",
                claims.token_use,
                claims.internal_username(),
                claims.client(),
                relative(claims.exp, session::now())
            );
            // The signature covers the whole payload: every claim in it is now verified.
            let payload = decode_unverified(&token)?.claims;
            print_line(&serde_json::to_string_pretty(&payload)?)
        }
        Err(err) => {
            note!("invalid: {}", reason(&err, decode_unverified(&token).ok().as_ref(), pool, client, args.kind));
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Why the token was refused, with what the token says where that helps (the claims are
/// unverified, and shown only to explain the refusal).
fn reason(err: &VerifyError, token: Option<&Unverified>, pool: &str, client: &str, kind: JwtKind) -> String {
    let claim = |name: &str| token.and_then(|t| t.text(name)).unwrap_or("(none)").to_string();
    match err {
        VerifyError::WrongIssuer => {
            format!("{err}: the token's iss is {}, expected {}", claim("iss"), issuers(pool)[0])
        }
        VerifyError::WrongAudience => {
            let name = if kind == JwtKind::Id { "aud" } else { "client_id" };
            format!("{err}: the token is for app client {}, expected {client}", claim(name))
        }
        VerifyError::WrongTokenUse => {
            let hint = if kind == JwtKind::Id { " (use --kind access for an access token)" } else { "" };
            format!(
                "{err}: token_use is {}, expected {}{hint}",
                claim("token_use"),
                if kind == JwtKind::Id { "id" } else { "access" }
            )
        }
        VerifyError::Expired => match token.and_then(Unverified::expires_at) {
            Some(exp) => format!("{err} {}", relative(exp, session::now())),
            None => err.to_string(),
        },
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(claims: serde_json::Value) -> Unverified {
        Unverified { header: serde_json::json!({}), claims }
    }

    #[test]
    fn a_refusal_names_what_the_token_says_and_what_was_expected() {
        let t = token(serde_json::json!({"iss": "https://evil", "aud": "other", "token_use": "access"}));
        let issuer = reason(&VerifyError::WrongIssuer, Some(&t), "us-east-1_p", "c", JwtKind::Id);
        assert_eq!(
            issuer,
            "wrong issuer: the token's iss is https://evil, expected https://cognito-idp.us-east-1.amazonaws.com/us-east-1_p"
        );
        let audience = reason(&VerifyError::WrongAudience, Some(&t), "us-east-1_p", "c", JwtKind::Id);
        assert_eq!(audience, "wrong audience: the token is for app client other, expected c");
        let token_use = reason(&VerifyError::WrongTokenUse, Some(&t), "us-east-1_p", "c", JwtKind::Id);
        assert!(token_use.contains("token_use is access") && token_use.contains("--kind access"), "{token_use}");
        assert_eq!(reason(&VerifyError::InvalidSignature, None, "p", "c", JwtKind::Id), "invalid signature");
    }
}
