/**
 * `@cognito-api/client`: a typed client for the Cognito sign-in API and a session helper.
 *
 * - {@link createApi}: openapi-fetch over the types generated from `openapi.yaml`, no credentials.
 * - {@link Session}: the same client with the token each route takes (ID or access), refreshed once
 *   across tabs.
 *
 * @module
 */
export type { paths, components } from "./schema.js";
export { createApi, type ApiClient, type SignedIn } from "./api.js";
export { Session, type SessionState, type SignOutReason } from "./session.js";
