// What every page shares: the API client for the public routes, the session (its own client
// sends each route the token it takes), the challenge a sign-in is in the middle of, and notices
// that outlive a page change.

import type { ApiClient, components, Session, SignedIn } from "@cognito-api/client";

export type SignInResult = components["schemas"]["SignInResult"];
export type ChallengeIssued = components["schemas"]["ChallengeIssued"];

export interface App {
  /** Public routes (no `Authorization`). */
  api: ApiClient;
  /** The signed-in person; `session.api` calls the protected routes. */
  session: Session;
  /** The challenge being answered, kept in memory only (it holds a Cognito session). */
  pending: ChallengeIssued | null;
  /** Where a step-up (the sign-in {@link stepUp} started) goes back to once it has the tokens;
   * `null` for an ordinary sign-in, which goes to the account page. */
  returnTo: string | null;
  /** The `receipt` of the sign-up this page made, in memory only: with it the confirmation
   * signs the person in at once (without it the API confirms and answers 204). */
  signUp: { username: string; receipt: string } | null;
  /** Goes to `route` (`/account`), rendering it even when it is the current one. */
  go(route: string): void;
  /** A notice shown above the next page (and kept until the one after). */
  notice(words: string, kind?: "info" | "error"): void;
  /**
   * Ends the session (`session.signOut()`: everywhere, so no refresh token is left behind) and
   * opens the sign-in page for the same person, saying `why`: for a route that needs a recent
   * sign-in (`DELETE /account`).
   */
  signInAgain(why: string): Promise<void>;
}

let current: App | null = null;

export function setApp(app: App): void {
  current = app;
}

export function app(): App {
  if (!current) throw new Error("the app is not started");
  return current;
}

/** Signed in, or a challenge to answer next: either way, the next page (after a step-up, the
 * page that asked for it). */
export function afterSignIn(result: SignInResult): void {
  const a = app();
  if ("tokens" in result) {
    a.pending = null;
    a.session.start(result as SignedIn);
    const back = a.returnTo;
    a.returnTo = null;
    if (back) a.notice("You confirmed it is you: go on.");
    a.go(back ?? "/account");
  } else {
    a.pending = result;
    a.go("/challenge");
  }
}
