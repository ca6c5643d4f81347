// Every way a call can fail, turned into words for the person: the API's error body
// (`{"error": {"code", "message", "field"}}`), throttling (429 and `Retry-After`), server errors
// (5xx, whose bodies are generic by design) and a network that did not answer.

import type { components } from "@cognito-api/client";
import { app } from "./app";

export type ErrorCode = components["schemas"]["Error"]["error"]["code"];

/** What went wrong with one call, with the words to show. */
export class ApiProblem extends Error {
  constructor(
    /** `api` (a 4xx with the API's error body), `throttled` (429), `server` (5xx), `network`. */
    readonly kind: "api" | "throttled" | "server" | "network",
    /** The words for the person. */
    readonly words: string,
    readonly status = 0,
    readonly code?: string,
    /** The input field at fault, as the API names it (`password`, `responses.NEW_PASSWORD`). */
    readonly field?: string,
    /** Seconds to wait before retrying, from `Retry-After`. */
    readonly retryAfter?: number,
    readonly requestId?: string,
    /** With `InsufficientUserAuthentication` (RFC 9470): the levels that would do (`acrValues`,
     * space-separated, the highest first) and how recent the sign-in must be (`maxAge`, seconds). */
    readonly stepUp?: { acrValues?: string; maxAge?: number },
  ) {
    super(words);
    this.name = "ApiProblem";
  }
}

/** The seconds a `Retry-After` header asks for (delta-seconds or an HTTP date), if any. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

function seconds(n: number): string {
  return n === 1 ? "1 second" : `${n} seconds`;
}

/** What a 429 with `Retry-After` says, `n` seconds before the next try (a form counts down). */
export function tryAgainIn(n: number): string {
  return `Too many requests right now. Try again in ${seconds(n)}.`;
}

type ErrorBody = { error?: { code?: string; message?: string; field?: string; acrValues?: string; maxAge?: number } };

function errorBody(error: unknown): ErrorBody["error"] {
  if (error && typeof error === "object" && "error" in error) {
    const inner = (error as ErrorBody).error;
    if (inner && typeof inner === "object") return inner;
  }
  return undefined;
}

/** Our words for codes whose API message is meant for developers, or too terse for people. */
const WORDS: Partial<Record<ErrorCode, string>> = {
  // The token refused (the authorizer's 401, or Cognito's for a revoked access token) with no
  // session left: when signed in, see STILL_SIGNED_IN. `NotAuthorized` (wrong credentials) and
  // `InsufficientUserAuthentication` (a sign-in too old) keep the API's words.
  Unauthorized: "Your session has ended. Sign in again.",
  UserNotConfirmed: "This account is not confirmed yet. Enter the code we emailed you, or ask for a new one.",
  PasswordResetRequired: "You must choose a new password before you can sign in. We can email you a code for it.",
  PayloadTooLarge: "What you entered is too long.",
};

/**
 * A 401 `Unauthorized` while the session still holds tokens: the session refreshed and retried
 * and the API still refused, or the refresh failed for now (network, 429, 5xx) and the tokens
 * were kept. A refused refresh token signs out on its own, with its own words.
 */
const STILL_SIGNED_IN =
  "Your session could not be renewed just now, so this was not done. You are still signed in: try again in a moment.";

/** The words for a failed response: status, the API's error body (if any), and headers.
 * `signedIn`: whether the session still holds tokens (it changes what a 401 means). */
export function describe(response: Response, error: unknown, signedIn = false): ApiProblem {
  const body = errorBody(error);
  const code = body?.code;
  const message = body?.message?.trim();
  const field = body?.field;
  const requestId = response.headers.get("x-request-id") ?? undefined;
  const status = response.status;
  if (status === 429) {
    const retryAfter = retryAfterSeconds(response.headers.get("retry-after"));
    let words: string;
    if (retryAfter !== undefined) {
      words = tryAgainIn(retryAfter);
    } else if (code && code !== "TooManyRequests" && message) {
      // PasswordAttemptsExceeded, LimitExceeded, TooManyFailedAttempts: the API says how long.
      words = message;
    } else {
      words = "Too many requests right now. Wait a little, then try again.";
    }
    return new ApiProblem("throttled", words, status, code, undefined, retryAfter, requestId);
  }
  if (status >= 500) {
    const words =
      status === 502
        ? "The sign-in service could not complete the request. Try again in a moment."
        : status === 503
          ? "The service is unavailable right now. Try again in a moment."
          : status === 504
            ? "The service took too long to answer. Try again in a moment."
            : "Something went wrong on our side. Try again in a moment.";
    const reference = requestId ? ` (Reference: ${requestId}.)` : "";
    return new ApiProblem("server", words + reference, status, code, undefined, undefined, requestId);
  }
  const words =
    (code === "Unauthorized" && signedIn ? STILL_SIGNED_IN : code && WORDS[code as ErrorCode]) ||
    (code === "Forbidden" && message === "You are not allowed to call this route."
      ? "You are not allowed to do this."
      : message) ||
    `The request failed (HTTP ${status}).`;
  const stepUp =
    code === "InsufficientUserAuthentication"
      ? {
          ...(typeof body?.acrValues === "string" ? { acrValues: body.acrValues } : {}),
          ...(typeof body?.maxAge === "number" ? { maxAge: body.maxAge } : {}),
        }
      : undefined;
  return new ApiProblem("api", words, status, code, field, undefined, requestId, stepUp);
}

export function networkProblem(): ApiProblem {
  return new ApiProblem(
    "network",
    "Could not reach the server. Check your connection, then try again.",
  );
}

/** Any thrown value as a problem to show (a bug shows as a generic message, and is logged). */
export function asProblem(err: unknown): ApiProblem {
  if (err instanceof ApiProblem) return err;
  // Not an answer of the API: a bug of this page. Logged, so that tests see it.
  console.error(err);
  return new ApiProblem("api", "Something went wrong in this page. Reload it and try again.");
}

/** The result of an openapi-fetch call: `data`, or an {@link ApiProblem} thrown with words.
 * `signedIn` (default: whether the app's session holds tokens) chooses a 401's words. */
export async function call<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
  signedIn: () => boolean = () => app().session.current !== null,
): Promise<{ data: T; response: Response }> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await request;
  } catch (err) {
    // fetch rejects with a TypeError when no answer came (network down, CORS refused).
    throw err instanceof ApiProblem ? err : networkProblem();
  }
  if (!result.response.ok) throw describe(result.response, result.error, signedIn());
  return { data: result.data as T, response: result.response };
}
