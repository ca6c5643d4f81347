/**
 * The session helper: tokens in memory, one refresh at a time in this tab and across tabs.
 *
 * Tabs of one origin share one session over a `BroadcastChannel` and take turns refreshing
 * under a Web Lock, both named by `name`. What they share is a last-writer-wins register:
 * `(at, tokens | null)`, where `at` is when the tokens were obtained (or dropped). A tab adopts
 * what another tab sends only when it is newer, so tabs converge on the newest token family
 * whatever order messages arrive in.
 *
 * Why the lock holder first asks its peers ("sync") before refreshing: a Web Lock grant and a
 * `BroadcastChannel` message travel separately, so the tab that gets the lock right after
 * another tab refreshed may not have received the new tokens yet, and would refresh again with a
 * rotated-out token. Messages from one tab arrive in the order it sent them, so once every known
 * peer has answered a "hi", the tokens a peer refreshed before releasing the lock are here.
 *
 * Which token a call carries is the route's (`security` in `openapi.yaml`): none on the public
 * routes, the ID token where the API answers from who the person is (`GET /me`,
 * `POST /credentials`), the access token everywhere else, where the API acts as the person
 * towards Cognito (MFA, the account, password change, sign-out) and on the admin routes.
 *
 * Nothing here logs: tokens must not reach a console or an error reporter.
 *
 * @module
 */
import { client, sender, type ApiClient, type SignedIn } from "./api.js";
import type { components } from "./schema.js";

/** The signed-in user's tokens, as the app may read them. The refresh token stays private. */
export type SessionState = {
  /** The internal username (`cognito:username`). */
  username: string;
  /** The bearer of `GET /me` and `POST /credentials`; its claims say who the person is. */
  idToken: string;
  /**
   * The bearer of every other protected route: MFA, `/account`, `/password/change`,
   * `/auth/sign-out` and the admin routes `/users/**`. Cognito checks it on each call and refuses
   * it once revoked.
   */
  accessToken: string;
  /** When the ID and access tokens expire, epoch milliseconds (this tab's clock). */
  expiresAt: number;
};

/**
 * Why the session ended: this tab signed out, the refresh token was refused (expired, revoked,
 * or rotated out past its grace period), another tab signed out or failed its refresh, this tab
 * changed the password (`POST /password/change` signs the person out everywhere: sign in again
 * with the new password), or this tab deleted the account (`DELETE /account`).
 */
export type SignOutReason = "signed-out" | "refresh-failed" | "other-tab" | "password-changed" | "account-deleted";

type Listener = (state: SessionState | null, reason?: SignOutReason) => void;

/**
 * What tabs tell each other (same origin only; never stored).
 * - `hi`: a tab asks its peers for their session (on start-up, `join`, and before refreshing).
 * - `s`: a tab's register: `at`, the tokens (or `null` when signed out) and the refresh token.
 *   With `s: null` and `r`, it is "this refresh token was refused": only tabs holding it drop it.
 */
type Message =
  | { t: "hi"; i: string }
  | { t: "s"; i: string; at: number; s: SessionState | null; r?: string | undefined }
  | { t: "bye"; i: string };

/** How long a refreshing tab waits for its peers' answers before it refreshes anyway. */
const SYNC_MS = 300;
/**
 * How long `/auth/refresh` and `/auth/sign-out` may take before they are given up (the tokens are
 * kept, as after a network error). A refresh runs under the Web Lock: a hung one must not hold
 * every tab.
 */
const CALL_MS = 10_000;
/** How long a tab waits for the Web Lock (a holder needs at most `SYNC_MS + CALL_MS`). */
const LOCK_MS = 15_000;

/** The public routes: no token (`security: []` in `openapi.yaml`). */
const PUBLIC = /^POST \/(auth\/(sign-in|challenge|sign-up|confirm-sign-up|resend-code|refresh)|password\/(forgot|reset))$/;
/** The routes that take the ID token (`security: idToken`); the others take the access token. */
const BY_ID = /^(GET \/me|POST \/credentials)$/;
/** Routes whose success means the server ended every session of the person (or the account). */
const ENDS: Record<string, SignOutReason> = {
  "POST /password/change": "password-changed",
  "POST /auth/sign-out": "signed-out",
  "DELETE /account": "account-deleted",
};

