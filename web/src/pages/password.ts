// Forgotten password: a code by email, then a new password with it.

import { app } from "../app";
import { h, link } from "../dom";
import { call } from "../errors";
import { emailedCodeField, emailField, Form } from "../form";
import type { Page } from "../router";
import { PASSWORD_HINT } from "./sign-up";

export function forgotPage(params: URLSearchParams): Page {
  const { api } = app();
  const form = new Form({
    label: "Reset your password",
    fields: [emailField(params.get("username") ?? "")],
    buttons: [{ label: "Email me a reset code", action: "forgot" }],
    onSubmit: async (values) => {
      const username = values.text("username");
      await call(api.POST("/password/forgot", { body: { username } }));
      // The same answer whether or not the account exists.
      app().notice(`If ${username} has an account, we emailed a code to reset the password.`);
      app().go(`/reset?username=${encodeURIComponent(username)}`);
    },
  });
  const el = h(
    "section",
    { class: "card" },
    h("h1", {}, "Reset your password"),
    h("p", {}, "We will email you a code to choose a new password."),
    form.el,
    h("p", { class: "links" }, link("/reset", "I have a code"), " · ", link("/sign-in", "Back to sign-in")),
  );
  return { title: "Reset your password", el, focus: form.control("username") };
}

export function resetPage(params: URLSearchParams): Page {
  const { api } = app();
  const username = params.get("username") ?? "";
  const form: Form = new Form({
    label: "Choose a new password",
    fields: [
      emailField(username),
      emailedCodeField("Reset code"),
      {
        name: "newPassword",
        label: "New password",
        type: "password",
        autocomplete: "new-password",
        hint: PASSWORD_HINT,
        required: "Choose a new password.",
      },
    ],
    buttons: [{ label: "Set new password", action: "reset" }],
    afterError: (problem) =>
      problem.code === "InvalidCode"
        ? h("span", {}, link(`/forgot?username=${encodeURIComponent(form.control("username")?.value ?? "")}`, "Send a new code"))
        : null,
    onSubmit: async (values) => {
      const who = values.text("username");
      await call(
        api.POST("/password/reset", {
          body: { username: who, code: values.text("code").replace(/\s+/g, ""), newPassword: values.raw("newPassword") },
        }),
      );
      app().notice("Your password is changed. Sign in with the new one.");
      app().go(`/sign-in?username=${encodeURIComponent(who)}`);
    },
  });
  const el = h(
    "section",
    { class: "card" },
    h("h1", {}, "Choose a new password"),
    form.el,
    h("p", { class: "links" }, link("/sign-in", "Back to sign-in")),
  );
  return { title: "Choose a new password", el, focus: form.control(username ? "code" : "username") };
}
