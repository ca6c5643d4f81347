// The README's example, kept compiling by `npx tsc --noEmit` (not run).
import { Session, createApi, type SessionState, type SignOutReason } from "../src/index.js";

declare function render(state: SessionState | null, reason?: SignOutReason): void;

export async function example(username: string, password: string) {
  const session = new Session({ baseUrl: "http://127.0.0.1:3000" });
  await session.join();

  if (!session.current) {
    const { data } = await session.api.POST("/auth/sign-in", {
      body: { username, password, flow: "USER_PASSWORD_AUTH" },
    });
    if (data && "tokens" in data) session.start(data);
    else if (data) data.challenge.name satisfies string;
  }

  const { data: me } = await session.api.GET("/me");
  me?.groups satisfies string[] | undefined;
  session.subscribe((state, reason) => render(state, reason));

  const tokens = await session.tokens();
  if (tokens) await session.api.POST("/mfa/totp/setup", { body: { accessToken: tokens.accessToken } });

  addEventListener("pagehide", () => session.pause());
  addEventListener("pageshow", (e) => e.persisted && session.resume());

  await session.signOut();

  // Public routes need no session; request fields with a default (`flow`) are optional.
  const api = createApi({ baseUrl: "http://127.0.0.1:3000" });
  await api.POST("/auth/sign-in", { body: { username, password } });
  // @ts-expect-error the contract has no such route
  await api.GET("/nope");
}
