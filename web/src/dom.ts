// A small element builder: the app builds its DOM with this instead of innerHTML, so text from
// the API (names, messages) is always text, never markup.

type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;
type Child = Node | string | number | null | undefined | false;

/** `h("button", { type: "submit", onclick: f }, "Sign in")`. `on*` attributes are listeners;
 * `false`, `null` and `undefined` attributes are left out; `true` sets an empty attribute. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (value === true) {
      el.setAttribute(key, "");
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

let ids = 0;
/** A unique id for label/input and aria-describedby pairs. */
export function uid(prefix: string): string {
  ids += 1;
  return `${prefix}-${ids}`;
}

/** A link to a route of the app. */
export function link(route: string, text: string): HTMLAnchorElement {
  return h("a", { href: `#${route}` }, text);
}

/** A status line (polite live region) whose text can be set later. */
export function statusLine(): HTMLParagraphElement {
  return h("p", { role: "status", class: "status" });
}
