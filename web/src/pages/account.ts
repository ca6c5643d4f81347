// The signed-in person: who they are (`/me`), their account's attributes (`/account`: the names,
// a new email address proven with a code), the session (refresh, sign out), password change,
// two-step verification (TOTP enrolment with a QR code, the MFA preference), temporary AWS
// credentials from the identity pool, and deleting the account. `session.api` puts the token each
// route takes on the call: the ID token for `/me` and `/credentials`, the access token for the
// account, MFA and the password change.

import type { components } from "@cognito-api/client";
import { app } from "../app";
import { emailOf } from "../claims";
import { h, statusLine } from "../dom";
import { ApiProblem, asProblem, call } from "../errors";
import { actionButton, codeField, Form, outcomeRegions, problemAlert, showProblemIn } from "../form";
import { groupedSecret, qrSvg } from "../qr";
import type { Page } from "../router";
import { PASSWORD_HINT } from "./sign-up";

type Me = components["schemas"]["Me"];
type Account = components["schemas"]["Account"];
type CodeDelivery = components["schemas"]["CodeDelivery"];
type MfaPreference = components["schemas"]["MfaPreference"];
type Factor = NonNullable<MfaPreference["preferred"]>;

const FACTORS: { factor: Factor; key: "totp" | "email"; label: string }[] = [
  { factor: "SOFTWARE_TOKEN_MFA", key: "totp", label: "Authenticator app" },
  { factor: "EMAIL_OTP", key: "email", label: "Code by email" },
];

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

