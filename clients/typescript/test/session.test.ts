import { parseYaml } from "@redocly/openapi-core";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Session, createApi, type SessionState, type SignOutReason } from "../src/index.js";
import { bearerOf } from "../src/session.js";
import { FakeApi, fakeLocks, signedIn } from "./fakes.js";

const BASE = "http://api.test";
let sessions: Session[] = [];
let name: string;

/** A "tab": a Session on the fake API, sharing the lock and channel name of the test. */
function tab(api: Pick<FakeApi, "fetch">, options: { refreshMarginSeconds?: number } = {}) {
  const s = new Session({ baseUrl: BASE, fetch: api.fetch, name, ...options });
  sessions.push(s);
  return s;
}

/** A network that never answers: every fetch rejects as a browser's does offline. */
const OFFLINE = { fetch: () => Promise.reject(new TypeError("offline")) };

/** One tab on a new fake API, signed in with generation 1 (expiring in `expiresIn` seconds). */
function signedInTab(options: { expiresIn?: number } = {}) {
  const api = new FakeApi();
  const s = tab(api);
  s.start(signedIn(1, options.expiresIn));
  return { api, s };
}

/** Two tabs on a new fake API: `a` signed in with generation 1, and `b` has heard of it. */
async function twoSignedInTabs() {
  const api = new FakeApi();
  const a = tab(api);
  const b = tab(api);
  a.start(signedIn(1));
  await vi.waitFor(() => expect(b.current?.idToken).toBe("id-1"));
  return { api, a, b };
}

function record(s: Session) {
  const events: [SessionState | null, SignOutReason | undefined][] = [];
  s.subscribe((state, reason) => events.push([state, reason]));
  return events;
}

beforeEach(() => {
  name = `test-${Math.random()}`;
  vi.stubGlobal("navigator", { locks: fakeLocks() });
});

