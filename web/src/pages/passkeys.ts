// The signed-in person's passkeys: add one (the API's creation options to the browser, the
// browser's credential back to the API, whole), see them with their names and the day each was
// added, and delete one. Every route takes the access token (`session.api` puts it on).
// Adding one needs a recent sign-in (401 `InsufficientUserAuthentication` otherwise): the page
// then offers to sign in again, as deleting the account does. Passkey MFA (`passkey` of
// `PUT /mfa/preference`) is turned on and off here too; Cognito does not report it back, so the
// page says what was just done and never claims a current state.

import type { components } from "@cognito-api/client";
import { app } from "../app";
import { h, link, statusLine } from "../dom";
import { ApiProblem, asProblem, call } from "../errors";
import { outcomeRegions, problemAlert, showProblemIn } from "../form";
import { createPasskey, passkeysSupported } from "../passkey";
import type { Page } from "../router";

type Passkey = components["schemas"]["Passkey"];

const TRANSPORTS: Record<string, string> = {
  internal: "this device",
  hybrid: "a phone nearby",
  usb: "USB",
  nfc: "NFC",
  ble: "Bluetooth",
};

function added(passkey: Passkey): string {
  const when = new Date(passkey.createdAt);
  return Number.isNaN(when.getTime()) ? passkey.createdAt : when.toLocaleDateString(undefined, { dateStyle: "long" });
}

/** Every passkey of the person, following `next` from page to page (Cognito pages by 20). */
async function listAll(): Promise<Passkey[]> {
  const { session } = app();
  const all: Passkey[] = [];
  let next: string | undefined;
  do {
    const { data } = await call(session.api.GET("/passkeys", { params: { query: next ? { next } : {} } }));
    all.push(...data.passkeys);
    next = data.next;
  } while (next);
  return all;
}

/** What the API's 400 on `passkey` means for the person (no other second factor would stay on). */
const ANOTHER_FACTOR_FIRST =
  "Turn on another two-step method (an authenticator app or email codes) first, so losing your passkey does not lock you out.";

/**
 * Passkey MFA on or off (`PUT /mfa/preference` with `passkey`; Cognito's `WebAuthnMfaSettings`):
 * on, a passkey sign-in where the device verified the person satisfies two-step verification.
 * Cognito reports it nowhere (`GetUser` lists the other factors only), so there is no state to
 * show: each button says what it did. A 400 on `passkey` (no other factor on) gets our words and
 * a link to where one is turned on; Cognito's own refusal (a pool whose passkeys are one factor)
 * keeps its message.
 */
function passkeyMfaSection(): HTMLElement {
  const { session } = app();
  const out = outcomeRegions();
  const button = (label: string, passkey: boolean, done: string) => {
    const el = h("button", { type: "button", class: passkey ? "primary" : "secondary" }, label);
    el.addEventListener("click", async () => {
      if (el.disabled) return;
      el.disabled = true;
      out.ok.textContent = "";
      out.problem.hidden = true;
      out.problem.replaceChildren();
      try {
        await call(session.api.PUT("/mfa/preference", { body: { passkey } }));
        out.ok.textContent = done;
      } catch (err) {
        const said = asProblem(err);
        if (said.field === "passkey") {
          out.problem.replaceChildren(
            h("p", {}, ANOTHER_FACTOR_FIRST),
            h("p", {}, link("/account", "Set up two-step verification on your account page")),
          );
          out.problem.hidden = false;
          out.problem.focus();
        } else {
          showProblemIn(out.problem, said);
        }
      } finally {
        el.disabled = false;
      }
    });
    return el;
  };
  const on = button(
    "Turn on passkey two-step verification",
    true,
    "Turned on: signing in with a passkey now counts as two-step verification, with no code to enter.",
  );
  const off = button(
    "Turn off passkey two-step verification",
    false,
    "Turned off: while two-step verification is on, a passkey no longer signs you in. Sign in with your password and code instead.",
  );
  return h(
    "section",
    { "aria-labelledby": "passkey-mfa-heading" },
    h("h2", { id: "passkey-mfa-heading" }, "Passkey as two-step verification"),
    h(
      "p",
      { class: "hint" },
      "When this is on, signing in with a passkey, where your device checks it is you (fingerprint, face or PIN), counts as two-step verification: no code is asked.",
    ),
    h(
      "p",
      { class: "hint" },
      "Another two-step method (an authenticator app or email codes, set up on your account page) must stay on, so losing your passkey does not lock you out.",
    ),
    h(
      "p",
      { class: "hint" },
      "The sign-in service does not tell us whether this is on, so this page cannot show it. After a change, it says what was just done.",
    ),
    h("div", { class: "buttons" }, on, off),
    out.ok,
    out.problem,
  );
}

