// The signed-in person: who they are (`/me`), the session (refresh, sign out), password change,
// two-step verification (TOTP enrolment with a QR code, the MFA preference) and temporary AWS
// credentials from the identity pool.

import type { components } from "@cognito-api/client";
import { app } from "../app";
import { emailOf } from "../claims";
import { h, statusLine } from "../dom";
import { ApiProblem, call } from "../errors";
import { actionButton, codeField, Form, outcomeRegions, problemAlert } from "../form";
import { groupedSecret, qrSvg } from "../qr";
import type { Page } from "../router";
import { PASSWORD_HINT } from "./sign-up";

type Me = components["schemas"]["Me"];
type MfaPreference = components["schemas"]["MfaPreference"];
type Factor = NonNullable<MfaPreference["preferred"]>;

const FACTORS: { factor: Factor; key: "totp" | "email"; label: string }[] = [
  { factor: "SOFTWARE_TOKEN_MFA", key: "totp", label: "Authenticator app" },
  { factor: "EMAIL_OTP", key: "email", label: "Code by email" },
];

/** The access token for a request body: refreshed first when it is about to expire (never
 * `session.current`'s, which may have expired while the page sat open). */
async function accessToken(): Promise<string> {
  const tokens = await app().session.tokens();
  if (!tokens) throw new ApiProblem("api", "You are signed out. Sign in again.");
  return tokens.accessToken;
}

function time(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString();
}

/** A short digest of the ID token: the same in every tab that shares the session, and it
 * changes on each refresh. It shows the token's identity without showing the token. */
async function tokenFingerprint(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest).slice(0, 6), (b) => b.toString(16).padStart(2, "0")).join("");
}

function row(term: string, value: string): HTMLElement[] {
  return [h("dt", {}, term), h("dd", {}, value)];
}

function meSection(): HTMLElement {
  const { session } = app();
  const details = h("dl", { class: "details" });
  const out = outcomeRegions();
  const load = async (): Promise<string> => {
    const { data } = await call(session.api.GET("/me"));
    const me = data as Me;
    details.replaceChildren(
      ...row("Email", me.email),
      ...row("Email verified", me.emailVerified ? "Yes" : "No"),
      ...row("Username", me.username),
      ...row("User ID", me.sub),
      ...row("Groups", me.groups.length ? me.groups.join(", ") : "None"),
    );
    return `Details loaded at ${new Date().toLocaleTimeString()}.`;
  };
  const reload = actionButton("Reload my details", load, out);
  // The first load, reported in the same places.
  reload.click();
  return h(
    "section",
    { "aria-labelledby": "me-heading" },
    h("h2", { id: "me-heading" }, "Your details"),
    details,
    h("div", { class: "buttons" }, reload),
    out.ok,
    out.problem,
  );
}

function sessionSection(): { el: HTMLElement; leave: () => void } {
  const { session } = app();
  const expiry = h("p", { class: "expiry" });
  const fingerprint = h("p", { class: "fingerprint" });
  const show = () => {
    const current = session.current;
    expiry.textContent = current
      ? `Signed in as ${emailOf(current.idToken, current.username)}. The session's tokens last until ${time(current.expiresAt)}.`
      : "";
    if (current) {
      void tokenFingerprint(current.idToken).then((print) => {
        // Only if the tokens did not change again meanwhile.
        if (session.current?.idToken === current.idToken) fingerprint.textContent = `Token fingerprint: ${print}`;
      });
    }
  };
  show();
  const unsubscribe = session.subscribe(() => show());
  const out = outcomeRegions();
  const refresh = actionButton(
    "Refresh session now",
    async () => {
      if (!(await session.refresh())) {
        // Refused: the session's listener signs out and says why. Otherwise (network, 429,
        // 5xx) the tokens are kept and a later call tries again.
        throw new ApiProblem(
          "api",
          session.current
            ? "The session could not be refreshed right now. Try again in a moment."
            : "The session could not be refreshed. Sign in again.",
        );
      }
      return `Session refreshed at ${new Date().toLocaleTimeString()}.`;
    },
    out,
  );
  const signOut = h("button", { type: "button", class: "secondary" }, "Sign out");
  signOut.addEventListener("click", async () => {
    signOut.disabled = true;
    await session.signOut();
    // The session's listener (main.ts) shows the sign-in page.
  });
  const el = h(
    "section",
    { "aria-labelledby": "session-heading" },
    h("h2", { id: "session-heading" }, "Session"),
    expiry,
    fingerprint,
    h(
      "p",
      { class: "hint" },
      "Tokens are refreshed before they expire. Refresh tokens rotate: each refresh answers a new one, and every open tab keeps the newest.",
    ),
    h("div", { class: "buttons" }, refresh, signOut),
    out.ok,
    out.problem,
  );
  return { el, leave: unsubscribe };
}

