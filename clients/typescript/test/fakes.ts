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

const json = (status: number, body: unknown) =>
  new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });

/**
 * The API as far as the session sees it:
 * - `/auth/refresh` accepts the newest refresh token, and the previous one for `graceMs`, and
 *   answers the next generation (with a new refresh token unless `rotate` is off);
 * - protected routes (`/me`, `/credentials`, `/password/change`) accept only ID tokens in
 *   `validIds`, else the authorizer's 401; a body's `accessToken` must be of a valid generation
 *   (`ac-N` with `id-N` valid), else the route's own 401 (`NotAuthorized`);
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
  refuseAll = false; // the authorizer refuses every ID token, even fresh ones
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
      case "/auth/sign-out":
        return req.headers.get("authorization")?.startsWith("Bearer ")
          ? new Response(null, { status: 204 })
          : json(401, { error: { code: "Unauthorized", message: "A valid ID token is required." } });
      default: {
        const id = req.headers.get("authorization")?.replace(/^Bearer /, "");
        if (!id || this.refuseAll || !this.validIds.has(id)) {
          return new Response(JSON.stringify({ error: { code: "Unauthorized", message: "A valid ID token is required." } }), {
            status: 401,
            headers: { "content-type": "application/json", "www-authenticate": "Bearer" },
          });
        }
        if (body?.accessToken !== undefined && !this.validIds.has(String(body.accessToken).replace(/^ac-/, "id-"))) {
          return json(401, { error: { code: "NotAuthorized", message: "Access Token has expired" } });
        }
        return json(200, { sub: "s", username: "user-1", email: "u@example.com", emailVerified: true, groups: [] });
      }
    }
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
