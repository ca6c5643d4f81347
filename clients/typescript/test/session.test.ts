import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Session, createApi, type SessionState, type SignOutReason } from "../src/index.js";
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

  it("signOut sends the access and refresh tokens with the ID token, then forgets them", async () => {
    const { api, s } = signedInTab();
    const events = record(s);

    await s.signOut();

    expect(api.calls("/auth/sign-out")).toEqual([
      { path: "/auth/sign-out", method: "POST", auth: "Bearer id-1", body: { accessToken: "ac-1", refreshToken: "rt-1" } },
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

  it("tokens() refreshes tokens about to expire, so a body built from it carries a live access token", async () => {
    // GIVEN tokens within the refresh margin (as after a laptop slept through their hour)
    const { api, s } = signedInTab({ expiresIn: 30 });
    api.validIds.delete("id-1"); // expired on the server's clock

    // WHEN the app builds a body with the access token, then sends it
    const accessToken = (await s.tokens())?.accessToken ?? "";
    const { response } = await s.api.POST("/password/change", {
      body: { accessToken, previousPassword: "a", proposedPassword: "b" },
    });

    // THEN the refresh came first, and the body and the header carry its tokens
    expect(accessToken).toBe("ac-2");
    expect(response.status).toBe(200);
    expect(api.calls("/password/change")).toEqual([
      expect.objectContaining({ auth: "Bearer id-2", body: expect.objectContaining({ accessToken: "ac-2" }) }),
    ]);
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

  it("the retry after the authorizer's 401 carries the new access token in the body", async () => {
    // GIVEN a body built with tokens the server already refuses (both expire together)
    const { api, s } = signedInTab();
    api.validIds.delete("id-1");

    // WHEN the call meets the authorizer's 401
    const { response } = await s.api.POST("/password/change", {
      body: { accessToken: "ac-1", previousPassword: "a", proposedPassword: "b" },
    });

    // THEN it is retried once, after one refresh, with the new ID and access tokens; the rest
    // of the body as it was
    expect(response.status).toBe(200);
    expect(api.calls("/auth/refresh")).toHaveLength(1);
    expect(api.calls("/password/change").map((c) => [c.auth, c.body])).toEqual([
      ["Bearer id-1", { accessToken: "ac-1", previousPassword: "a", proposedPassword: "b" }],
      ["Bearer id-2", { accessToken: "ac-2", previousPassword: "a", proposedPassword: "b" }],
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
    expect(api.calls("/auth/sign-out")[0]).toMatchObject({ auth: "Bearer id-1", body: { accessToken: "ac-1", refreshToken: "rt-1" } });
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    // AND when its deadline passes, signOut resolves
    timeouts.forEach((t) => t.abort(new DOMException("timed out", "TimeoutError")));
    await out;
  });

  it("signOut with an expired ID token refreshes it for the sign-out call only", async () => {
    const { api, s } = signedInTab({ expiresIn: 30 });
    const events = record(s);

    await s.signOut();

    expect(api.calls("/auth/refresh")).toHaveLength(1);
    expect(api.calls("/auth/sign-out")[0]).toMatchObject({ auth: "Bearer id-2", body: { accessToken: "ac-2", refreshToken: "rt-2" } });
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