function meSection(): { el: HTMLElement; reload: () => void } {
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
  const el = h(
    "section",
    { "aria-labelledby": "me-heading" },
    h("h2", { id: "me-heading" }, "Your details"),
    details,
    h("div", { class: "buttons" }, reload),
    out.ok,
    out.problem,
  );
  return { el, reload: () => reload.click() };
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
            previousPassword: values.raw("previousPassword"),
            proposedPassword: values.raw("proposedPassword"),
          },
        }),
      );
      // The API signed the person out everywhere, this session too: the session has dropped its
      // tokens ("password-changed"), and its listener (main.ts) shows the sign-in page saying so.
      form.el.reset();
    },
  });
  return h(
    "section",
    { "aria-labelledby": "password-heading" },
    h("h2", { id: "password-heading" }, "Change your password"),
    h("p", { class: "hint" }, "Changing it signs you out everywhere, here too: then sign in with the new one."),
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
        const body: components["schemas"]["SetMfaPreferenceRequest"] = {};
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
      const { data } = await call(session.api.GET("/mfa/preference"));
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
      const { data } = await call(session.api.POST("/mfa/totp/setup"));
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

/** The attributes shown in words, in this order; any other one shows by its own name. */
const ATTRIBUTES: Record<string, string> = {
  email: "Email",
  email_verified: "Email verified",
  name: "Name",
  given_name: "Given name",
  family_name: "Family name",
  locale: "Locale",
  phone_number: "Phone number",
  phone_number_verified: "Phone number verified",
  sub: "User ID",
};
/** The names a person may change here (the app client's WriteAttributes, email aside). */
const NAMES = ["name", "given_name", "family_name"] as const;

function attributeRows(attributes: Record<string, string>): HTMLElement[] {
  const known = Object.keys(ATTRIBUTES).filter((name) => name in attributes);
  const others = Object.keys(attributes)
    .filter((name) => !(name in ATTRIBUTES))
    .sort();
  return [...known, ...others].flatMap((name) => {
    const value = attributes[name] ?? "";
    const shown = name.endsWith("_verified") ? (value === "true" ? "Yes" : "No") : value;
    return row(ATTRIBUTES[name] ?? name, shown);
  });
}

/**
 * `GET /account`'s attributes, the names (`PATCH /account`) and the email address: a new one waits
 * for the code sent to it (`POST /account/attributes/email/verify`); until then the old, verified
 * address stays the person's and keeps signing them in (the pool's
 * `AttributesRequireVerificationBeforeUpdate`). An address another account uses is a 409.
 */
function profileSections(emailChanged: () => void): HTMLElement[] {
  const { session } = app();
  let account: Account | null = null;
  let names: Form | null = null;
  const details = h("dl", { class: "details attributes" });
  const namesHolder = h("div");
  const namesStatus = statusLine();
  const emailNow = h("p", { class: "email-now" });
  const emailStatus = statusLine();
  const verifyOut = outcomeRegions();
  // An address not verified yet (an administrator set it so): a code proves it.
  const verifyCurrent = actionButton(
    "Verify this address",
    async () => {
      const current = account?.attributes.email ?? "";
      const { data } = await call(
        session.api.POST("/account/attributes/{attribute}/code", { params: { path: { attribute: "email" } } }),
      );
      showVerify(current, data.codeDelivery, current);
    },
    verifyOut,
  );
  const unverified = h("div", { hidden: true }, h("div", { class: "buttons" }, verifyCurrent), verifyOut.ok, verifyOut.problem);
  const verifyHolder = h("div");
  const loadProblem = h("div", { role: "alert", class: "form-error", tabindex: "-1", hidden: true });

  const render = (a: Account) => {
    account = a;
    details.replaceChildren(...attributeRows(a.attributes));
    const email = a.attributes.email ?? "";
    const verified = a.attributes.email_verified === "true";
    emailNow.textContent = email
      ? `You sign in with ${email}${verified ? "" : " (not verified yet)"}.`
      : "Your account has no email address.";
    unverified.hidden = !email || verified;
    // Made once: a reload after saving keeps the form, and the focus in it.
    if (!names) {
      names = namesForm();
      namesHolder.replaceChildren(names.el);
    }
    for (const n of NAMES) {
      const control = names.control(n);
      if (control) control.value = a.attributes[n] ?? "";
    }
  };
  const load = async () => {
    try {
      const { data } = await call(session.api.GET("/account"));
      loadProblem.hidden = true;
      render(data);
    } catch (err) {
      showProblemIn(loadProblem, err, false);
    }
  };

  const namesForm = (): Form =>
    new Form({
      label: "Your name",
      aliases: Object.fromEntries(NAMES.map((n) => [`attributes.${n}`, n])),
      fields: [
        { name: "name", label: "Full name", autocomplete: "name" },
        { name: "given_name", label: "Given name", autocomplete: "given-name" },
        { name: "family_name", label: "Family name", autocomplete: "family-name" },
      ],
      buttons: [{ label: "Save name", action: "save" }],
      onSubmit: async (values) => {
        namesStatus.textContent = "";
        // Only what changed; an emptied field removes the attribute.
        const attributes: Record<string, string> = {};
        for (const n of NAMES) {
          if (values.text(n) !== (account?.attributes[n] ?? "")) attributes[n] = values.text(n);
        }
        if (Object.keys(attributes).length === 0) {
          namesStatus.textContent = "Nothing to save: your name is as it was.";
          return;
        }
        await call(session.api.PATCH("/account", { body: { attributes } }));
        await load();
        namesStatus.textContent = "Your name is saved.";
      },
    });

  /** The code form for `target`, the address the code went to (`delivery` says where, masked). */
  const showVerify = (target: string, delivery: CodeDelivery | undefined, current: string) => {
    const sentTo = delivery?.destination ?? target;
    const waiting = h(
      "p",
      { class: "pending" },
      target === current
        ? `We emailed a code to ${sentTo}. Enter it to verify your address.`
        : `We emailed a code to ${sentTo}. Enter it to make ${target} your address. Until then, ${current} stays your address and keeps signing you in.`,
    );
    const email = { params: { path: { attribute: "email" as const } } };
    const verify = new Form({
      label: "Verify your email address",
      fields: [codeField("code", "Code from the email", `The code we sent to ${sentTo}.`, "Enter the code from the email.")],
      buttons: [
        { label: "Verify email address", action: "verify" },
        { label: "Send a new code", action: "resend", needs: [], secondary: true },
      ],
      onSubmit: async (values, action) => {
        emailStatus.textContent = "";
        if (action === "resend") {
          const { data } = await call(session.api.POST("/account/attributes/{attribute}/code", email));
          emailStatus.textContent = `We emailed a new code to ${data.codeDelivery?.destination ?? target}. Only the newest code works.`;
          verify.focus();
          return;
        }
        await call(
          session.api.POST("/account/attributes/{attribute}/verify", {
            ...email,
            body: { code: values.text("code").replace(/\s+/g, "") },
          }),
        );
        verifyHolder.replaceChildren();
        // New tokens carry the new address (the ID token's `email`, which /me and the menu show);
        // a refresh keeps the time of the sign-in.
        await session.refresh();
        await load();
        emailChanged();
        emailStatus.textContent =
          target === current
            ? `Your email address ${target} is verified.`
            : `Your email address is now ${target}: sign in with it from now on.`;
      },
    });
    verifyHolder.replaceChildren(h("div", { class: "enrol" }, waiting, verify.el));
    verify.focus();
  };

  const changeEmail = new Form({
    label: "Change your email address",
    aliases: { "attributes.email": "email" },
    fields: [
      {
        name: "email",
        label: "New email address",
        type: "email",
        autocomplete: "email",
        required: "Enter the new email address.",
      },
    ],
    buttons: [{ label: "Change email address", action: "change" }],
    onSubmit: async (values) => {
      emailStatus.textContent = "";
      const current = account?.attributes.email ?? "";
      const target = values.text("email");
      if (target.toLowerCase() === current.toLowerCase()) {
        changeEmail.fieldError("email", "That is your address already.");
        return;
      }
      const { data } = await call(session.api.PATCH("/account", { body: { attributes: { email: target } } }));
      changeEmail.el.reset();
      showVerify(target, data.codeDeliveries.find((d) => d.attributeName === "email"), current);
    },
  });

  void load();
  return [
    h(
      "section",
      { "aria-labelledby": "profile-heading" },
      h("h2", { id: "profile-heading" }, "Your profile"),
      h("p", { class: "hint" }, "What your account holds about you, as it is now."),
      loadProblem,
      details,
      h("h3", {}, "Your name"),
      namesHolder,
      namesStatus,
    ),
    h(
      "section",
      { "aria-labelledby": "email-heading" },
      h("h2", { id: "email-heading" }, "Your email address"),
      emailNow,
      unverified,
      h(
        "p",
        { class: "hint" },
        "A new address needs the code we email to it. Until you enter it, your current address stays yours and keeps signing you in.",
      ),
      changeEmail.el,
      emailStatus,
      verifyHolder,
    ),
  ];
}

/**
 * `DELETE /account`, asked once more in the page. The API deletes only within minutes of a
 * sign-in (401 `InsufficientUserAuthentication` otherwise, RFC 9470): then the page says so and
 * offers to sign in again. On success the session ends (`"account-deleted"`), and main.ts shows
 * the sign-in page saying so.
 */
function deleteSection(): HTMLElement {
  const { session } = app();
  const area = h("div", { class: "buttons" });
  const problem = h("div", { role: "alert", class: "form-error", tabindex: "-1", hidden: true });
  const ask = h("button", { type: "button", class: "danger" }, "Delete my account");
  const reset = () => {
    area.replaceChildren(ask);
    ask.focus();
  };
  ask.addEventListener("click", () => {
    problem.hidden = true;
    const who = session.current ? emailOf(session.current.idToken, session.current.username) : "your account";
    const yes = h("button", { type: "button", class: "danger" }, "Yes, delete my account");
    const no = h("button", { type: "button", class: "secondary" }, "Keep my account");
    no.addEventListener("click", reset);
    yes.addEventListener("click", async () => {
      yes.disabled = no.disabled = true;
      problem.hidden = true;
      try {
        await call(session.api.DELETE("/account"));
        // The session has ended ("account-deleted"): main.ts shows the sign-in page.
      } catch (err) {
        area.replaceChildren(ask);
        const said = asProblem(err);
        if (said.code !== "InsufficientUserAuthentication") return showProblemIn(problem, said);
        // The sign-in is too old (a refresh keeps its time): only a new sign-in helps.
        const again = h("button", { type: "button", class: "primary" }, "Sign in again");
        again.addEventListener("click", () => {
          again.disabled = true;
          void app().signInAgain("Sign in again, then delete your account: deleting it needs a recent sign-in.");
        });
        problem.replaceChildren(
          h("p", {}, said.words),
          h("p", {}, "For your safety, deleting your account needs a recent sign-in. Signing in again signs you out everywhere first."),
          h("div", { class: "buttons" }, again),
        );
        problem.hidden = false;
        problem.focus();
      }
    });
    area.replaceChildren(h("p", {}, `Delete ${who} for good? This cannot be undone.`), yes, no);
    yes.focus();
  });
  area.append(ask);
  return h(
    "section",
    { "aria-labelledby": "delete-heading" },
    h("h2", { id: "delete-heading" }, "Delete your account"),
    h(
      "p",
      { class: "hint" },
      "Deleting your account removes it and everything it holds: you can no longer sign in, and it cannot be undone. It needs a recent sign-in.",
    ),
    area,
    problem,
  );
}

export function accountPage(): Page {
  const sessionPart = sessionSection();
  const me = meSection();
  const el = h(
    "div",
    { class: "stack" },
    h("h1", {}, "Your account"),
    me.el,
    // A verified new address is in the refreshed ID token: /me answers it.
    ...profileSections(me.reload),
    sessionPart.el,
    changePasswordSection(),
    mfaSection(),
    credentialsSection(),
    deleteSection(),
  );
  return { title: "Your account", el, leave: sessionPart.leave };
}
