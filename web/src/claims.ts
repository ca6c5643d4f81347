// What the page shows about the signed-in person before asking the API: the ID token's email
// and groups. Read, never trusted: the API checks the token on every call.

interface Claims {
  email?: unknown;
  "cognito:groups"?: unknown;
}

function claims(idToken: string): Claims {
  try {
    const payload = idToken.split(".")[1] ?? "";
    const binary = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as Claims;
  } catch {
    return {};
  }
}

/** The person's email, or `fallback` (the internal username) when the token has none. */
export function emailOf(idToken: string, fallback: string): string {
  const { email } = claims(idToken);
  return typeof email === "string" && email ? email : fallback;
}

/** The groups the token says the person is in (`cognito:groups`). */
export function groupsOf(idToken: string): string[] {
  const groups = claims(idToken)["cognito:groups"];
  return Array.isArray(groups) ? groups.filter((g): g is string => typeof g === "string") : [];
}