/**
 * The token a route takes as its bearer (`"id"` or `"access"`), or `undefined` for a public
 * route; `route` is the method and the path template, `"GET /users/{username}"`. A route the
 * client does not know takes the access token, the contract's default.
 */
export function bearerOf(route: string): "id" | "access" | undefined {
  return PUBLIC.test(route) ? undefined : BY_ID.test(route) ? "id" : "access";
}

/** Each request of `session.api` with its route, `"GET /users/{username}"` (from openapi-fetch). */
const ROUTES = new WeakMap<Request, string>();

/**
 * A signed-in session for a browser app: keeps the tokens in memory, refreshes them before they
 * expire, shares them with the app's other tabs, and signs out.
 *
 * Guarantees:
 * - One `/auth/refresh` at a time in this tab (concurrent callers share it) and across tabs (a Web
 *   Lock named `name`); a tab that gets the lock after another tab refreshed adopts that tab's
 *   tokens instead of refreshing again with a rotated-out refresh token.
 * - `api` calls carry the token their route takes (the ID token for `GET /me` and
 *   `POST /credentials`, the access token for the other protected routes, none for the public
 *   ones), wait for a refresh in flight, refresh first when the tokens are within
 *   `refreshMarginSeconds` of expiry, and on a 401 `Unauthorized` (the token refused, by the
 *   authorizer or by Cognito) refresh (or wait for the refresh in flight) and retry once; a call
 *   is never sent more than twice. A 401 `NotAuthorized` (wrong credentials) or
 *   `InsufficientUserAuthentication` (a sign-in too old for the route) is the answer, never
 *   retried.
 * - A refused refresh (400/401) signs out and tells the subscribers `"refresh-failed"`: so does
 *   an access token Cognito refused because the person's sessions ended (an admin signed them
 *   out, a password reset), since their refresh token was revoked with it.
 * - A password change through `api` ends the session here and in the other tabs
 *   (`"password-changed"`): the server signed the person out everywhere. So does deleting the
 *   account (`DELETE /account`: `"account-deleted"`).
 * - Nothing waits forever: `/auth/refresh` and `/auth/sign-out` are given up after 10 s (the
 *   tokens are kept, as after a network error), a wait for the Web Lock after 15 s.
 *
 * Without `navigator.locks` or `BroadcastChannel` it behaves as a single tab.
 */
export class Session {
  /**
   * The typed client with the session's credentials: `Authorization: Bearer <token>` with the
   * token the route takes, early refresh, and one retry after a 401 a refresh can cure,
   * `{"error":{"code":"Unauthorized"}}`: the authorizer's (a missing, expired or foreign token),
   * or Cognito's refusal of an access token (expired or revoked). Other 401s are answers, not
   * retried: `NotAuthorized` (a wrong password on `/auth/sign-in` or `/password/change`) and
   * `InsufficientUserAuthentication` (RFC 9470: a sign-in too weak or too old for the route, as
   * the admin routes or `DELETE /account` ask; step up with `acrValues` through `/auth/sign-in`,
   * or sign in again).
   */
  readonly api: ApiClient;

  readonly #raw: ApiClient;
  readonly #name: string;
  readonly #margin: number;
  readonly #id = Math.random().toString(36).slice(2);
  #state: SessionState | null = null;
  /** The refresh token: leaves this object only for the API and same-origin tabs. */
  #rt: string | undefined;
  /** When `#state` was obtained or dropped (epoch ms); orders registers across tabs. */
  #at = 0;
  #inflight: Promise<boolean> | null = null;
  #ch: BroadcastChannel | null = null;
  /** Aborted by `dispose()`: ends lock waits. */
  readonly #stop = new AbortController();
  /** Tabs heard from; a refreshing tab waits for their answers. Pruned when one stays silent. */
  readonly #peers = new Set<string>();
  readonly #listeners = new Set<Listener>();
  /** Called with the sender of every register received (sync and join wait on them). */
  readonly #waiters = new Set<(from: string | null) => void>();