afterEach(() => {
  for (const s of sessions) s.dispose();
  sessions = [];
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("one tab", () => {
  it("sends the ID token and keeps the refresh token out of `current`", async () => {
    // GIVEN a signed-in session
    const { api, s } = signedInTab();

    // WHEN it calls a protected route
    const { data, response } = await s.api.GET("/me");

    // THEN the call carries the ID token, and the state shows no refresh token
    expect(response.status).toBe(200);
    expect(data?.username).toBe("user-1");
    expect(api.calls("/me")[0]?.auth).toBe("Bearer id-1");
    expect(s.current).toEqual({ username: "user-1", idToken: "id-1", accessToken: "ac-1", expiresAt: expect.any(Number) });
    expect(JSON.stringify(s)).not.toContain("rt-1");
    expect(Object.isFrozen(s.current)).toBe(true);
  });

  it("concurrent calls near expiry share one refresh", async () => {
    // GIVEN tokens that expire within the refresh margin
    const { api, s } = signedInTab({ expiresIn: 30 });

    // WHEN three calls go out at once
    const results = await Promise.all([s.api.GET("/me"), s.api.GET("/me"), s.api.POST("/credentials")]);

    // THEN one refresh happened first and every call carried the new token
    expect(api.calls("/auth/refresh")).toHaveLength(1);
    expect(api.calls("/auth/refresh")[0]?.body).toEqual({ refreshToken: "rt-1" });
    expect(results.map((r) => r.response.status)).toEqual([200, 200, 200]);
    expect(api.calls("/me").map((c) => c.auth)).toEqual(["Bearer id-2", "Bearer id-2"]);
    expect(s.current?.idToken).toBe("id-2");
  });

  it("a 401 that arrives while a refresh is in flight waits for it and retries, refreshing once", async () => {
    // GIVEN a session whose ID token the authorizer already refuses (expired early, clock skew),
    // two calls out with it, and the API holding their answers and the refresh
    const { api, s } = signedInTab();
    api.validIds.clear();
    api.hold("/me");
    api.hold("/auth/refresh");
    const first = s.api.GET("/me");
    const second = s.api.GET("/me");
    await vi.waitFor(() => expect(api.parked("/me")).toBe(2));

    // WHEN the first 401 starts a refresh, and the second 401 arrives while it is in flight
    api.release("/me");
    await vi.waitFor(() => expect(api.parked("/auth/refresh")).toBe(1));
    api.release("/me");
    await new Promise((r) => setTimeout(r, 20));
    expect(api.calls("/me")).toHaveLength(2); // the second call is queued behind the refresh
    api.unhold("/me");
    api.unhold("/auth/refresh");
    api.release("/auth/refresh");

    // THEN both calls are retried once with the new token, after a single refresh
    expect((await first).response.status).toBe(200);
    expect((await second).response.status).toBe(200);
    expect(api.calls("/auth/refresh")).toHaveLength(1);
    expect(api.calls("/me").map((c) => c.auth)).toEqual(["Bearer id-1", "Bearer id-1", "Bearer id-2", "Bearer id-2"]);
  });

  it("sends a call at most twice, even a non-idempotent one", async () => {
    // GIVEN an authorizer that refuses every token
    const { api, s } = signedInTab();
    api.refuseAll = true;

    // WHEN a POST gets the authorizer's 401
    const { response } = await s.api.POST("/credentials");

    // THEN it was refreshed once and sent twice, and the 401 is the answer
    expect(response.status).toBe(401);
    expect(api.calls("/auth/refresh")).toHaveLength(1);
    expect(api.calls("/credentials")).toHaveLength(2);
  });

  it("does not refresh or retry a route's own 401 (wrong password)", async () => {
    const { api, s } = signedInTab();

    const { error, response } = await s.api.POST("/auth/sign-in", { body: { username: "u", password: "wrong" } });

    expect(response.status).toBe(401);
    expect(error?.error.code).toBe("NotAuthorized");
    expect(api.calls("/auth/sign-in")).toHaveLength(1);
    expect(api.calls("/auth/refresh")).toHaveLength(0);
  });

  it("keeps the newest refresh token, and the old one when refresh tokens do not rotate", async () => {
    const { api, s } = signedInTab();

    expect(await s.refresh()).toBe(true); // rotates rt-1 -> rt-2
    api.rotate = false;
    expect(await s.refresh()).toBe(true); // answers no refresh token: keep rt-2
    expect(await s.refresh()).toBe(true);

    expect(api.calls("/auth/refresh").map((c) => c.body.refreshToken)).toEqual(["rt-1", "rt-2", "rt-2"]);
    expect(s.current?.idToken).toBe("id-4");
  });

  it("a refused refresh signs out and tells subscribers `refresh-failed`", async () => {
    // GIVEN a session whose refresh token the API refuses
    const { api, s } = signedInTab();
    const events = record(s);
    api.refreshStatus = 400;

    // WHEN it refreshes
    const ok = await s.refresh();

    // THEN it is signed out, with the reason
    expect(ok).toBe(false);
    expect(s.current).toBeNull();
    expect(events).toEqual([[null, "refresh-failed"]]);
  });

  it("keeps the session when a refresh fails for a transient reason", async () => {
    const { api, s } = signedInTab();
    api.refreshStatus = 502;
    expect(await s.refresh()).toBe(false);
    expect(s.current?.idToken).toBe("id-1");

    const offline = tab(OFFLINE);
    offline.start(signedIn(1));
    expect(await offline.refresh()).toBe(false);
    expect(offline.current?.idToken).toBe("id-1");
  });

  it("signOut sends the access token as the bearer and the refresh token in the body, then forgets them", async () => {
    const { api, s } = signedInTab();
    const events = record(s);

    await s.signOut();

    expect(api.calls("/auth/sign-out")).toEqual([
      { path: "/auth/sign-out", method: "POST", auth: "Bearer ac-1", body: { refreshToken: "rt-1" } },
    ]);
    expect(s.current).toBeNull();
    expect(events).toEqual([[null, "signed-out"]]);
  });

  it("signOut forgets the tokens even when the call fails", async () => {
    const s = tab(OFFLINE);
    s.start(signedIn(1));

    await s.signOut();

    expect(s.current).toBeNull();
  });

  it("a call near expiry refreshes first and carries the new access token", async () => {
    // GIVEN tokens within the refresh margin (as after a laptop slept through their hour)
    const { api, s } = signedInTab({ expiresIn: 30 });
    api.validIds.delete("id-1"); // expired on the server's clock

    // WHEN the app sets up an authenticator app
    const { response } = await s.api.POST("/mfa/totp/setup");

    // THEN the refresh came first, and the call carried its access token
    expect(response.status).toBe(200);
    expect(api.requests.map((r) => r.path)).toEqual(["/auth/refresh", "/mfa/totp/setup"]);
    expect(api.calls("/mfa/totp/setup")[0]?.auth).toBe("Bearer ac-2");
    expect((await s.tokens())?.accessToken).toBe("ac-2");
  });

  it("tokens() waits for the refresh in flight and answers null when signed out", async () => {
    const { api, s } = signedInTab();
    api.hold("/auth/refresh");
    const refreshing = s.refresh();
    const got = s.tokens();
    await vi.waitFor(() => expect(api.parked("/auth/refresh")).toBe(1));
    api.release("/auth/refresh");
    expect((await got)?.accessToken).toBe("ac-2");
    await refreshing;
    await s.signOut();
    expect(await s.tokens()).toBeNull();
  });

  it("the retry after the authorizer's 401 carries the new access token and the same body", async () => {
    // GIVEN tokens the server already refuses (expired on its clock)
    const { api, s } = signedInTab();
    api.validIds.delete("id-1");

    // WHEN a call with a body meets the authorizer's 401
    const { response } = await s.api.PUT("/mfa/preference", { body: { email: true, preferred: "EMAIL_OTP" } });

    // THEN it is retried once, after one refresh, with the new access token; the body as it was
    expect(response.status).toBe(200);
    expect(api.calls("/auth/refresh")).toHaveLength(1);
    expect(api.calls("/mfa/preference").map((c) => [c.method, c.auth, c.body])).toEqual([
      ["PUT", "Bearer ac-1", { email: true, preferred: "EMAIL_OTP" }],
      ["PUT", "Bearer ac-2", { email: true, preferred: "EMAIL_OTP" }],
    ]);
  });

  it("signOut forgets the tokens before the call returns, and gives up a hung call", async () => {
    // GIVEN a network that never answers the sign-out
    const { api, s } = signedInTab();
    api.hold("/auth/sign-out");
    const events = record(s);
    const timeouts: AbortController[] = [];
    vi.spyOn(AbortSignal, "timeout").mockImplementation((ms) => {
      expect(ms).toBe(10_000);
      timeouts.push(new AbortController());
      return timeouts.at(-1)!.signal;
    });

    // WHEN the person signs out
    let done = false;
    const out = s.signOut().then(() => (done = true));

    // THEN the tokens are gone at once, and the call still went out with them
    expect(s.current).toBeNull();
    expect(events).toEqual([[null, "signed-out"]]);
    await vi.waitFor(() => expect(api.parked("/auth/sign-out")).toBe(1));
    expect(api.calls("/auth/sign-out")[0]).toMatchObject({ auth: "Bearer ac-1", body: { refreshToken: "rt-1" } });
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    // AND when its deadline passes, signOut resolves
    timeouts.forEach((t) => t.abort(new DOMException("timed out", "TimeoutError")));
    await out;
  });

  it("signOut with an expired access token refreshes it for the sign-out call only", async () => {
    const { api, s } = signedInTab({ expiresIn: 30 });
    const events = record(s);

    await s.signOut();

    expect(api.calls("/auth/refresh")).toHaveLength(1);
    expect(api.calls("/auth/sign-out")[0]).toMatchObject({ auth: "Bearer ac-2", body: { refreshToken: "rt-2" } });
    expect(s.current).toBeNull();
    expect(events).toEqual([[null, "signed-out"]]);
  });

  it("a hung refresh is given up after its deadline, keeping the tokens", async () => {
    const { api, s } = signedInTab();
    api.hold("/auth/refresh");
    const deadline = new AbortController();
    vi.spyOn(AbortSignal, "timeout").mockImplementation((ms) => (ms == 10_000 ? deadline.signal : new AbortController().signal));

    const refreshing = s.refresh();
    await vi.waitFor(() => expect(api.parked("/auth/refresh")).toBe(1));
    deadline.abort(new DOMException("timed out", "TimeoutError"));

    expect(await refreshing).toBe(false);
    expect(s.current?.idToken).toBe("id-1");
  });

  it("works as a single tab without navigator.locks and BroadcastChannel", async () => {
    vi.stubGlobal("navigator", undefined);
    vi.stubGlobal("BroadcastChannel", undefined);
    const api = new FakeApi();
    const s = tab(api);
    expect(await s.join(50)).toBe(false);
    s.start(signedIn(1, 30));

    await Promise.all([s.api.GET("/me"), s.api.GET("/me")]);

    expect(api.calls("/auth/refresh")).toHaveLength(1);
    expect(s.current?.idToken).toBe("id-2");
  });

  it("never writes to the console", async () => {
    const spies = (["log", "info", "warn", "error", "debug", "trace"] as const).map((m) => vi.spyOn(console, m));
    const api = new FakeApi();
    const a = tab(api);
    const b = tab(api);
    a.start(signedIn(1, 30));
    await a.api.GET("/me");
    await b.join(100);
    await b.refresh();
    api.refreshStatus = 401;
    await a.refresh();
    a.start(signedIn(1));
    await a.signOut();
    a.dispose();
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });
});

describe("the token each route takes", () => {
  it("sends the ID token to /me and /credentials, the access token to the other protected routes, none to the public ones", async () => {
    // GIVEN a signed-in session
    const { api, s } = signedInTab();
    const user = { params: { path: { username: "ann" } } };

    // WHEN it calls routes of each kind
    const answers = await Promise.all([
      s.api.GET("/me"),
      s.api.POST("/credentials"),
      s.api.POST("/mfa/totp/setup"),
      s.api.GET("/mfa/preference"),
      s.api.GET("/users"),
      s.api.PUT("/users/{username}/groups/{group}", { params: { path: { username: "ann", group: "g" } } }),
      s.api.POST("/users/{username}/sign-out", user),
      s.api.POST("/users/{username}/invitation", user),
    ]);
    await s.api.POST("/auth/sign-in", { body: { username: "u", password: "p" } });

    // THEN each carried the token its route takes (the fake authorizer refuses the other kind)
    expect(answers.map((a) => a.response.status)).toEqual([200, 200, 200, 200, 200, 200, 200, 200]);
    expect(api.requests.map((r) => [`${r.method} ${r.path}`, r.auth])).toEqual([
      ["GET /me", "Bearer id-1"],
      ["POST /credentials", "Bearer id-1"],
      ["POST /mfa/totp/setup", "Bearer ac-1"],
      ["GET /mfa/preference", "Bearer ac-1"],
      ["GET /users", "Bearer ac-1"],
      ["PUT /users/ann/groups/g", "Bearer ac-1"],
      ["POST /users/ann/sign-out", "Bearer ac-1"],
      ["POST /users/ann/invitation", "Bearer ac-1"],
      ["POST /auth/sign-in", null],
    ]);
  });

  it("sends the access token to every /account route, and answers what the API does", async () => {
    // GIVEN a signed-in session
    const { api, s } = signedInTab();
    const email = { params: { path: { attribute: "email" as const } } };

    // WHEN the person reads and changes their account, and proves a new address
    const account = await s.api.GET("/account");
    const changed = await s.api.PATCH("/account", { body: { attributes: { email: "new@example.com", given_name: "Ann" } } });
    const sent = await s.api.POST("/account/attributes/{attribute}/code", email);
    const verified = await s.api.POST("/account/attributes/{attribute}/verify", { ...email, body: { code: "123456" } });

    // THEN each call carried the access token, the typed answers are the API's
    expect(account.data?.attributes.email).toBe("u@example.com");
    expect(changed.data?.codeDeliveries.map((d) => d.attributeName)).toEqual(["email"]);
    expect(sent.response.status).toBe(202);
    expect(sent.data?.codeDelivery?.deliveryMedium).toBe("EMAIL");
    expect(verified.response.status).toBe(204);
    expect(api.requests.map((r) => [`${r.method} ${r.path}`, r.auth, r.body])).toEqual([
      ["GET /account", "Bearer ac-1", undefined],
      ["PATCH /account", "Bearer ac-1", { attributes: { email: "new@example.com", given_name: "Ann" } }],
      ["POST /account/attributes/email/code", "Bearer ac-1", undefined],
      ["POST /account/attributes/email/verify", "Bearer ac-1", { code: "123456" }],
    ]);
    // AND the session goes on: only a deletion ends it
    expect(s.current?.accessToken).toBe("ac-1");
  });

  it("chooses as openapi.yaml's security does, for every operation", () => {
    // GIVEN the contract (read with the YAML reader that generates the types)
    const spec = parseYaml(readFileSync(fileURLToPath(new URL("../../../openapi.yaml", import.meta.url)), "utf8")) as {
      security: Record<string, string[]>[];
      paths: Record<string, Record<string, { security?: Record<string, string[]>[] }>>;
    };
    const kind = (security: Record<string, string[]>[]) =>
      security.length == 0 ? undefined : ({ idToken: "id", accessToken: "access" } as const)[Object.keys(security[0]!)[0]!];

    // THEN the session's choice for each operation is the one its security (or the default) names
    let operations = 0;
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (!["get", "put", "post", "delete", "patch"].includes(method)) continue;
        operations++;
        const route = `${method.toUpperCase()} ${path}`;
        expect(bearerOf(route), route).toBe(kind(operation.security ?? spec.security));
      }
    }
    expect(operations).toBeGreaterThanOrEqual(28);
  });

  it("a password change ends the session in every tab: the server signed the person out", async () => {
    // GIVEN two tabs sharing a session
    const { api, a, b } = await twoSignedInTabs();
    const eventsA = record(a);
    const eventsB = record(b);

    // WHEN the person changes their password in one of them
    const { response } = await a.api.POST("/password/change", {
      body: { previousPassword: "Old-passw0rd", proposedPassword: "New-passw0rd" },
    });

    // THEN the call carried the access token, and both tabs forgot the tokens, saying why
    expect(response.status).toBe(204);
    expect(api.calls("/password/change").map((c) => [c.auth, c.body])).toEqual([
      ["Bearer ac-1", { previousPassword: "Old-passw0rd", proposedPassword: "New-passw0rd" }],
    ]);
    expect(a.current).toBeNull();
    expect(eventsA).toEqual([[null, "password-changed"]]);
    await vi.waitFor(() => expect(b.current).toBeNull());
    expect(eventsB).toEqual([[null, "other-tab"]]);
    // AND the next call goes out without tokens
    expect(await a.tokens()).toBeNull();
  });

  it("a wrong current password is the route's answer: not retried, and the session goes on", async () => {
    const { api, s } = signedInTab();
    const events = record(s);

    const { error, response } = await s.api.POST("/password/change", {
      body: { previousPassword: "wrong", proposedPassword: "New-passw0rd" },
    });

    expect(response.status).toBe(401);
    expect(error?.error.code).toBe("NotAuthorized");
    expect(api.calls("/password/change")).toHaveLength(1);
    expect(api.calls("/auth/refresh")).toHaveLength(0);
    expect(s.current?.accessToken).toBe("ac-1");
    expect(events).toEqual([]);
  });

  it("an access token refused because the person's sessions ended ends the session, without a retry", async () => {
    // GIVEN a session whose person an admin signed out everywhere (refresh tokens revoked, and
    // Cognito refuses the access tokens the authorizer still finds valid)
    const { api, s } = signedInTab();
    const events = record(s);
    api.signOutEverywhere();

    // WHEN it calls a route that takes the access token
    const { error, response } = await s.api.GET("/mfa/preference");

    // THEN the API's 401 (Unauthorized: the token, not the person's credentials) is the answer,
    // the refresh it led to was refused, and the session ended
    expect(response.status).toBe(401);
    expect(error?.error.code).toBe("Unauthorized");
    expect(api.calls("/auth/refresh")).toHaveLength(1);
    expect(api.calls("/mfa/preference")).toHaveLength(1);
    expect(s.current).toBeNull();
    expect(events).toEqual([[null, "refresh-failed"]]);
  });

  it("an access token Cognito refused while the refresh token lives is refreshed, and the call retried once", async () => {
    // GIVEN an access token Cognito already counts as expired (the authorizer's leeway let it by)
    const { api, s } = signedInTab();
    api.revoked.add("ac-1");

    // WHEN an admin route refuses it
    const { response } = await s.api.GET("/users");

    // THEN one refresh, and the retry with the new access token succeeds
    expect(response.status).toBe(200);
    expect(api.calls("/users").map((c) => c.auth)).toEqual(["Bearer ac-1", "Bearer ac-2"]);
    expect(s.current?.accessToken).toBe("ac-2");
  });

  it("deleting the account ends the session in every tab; a sign-in too old for it is the answer, not retried", async () => {
    // GIVEN two tabs whose sign-in is too old to delete the account with
    const { api, a, b } = await twoSignedInTabs();
    const eventsA = record(a);
    const eventsB = record(b);
    api.signInTooOld = true;

    // WHEN one asks to delete the account
    const refused = await a.api.DELETE("/account");

    // THEN RFC 9470's 401 is the answer (a refresh keeps the sign-in's time: it cannot help), and
    // the session goes on
    expect(refused.response.status).toBe(401);
    expect(refused.error?.error.code).toBe("InsufficientUserAuthentication");
    expect(refused.response.headers.get("www-authenticate")).toContain('error="insufficient_user_authentication"');
    expect(api.calls("/auth/refresh")).toHaveLength(0);
    expect(api.calls("/account")).toHaveLength(1);
    expect(a.current?.accessToken).toBe("ac-1");
    expect(eventsA).toEqual([]);

    // AND once deleted (after a new sign-in), the session ends here and in the other tab
    api.signInTooOld = false;
    expect((await a.api.DELETE("/account")).response.status).toBe(204);
    expect(a.current).toBeNull();
    expect(eventsA).toEqual([[null, "account-deleted"]]);
    await vi.waitFor(() => expect(b.current).toBeNull());
    expect(eventsB).toEqual([[null, "other-tab"]]);
  });

  it("a refused deletion does not end the session, and neither does a failed one", async () => {
    const { api, s } = signedInTab();
    api.refuseAll = true; // the authorizer's 401 even after the refresh

    const { response } = await s.api.DELETE("/account");

    expect(response.status).toBe(401);
    expect(s.current?.accessToken).toBe("ac-2");
  });

  it("a NotAuthorized 401 on any route is the person's answer: never refreshed nor retried", async () => {
    // GIVEN an API whose access-token routes answer NotAuthorized (as for wrong credentials)
    const api = new FakeApi();
    const notAuthorized = {
      fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
        const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
        const res = await api.fetch(input, init);
        if (path == "/auth/refresh") return res;
        return new Response(JSON.stringify({ error: { code: "NotAuthorized", message: "Incorrect username or password." } }), {
          status: 401,
          headers: { "content-type": "application/json", "www-authenticate": "Bearer" },
        });
      },
    };
    const s = tab(notAuthorized);
    s.start(signedIn(1));

    // WHEN calls of each kind meet it
    for (const call of [() => s.api.GET("/account"), () => s.api.GET("/me"), () => s.api.GET("/users")]) {
      const { error, response } = await call();
      expect([response.status, error?.error.code]).toEqual([401, "NotAuthorized"]);
    }

    // THEN each was sent once, and nothing was refreshed
    expect(api.requests.map((r) => r.path)).toEqual(["/account", "/me", "/users"]);
    expect(s.current?.accessToken).toBe("ac-1");
  });

  it("without a readable body, RFC 6750's challenge decides: a bare Bearer or invalid_token is retried, another error is not", async () => {
    for (const [challenge, sent] of [
      ["Bearer", 2],
      ['Bearer error="invalid_token"', 2],
      ['Bearer error="insufficient_user_authentication", max_age="300"', 1],
    ] as const) {
      const api = new FakeApi();
      const bare = {
        fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
          const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
          const res = await api.fetch(input, init);
          if (path == "/auth/refresh") return res;
          return new Response("not json", { status: 401, headers: { "www-authenticate": challenge } });
        },
      };
      const s = tab(bare);
      s.start(signedIn(1));

      await s.api.GET("/account");

      expect(api.calls("/account"), challenge).toHaveLength(sent);
    }
  });

  it("an ID token is not sent where the access token is taken, even after a refresh", async () => {
    const { api, s } = signedInTab();
    await s.refresh();

    await s.api.DELETE("/users/{username}", { params: { path: { username: "ann" } } });
    await s.api.GET("/me");

    expect(api.calls("/users/ann").map((c) => c.auth)).toEqual(["Bearer ac-2"]);
    expect(api.calls("/me").map((c) => c.auth)).toEqual(["Bearer id-2"]);
  });
});