function changePasswordSection(): HTMLElement {
  const { session } = app();
  const status = statusLine();
  const form: Form = new Form({
    label: "Change your password",
    fields: [
      {
        name: "previousPassword",
        label: "Current password",
        type: "password",
        autocomplete: "current-password",
        required: "Enter your current password.",
      },
      {
        name: "proposedPassword",
        label: "New password",
        type: "password",
        autocomplete: "new-password",
        hint: PASSWORD_HINT,
        required: "Choose a new password.",
      },
    ],
    buttons: [{ label: "Change password", action: "change" }],
    onSubmit: async (values) => {
      status.textContent = "";
      await call(
        session.api.POST("/password/change", {
          body: {
            accessToken: await accessToken(),
            previousPassword: values.raw("previousPassword"),
            proposedPassword: values.raw("proposedPassword"),
          },
        }),
      );
      form.el.reset();
      status.textContent = "Your password is changed.";
    },
  });
  return h(
    "section",
    { "aria-labelledby": "password-heading" },
    h("h2", { id: "password-heading" }, "Change your password"),
    form.el,
    status,
  );
}

function describePreference(pref: MfaPreference): string {
  if (pref.enabled.length === 0) return "Two-step verification is off: you sign in with your password only.";
  const names = pref.enabled.map((f) => FACTORS.find((x) => x.factor === f)?.label ?? f);
  const preferred = pref.preferred ? FACTORS.find((x) => x.factor === pref.preferred)?.label ?? pref.preferred : "none";
  return `Two-step verification is on (${names.join(", ")}). Sign-in asks for: ${preferred}.`;
}

