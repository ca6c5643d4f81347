// User administration for members of the admins group: the `/users` routes, called with the
// admin's access token (`session.api` chooses it). A page of users at a time (the API's `next`
// token), creating a user, and for one user: enable or disable, signing them out everywhere,
// sending the invitation again, groups, a password reset by email, setting a password, and
// deletion.

import type { components } from "@cognito-api/client";
import { app } from "../app";
import { h } from "../dom";
import { call } from "../errors";
import { actionButton, Form, outcomeRegions, problemAlert, showProblemIn } from "../form";
import type { Page } from "../router";

type User = components["schemas"]["User"];
type Status = NonNullable<NonNullable<import("@cognito-api/client").paths["/users"]["get"]["parameters"]["query"]>["status"]>;

const STATUSES: Status[] = [
  "UNCONFIRMED",
  "CONFIRMED",
  "FORCE_CHANGE_PASSWORD",
  "RESET_REQUIRED",
  "ARCHIVED",
  "COMPROMISED",
  "UNKNOWN",
  "EXTERNAL_PROVIDER",
];

export function adminPage(): Page {
  const { session } = app();
  const list = outcomeRegions();
  const { ok: listStatus, problem: listProblem } = list;
  const table = h("table", { class: "users" });
  const pager = h("div", { class: "buttons pager" });
  const manage = h("div", { class: "manage" });

  // The filter of the list shown, and the `next` token of each page seen so far (page 1: none).
  let query: { limit: number; email?: string; status?: Status } = { limit: 20 };
  let pageTokens: (string | undefined)[] = [undefined];
  let pageIndex = 0;

  const showList = async (index: number): Promise<void> => {
    listProblem.hidden = true;
    const next = pageTokens[index];
    const { data } = await call(
      session.api.GET("/users", { params: { query: { ...query, ...(next ? { next } : {}) } } }),
    );
    pageIndex = index;
    pageTokens = pageTokens.slice(0, index + 1);
    if (data.next) pageTokens.push(data.next);
    renderTable(data.users);
    const more = data.next ? "" : " (last page)";
    listStatus.textContent = `Page ${index + 1}: ${data.users.length} user${data.users.length === 1 ? "" : "s"}${more}.`;
    pager.replaceChildren();
    if (index > 0) {
      pager.append(pagerButton("Previous page", index - 1));
    }
    if (data.next) pager.append(pagerButton("Next page", index + 1));
  };

  const pagerButton = (label: string, index: number) =>
    actionButton(label, () => showList(index), list);

  const renderTable = (users: User[]) => {
    const head = h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, "Email"),
        h("th", { scope: "col" }, "Status"),
        h("th", { scope: "col" }, "Enabled"),
        h("th", { scope: "col" }, "Groups"),
        h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions")),
      ),
    );
    const body = h("tbody");
    for (const user of users) {
      const open = h(
        "button",
        { type: "button", class: "secondary", "aria-label": `Manage ${user.email || user.username}` },
        "Manage",
      );
      open.addEventListener("click", () => void showUser(user.username, true));
      body.append(
        h(
          "tr",
          {},
          h("th", { scope: "row" }, user.email || user.username),
          h("td", {}, user.status),
          h("td", {}, user.enabled ? "Yes" : "No"),
          h("td", {}, user.groups.join(", ") || "—"),
          h("td", {}, open),
        ),
      );
    }
    if (users.length === 0) body.append(h("tr", {}, h("td", { colspan: "5" }, "No users.")));
    table.replaceChildren(h("caption", {}, `Users, page ${pageIndex + 1}`), head, body);
  };

  const reloadList = () => showList(pageIndex).catch(() => showList(0));

  /** The panel for one user, with every action. */
  const showUser = async (username: string, focus: boolean, said = ""): Promise<void> => {
    const out = outcomeRegions();
    let user: User;
    try {
      ({ data: user } = await call(session.api.GET("/users/{username}", { params: { path: { username } } })));
    } catch (err) {
      manage.replaceChildren(problemAlert(err));
      return;
    }
    const path = { params: { path: { username } } };
    const who = user.email || user.username;
    // After an action: say what happened, show the user as they now are, refresh the list.
    const done = async (words: string) => {
      await showUser(username, true, words);
      await reloadList();
      return words;
    };
    const toggle = user.enabled
      ? actionButton("Disable user", async () => {
          await call(session.api.POST("/users/{username}/disable", path));
          await done(`${who} is disabled: they cannot sign in.`);
        }, out)
      : actionButton("Enable user", async () => {
          await call(session.api.POST("/users/{username}/enable", path));
          await done(`${who} is enabled.`);
        }, out);
    const reset = actionButton("Email a password reset code", async () => {
      await call(session.api.POST("/users/{username}/reset-password", path));
      await done(`${who} must now reset their password with the code we emailed.`);
    }, out);
    const signOut = actionButton("Sign them out everywhere", async () => {
      await call(session.api.POST("/users/{username}/sign-out", path));
      await done(`${who} is signed out everywhere: they must sign in again.`);
    }, out);
    // Only for a user who never signed in: the API answers 409 for anyone else.
    const resend =
      user.status === "FORCE_CHANGE_PASSWORD"
        ? actionButton("Send the invitation again", async () => {
            await call(session.api.POST("/users/{username}/invitation", path));
            await done(`A new invitation, with a new temporary password, is on its way to ${who}.`);
          }, out)
        : null;
    const groups = h(
      "ul",
      { class: "groups" },
      ...user.groups.map((group) =>
        h(
          "li",
          {},
          `${group} `,
          actionButton(
            "Remove",
            async () => {
              await call(
                session.api.DELETE("/users/{username}/groups/{group}", { params: { path: { username, group } } }),
              );
              await done(`${who} is no longer in ${group}.`);
            },
            out,
            { "aria-label": `Remove from ${group}` },
          ),
        ),
      ),
    );
    if (user.groups.length === 0) groups.append(h("li", {}, "In no group."));
    const addGroup = new Form({
      label: "Add to a group",
      fields: [{ name: "group", label: "Group", required: "Enter a group name." }],
      buttons: [{ label: "Add to group", action: "add" }],
      onSubmit: async (values) => {
        const group = values.text("group");
        await call(session.api.PUT("/users/{username}/groups/{group}", { params: { path: { username, group } } }));
        await done(`${who} is now in ${group}.`);
      },
    });
    const setPassword = new Form({
      label: "Set a password",
      fields: [
        { name: "password", label: "New password", type: "password", autocomplete: "new-password", required: "Enter a password." },
        { name: "permanent", label: "Permanent (otherwise they must choose a new one at sign-in)", type: "checkbox" },
      ],
      buttons: [{ label: "Set password", action: "set" }],
      onSubmit: async (values) => {
        const permanent = values.checked("permanent");
        await call(
          session.api.PUT("/users/{username}/password", { ...path, body: { password: values.raw("password"), permanent } }),
        );
        await done(permanent ? `${who}'s password is set.` : `${who}'s temporary password is set.`);
      },
    });
    // Deleting asks once more, in the page (keyboard and screen readers reach it like the rest).
    const deleteArea = h("div", { class: "buttons" });
    const askDelete = h("button", { type: "button", class: "danger" }, "Delete user");
    askDelete.addEventListener("click", () => {
      const confirm = actionButton(
        `Yes, delete ${who}`,
        async () => {
          await call(session.api.DELETE("/users/{username}", path));
          manage.replaceChildren(h("p", { role: "status", class: "status" }, `${who} is deleted.`));
          await reloadList();
        },
        out,
        { class: "danger" },
      );
      const cancel = h("button", { type: "button", class: "secondary" }, "Cancel");
      cancel.addEventListener("click", () => {
        deleteArea.replaceChildren(askDelete);
        askDelete.focus();
      });
      deleteArea.replaceChildren(h("p", {}, `Delete ${who} for good?`), confirm, cancel);
      confirm.focus();
    });
    deleteArea.append(askDelete);
    out.ok.textContent = said;
    const heading = h("h2", { id: "manage-heading", tabindex: "-1" }, `Manage ${who}`);
    manage.replaceChildren(
      h(
        "section",
        { "aria-labelledby": "manage-heading", class: "card" },
        heading,
        h(
          "dl",
          { class: "details" },
          h("dt", {}, "Status"),
          h("dd", {}, user.status),
          h("dt", {}, "Enabled"),
          h("dd", {}, user.enabled ? "Yes" : "No"),
          h("dt", {}, "Email verified"),
          h("dd", {}, user.emailVerified ? "Yes" : "No"),
          h("dt", {}, "Created"),
          h("dd", {}, user.createdAt ? new Date(user.createdAt).toLocaleString() : "—"),
        ),
        out.ok,
        out.problem,
        h("div", { class: "buttons" }, toggle, signOut, reset, resend),
        h(
          "p",
          { class: "hint" },
          "Signing them out, disabling, a password reset or a new password, leaving a group and deletion end every session of theirs at once.",
        ),
        h("h3", {}, "Groups"),
        groups,
        addGroup.el,
        h("h3", {}, "Password"),
        setPassword.el,
        h("h3", {}, "Delete"),
        deleteArea,
      ),
    );
    if (focus) heading.focus();
  };

  const filter = new Form({
    label: "Filter users",
    class: "form inline",
    fields: [
      { name: "email", label: "Email (exact)", type: "email" },
      {
        name: "status",
        label: "Status",
        type: "select",
        options: [{ value: "", label: "Any" }, ...STATUSES.map((s) => ({ value: s, label: s }))],
      },
      { name: "limit", label: "Users per page", type: "number", value: "20", min: 1, max: 60 },
    ],
    buttons: [{ label: "Show users", action: "list" }],
    onSubmit: async (values) => {
      const limit = Number(values.text("limit") || "20");
      query = { limit };
      const email = values.text("email");
      const status = values.text("status");
      if (email) query.email = email;
      if (status) query.status = status as Status;
      pageTokens = [undefined];
      await showList(0);
    },
  });

  const createStatus = h("p", { role: "status", class: "status" });
  const create: Form = new Form({
    label: "Create a user",
    aliases: { username: "email" },
    fields: [
      { name: "email", label: "Email", type: "email", autocomplete: "off", required: "Enter the new user's email." },
      {
        name: "temporaryPassword",
        label: "Temporary password (optional)",
        type: "password",
        autocomplete: "new-password",
        hint: "Leave empty to have one generated. The user chooses their own at first sign-in.",
      },
      { name: "groups", label: "Groups (optional)", hint: "Separate several with commas." },
      { name: "emailVerified", label: "The email address is verified", type: "checkbox", checked: true },
      { name: "sendInvite", label: "Email an invitation", type: "checkbox", checked: true },
    ],
    buttons: [{ label: "Create user", action: "create" }],
    onSubmit: async (values) => {
      createStatus.textContent = "";
      const email = values.text("email");
      const temporaryPassword = values.raw("temporaryPassword");
      const groups = values
        .text("groups")
        .split(",")
        .map((g) => g.trim())
        .filter(Boolean);
      const { data } = await call(
        session.api.POST("/users", {
          body: {
            username: email,
            email,
            emailVerified: values.checked("emailVerified"),
            sendInvite: values.checked("sendInvite"),
            ...(temporaryPassword ? { temporaryPassword } : {}),
            ...(groups.length ? { groups } : {}),
          },
        }),
      );
      create.el.reset();
      createStatus.textContent = `Created ${data.email || data.username} (${data.status}).`;
      await reloadList();
    },
  });

  const el = h(
    "div",
    { class: "stack" },
    h("h1", {}, "Users"),
    h(
      "section",
      { "aria-labelledby": "list-heading" },
      h("h2", { id: "list-heading" }, "All users"),
      filter.el,
      listStatus,
      listProblem,
      h("div", { class: "table-wrap" }, table),
      pager,
    ),
    manage,
    h(
      "section",
      { "aria-labelledby": "create-heading" },
      h("h2", { id: "create-heading" }, "Create a user"),
      create.el,
      createStatus,
    ),
  );
  showList(0).catch((err: unknown) => showProblemIn(listProblem, err, false));
  return { title: "Users", el };
}
