// Step-up (RFC 9470): a route refused the sign-in as too weak or too old (401
// `InsufficientUserAuthentication`, naming the levels it needs, `acrValues`, and how recent,
// `maxAge`). "Confirm it's you" steps the session up through choice-based sign-in with its access
// token: Cognito asks only for what the sign-in lacks (the authenticator app's code after a
// password alone; the password and the code when the sign-in is too old), the challenge page
// takes the answers, and the tokens that follow carry the new level. Then the person is back on
// the page that asked, where they go on.

import { afterSignIn, app } from "./app";
import { h } from "./dom";
import { type ApiProblem, asProblem, call } from "./errors";
import { location } from "./router";

/** The way on for a step-up refusal: a "Confirm it's you" button, with its own problem line;
 * `null` for any other problem, and for a refusal that names no level (only a new sign-in helps
 * there: Cognito steps up only toward a level). */
export function stepUpOffer(problem: ApiProblem): HTMLElement | null {
  const acrValues = problem.stepUp?.acrValues;
  if (!acrValues) return null;
  const said = h("p", { class: "hint" });
  const button = h("button", { type: "button", class: "primary" }, "Confirm it's you");
  button.addEventListener("click", async () => {
    button.disabled = true;
    said.textContent = "";
    try {
      await stepUp(acrValues, problem.stepUp?.maxAge);
    } catch (err) {
      said.textContent = `${asProblem(err).words} Confirming needs a second factor (an authenticator app) or a passkey: add one on your account page.`;
      button.disabled = false;
    }
  });
  return h("div", { class: "step-up" }, h("div", { class: "buttons" }, button), said);
}

/** Starts the step-up toward `acrValues` (with `maxAge` when the route asks for a recent
 * sign-in) from the session's access token, and comes back here once it has the tokens. */
async function stepUp(acrValues: string, maxAge: number | undefined): Promise<void> {
  const a = app();
  const state = await a.session.tokens();
  if (!state) {
    a.go("/sign-in");
    return;
  }
  const { data } = await call(
    a.api.POST("/auth/sign-in", {
      body: {
        username: state.username,
        flow: "USER_AUTH",
        accessToken: state.accessToken,
        acrValues,
        ...(maxAge !== undefined ? { maxAge } : {}),
      },
    }),
  );
  const here = location();
  const query = here.params.toString();
  a.returnTo = query ? `${here.path}?${query}` : here.path;
  afterSignIn(data);
}
