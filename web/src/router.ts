// A hash router: `#/sign-in?username=a%40b.example`. Each route renders a page into <main>; the
// page says where the focus goes, and may return a clean-up for when it is left.

export interface Page {
  title: string;
  el: HTMLElement;
  /** Where the focus goes when the page opens (default: its heading). */
  focus?: HTMLElement | null;
  /** Called when the page is left. */
  leave?: () => void;
}

export type Route = (params: URLSearchParams) => Page | Promise<Page>;

export interface Location {
  path: string;
  params: URLSearchParams;
}

export function location(): Location {
  const hash = window.location.hash.replace(/^#/, "") || "/";
  const [path, query = ""] = hash.split("?", 2);
  return { path: path || "/", params: new URLSearchParams(query) };
}

export class Router {
  private leave: (() => void) | undefined;
  private rendering = 0;

  constructor(
    private readonly routes: Record<string, Route>,
    private readonly notFound: Route,
    private readonly outlet: HTMLElement,
    private readonly resolve: (path: string) => string,
    private readonly onRender: () => void,
  ) {
    window.addEventListener("hashchange", () => void this.render());
  }

  /** Goes to `route`; renders it even when it is the current one. */
  go(route: string): void {
    const target = `#${route}`;
    if (window.location.hash === target) void this.render();
    else window.location.hash = target;
  }

  async render(): Promise<void> {
    const ticket = ++this.rendering;
    const { path, params } = location();
    const resolved = this.resolve(path);
    if (resolved !== path) {
      // A guard sent us elsewhere (sign-in for a signed-out visitor, for example).
      window.location.replace(`#${resolved}`);
      return;
    }
    const route = this.routes[path] ?? this.notFound;
    this.leave?.();
    this.leave = undefined;
    const page = await route(params);
    if (ticket !== this.rendering) {
      page.leave?.();
      return;
    }
    this.leave = page.leave;
    document.title = `${page.title} · Cognito sign-in`;
    this.outlet.replaceChildren(page.el);
    this.onRender();
    const target = page.focus ?? page.el.querySelector<HTMLElement>("h1");
    if (target) {
      if (!target.hasAttribute("tabindex") && target.tagName === "H1") target.setAttribute("tabindex", "-1");
      target.focus();
    }
  }
}
