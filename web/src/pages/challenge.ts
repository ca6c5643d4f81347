// The step a sign-in asks for next, whatever the flow: a new password, a code (authenticator
// app, email, SMS), a passkey, the choice of second factor or of first factor, or enrolling an
// authenticator app during sign-in. Each answer may bring another step, or the tokens.

import type { components } from "@cognito-api/client";
import { afterSignIn, app, type ChallengeIssued } from "../app";
import { h, link } from "../dom";
import { ApiProblem, call } from "../errors";
import { codeField, type FieldSpec, Form, type FormValues } from "../form";
import { answerWithPasskey } from "../passkey";
import { groupedSecret, qrSvg } from "../qr";
import type { Page } from "../router";
import { PASSWORD_HINT } from "./sign-up";

type Answers = Record<string, string>;
type ChallengeRequest = components["schemas"]["ChallengeRequest"];

const FACTOR_NAMES: Record<string, string> = {
  SOFTWARE_TOKEN_MFA: "Authenticator app",
  EMAIL_OTP: "A code by email",
  SMS_MFA: "A code by text message",
  SMS_OTP: "A code by text message",
  PASSWORD: "Password",
  PASSWORD_SRP: "Password",
  WEB_AUTHN: "A passkey",
};

function jsonList(value: string | undefined): string[] {
  if (!value) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}

async function answer(pending: ChallengeIssued, responses: Answers): Promise<void> {
  // The contract types each challenge's answers; this page builds them from its form, one
  // shape for all, and the API names the field at fault if one is wrong.
  const body = {
    username: pending.username,
    name: pending.challenge.name,
    session: pending.challenge.session,
    responses,
  } as ChallengeRequest;
  const { data } = await call(app().api.POST("/auth/challenge", { body }));
  afterSignIn(data);
}

/** A dead Cognito session cannot be answered again: say so, and offer to start over. */
function startOver(problem: ApiProblem): Node | null {
  if (problem.field === "session") return link("/sign-in", "Sign in again");
  return null;
}

function codeStep(pending: ChallengeIssued, key: string, label: string, hint: string): Form {
  return new Form({
    label: "Enter the code",
    fields: [codeField(`responses.${key}`, label, hint)],
    buttons: [{ label: "Continue", action: "answer" }],
    afterError: startOver,
    onSubmit: (values) => answer(pending, { [key]: values.text(`responses.${key}`).replace(/\s+/g, "") }),
  });
}

function delivered(pending: ChallengeIssued, fallback: string): string {
  const to = pending.challenge.parameters.CODE_DELIVERY_DESTINATION;
  return to ? `We sent a code to ${to}.` : fallback;
}

function newPasswordStep(pending: ChallengeIssued): Form {
  // Attributes the pool requires and the account lacks, as `userAttributes.<name>`.
  const required = jsonList(pending.challenge.parameters.requiredAttributes).map((a) =>
    a.startsWith("userAttributes.") ? a : `userAttributes.${a}`,
  );
  const attributeFields: FieldSpec[] = required.map((attribute) => ({
    name: `responses.${attribute}`,
    label: attribute.replace("userAttributes.", "").replace(/_/g, " "),
    required: "This is required.",
  }));
  const form: Form = new Form({
    label: "Choose a new password",
    fields: [
      {
        name: "responses.NEW_PASSWORD",
        label: "New password",
        type: "password",
        autocomplete: "new-password",
        hint: PASSWORD_HINT,
        required: "Enter a new password.",
      },
      {
        name: "repeat",
        label: "Repeat the new password",
        type: "password",
        autocomplete: "new-password",
        required: "Enter the new password again.",
      },
      ...attributeFields,
    ],
    buttons: [{ label: "Set password and sign in", action: "answer" }],
    afterError: startOver,
    onSubmit: async (values: FormValues) => {
      const password = values.raw("responses.NEW_PASSWORD");
      if (password !== values.raw("repeat")) {
        form.fieldError("repeat", "The two passwords are not the same.");
        return;
      }
      const responses: Answers = { NEW_PASSWORD: password };
      for (const attribute of required) responses[attribute] = values.text(`responses.${attribute}`);
      await answer(pending, responses);
    },
  });
  return form;
}

function choiceStep(pending: ChallengeIssued, key: "ANSWER", options: string[], legend: string): Form {
  return new Form({
    label: "Second factor",
    fields: [
      {
        name: `responses.${key}`,
        label: legend,
        type: "select",
        options: options.map((o) => ({ value: o, label: FACTOR_NAMES[o] ?? o })),
      },
    ],
    buttons: [{ label: "Continue", action: "answer" }],
    afterError: startOver,
    onSubmit: (values) => answer(pending, { [key]: values.text(`responses.${key}`) }),
  });
}

/** SELECT_CHALLENGE: the first factors this person may use. A password goes with its answer. */
function firstFactorStep(pending: ChallengeIssued): Form {
  const offered = pending.challenge.availableChallenges ?? [];
  // SRP when offered: the API proves the password, which then never reaches Cognito.
  const password = offered.includes("PASSWORD_SRP") ? "PASSWORD_SRP" : offered.includes("PASSWORD") ? "PASSWORD" : null;
  const buttons = [];
  if (offered.includes("EMAIL_OTP")) buttons.push({ label: "Email me a code", action: "EMAIL_OTP", needs: [] });
  // The passkey's ceremony follows on the WEB_AUTHN challenge this answer brings.
  if (offered.includes("WEB_AUTHN")) {
    buttons.push({ label: "Sign in with a passkey", action: "WEB_AUTHN", needs: [], secondary: buttons.length > 0 });
  }
  if (offered.includes("SMS_OTP")) buttons.push({ label: "Text me a code", action: "SMS_OTP", needs: [], secondary: true });
  if (password) buttons.push({ label: "Sign in with my password", action: password, secondary: buttons.length > 0 });
  return new Form({
    label: "Ways to sign in",
    fields: password
      ? [
          {
            name: "responses.PASSWORD",
            label: "Password (only to sign in with your password)",
            type: "password",
            autocomplete: "current-password",
            required: "Enter your password.",
          },
        ]
      : [],
    buttons,
    afterError: startOver,
    onSubmit: (values, action) =>
      answer(pending, action === password ? { ANSWER: action, PASSWORD: values.raw("responses.PASSWORD") } : { ANSWER: action }),
  });
}

