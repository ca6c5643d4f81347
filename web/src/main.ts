// Start-up: read the API's address from /config.json, open the session (joining one that
// another tab of this app already holds), and route.

import "./style.css";
import { createApi, Session, type SessionState, type SignOutReason } from "@cognito-api/client";
import { type App, setApp } from "./app";
import { emailOf, groupsOf } from "./claims";
import { h, link } from "./dom";
import { accountPage } from "./pages/account";
import { adminPage } from "./pages/admin";
import { challengePage } from "./pages/challenge";
import { passkeysPage } from "./pages/passkeys";
import { forgotPage, resetPage } from "./pages/password";
import { signInPage } from "./pages/sign-in";
import { confirmPage, signUpPage } from "./pages/sign-up";
import { location, type Page, Router } from "./router";

/** Routes for the signed-in only. */
const PROTECTED = new Set(["/account", "/passkeys", "/admin"]);

interface Config {
  apiUrl: string;
  /** The admins group, to show the Users page to its members (default `admins`). */
  adminGroup?: string;
}

async function loadConfig(): Promise<Config> {
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`/config.json answered HTTP ${response.status}`);
  const config = (await response.json()) as Partial<Config>;
  if (typeof config.apiUrl !== "string" || !/^https?:\/\//.test(config.apiUrl)) {
    throw new Error("/config.json has no apiUrl (http:// or https://)");
  }
  return { ...config, apiUrl: config.apiUrl.replace(/\/+$/, "") };
}

const SIGNED_OUT_WORDS: Record<SignOutReason, string> = {
  "signed-out": "You are signed out.",
  "refresh-failed": "You were signed out because the session could not be refreshed. Sign in again.",
  "other-tab": "You were signed out in another tab.",
  // POST /password/change ends every session of the person, this one too.
  "password-changed": "Password changed: sign in again with your new password.",
  "account-deleted": "Your account is deleted: it can no longer sign in.",
};

function notFound(): Page {
  const el = h("section", { class: "card" }, h("h1", {}, "Page not found"), link("/", "Go to the start page"));
  return { title: "Not found", el };
}

async function start(): Promise<void> {
  const outlet = document.getElementById("main") as HTMLElement;
  const nav = document.getElementById("nav") as HTMLElement;
  const noticeEl = document.getElementById("notice") as HTMLElement;
  document.querySelector<HTMLAnchorElement>("a.skip")?.addEventListener("click", (event) => {
    // The hash belongs to the router: move the focus without changing it.
    event.preventDefault();
    outlet.focus();
  });

  let config: Config;
  try {
    config = await loadConfig();
  } catch (err) {
    outlet.replaceChildren(
      h(
        "div",
        { role: "alert", class: "form-error" },
        h("p", {}, "This app could not load its settings, so it does not know where the API is."),
        h("p", {}, String(err instanceof Error ? err.message : err)),
      ),
    );
    return;
  }
  const adminGroup = config.adminGroup ?? "admins";
  const api = createApi({ baseUrl: config.apiUrl });
  const session = new Session({ baseUrl: config.apiUrl, name: "cognito-web" });

  // A notice stays for the page it was given for (shown next) and goes on the one after.
  let noticeKeep = 0;
  const notice = (words: string, kind: "info" | "error" = "info") => {
    noticeEl.replaceChildren(h("p", { class: kind, role: kind === "error" ? "alert" : null }, words));
    noticeKeep = 1;
  };

  const renderNav = () => {
    const current = session.current;
    const here = location().path;
    const item = (route: string, text: string) => {
      const a = link(route, text);
      if (here === route) a.setAttribute("aria-current", "page");
      return h("li", {}, a);
    };
    const items = current
      ? [
          item("/account", "Account"),
          item("/passkeys", "Passkeys"),
          groupsOf(current.idToken).includes(adminGroup) ? item("/admin", "Users") : null,
          h("li", { class: "who" }, `Signed in as ${emailOf(current.idToken, current.username)}`),
        ]
      : [item("/sign-in", "Sign in"), item("/sign-up", "Create an account")];
    nav.replaceChildren(h("ul", {}, ...items));
  };

  const router = new Router(
    {
      "/sign-in": signInPage,
      "/challenge": challengePage,
      "/sign-up": signUpPage,
      "/confirm": confirmPage,
      "/forgot": forgotPage,
      "/reset": resetPage,
      "/account": accountPage,
      "/passkeys": passkeysPage,
      "/admin": adminPage,
    },
    notFound,
    outlet,
    (path) => {
      if (path === "/") return session.current ? "/account" : "/sign-in";
      if (PROTECTED.has(path) && !session.current) return "/sign-in";
      return path;
    },
    () => {
      if (noticeKeep > 0) noticeKeep -= 1;
      else noticeEl.replaceChildren();
      renderNav();
    },
  );

  // Who is signed in, so that the sign-in page after a password change asks for them again.
  let email = "";
  // What the sign-in page says after signInAgain(), until the session's end is heard.
  let signInAgainWhy: string | null = null;
  const signInAgainPage = () => router.go(`/sign-in?username=${encodeURIComponent(email)}`);

  const signInAgain = async (why: string) => {
    if (!session.current) {
      notice(why);
      signInAgainPage();
      return;
    }
    signInAgainWhy = why;
    await session.signOut(); // the listener below hears it at once, before the API is called
  };
  const app: App = {
    api,
    session,
    pending: null,
    returnTo: null,
    signUp: null,
    go: (route) => router.go(route),
    notice,
    signInAgain,
  };
  setApp(app);

  session.subscribe((state: SessionState | null, reason?: SignOutReason) => {
    renderNav();
    if (state !== null) {
      email = emailOf(state.idToken, "");
      return;
    }
    // A step-up left unfinished ends with the session: its challenge and its way back belong to
    // the person who signed out, not to whoever signs in next in this tab.
    app.returnTo = null;
    app.pending = null;
    if (signInAgainWhy !== null && reason === "signed-out") {
      notice(signInAgainWhy);
      signInAgainWhy = null;
      signInAgainPage();
      return;
    }
    notice(SIGNED_OUT_WORDS[reason ?? "signed-out"], reason === "refresh-failed" ? "error" : "info");
    if (reason === "password-changed") signInAgainPage();
    else if (PROTECTED.has(location().path) || reason === "signed-out") router.go("/sign-in");
  });
  // A page that leaves (or enters the back/forward cache) says goodbye, so a refreshing tab does
  // not wait for it; back from the cache, it says hi again and catches up with what it missed.
  addEventListener("pagehide", () => session.pause());
  addEventListener("pageshow", (event) => {
    if (event.persisted) session.resume();
  });
  // A tab opened while another is signed in shares its session.
  await session.join();
  await router.render();
}

void start();