describe("two tabs", () => {
  it("share a sign-in, and a new tab joins the open one", async () => {
    const { api, a, b } = await twoSignedInTabs();

    const c = tab(api);
    expect(await c.join()).toBe(true);
    expect(c.current).toEqual(a.current);
  });

  it("join resolves false when no tab is signed in", async () => {
    const api = new FakeApi();
    tab(api);
    const b = tab(api);
    expect(await b.join(50)).toBe(false);
  });

  it("refreshing at once make one /auth/refresh call and end with the same tokens", async () => {
    // GIVEN two tabs with the same tokens, and strict rotation (no grace period): a tab that
    // refreshed again with the old refresh token would be refused and signed out
    const { api, a, b } = await twoSignedInTabs();
    api.graceMs = 0;

    // WHEN both refresh at once (the fake lock hands b the lock before a's message arrives)
    const [okA, okB] = await Promise.all([a.refresh(), b.refresh()]);

    // THEN one refresh happened, both tabs hold its tokens, and both hold the new refresh token
    expect([okA, okB]).toEqual([true, true]);
    expect(api.calls("/auth/refresh")).toHaveLength(1);
    expect(a.current).toEqual(b.current);
    expect(a.current?.idToken).toBe("id-2");
    await b.refresh(); // b can refresh with what it holds (rt-2), and a follows
    await vi.waitFor(() => expect(a.current?.idToken).toBe("id-3"));
    expect(await a.refresh()).toBe(true);
    expect(api.calls("/auth/refresh").map((c) => c.body.refreshToken)).toEqual(["rt-1", "rt-2", "rt-3"]);
  });

  it("a 401 in one tab after the other tab refreshed adopts its tokens instead of refreshing", async () => {
    const { api, a, b } = await twoSignedInTabs();
    api.graceMs = 0;
    api.validIds.delete("id-1"); // id-1 has expired on the server's clock

    await Promise.all([a.api.GET("/me"), b.api.GET("/me")]);

    expect(api.calls("/auth/refresh")).toHaveLength(1);
    expect(a.current).toEqual(b.current);
    expect(api.calls("/me").slice(2).map((c) => c.auth)).toEqual(["Bearer id-2", "Bearer id-2"]);
  });

  it("without Web Locks, both may refresh but they converge on the newest tokens", async () => {
    // GIVEN no lock manager: the race the lock prevents, relying on the grace period
    vi.stubGlobal("navigator", undefined);
    const { a, b } = await twoSignedInTabs();

    await Promise.all([a.refresh(), b.refresh()]);

    // THEN both tabs end with the same (newest) family, not one each
    await vi.waitFor(() => expect(a.current).toEqual(b.current));
    expect(a.current).not.toBeNull();
  });

  it("signOut tells the other tab", async () => {
    const { a, b } = await twoSignedInTabs();
    const events = record(b);

    await a.signOut();

    await vi.waitFor(() => expect(b.current).toBeNull());
    expect(events).toEqual([[null, "other-tab"]]);
  });

  it("a refused refresh signs out the tabs holding the same refresh token", async () => {
    const { api, a, b } = await twoSignedInTabs();
    const events = record(b);
    api.refreshStatus = 401;

    expect(await a.refresh()).toBe(false);

    await vi.waitFor(() => expect(b.current).toBeNull());
    expect(events).toEqual([[null, "other-tab"]]);
  });

  it("a newer sign-in in another tab replaces the session", async () => {
    const { a, b } = await twoSignedInTabs();

    await new Promise((r) => setTimeout(r, 2));
    b.start({ username: "user-2", tokens: { ...signedIn(7).tokens } });

    await vi.waitFor(() => expect(a.current?.username).toBe("user-2"));
    expect(a.current?.idToken).toBe("id-7");
  });
});

