// Sign-in: with the password (the API runs SRP, so the password never reaches Cognito), or
// choice-based (USER_AUTH) with a code emailed as the first factor, a passkey (the `WEB_AUTHN`
// challenge, for the username typed: Cognito has no sign-in where the passkey names the
// account), or the list of factors the pool offers this person (SELECT_CHALLENGE).

import type { components } from "@cognito-api/client";
import { afterSignIn, app } from "../app";
import { h, link } from "../dom";
import { call } from "../errors";
import { emailField, Form } from "../form";
import { answerWithPasskey } from "../passkey";
import type { Page } from "../router";

type SignInRequest = components["schemas"]["SignInRequest"];

export function signInPage(params: URLSearchParams): Page {
  const { api } = app();
  // A sign-in of its own: a step-up left unfinished does not send it elsewhere afterwards.
  app().returnTo = null;
  const form = new Form({
    label: "Sign in",
    fields: [
      emailField(params.get("username") ?? ""),
      {
        name: "password",
        label: "Password",
        type: "password",
        autocomplete: "current-password",
        required: "Enter your password, or choose to get a code by email.",
      },
    ],
    buttons: [
      { label: "Sign in", action: "password" },
      { label: "Sign in with a passkey", action: "passkey", needs: ["username"], secondary: true },
      { label: "Email me a sign-in code", action: "email-code", needs: ["username"], secondary: true },
      { label: "Other ways to sign in", action: "choose", needs: ["username"], secondary: true },
    ],
    afterError: (problem) => {
      const username = encodeURIComponent(form.control("username")?.value.trim() ?? "");
      if (problem.code === "UserNotConfirmed") return link(`/confirm?username=${username}`, "Confirm your account");
      if (problem.code === "PasswordResetRequired") return link(`/forgot?username=${username}`, "Reset your password");
      return null;
    },
    onSubmit: async (values, action) => {
      const username = values.text("username");
      const body: SignInRequest =
        action === "password"
          ? // SRP: the API proves the password, which never reaches Cognito.
            { username, password: values.raw("password"), flow: "USER_SRP_AUTH" }
          : action === "email-code"
            ? { username, flow: "USER_AUTH", preferredChallenge: "EMAIL_OTP" }
            : action === "passkey"
              ? { username, flow: "USER_AUTH", preferredChallenge: "WEB_AUTHN" }
              : // Choice-based with no preference: the API answers SELECT_CHALLENGE.
                { username, flow: "USER_AUTH" };
      const { data } = await call(api.POST("/auth/sign-in", { body }));
      // The passkey's ceremony runs here, so what the browser or the API refuses is said on
      // this page, and trying again asks the API for a fresh challenge.
      if (action === "passkey" && "challenge" in data && data.challenge.name === "WEB_AUTHN") {
        return answerWithPasskey(data);
      }
      afterSignIn(data);
    },
  });
  const el = h(
    "section",
    { class: "card" },
    h("h1", {}, "Sign in"),
    form.el,
    h(
      "ul",
      { class: "links" },
      h("li", {}, link("/forgot", "Forgot your password?")),
      h("li", {}, link("/sign-up", "Create an account")),
      h("li", {}, link("/confirm", "Confirm an account with a code")),
    ),
  );
  return { title: "Sign in", el, focus: form.control(params.get("username") ? "password" : "username") };
}
