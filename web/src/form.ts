// Forms with labelled fields, submitted with Enter, checked before sending, and with the API's
// answer shown in words: next to the field it names (`aria-describedby`, `aria-invalid`, focus
// moved there) or above the buttons (`role="alert"`, focused) when it names none.

import { append, h, uid } from "./dom";
import { ApiProblem, asProblem, tryAgainIn } from "./errors";
import { stepUpOffer } from "./step-up";

export interface FieldSpec {
  /** The name the API gives the field in its errors (`password`, `responses.NEW_PASSWORD`). */
  name: string;
  label: string;
  type?: "text" | "email" | "password" | "number" | "checkbox" | "select";
  autocomplete?: string;
  inputmode?: "numeric" | "email" | "text";
  /** Shown under the field, and read with it. */
  hint?: string;
  /** When set, the field must not be empty, and this is what to say when it is. */
  required?: string;
  value?: string;
  checked?: boolean;
  options?: { value: string; label: string }[];
  min?: number;
  max?: number;
}

/** The email address that names the account (`username` in the API), filled with `value`. */
export function emailField(value: string): FieldSpec {
  return {
    name: "username",
    label: "Email",
    type: "email",
    autocomplete: "username",
    value,
    required: "Enter your email address.",
  };
}

/** A one-time code (`one-time-code`, digits keyboard); `required` says what to do when it is empty. */
export function codeField(name: string, label: string, hint: string, required = "Enter the code."): FieldSpec {
  return {
    name,
    label,
    hint,
    inputmode: "numeric",
    autocomplete: "one-time-code",
    required,
  };
}

/** The code emailed for a sign-up or a password reset. */
export function emailedCodeField(label: string): FieldSpec {
  return codeField("code", label, "The code in the email we sent you.", "Enter the code from the email.");
}

export interface ButtonSpec {
  label: string;
  /** What the submit handler receives as `action`. */
  action: string;
  /** The fields this button needs (default: every required field). */
  needs?: string[];
  secondary?: boolean;
}

export interface FormOptions {
  fields: FieldSpec[];
  /** The first button is the default one (Enter). */
  buttons: ButtonSpec[];
  /** Called with the values; throws an {@link ApiProblem} (or anything) to show it. */
  onSubmit: (values: FormValues, action: string) => Promise<void>;
  /** API field names that mean one of this form's fields (`username` -> `email`). */
  aliases?: Record<string, string>;
  /** An accessible name for the form. */
  label?: string;
  /** Extra content for an error: a link to the next step, for example. */
  afterError?: (problem: ApiProblem) => Node | null;
  class?: string;
}

export interface FormValues {
  /** The value, trimmed. */
  text(name: string): string;
  /** The value as typed (passwords). */
  raw(name: string): string;
  checked(name: string): boolean;
}

interface Field {
  spec: FieldSpec;
  control: HTMLInputElement | HTMLSelectElement;
  error: HTMLElement;
}

export class Form {
  readonly el: HTMLFormElement;
  private readonly fields = new Map<string, Field>();
  private readonly alert: HTMLDivElement;
  private readonly buttons: HTMLButtonElement[] = [];

  constructor(private readonly options: FormOptions) {
    this.el = h("form", { novalidate: true, class: options.class ?? "form", "aria-label": options.label });
    for (const spec of options.fields) this.el.appendChild(this.renderField(spec));
    this.alert = h("div", { role: "alert", class: "form-error", tabindex: "-1", hidden: true });
    this.el.appendChild(this.alert);
    const row = h("div", { class: "buttons" });
    for (const button of options.buttons) {
      const el = h(
        "button",
        { type: "submit", value: button.action, class: button.secondary ? "secondary" : "primary" },
        button.label,
      );
      this.buttons.push(el);
      row.appendChild(el);
    }
    this.el.appendChild(row);
    this.el.addEventListener("submit", (event) => {
      event.preventDefault();
      const submitter = (event as SubmitEvent).submitter as HTMLButtonElement | null;
      void this.submit(submitter?.value || options.buttons[0]?.action || "submit");
    });
  }