describe("two tabs: what must not happen", () => {
  it("a refresh answer that arrives after another tab signed out is dropped", async () => {
    // GIVEN two signed-in tabs, and a's refresh held by the network
    const { api, a, b } = await twoSignedInTabs();
    api.hold("/auth/refresh");
    const refreshing = a.refresh();
    await vi.waitFor(() => expect(api.parked("/auth/refresh")).toBe(1));
    const events = record(a);

    // WHEN b signs out, and then a's refresh answers
    await b.signOut();
    await vi.waitFor(() => expect(a.current).toBeNull());
    api.release("/auth/refresh");

    // THEN a stays signed out: the answer is not adopted, and b hears nothing of it
    expect(await refreshing).toBe(false);
    await new Promise((r) => setTimeout(r, 20));
    expect(a.current).toBeNull();
    expect(b.current).toBeNull();
    expect(events).toEqual([[null, "other-tab"]]);
  });

  it("a tab holding a newer refresh token stays signed in when an older one is refused", async () => {
    // GIVEN a tab that holds rt-2, and a "refused" message for rt-1 from a tab that kept it
    // (sent later than a's refresh, so a plain last-writer-wins would take it)
    const { s: a } = signedInTab();
    await a.refresh();
    const events = record(a);
    const other = new BroadcastChannel(name);

    // WHEN the other tab says rt-1 was refused, and then that rt-2 was
    other.postMessage({ t: "s", i: "x", at: Date.now() + 60_000, s: null, r: "rt-1" });
    await new Promise((r) => setTimeout(r, 50));
    expect(a.current?.idToken).toBe("id-2");
    other.postMessage({ t: "s", i: "x", at: Date.now() + 60_000, s: null, r: "rt-2" });
    other.close();

    // THEN only the refusal of the token a holds signs it out
    await vi.waitFor(() => expect(a.current).toBeNull());
    expect(events).toEqual([[null, "other-tab"]]);
  });

  it("a signed-out tab's answer does not end a session it never heard of", async () => {
    // GIVEN a tab that signed out, and a tab that signs in with an older time (its clock is
    // behind, or it slept): a's sign-out was broadcast when it happened, c never heard of it
    const { api, s: a } = signedInTab();
    await a.signOut();
    api.refreshTokens.set("rt-1", Infinity); // c's sign-in (the fake issues generation 1 again)
    const now = Date.now();
    vi.spyOn(Date, "now").mockReturnValue(now - 60_000);
    const c = tab(api);
    const events = record(c);
    c.start(signedIn(1)); // before a's answer to c's "hi" arrives
    vi.mocked(Date.now).mockRestore();
    await new Promise((r) => setTimeout(r, 50));
    expect(c.current?.idToken).toBe("id-1");

    // WHEN c asks its peers before refreshing (a answers)
    expect(await c.refresh()).toBe(true);

    // THEN c is still signed in: a answered "signed out" with time 0, which nothing adopts
    expect(c.current?.idToken).toBe("id-2");
    expect(events.map(([s, reason]) => [s?.idToken ?? null, reason])).toEqual([
      ["id-1", undefined],
      ["id-2", undefined],
    ]);
  });

  it("tokens obtained after the clock went back still count as the newest", async () => {
    // GIVEN two tabs sharing a session, and a clock set back a minute (NTP, a changed time zone
    // setting) before the next refresh
    const { a, b } = await twoSignedInTabs();
    const now = Date.now();
    vi.spyOn(Date, "now").mockReturnValue(now - 60_000);

    // WHEN a refreshes
    expect(await a.refresh()).toBe(true);

    // THEN b adopts the new tokens: they are ordered after the ones they replace
    await vi.waitFor(() => expect(b.current?.idToken).toBe("id-2"));
  });

  it("a call whose token was replaced while it was out is retried without another refresh", async () => {
    // GIVEN a call out with id-1, and a refresh (elsewhere) that replaces it meanwhile
    const { api, s } = signedInTab();
    api.graceMs = 0;
    api.hold("/me");
    const call = s.api.GET("/me");
    await vi.waitFor(() => expect(api.parked("/me")).toBe(1));
    await s.refresh();
    api.validIds.delete("id-1");
    api.unhold("/me");

    // WHEN the call's 401 arrives
    api.release("/me");

    // THEN it is retried with id-2, and there was only the one refresh
    expect((await call).response.status).toBe(200);
    expect(api.calls("/auth/refresh")).toHaveLength(1);
    expect(api.calls("/me").map((c) => c.auth)).toEqual(["Bearer id-1", "Bearer id-2"]);
  });
});

