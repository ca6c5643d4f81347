// What every page shares: the API client for the public routes, the session (its own client
// sends the ID token), the challenge a sign-in is in the middle of, and notices that outlive a
// page change.

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
  /** Goes to `route` (`/account`), rendering it even when it is the current one. */
  go(route: string): void;
  /** A notice shown above the next page (and kept until the one after). */
  notice(words: string, kind?: "info" | "error"): void;
}

let current: App | null = null;

export function setApp(app: App): void {
  current = app;
}

export function app(): App {
  if (!current) throw new Error("the app is not started");
  return current;
}

/** Signed in, or a challenge to answer next: either way, the next page. */
export function afterSignIn(result: SignInResult): void {
  const a = app();
  if ("tokens" in result) {
    a.pending = null;
    a.session.start(result as SignedIn);
    a.go("/account");
  } else {
    a.pending = result;
    a.go("/challenge");
  }
}