  private renderField(spec: FieldSpec): HTMLElement {
    const id = uid(`f-${spec.name.replace(/[^A-Za-z0-9]/g, "-")}`);
    const errorId = `${id}-error`;
    const hintId = `${id}-hint`;
    const describedBy = [spec.hint ? hintId : "", errorId].filter(Boolean).join(" ");
    const error = h("p", { id: errorId, class: "field-error", hidden: true });
    const hint = spec.hint ? h("p", { id: hintId, class: "hint" }, spec.hint) : null;
    let control: HTMLInputElement | HTMLSelectElement;
    if (spec.type === "select") {
      control = h("select", { id, name: spec.name, "aria-describedby": describedBy });
      for (const option of spec.options ?? []) {
        control.appendChild(h("option", { value: option.value, selected: option.value === spec.value }, option.label));
      }
    } else {
      control = h("input", {
        id,
        name: spec.name,
        type: spec.type ?? "text",
        autocomplete: spec.autocomplete,
        inputmode: spec.inputmode,
        value: spec.type === "checkbox" ? undefined : spec.value,
        checked: spec.type === "checkbox" ? Boolean(spec.checked) : undefined,
        min: spec.min,
        max: spec.max,
        "aria-required": spec.required ? "true" : undefined,
        "aria-describedby": describedBy,
        spellcheck: spec.type === "password" || spec.type === "email" ? "false" : undefined,
        autocapitalize: spec.type === "email" || spec.name === "username" ? "none" : undefined,
      });
      // Typing again clears what was said about the field.
      control.addEventListener("input", () => this.clearField(spec.name));
    }
    const label = h("label", { for: id }, spec.label);
    this.fields.set(spec.name, { spec, control, error });
    if (spec.type === "checkbox") {
      return h("div", { class: "field checkbox" }, control, label, hint, error);
    }
    return h("div", { class: "field" }, label, hint, control, error);
  }

  /** The control of `name`. */
  control(name: string): HTMLInputElement | HTMLSelectElement | undefined {
    return this.fields.get(name)?.control;
  }

  /** Focuses the first field (or the first button when there are none). */
  focus(): void {
    const first = this.fields.values().next().value as Field | undefined;
    (first?.control ?? this.buttons[0])?.focus();
  }

  private values(): FormValues {
    return {
      text: (name) => {
        const control = this.fields.get(name)?.control;
        return control ? control.value.trim() : "";
      },
      raw: (name) => this.fields.get(name)?.control.value ?? "",
      checked: (name) => {
        const control = this.fields.get(name)?.control;
        return control instanceof HTMLInputElement ? control.checked : false;
      },
    };
  }

  private clearField(name: string): void {
    const field = this.fields.get(name);
    if (!field) return;
    field.error.hidden = true;
    field.error.replaceChildren();
    field.control.removeAttribute("aria-invalid");
  }

  clearErrors(): void {
    for (const name of this.fields.keys()) this.clearField(name);
    this.alert.hidden = true;
    this.alert.replaceChildren();
  }

  /** Says `words` next to field `name`, and moves the focus there. */
  fieldError(name: string, words: string, extra: Node | null = null): void {
    const field = this.fields.get(name);
    if (!field) return this.formError(words, extra);
    field.error.replaceChildren();
    append(field.error, words, extra ? " " : null, extra);
    field.error.hidden = false;
    field.control.setAttribute("aria-invalid", "true");
    field.control.focus();
  }

  /** Says `words` above the buttons (`role="alert"`), and moves the focus there. */
  formError(words: string, extra: Node | null = null): void {
    this.alert.replaceChildren();
    append(this.alert, h("p", {}, words), extra);
    this.alert.hidden = false;
    this.alert.focus();
  }

  /** Shows what the API answered: next to the field it names, if this form has it. */
  showProblem(problem: ApiProblem): void {
    const extra = this.options.afterError?.(problem) ?? stepUpOffer(problem);
    const name = problem.field && (this.options.aliases?.[problem.field] ?? problem.field);
    if (name && this.fields.has(name)) {
      this.fieldError(name, problem.words, extra);
    } else {
      this.formError(problem.words, extra);
    }
  }

