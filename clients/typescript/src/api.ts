/**
 * The typed client: openapi-fetch over the types openapi-typescript generates from
 * `openapi.yaml` (`src/schema.d.ts`). No state, no auth header; the {@link Session} adds those.
 *
 * @module
 */
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./schema.js";

/** A client whose paths, bodies and answers are the contract's (`openapi.yaml`). */
export type ApiClient = Client<paths>;

/** A finished sign-in: the tokens and the internal username (`/auth/sign-in`, `/auth/challenge`). */
export type SignedIn = components["schemas"]["SignedIn"];

/**
 * A client without credentials, for the public routes (`/auth/*`, `/password/forgot`, ...).
 *
 * `baseUrl` is the stack's URL (`http://127.0.0.1:3000` for `make dev`, the `ApiUrl` output once
 * deployed). `fetch` defaults to the global one, looked up at call time.
 */
export function createApi(options: { baseUrl: string; fetch?: typeof fetch }): ApiClient {
  return client(options.baseUrl, sender(options.fetch));
}

/** A client sending each request through `send` (the session puts its credentials there). */
export function client(baseUrl: string, send: (r: Request) => Promise<Response>): ApiClient {
  return createClient<paths>({ baseUrl, fetch: send });
}

/**
 * The given fetch, or the global one looked up at call time; called bare, never as a method:
 * a browser's fetch throws "Illegal invocation" when `this` is not the window.
 */
export function sender(f?: typeof fetch): (r: Request) => Promise<Response> {
  return (r) => (f ?? fetch)(r);
}
