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

  // Each call carries the token its route takes: the access token here.
  const { data: totp } = await session.api.POST("/mfa/totp/setup");
  totp?.otpauthUri satisfies string | undefined;

  // The person's own account: a new email waits for the code sent to it; the old one stays till then.
  const { data: account } = await session.api.GET("/account");
  account?.attributes.email satisfies string | undefined;
  await session.api.PATCH("/account", { body: { attributes: { email: "new@example.com" } } });
  const email = { params: { path: { attribute: "email" as const } } };
  await session.api.POST("/account/attributes/{attribute}/verify", { ...email, body: { code: "123456" } });

  // A password change signs the person out everywhere: the session ends ("password-changed").
  await session.api.POST("/password/change", { body: { previousPassword: password, proposedPassword: "New-passw0rd" } });

  addEventListener("pagehide", () => session.pause());
  addEventListener("pageshow", (e) => e.persisted && session.resume());

  await session.signOut();

  // Public routes need no session; request fields with a default (`flow`) are optional.
  const api = createApi({ baseUrl: "http://127.0.0.1:3000" });
  await api.POST("/auth/sign-in", { body: { username, password } });
  // @ts-expect-error the contract has no such route
  await api.GET("/nope");
}
