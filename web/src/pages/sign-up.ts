// Sign-up, then confirmation with the emailed code, which signs the person in at once
// (`signIn: true` with the sign-up's `receipt`: the confirmation's Cognito session, no second
// password entry). A confirmation without the receipt (another tab, a reload) confirms only.

import { afterSignIn, app, type SignInResult } from "../app";
import { h, link, statusLine } from "../dom";
import { call } from "../errors";
import { emailedCodeField, emailField, Form } from "../form";
import type { Page } from "../router";

export const PASSWORD_HINT = "At least 8 characters, with upper and lower case letters, a number and a symbol.";

export function signUpPage(): Page {
  const { api } = app();
  const form = new Form({
    label: "Create an account",
    aliases: { "attributes.email": "username" },
    fields: [
      { name: "username", label: "Email", type: "email", autocomplete: "email", required: "Enter your email address." },
      {
        name: "password",
        label: "Password",
        type: "password",
        autocomplete: "new-password",
        hint: PASSWORD_HINT,
        required: "Choose a password.",
      },
      { name: "attributes.name", label: "Your name (optional)", autocomplete: "name" },
    ],
    buttons: [{ label: "Create account", action: "sign-up" }],
    afterError: (problem) =>
      problem.code === "UsernameExists" ? link("/sign-in", "Sign in to that account instead") : null,
    onSubmit: async (values) => {
      const username = values.text("username");
      const attributes: Record<string, string> = { email: username };
      const name = values.text("attributes.name");
      if (name) attributes.name = name;
      const { data } = await call(
        api.POST("/auth/sign-up", { body: { username, password: values.raw("password"), attributes } }),
      );
      const a = app();
      a.signUp = data.receipt ? { username, receipt: data.receipt } : null;
      if (data.userConfirmed) {
        a.notice("Your account is ready. Sign in.");
        a.go(`/sign-in?username=${encodeURIComponent(username)}`);
        return;
      }
      const to = data.codeDelivery?.destination;
      a.notice(to ? `We emailed a confirmation code to ${to}.` : "We emailed you a confirmation code.");
      a.go(`/confirm?username=${encodeURIComponent(username)}`);
    },
  });
  const el = h(
    "section",
    { class: "card" },
    h("h1", {}, "Create an account"),
    form.el,
    h("p", { class: "links" }, "Have an account? ", link("/sign-in", "Sign in")),
  );
  return { title: "Create an account", el, focus: form.control("username") };
}

export function confirmPage(params: URLSearchParams): Page {
  // A sign-in of its own: a step-up left unfinished does not send it elsewhere afterwards.
  app().returnTo = null;
  const { api } = app();
  const status = statusLine();
  const username = params.get("username") ?? "";
  const form = new Form({
    label: "Confirm your account",
    fields: [
      emailField(username),
      emailedCodeField("Confirmation code"),
    ],
    buttons: [
      { label: "Confirm and sign in", action: "confirm" },
      { label: "Send a new code", action: "resend", needs: ["username"], secondary: true },
    ],
    onSubmit: async (values, action) => {
      status.textContent = "";
      const who = values.text("username");
      if (action === "resend") {
        await call(api.POST("/auth/resend-code", { body: { username: who } }));
        // The API answers the same whether or not the account waits for a code.
        status.textContent = `If ${who} has an account waiting for confirmation, we emailed a new code.`;
        form.control("code")?.focus();
        return;
      }
      const code = values.text("code").replace(/\s+/g, "");
      // The receipt proves this page made the sign-up: only then does the confirmation sign in.
      const made = app().signUp;
      const receipt = made && made.username.toLowerCase() === who.toLowerCase() ? made.receipt : undefined;
      const { data, response } = await call(
        api.POST("/auth/confirm-sign-up", { body: { username: who, code, signIn: true, ...(receipt ? { receipt } : {}) } }),
      );
      app().signUp = null;
      if (response.status === 200 && data) {
        app().notice("Your account is confirmed.");
        afterSignIn(data as SignInResult);
      } else {
        // 204: confirmed, but not signed in (no receipt from this page, or the app client offers
        // no sign-in from the confirmation).
        app().notice("Your account is confirmed. Sign in.");
        app().go(`/sign-in?username=${encodeURIComponent(who)}`);
      }
    },
  });
  const el = h(
    "section",
    { class: "card" },
    h("h1", {}, "Confirm your account"),
    form.el,
    status,
    h("p", { class: "links" }, link("/sign-in", "Back to sign-in")),
  );
  return { title: "Confirm your account", el, focus: form.control(username ? "code" : "username") };
}