  private checkRequired(action: string): boolean {
    const button = this.options.buttons.find((b) => b.action === action);
    let firstBad: string | null = null;
    for (const [name, field] of this.fields) {
      const needed = button?.needs ? button.needs.includes(name) : Boolean(field.spec.required);
      if (!needed || !field.spec.required) continue;
      if (field.control.value.trim() === "") {
        field.error.textContent = field.spec.required;
        field.error.hidden = false;
        field.control.setAttribute("aria-invalid", "true");
        firstBad ??= name;
      }
    }
    if (firstBad) this.fields.get(firstBad)?.control.focus();
    return firstBad === null;
  }

  private busy(on: boolean): void {
    this.el.setAttribute("aria-busy", String(on));
    for (const button of this.buttons) button.disabled = on;
  }

  /**
   * After a 429 with `Retry-After`: the buttons stay disabled, and the alert counts down, until
   * the API said to try again (sending earlier would only be refused again). The alert's text
   * changes once a second without taking the focus again.
   */
  private waitBeforeRetry(seconds: number): void {
    const words = this.alert.querySelector("p");
    const tick = () => {
      if (!this.el.isConnected) return;
      if (seconds <= 0) {
        if (words) words.textContent = "You can try again now.";
        this.busy(false);
        return;
      }
      if (words) words.textContent = tryAgainIn(seconds);
      seconds -= 1;
      setTimeout(tick, 1000);
    };
    tick();
  }

  private async submit(action: string): Promise<void> {
    if (this.el.getAttribute("aria-busy") === "true") return;
    this.clearErrors();
    if (!this.checkRequired(action)) return;
    this.busy(true);
    let wait = 0;
    try {
      await this.options.onSubmit(this.values(), action);
    } catch (err) {
      const problem = asProblem(err);
      if (this.el.isConnected) this.showProblem(problem);
      if (problem.kind === "throttled") wait = problem.retryAfter ?? 0;
    }
    if (wait > 0) this.waitBeforeRetry(wait);
    else this.busy(false);
  }
}

/** A button that runs `action` and reports its outcome in `out` (a status line for success,
 * an alert for a problem). For one-click actions with no fields. */
export function actionButton(
  label: string,
  action: () => Promise<string | void>,
  out: { ok: HTMLElement; problem: HTMLElement },
  attrs: Record<string, string> = {},
): HTMLButtonElement {
  const button = h("button", { type: "button", class: "secondary", ...attrs }, label);
  button.addEventListener("click", async () => {
    if (button.disabled) return;
    button.disabled = true;
    out.problem.hidden = true;
    out.problem.replaceChildren();
    out.ok.textContent = "";
    try {
      const said = await action();
      if (said) out.ok.textContent = said;
    } catch (err) {
      showProblemIn(out.problem, err);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

/** The pair of regions {@link actionButton} reports into. */
export function outcomeRegions(): { ok: HTMLParagraphElement; problem: HTMLDivElement } {
  return {
    ok: h("p", { role: "status", class: "status" }),
    problem: h("div", { role: "alert", class: "form-error", tabindex: "-1", hidden: true }),
  };
}

/** Says what went wrong with `err` in `region` (an {@link outcomeRegions} problem), shown, and
 * focused unless `focus` is false. */
export function showProblemIn(region: HTMLElement, err: unknown, focus = true): void {
  const problem = asProblem(err);
  const offer = stepUpOffer(problem);
  region.replaceChildren(h("p", {}, problem.words), ...(offer ? [offer] : []));
  region.hidden = false;
  if (focus) region.focus();
}

/** An alert box saying what went wrong with `err`, for a part of a page that could not load. */
export function problemAlert(err: unknown): HTMLDivElement {
  const problem = asProblem(err);
  return h("div", { role: "alert", class: "form-error" }, h("p", {}, problem.words), stepUpOffer(problem));
}
