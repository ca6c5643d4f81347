//! Reading a claim from a token Cognito just issued to us.
//!
//! This is **not** verification: it is used only on tokens received directly from Cognito over
//! TLS, to learn the internal username. Tokens from clients go through `cognito-verifier`.

use base64::Engine;

/// The string claim `name` of a JWT's payload, without verifying the signature.
pub fn unverified_claim(token: &str, name: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims.get(name)?.as_str().map(str::to_string)
}

/// Refuses an access token whose `sub` is not the caller's (`caller_sub`, from the authorizer):
/// a caller may act only with their own tokens. Cognito verifies the token itself.
pub fn ensure_owned_by(access_token: &str, caller_sub: &str) -> Result<(), crate::AuthError> {
    if unverified_claim(access_token, "sub").as_deref() == Some(caller_sub) {
        Ok(())
    } else {
        Err(crate::AuthError::NotYourToken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_string_claim() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"cognito:username":"u-1","n":1}"#);
        let token = format!("h.{payload}.s");
        assert_eq!(unverified_claim(&token, "cognito:username").as_deref(), Some("u-1"));
        assert_eq!(unverified_claim(&token, "n"), None);
        assert_eq!(unverified_claim("garbage", "n"), None);
    }
}