  /**
   * @param options.baseUrl the stack's URL.
   * @param options.fetch defaults to the global `fetch`.
   * @param options.name the Web Lock and `BroadcastChannel` name, default `"cognito-api-session"`;
   *   tabs share a session only under the same name.
   * @param options.refreshMarginSeconds refresh when the tokens expire within this, default 60.
   */
  constructor(options: {
    baseUrl: string;
    fetch?: typeof fetch;
    name?: string;
    refreshMarginSeconds?: number;
  }) {
    const send = sender(options.fetch);
    this.#name = options.name ?? "cognito-api-session";
    this.#margin = (options.refreshMarginSeconds ?? 60) * 1000;
    this.#raw = client(options.baseUrl, send);
    this.api = client(options.baseUrl, (r) => this.#call(r, send));
    this.api.use({ onRequest: ({ request, schemaPath }) => void ROUTES.set(request, `${request.method} ${schemaPath}`) });
    this.resume();
  }

  /** Keep the tokens of a sign-in (or a challenge's answer), in memory only, and tell other tabs. */
  start(signedIn: SignedIn): void {
    this.#got(signedIn.username, signedIn.tokens, signedIn.tokens.refreshToken);
  }

  /**
   * The tokens as they are now, or `null` when signed out, without waiting: they may have
   * expired. Read them to show; to send one elsewhere, use {@link Session.tokens}.
   */
  get current(): SessionState | null {
    return this.#state;
  }

  /**
   * The tokens to send now: after the refresh in flight, and refreshed first when they expire
   * within `refreshMarginSeconds`; `null` when signed out. `session.api` puts the right one on
   * each call itself; this is for sending a token anywhere else (another service that verifies
   * Cognito tokens), never `current`, which may hold expired tokens.
   */
  async tokens(): Promise<SessionState | null> {
    await this.#inflight;
    const s = this.#state;
    if (s && s.expiresAt - this.#margin <= Date.now()) await this.refresh();
    return this.#state;
  }

  /**
   * New tokens from the refresh token; one refresh at a time in this tab and across tabs.
   * Resolves `true` when signed in afterwards (refreshed here, or adopted from the tab that just
   * refreshed), `false` otherwise: on a 400/401 the session ends (`"refresh-failed"`); on a network
   * error, 429 or 5xx the tokens are kept and a later call tries again.
   */
  refresh(): Promise<boolean> {
    return (this.#inflight ??= this.#locked(this.#state).finally(() => (this.#inflight = null)));
  }

  /**
   * Forget the tokens and tell other tabs at once (subscribers hear `"signed-out"` before this
   * resolves), then sign out everywhere with the access token held (`POST /auth/sign-out`, with
   * the refresh token in the body), giving up after 10 s. Every refresh token of the person is
   * revoked and Cognito refuses their access tokens from then on; ID tokens already issued stay
   * valid until they expire for what checks them locally. An expired access token is first
   * refreshed, for that call only, so the server-side sign-out can happen. Never rejects:
   * offline, the local sign-out has happened all the same.
   */
  async signOut(): Promise<void> {
    let s = this.#state;
    let rt = this.#rt;
    this.#clear("signed-out", true);
    try {
      if (s && rt && s.expiresAt - this.#margin <= Date.now()) {
        const t = (await this.#raw.POST("/auth/refresh", { body: { refreshToken: rt }, signal: timeout() })).data?.tokens;
        if (t) {
          s = { ...s, idToken: t.idToken, accessToken: t.accessToken };
          rt = t.refreshToken ?? rt;
        }
      }
      if (s) {
        await this.#raw.POST("/auth/sign-out", {
          headers: { Authorization: `Bearer ${s.accessToken}` },
          body: rt ? { refreshToken: rt } : undefined,
          signal: timeout(),
        });
      }
    } catch {
      // Offline, hung or refused: the local sign-out has happened.
    }
  }

  /**
   * Ask the app's open tabs for their session (for a tab that just opened). Resolves `true` when
   * signed in by then (a tab answered with tokens), `false` after `timeoutMs` (default 300) or
   * without `BroadcastChannel`.
   */
  join(timeoutMs = SYNC_MS): Promise<boolean> {
    if (this.#state) return Promise.resolve(true);
    return this.#wait(timeoutMs, () => this.#state != null).then(() => this.#state != null);
  }

  /**
   * Called with the new state on every change: sign-in, refresh, adoption from another tab, and
   * sign-out (with its reason). Returns the unsubscribe function.
   */
  subscribe(listener: (state: SessionState | null, reason?: SignOutReason) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /**
   * Say goodbye to the other tabs and stop listening to them until {@link Session.resume}; the
   * tokens and the subscribers are kept. For `pagehide`: a page that left (or sits in the
   * back/forward cache) is not waited for by a refreshing tab.
   */
  pause(): void {
    this.#post({ t: "bye", i: this.#id });
    this.#ch?.close();
    this.#ch = null;
    this.#peers.clear();
  }

  /**
   * Listen to the other tabs again and ask them for their session, adopting a newer one (tokens
   * refreshed, or a sign-out, while this page was away). For `pageshow` after the back/forward
   * cache; the constructor calls it. Does nothing after `dispose()` or without `BroadcastChannel`.
   */
  resume(): void {
    if (this.#ch || this.#stop.signal.aborted || typeof BroadcastChannel != "function") return;
    this.#ch = new BroadcastChannel(this.#name);
    this.#ch.onmessage = (e: MessageEvent<Message>) => this.#receive(e.data);
    this.#post({ t: "hi", i: this.#id });
  }

  /**
   * Stop listening to other tabs for good, drop the subscribers, give up waiting for the Web Lock,
   * and end `join()` waits. The tokens are kept; a refresh already sent still lands here, silently.
   */
  dispose(): void {
    this.pause();
    this.#stop.abort();
    this.#listeners.clear();
    for (const w of [...this.#waiters]) w(null);
  }

  /** The fetch behind `api`. */
  async #call(req: Request, send: (r: Request) => Promise<Response>): Promise<Response> {
    const route = ROUTES.get(req) ?? "";
    const use = bearerOf(route);
    if (!use) return send(req); // a public route: no token
    const s = await this.tokens();
    const again = s && req.clone();
    let res = await send(auth(req, s, use));
    if (again && res.status == 401 && (await curable(res))) {
      // The token may have been replaced while this call was out: then only retry. Otherwise
      // refresh, or join the refresh already in flight (a revoked session fails it, and ends).
      if (this.#state == s) await this.refresh();
      const n = this.#state;
      if (n && n != s) res = await send(auth(again, n, use));
    }
    // The server ended every session of the person (this one too): drop the tokens, here and in
    // the other tabs, unless another person signed in meanwhile.
    const ended = ENDS[route];
    if (ended && res.ok && s && this.#state?.username == s.username) this.#clear(ended, true);
    return res;
  }

  /** Refresh under the Web Lock, waiting for it at most `LOCK_MS` (and not after `dispose()`). */
  async #locked(seen: SessionState | null): Promise<boolean> {
    const locks = globalThis.navigator?.locks;
    const run = () => this.#refresh(seen);
    if (!locks) return run();
    try {
      return await locks.request(this.#name, { signal: AbortSignal.any([this.#stop.signal, AbortSignal.timeout(LOCK_MS)]) }, run);
    } catch {
      return false; // the wait was given up: the tokens are kept, a later call tries again
    }
  }

  /** Runs under the lock. `seen`: the tokens when the refresh was asked for. */
  async #refresh(seen: SessionState | null): Promise<boolean> {
    if (!seen) return false;
    await this.#sync();
    // Another tab refreshed (or signed in or out) while this one waited for the lock: adopt.
    if (this.#state != seen) return this.#state != null;
    const rt = this.#rt;
    let res;
    try {
      res = rt && (await this.#raw.POST("/auth/refresh", { body: { refreshToken: rt }, signal: timeout() }));
    } catch {
      return false;
    }
    if (this.#state != seen) return this.#state != null; // signed out meanwhile: drop the answer
    if (res && res.data) {
      const t = res.data.tokens;
      // Rotation: the answer's refresh token replaces ours, which dies after the grace period.
      this.#got(seen.username, t, t.refreshToken ?? rt);
      return true;
    }
    // No refresh token (a sign-in answered none), or refused: the session cannot continue.
    if (!res || res.response.status == 400 || res.response.status == 401) this.#clear("refresh-failed", true, rt);
    return false;
  }

  /** Wait until every known peer has answered a "hi" (or `SYNC_MS`); prune the silent ones. */
  async #sync(): Promise<void> {
    const left = new Set(this.#peers);
    if (!left.size) return;
    await this.#wait(SYNC_MS, (from) => (from != null && left.delete(from), left.size == 0));
    for (const p of left) this.#peers.delete(p);
  }

  /** Say "hi" and resolve once `done(sender)` holds for a received register, or after `ms`. */
  #wait(ms: number, done: (from: string | null) => boolean): Promise<void> {
    if (!this.#ch) return Promise.resolve();
    return new Promise((resolve) => {
      const w = (from: string | null) => {
        if (from != null && !done(from)) return;
        clearTimeout(timer);
        this.#waiters.delete(w);
        resolve();
      };
      const timer = setTimeout(w, ms, null);
      this.#waiters.add(w);
      this.#post({ t: "hi", i: this.#id });
    });
  }

  #receive(m: Message): void {
    if (m.t == "bye") {
      this.#peers.delete(m.i);
      return;
    }
    this.#peers.add(m.i);
    if (m.t == "hi") {
      // A signed-out tab answers with time 0: its sign-out was broadcast when it happened, and
      // replaying it could end a newer session that tab never heard of.
      const s = this.#state;
      this.#post({ t: "s", i: this.#id, at: s ? this.#at : 0, s, r: this.#rt });
      return;
    }
    if (m.s ? this.#newer(m) : m.r ? m.r == this.#rt : this.#newer(m)) {
      if (m.s) this.#set(m.s, m.r, m.at, false);
      else this.#clear("other-tab", false, undefined, m.at);
    }
    for (const w of [...this.#waiters]) w(m.i);
  }

  /** Last writer wins; equal times fall to the greater ID token, so every tab picks the same. */
  #newer(m: { at: number; s: SessionState | null }): boolean {
    return m.at > this.#at || (m.at == this.#at && (m.s?.idToken ?? "") > (this.#state?.idToken ?? ""));
  }

  /** Keep tokens just obtained (sign-in or refresh), as the newest register, and tell other tabs. */
  #got(username: string, t: Tokens, rt: string | undefined): void {
    const expiresAt = Date.now() + t.expiresIn * 1000;
    this.#set({ username, idToken: t.idToken, accessToken: t.accessToken, expiresAt }, rt, this.#next(), true);
  }

  /** A register time after every one this tab has seen, even if the clock went back. */
  #next(): number {
    return Math.max(Date.now(), this.#at + 1);
  }

  #set(s: SessionState, rt: string | undefined, at: number, tell: boolean): void {
    this.#state = Object.freeze(s);
    this.#rt = rt;
    this.#at = at;
    if (tell) this.#post({ t: "s", i: this.#id, at, s, r: rt });
    this.#emit(s);
  }

  /** Forget the tokens. `refused`: the refresh token the server refused (other tabs drop only it). */
  #clear(reason: SignOutReason, tell: boolean, refused?: string, at = this.#next()): void {
    const had = this.#state != null;
    this.#state = null;
    this.#rt = undefined;
    this.#at = at;
    if (tell) this.#post({ t: "s", i: this.#id, at, s: null, r: refused });
    if (had) this.#emit(null, reason);
  }

  #emit(s: SessionState | null, reason?: SignOutReason): void {
    for (const l of [...this.#listeners]) {
      try {
        l(s, reason);
      } catch (e) {
        // One failing listener must not stop the others or the session; surface it unhandled.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }

  #post(m: Message): void {
    this.#ch?.postMessage(m);
  }
}

type Tokens = components["schemas"]["Tokens"];

/** The deadline of one call to `/auth/refresh` or `/auth/sign-out`. */
function timeout(): AbortSignal {
  return AbortSignal.timeout(CALL_MS);
}

/** Put the token the route takes on a request (when signed in). */
function auth(req: Request, s: SessionState | null, use: "id" | "access"): Request {
  if (s) req.headers.set("Authorization", `Bearer ${use == "id" ? s.idToken : s.accessToken}`);
  return req;
}

/**
 * Whether a refresh can cure a 401: only `Unauthorized`, the token itself refused: by the
 * authorizer (missing, expired, foreign) or by Cognito (an access token expired, or revoked,
 * when the refresh is refused too and the session ends). Never `NotAuthorized`, wrong
 * credentials (a wrong current password on `/password/change`), nor
 * `InsufficientUserAuthentication`, a sign-in too old for the route (`DELETE /account`), which
 * a refresh keeps: both are answers for the person, and a call is not sent twice for them.
 * Without a readable body, RFC 6750's challenge decides: a bare `Bearer` or `invalid_token`.
 */
async function curable(res: Response): Promise<boolean> {
  try {
    return (await res.clone().json()).error.code == "Unauthorized";
  } catch {
    const challenge = res.headers.get("www-authenticate");
    return challenge != null && (!/\berror=/.test(challenge) || /\berror="?invalid_token\b/.test(challenge));
  }
}
