// The browser's side of passkeys (WebAuthn): the ceremonies, run with the options the API
// answered (never options made up in the page), and what the browser's refusals mean in words.
//
// The options go to the browser through its own JSON parsers
// (`PublicKeyCredential.parseCreationOptionsFromJSON` / `parseRequestOptionsFromJSON`), and what
// the browser made goes back through `credential.toJSON()`, whole: Cognito refuses a credential
// missing members ("Credential data is not valid"). No base64url code of our own.
// W3C WebAuthn Level 3, §5.1.8-§5.1.10: https://www.w3.org/TR/webauthn-3/

import type { components } from "@cognito-api/client";
import { afterSignIn, app, type ChallengeIssued } from "./app";
import { ApiProblem, call } from "./errors";

type CreationOptions = components["schemas"]["PasskeyRegistrationOptions"]["credentialCreationOptions"];
type RequestOptions = NonNullable<ChallengeIssued["challenge"]["credentialRequestOptions"]>;
export type RegistrationJSON = components["schemas"]["CompletePasskeyRegistrationRequest"]["credential"];

/** Which ceremony failed: the same browser error means different things in each. */
type Ceremony = "create" | "get";

/** Whether this browser can run passkey ceremonies from JSON options (WebAuthn Level 3). */
export function passkeysSupported(): boolean {
  return (
    typeof window.PublicKeyCredential === "function" &&
    typeof PublicKeyCredential.parseCreationOptionsFromJSON === "function" &&
    typeof PublicKeyCredential.parseRequestOptionsFromJSON === "function"
  );
}

const UNSUPPORTED = "This browser cannot use passkeys. Use another way to sign in, or a newer browser.";

/**
 * The words for an error the browser threw from `navigator.credentials.create` or `get`
 * (a `DOMException`, by its `name`), as an {@link ApiProblem} a form shows:
 * - `InvalidStateError` at creation: the authenticator holds a credential listed in
 *   `excludeCredentials`, one of the person's passkeys;
 * - `NotAllowedError`: the person cancelled, the request timed out, or the authenticator could
 *   not verify the person (the browser does not say which, on purpose);
 * - `SecurityError`: the page's origin may not use the relying party (another site, an IP
 *   address);
 * - `NotSupportedError`: no authenticator can make a credential with these options.
 */
export function ceremonyProblem(err: unknown, ceremony: Ceremony): ApiProblem {
  const name = err instanceof DOMException ? err.name : "";
  let words: string;
  switch (name) {
    case "InvalidStateError":
      words =
        ceremony === "create"
          ? "This device already holds a passkey for this account."
          : "The passkey could not be used. Try again.";
      break;
    case "NotAllowedError":
    case "AbortError":
      words =
        ceremony === "create"
          ? "No passkey was added: the request was cancelled or timed out, or the device could not verify that it is you. Try again when you are ready."
          : "The passkey sign-in was cancelled or timed out, or the device could not verify that it is you. Try again, or choose another way to sign in.";
      break;
    case "SecurityError":
      words = "This page's address cannot use passkeys for this site. Open the app at its own address.";
      break;
    case "NotSupportedError":
      words = "This device cannot make a passkey that this site accepts.";
      break;
    default:
      if (err instanceof ApiProblem) return err;
      console.error(err);
      words = "The passkey could not be used. Reload the page and try again.";
  }
  return new ApiProblem("api", words, 0, name || undefined);
}

/** Runs the registration ceremony with the API's creation options: the new credential's JSON,
 * or an {@link ApiProblem} in words. */
export async function createPasskey(options: CreationOptions): Promise<RegistrationJSON> {
  if (!passkeysSupported()) throw new ApiProblem("api", UNSUPPORTED);
  let credential: Credential | null;
  try {
    const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(
      options as unknown as PublicKeyCredentialCreationOptionsJSON,
    );
    credential = await navigator.credentials.create({ publicKey });
  } catch (err) {
    throw ceremonyProblem(err, "create");
  }
  if (!(credential instanceof PublicKeyCredential)) throw ceremonyProblem(null, "create");
  return credential.toJSON() as RegistrationJSON;
}

/** Runs the sign-in ceremony with the challenge's request options: the assertion's JSON as a
 * string (the `CREDENTIAL` answer), or an {@link ApiProblem} in words. */
export async function getAssertion(options: RequestOptions): Promise<string> {
  if (!passkeysSupported()) throw new ApiProblem("api", UNSUPPORTED);
  let credential: Credential | null;
  try {
    const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(
      options as unknown as PublicKeyCredentialRequestOptionsJSON,
    );
    credential = await navigator.credentials.get({ publicKey });
  } catch (err) {
    throw ceremonyProblem(err, "get");
  }
  if (!(credential instanceof PublicKeyCredential)) throw ceremonyProblem(null, "get");
  return JSON.stringify(credential.toJSON());
}

/**
 * Cognito refuses an assertion it cannot verify (a passkey deleted from the account, one of
 * another account, a sign-in that took too long) as NotAuthorized (401 on `responses.CREDENTIAL`),
 * and, with existence privacy on, so is the passkey of a person whose two-step verification is
 * on but passkey MFA off. The sign-in's session is spent with it, so the problem is put on `session`:
 * the challenge page then offers to start again. These words say what the person can act on.
 */
function notAccepted(problem: ApiProblem): ApiProblem {
  return new ApiProblem(
    "api",
    "This passkey was not accepted: it is not one of this account's passkeys (it may have been deleted), the sign-in took too long, or your account asks for two-step verification and “Passkey as two-step verification” is off. Try again, or sign in another way.",
    problem.status,
    problem.code,
    "session",
    undefined,
    problem.requestId,
  );
}

/**
 * Answers a `WEB_AUTHN` challenge: the browser's assertion for the API's request options, sent
 * as `CREDENTIAL` with the username and session the API named; then the tokens or the next step.
 */
export async function answerWithPasskey(pending: ChallengeIssued): Promise<void> {
  const options = pending.challenge.credentialRequestOptions;
  if (!options) {
    throw new ApiProblem("api", "The sign-in service sent no passkey request. Start the sign-in again.");
  }
  const assertion = await getAssertion(options);
  const request = app().api.POST("/auth/challenge", {
    body: {
      username: pending.username,
      name: "WEB_AUTHN",
      session: pending.challenge.session,
      responses: { CREDENTIAL: assertion },
    },
  });
  const { data } = await call(request).catch((err: unknown) => {
    throw err instanceof ApiProblem && err.code === "NotAuthorized" ? notAccepted(err) : err;
  });
  afterSignIn(data);
}