describe("leaving", () => {
  it("dispose() during a refresh: the answer lands silently, subscribers and waiters are let go", async () => {
    // GIVEN two tabs, a's refresh held, and a new tab c waiting to join (nobody answers it
    // with tokens: the tabs are signed out)
    const { api, a, b } = await twoSignedInTabs();
    api.hold("/auth/refresh");
    const refreshing = a.refresh();
    await vi.waitFor(() => expect(api.parked("/auth/refresh")).toBe(1));
    const events = record(a);

    // WHEN a is disposed, then its refresh answers
    a.dispose();
    api.release("/auth/refresh");

    // THEN a keeps the new tokens but tells nobody: no event, and b never hears of them
    expect(await refreshing).toBe(true);
    expect(a.current?.idToken).toBe("id-2");
    await new Promise((r) => setTimeout(r, 50));
    expect(events).toEqual([]);
    expect(b.current?.idToken).toBe("id-1");
  });

  it("dispose() ends a join() wait and a wait for the Web Lock", async () => {
    const { api, a, b } = await twoSignedInTabs();
    // a holds the lock with a refresh the network holds; b waits for the lock
    api.hold("/auth/refresh");
    const aRefresh = a.refresh();
    await vi.waitFor(() => expect(api.parked("/auth/refresh")).toBe(1));
    const bRefresh = b.refresh();
    const c = new Session({ baseUrl: BASE, fetch: api.fetch, name: `${name}-c` });
    const joining = c.join(60_000);

    b.dispose();
    c.dispose();

    expect(await bRefresh).toBe(false);
    expect(await joining).toBe(false);
    expect(api.calls("/auth/refresh")).toHaveLength(1);
    api.release("/auth/refresh");
    expect(await aRefresh).toBe(true);
  });

  it("a wait for the Web Lock is given up after its deadline", async () => {
    const { api, a, b } = await twoSignedInTabs();
    const lockDeadline = new AbortController();
    vi.spyOn(AbortSignal, "timeout").mockImplementation((ms) =>
      ms == 15_000 ? lockDeadline.signal : new AbortController().signal,
    );
    api.hold("/auth/refresh");
    const aRefresh = a.refresh();
    await vi.waitFor(() => expect(api.parked("/auth/refresh")).toBe(1));

    const bRefresh = b.refresh();
    lockDeadline.abort(new DOMException("timed out", "TimeoutError"));

    expect(await bRefresh).toBe(false);
    expect(b.current?.idToken).toBe("id-1");
    api.release("/auth/refresh");
    expect(await aRefresh).toBe(true);
  });

  it("pause() says goodbye and stops listening; resume() catches up with the other tabs", async () => {
    // GIVEN two tabs, one of them paused (pagehide: the back/forward cache)
    const { a, b } = await twoSignedInTabs();
    const heard: unknown[] = [];
    const spy = new BroadcastChannel(name);
    spy.onmessage = (e) => heard.push(e.data);
    b.pause();
    await vi.waitFor(() => expect(heard).toContainEqual({ t: "bye", i: expect.any(String) }));

    // WHEN a refreshes while b is away, then b comes back (pageshow)
    const started = Date.now();
    expect(await a.refresh()).toBe(true);
    expect(Date.now() - started).toBeLessThan(250); // a did not wait for b
    expect(b.current?.idToken).toBe("id-1");
    b.resume();

    // THEN b said hi again and adopted a's newer tokens
    await vi.waitFor(() => expect(b.current?.idToken).toBe("id-2"));
    expect(heard.filter((m) => (m as { t: string }).t == "hi").length).toBeGreaterThan(0);
    spy.close();
  });
});

describe("createApi", () => {
  it("sends no Authorization header", async () => {
    const api = new FakeApi();
    const client = createApi({ baseUrl: BASE, fetch: api.fetch });
    const { response } = await client.GET("/me");
    expect(response.status).toBe(401);
    expect(api.calls("/me")[0]?.auth).toBeNull();
  });
});