function mfaSection(): HTMLElement {
  const { session } = app();
  const summary = h("p", { class: "mfa-summary" }, "Loading your two-step verification settings …");
  const preferenceHolder = h("div");
  const enrolHolder = h("div");
  const status = statusLine();

  const renderPreference = (pref: MfaPreference) => {
    summary.textContent = describePreference(pref);
    const form = new Form({
      label: "Two-step verification settings",
      fields: [
        ...FACTORS.map((f) => ({
          name: f.key,
          label: f.key === "totp" ? `${f.label} (set it up below first)` : f.label,
          type: "checkbox" as const,
          checked: pref.enabled.includes(f.factor),
        })),
        {
          name: "preferred",
          label: "Ask for at sign-in",
          type: "select" as const,
          value: pref.preferred ?? "",
          options: [
            { value: "", label: pref.preferred ? "Keep the current choice" : "No preference" },
            ...FACTORS.map((f) => ({ value: f.factor, label: f.label })),
          ],
        },
      ],
      buttons: [{ label: "Save two-step settings", action: "save" }],
      onSubmit: async (values) => {
        status.textContent = "";
        const body: components["schemas"]["SetMfaPreferenceRequest"] = { accessToken: await accessToken() };
        // Only what changed: the API keeps what a request leaves alone.
        for (const f of FACTORS) {
          const on = values.checked(f.key);
          if (on !== pref.enabled.includes(f.factor)) body[f.key] = on;
        }
        const preferred = values.text("preferred");
        if (preferred && preferred !== pref.preferred) body.preferred = preferred as Factor;
        const { data } = await call(session.api.PUT("/mfa/preference", { body }));
        renderPreference(data as MfaPreference);
        status.textContent = "Two-step verification settings saved.";
      },
    });
    preferenceHolder.replaceChildren(form.el);
  };

  const load = async () => {
    try {
      const { data } = await call(session.api.POST("/mfa/preference", { body: { accessToken: await accessToken() } }));
      renderPreference(data as MfaPreference);
    } catch (err) {
      summary.textContent = "";
      preferenceHolder.replaceChildren(problemAlert(err));
    }
  };
  void load();

  const startOut = outcomeRegions();
  const start = actionButton(
    "Set up an authenticator app",
    async () => {
      const { data } = await call(session.api.POST("/mfa/totp/setup", { body: { accessToken: await accessToken() } }));
      const verify = new Form({
        label: "Verify the authenticator app",
        fields: [
          codeField("code", "Code from the app", "The 6 digits the app shows now.", "Enter the code the app shows."),
          { name: "deviceName", label: "Name of this authenticator (optional)" },
        ],
        buttons: [{ label: "Verify and turn on", action: "verify" }],
        onSubmit: async (values) => {
          const deviceName = values.text("deviceName");
          await call(
            session.api.POST("/mfa/totp/verify", {
              body: {
                accessToken: await accessToken(),
                code: values.text("code").replace(/\s+/g, ""),
                ...(deviceName ? { deviceName } : {}),
              },
            }),
          );
          enrolHolder.replaceChildren();
          status.textContent = "Authenticator app turned on. Sign-in now asks for its code.";
          await load();
          start.focus();
        },
      });
      enrolHolder.replaceChildren(
        h(
          "div",
          { class: "enrol" },
          h("p", {}, "Scan this QR code with your authenticator app, or type in the key below it."),
          h("figure", { class: "qr" }, qrSvg(data.otpauthUri, "QR code for your authenticator app")),
          h("p", {}, "Key: ", h("code", { class: "secret", "data-secret": data.secretCode }, groupedSecret(data.secretCode))),
          verify.el,
        ),
      );
      verify.focus();
    },
    startOut,
  );
  return h(
    "section",
    { "aria-labelledby": "mfa-heading" },
    h("h2", { id: "mfa-heading" }, "Two-step verification"),
    summary,
    preferenceHolder,
    status,
    h("div", { class: "buttons" }, start),
    startOut.ok,
    startOut.problem,
    enrolHolder,
  );
}

function credentialsSection(): HTMLElement {
  const { session } = app();
  const out = outcomeRegions();
  const details = h("dl", { class: "details" });
  const get = actionButton(
    "Get temporary AWS credentials",
    async () => {
      const { data } = await call(session.api.POST("/credentials"));
      details.replaceChildren(
        ...row("Identity ID", data.identityId),
        ...row("Access key ID", data.accessKeyId),
        ...row("Secret access key", data.secretAccessKey),
        ...row("Session token", data.sessionToken),
        ...row("Expires", new Date(data.expiration).toLocaleString()),
      );
      return "Temporary credentials received. Keep them secret; they expire on their own.";
    },
    out,
  );
  return h(
    "section",
    { "aria-labelledby": "credentials-heading" },
    h("h2", { id: "credentials-heading" }, "Temporary AWS credentials"),
    h("p", { class: "hint" }, "From the identity pool, for your signed-in role."),
    h("div", { class: "buttons" }, get),
    out.ok,
    out.problem,
    details,
  );
}

export function accountPage(): Page {
  const sessionPart = sessionSection();
  const el = h(
    "div",
    { class: "stack" },
    h("h1", {}, "Your account"),
    meSection(),
    sessionPart.el,
    changePasswordSection(),
    mfaSection(),
    credentialsSection(),
  );
  return { title: "Your account", el, leave: sessionPart.leave };
}