/** WEB_AUTHN: the browser asks the person for one of their passkeys, with the API's request
 * options. It starts at once (the person just chose it); the button tries again after a
 * cancelled or refused ceremony, with the same challenge while its session lasts. */
function passkeyStep(pending: ChallengeIssued): Form {
  const form = new Form({
    label: "Sign in with a passkey",
    fields: [],
    buttons: [{ label: "Use my passkey", action: "answer" }],
    afterError: startOver,
    onSubmit: () => answerWithPasskey(pending),
  });
  setTimeout(() => {
    if (form.el.isConnected) form.el.requestSubmit();
  }, 0);
  return form;
}

/** MFA_SETUP: the pool requires a second factor this person has not set up. The API first
 * answers the same challenge with a secret (asked for with no answers), then takes the code. */
function mfaSetupStep(pending: ChallengeIssued, container: HTMLElement): Form {
  const { secretCode, otpauthUri } = pending.challenge.parameters;
  const form = new Form({
    label: "Set up an authenticator app",
    fields: secretCode
      ? [
          codeField("responses.SOFTWARE_TOKEN_MFA_CODE", "Code from the app", "The 6 digits the app shows now."),
          { name: "responses.DEVICE_NAME", label: "Name of this authenticator (optional)" },
        ]
      : [],
    buttons: [{ label: secretCode ? "Verify and sign in" : "Show the code to scan", action: "answer" }],
    afterError: startOver,
    onSubmit: async (values) => {
      if (!secretCode) return answer(pending, {});
      const responses: Answers = { SOFTWARE_TOKEN_MFA_CODE: values.text("responses.SOFTWARE_TOKEN_MFA_CODE") };
      const device = values.text("responses.DEVICE_NAME");
      if (device) responses.DEVICE_NAME = device;
      await answer(pending, responses);
    },
  });
  if (secretCode && otpauthUri) {
    container.append(
      h("p", {}, "Scan this code with your authenticator app, or type in the key below it."),
      h("figure", { class: "qr" }, qrSvg(otpauthUri, "QR code for your authenticator app")),
      h("p", {}, "Key: ", h("code", { class: "secret" }, groupedSecret(secretCode))),
    );
  }
  return form;
}

export function challengePage(): Page {
  const { pending } = app();
  if (!pending) {
    const el = h(
      "section",
      { class: "card" },
      h("h1", {}, "Nothing to answer"),
      h("p", {}, "There is no sign-in in progress. "),
      link("/sign-in", "Sign in"),
    );
    return { title: "Sign in", el };
  }
  const { name } = pending.challenge;
  const params = pending.challenge.parameters;
  const intro = h("div");
  let title: string;
  let form: Form;
  switch (name) {
    case "NEW_PASSWORD_REQUIRED":
      title = "Choose a new password";
      intro.append(h("p", {}, "Your password was set for you. Choose your own to finish signing in."));
      form = newPasswordStep(pending);
      break;
    case "SOFTWARE_TOKEN_MFA":
      title = "Enter your authenticator code";
      form = codeStep(pending, "SOFTWARE_TOKEN_MFA_CODE", "Code from your authenticator app", "6 digits.");
      break;
    case "EMAIL_OTP":
      title = "Check your email";
      intro.append(h("p", {}, delivered(pending, "We emailed you a code.")));
      form = codeStep(pending, "EMAIL_OTP_CODE", "Code from the email", "The code in the email we just sent.");
      break;
    case "SMS_MFA":
    case "SMS_OTP":
      title = "Check your phone";
      intro.append(h("p", {}, delivered(pending, "We texted you a code.")));
      form = codeStep(pending, `${name}_CODE`, "Code from the text message", "The code we just sent.");
      break;
    case "SELECT_MFA_TYPE":
      title = "Choose how to confirm it is you";
      form = choiceStep(pending, "ANSWER", jsonList(params.MFAS_CAN_CHOOSE), "Confirm it is me with");
      break;
    case "WEB_AUTHN":
      title = "Use your passkey";
      intro.append(h("p", {}, "Your browser asks for one of your passkeys: confirm it is you on this device."));
      form = passkeyStep(pending);
      break;
    case "SELECT_CHALLENGE":
      title = "Choose how to sign in";
      form = firstFactorStep(pending);
      break;
    case "MFA_SETUP":
      title = "Set up an authenticator app";
      intro.append(h("p", {}, "This account needs a second step at sign-in. Set up an authenticator app to continue."));
      form = mfaSetupStep(pending, intro);
      break;
    default: {
      const el = h(
        "section",
        { class: "card" },
        h("h1", {}, "This sign-in needs another step"),
        h("p", { role: "alert" }, `This app does not handle the step “${name}”. `),
        link("/sign-in", "Back to sign-in"),
      );
      return { title: "Sign in", el };
    }
  }
  const el = h(
    "section",
    { class: "card" },
    h("h1", {}, title),
    intro,
    form.el,
    h("p", { class: "links" }, link("/sign-in", "Start again")),
  );
  const first = form.el.querySelector<HTMLElement>("input, select") ?? form.el.querySelector<HTMLElement>("button");
  return { title, el, focus: first };
}
