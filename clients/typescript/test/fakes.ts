// Test doubles: an API that rotates refresh tokens like Cognito, and a Web Locks manager shared by
// the "tabs" of one test (each tab is a Session; they talk over Node's real BroadcastChannel).

type Held = { resolve: () => void };

/** Tokens of generation `n`. */
export function tokens(n: number, expiresIn = 3600) {
  return { idToken: `id-${n}`, accessToken: `ac-${n}`, refreshToken: `rt-${n}`, expiresIn, tokenType: "Bearer" };
}

export function signedIn(n = 1, expiresIn = 3600) {
  return { username: "user-1", tokens: tokens(n, expiresIn) };
}

/** A JSON answer; a 401 carries `WWW-Authenticate` as the API's do (`challenge`, default `Bearer`). */
const json = (status: number, body: unknown, challenge = "Bearer") =>
  new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...(status == 401 ? { "www-authenticate": challenge } : {}) },
  });

const ACCESS_REFUSED = "The access token is invalid, expired or revoked: sign in again.";
const DELIVERY = { destination: "n***@e***", deliveryMedium: "EMAIL", attributeName: "email" };

/**
 * The API as far as the session sees it:
 * - `/auth/refresh` accepts the newest refresh token, and the previous one for `graceMs`, and
 *   answers the next generation (with a new refresh token unless `rotate` is off);
 * - the authorizer: `/me` and `/credentials` take the ID token (`id-N`), the other protected
 *   routes the access token (`ac-N`), of a generation whose ID token is in `validIds`; a missing,
 *   expired or unknown token is its 401 (`Unauthorized`), a valid token of the other kind its 403;
 * - Cognito behind the access-token routes refuses a revoked access token (`revoked`): the API's
 *   401 `Unauthorized`, as the authorizer's;
 * - `/password/change` with `previousPassword` "wrong" is the route's own 401 (`NotAuthorized`);
 *   otherwise it answers 204 and ends every session ({@link FakeApi.signOutEverywhere}), as
 *   `/auth/sign-out` and `DELETE /account` do (the latter a 401 `InsufficientUserAuthentication`
 *   with `signInTooOld`, RFC 9470's challenge);
 * - the `/account` routes answer as the API does: the account, the code deliveries, 202, 204;
 * - `/auth/sign-in` answers the route's own 401 (wrong password).
 * `hold(path)` parks requests to `path` until `release(path)`, or until the request's signal aborts
 * (then the fetch rejects, as a browser's does).
 */
export class FakeApi {
  generation = 1;
  rotate = true;
  graceMs = 10_000;
  refreshStatus: number | null = null; // force an error status on /auth/refresh
  validIds = new Set(["id-1"]);
  refuseAll = false; // the authorizer refuses every token, even fresh ones
  revoked = new Set<string>(); // access tokens Cognito refuses (sessions ended)
  signInTooOld = false; // DELETE /account answers 401 InsufficientUserAuthentication
  refreshTokens = new Map<string, number>([["rt-1", Infinity]]); // token -> valid until (ms)
  requests: { path: string; method: string; auth: string | null; body: any }[] = [];
  readonly #holding = new Set<string>();
  readonly #parked = new Map<string, Held[]>();