export function passkeysPage(): Page {
  const { session } = app();
  const status = statusLine();
  const problem = h("div", { role: "alert", class: "form-error", tabindex: "-1", hidden: true });
  const listHolder = h("div", { class: "table-wrap" }, h("p", {}, "Loading your passkeys …"));
  const add = h("button", { type: "button", class: "primary" }, "Add a passkey");

  const clearOutcome = () => {
    status.textContent = "";
    problem.hidden = true;
    problem.replaceChildren();
  };

  const remove = async (passkey: Passkey, button: HTMLButtonElement) => {
    clearOutcome();
    button.disabled = true;
    try {
      const path = { credentialId: passkey.credentialId };
      await call(session.api.DELETE("/passkeys/{credentialId}", { params: { path } }));
      await render();
      // The device still holds the key: the browser may offer it, but it no longer signs in.
      status.textContent = `Passkey “${passkey.name}” deleted: it no longer signs you in, even if a device still offers it.`;
      add.focus();
    } catch (err) {
      button.disabled = false;
      showProblemIn(problem, err);
    }
  };

  const table = (passkeys: Passkey[]): HTMLElement => {
    if (passkeys.length === 0) return h("p", { class: "empty" }, "You have no passkeys yet.");
    const rows = passkeys.map((passkey) => {
      const del = h(
        "button",
        { type: "button", class: "secondary", "aria-label": `Delete passkey ${passkey.name}` },
        "Delete",
      );
      del.addEventListener("click", () => void remove(passkey, del));
      const reach = passkey.transports.map((t) => TRANSPORTS[t] ?? t).join(", ") || "not said";
      return h(
        "tr",
        {},
        h("th", { scope: "row" }, passkey.name),
        h("td", {}, added(passkey)),
        h("td", {}, reach),
        h("td", {}, del),
      );
    });
    return h(
      "table",
      { class: "users passkeys" },
      h("caption", {}, "Your passkeys"),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, "Name"),
          h("th", { scope: "col" }, "Added"),
          h("th", { scope: "col" }, "Reached through"),
          h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")),
        ),
      ),
      h("tbody", {}, ...rows),
    );
  };

  const render = async () => {
    try {
      listHolder.replaceChildren(table(await listAll()));
    } catch (err) {
      listHolder.replaceChildren(problemAlert(err));
    }
  };

  const tooOld = (words: string) => {
    // The sign-in is too old to add a way into the account (a refresh keeps its time).
    const again = h("button", { type: "button", class: "primary" }, "Sign in again");
    again.addEventListener("click", () => {
      again.disabled = true;
      void app().signInAgain("Sign in again, then add your passkey: adding one needs a recent sign-in.");
    });
    problem.replaceChildren(
      h("p", {}, words),
      h("p", {}, "For your safety, adding a passkey needs a recent sign-in. Signing in again signs you out everywhere first."),
      h("div", { class: "buttons" }, again),
    );
    problem.hidden = false;
    problem.focus();
  };

  add.addEventListener("click", async () => {
    if (add.disabled) return;
    clearOutcome();
    add.disabled = true;
    try {
      // Checked first: starting a registration replaces the one in progress.
      if (!passkeysSupported()) throw new ApiProblem("api", "This browser cannot use passkeys.");
      const { data } = await call(session.api.POST("/passkeys/registration"));
      const credential = await createPasskey(data.credentialCreationOptions);
      await call(session.api.POST("/passkeys", { body: { credential } }));
      await render();
      status.textContent = "Passkey added: next time, sign in with it instead of your password.";
    } catch (err) {
      const said = asProblem(err);
      if (said.code === "InsufficientUserAuthentication") tooOld(said.words);
      else showProblemIn(problem, said);
    } finally {
      add.disabled = false;
    }
  });

  void render();
  const el = h(
    "div",
    { class: "stack" },
    h("h1", {}, "Passkeys"),
    h(
      "section",
      { "aria-labelledby": "passkeys-heading" },
      h("h2", { id: "passkeys-heading" }, "Sign in without a password"),
      h(
        "p",
        { class: "hint" },
        "A passkey lives on your device (or your password manager) and signs you in after you unlock it: no password to type or to leak, and it only works on this site. To sign in with it, enter your email, then choose “Sign in with a passkey”.",
      ),
      passkeysSupported() ? null : h("p", { role: "alert" }, "This browser cannot use passkeys."),
      h("div", { class: "buttons" }, add),
      status,
      problem,
      listHolder,
    ),
    passkeyMfaSection(),
  );
  return { title: "Passkeys", el };
}