  readonly fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    const path = new URL(req.url).pathname;
    const text = await req.text();
    const body = text ? JSON.parse(text) : undefined;
    this.requests.push({ path, method: req.method, auth: req.headers.get("authorization"), body });
    if (this.#holding.has(path)) {
      await new Promise<void>((resolve, reject) => {
        const q = this.#parked.get(path) ?? [];
        const held = { resolve };
        q.push(held);
        this.#parked.set(path, q);
        req.signal.addEventListener("abort", () => {
          q.splice(q.indexOf(held), 1);
          reject(req.signal.reason);
        });
      });
    }
    return this.#answer(path, req, body);
  };

  hold(path: string): void {
    this.#holding.add(path);
  }

  unhold(path: string): void {
    this.#holding.delete(path);
  }

  parked(path: string): number {
    return this.#parked.get(path)?.length ?? 0;
  }

  /** Let the oldest parked request to `path` through. */
  release(path: string): void {
    this.#parked.get(path)?.shift()?.resolve();
  }

  calls(path: string) {
    return this.requests.filter((r) => r.path === path);
  }

  #answer(path: string, req: Request, body: any): Response {
    switch (path) {
      case "/auth/refresh": {
        if (this.refreshStatus) return json(this.refreshStatus, { error: { code: "NotAuthorized", message: "x" } });
        const until = this.refreshTokens.get(body.refreshToken);
        if (until === undefined || until < Date.now()) {
          return json(400, { error: { code: "NotAuthorized", message: "Invalid refresh token." } });
        }
        const next = tokens(++this.generation);
        this.validIds.add(next.idToken);
        if (this.rotate) {
          // Rotation: the sent token works for the grace period, the new one from now on.
          this.refreshTokens.set(body.refreshToken, Math.min(until, Date.now() + this.graceMs));
          this.refreshTokens.set(next.refreshToken, Infinity);
          return json(200, { tokens: next });
        }
        const { refreshToken: _, ...rest } = next;
        return json(200, { tokens: rest });
      }
      case "/auth/sign-in":
        return json(401, { error: { code: "NotAuthorized", message: "Incorrect username or password." } });
      default: {
        const kind = path == "/me" || path == "/credentials" ? "id" : "ac";
        const token = req.headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
        const [use, n] = token.split("-");
        if (this.refuseAll || !this.validIds.has(`id-${n}`) || (use != "id" && use != "ac")) {
          return json(401, { error: { code: "Unauthorized", message: "A valid bearer token is required." } });
        }
        if (use != kind) return json(403, { error: { code: "Forbidden", message: "You are not allowed to call this route." } });
        if (kind == "ac" && this.revoked.has(token)) {
          return json(401, { error: { code: "Unauthorized", message: ACCESS_REFUSED } });
        }
        if (path == "/password/change" && body?.previousPassword == "wrong") {
          return json(401, { error: { code: "NotAuthorized", message: "Incorrect username or password." } });
        }
        const route = `${req.method} ${path}`;
        if (route == "DELETE /account" && this.signInTooOld) {
          return json(
            401,
            { error: { code: "InsufficientUserAuthentication", message: "This needs a sign-in within the last 5 minutes: sign in again." } },
            'Bearer error="insufficient_user_authentication", error_description="A more recent sign-in is required", max_age="300"',
          );
        }
        if (route == "POST /password/change" || route == "POST /auth/sign-out" || route == "DELETE /account") {
          this.signOutEverywhere();
          return new Response(null, { status: 204 });
        }
        if (route == "GET /account") {
          return json(200, { username: "user-1", attributes: { sub: "s", email: "u@example.com" }, mfa: { enabled: [] } });
        }
        if (route == "PATCH /account") return json(200, { codeDeliveries: body?.attributes?.email ? [DELIVERY] : [] });
        if (/^POST \/account\/attributes\/[a-z_]+\/code$/.test(route)) return json(202, { codeDelivery: DELIVERY });
        if (/^POST \/account\/attributes\/[a-z_]+\/verify$/.test(route)) return new Response(null, { status: 204 });
        return json(200, { sub: "s", username: "user-1", email: "u@example.com", emailVerified: true, groups: [] });
      }
    }
  }

  /** What Cognito's global sign-out does: every refresh token revoked, every access token refused. */
  signOutEverywhere(): void {
    this.refreshTokens.clear();
    for (let n = 1; n <= this.generation; n++) this.revoked.add(`ac-${n}`);
  }
}

/**
 * `navigator.locks` for tests: exclusive, first come first served, and the next waiter is granted
 * in a microtask when the holder finishes. That is sooner than a BroadcastChannel message posted
 * by the holder arrives, the race the session's peer sync exists for. A waiter whose `signal`
 * aborts leaves the queue and rejects with the signal's reason, as in browsers.
 */
export function fakeLocks() {
  const queues = new Map<string, (() => void)[]>();
  let granted = 0;
  return {
    get granted() {
      return granted;
    },
    request<T>(
      name: string,
      options: { signal?: AbortSignal } | ((lock: unknown) => Promise<T> | T),
      maybeCallback?: (lock: unknown) => Promise<T> | T,
    ): Promise<T> {
      const callback = typeof options == "function" ? options : maybeCallback!;
      const signal = typeof options == "function" ? undefined : options.signal;
      return new Promise<T>((resolve, reject) => {
        const q = queues.get(name) ?? [];
        queues.set(name, q);
        if (signal?.aborted) return reject(signal.reason);
        let started = false;
        signal?.addEventListener("abort", () => {
          if (started) return;
          q.splice(q.indexOf(run), 1);
          reject(signal.reason);
        });
        const run = () => {
          started = true;
          granted++;
          Promise.resolve()
            .then(() => callback({ name, mode: "exclusive" }))
            .then(resolve, reject)
            .finally(() => {
              q.shift();
              q[0]?.();
            });
        };
        q.push(run);
        if (q.length === 1) run();
      });
    },
  };
}
