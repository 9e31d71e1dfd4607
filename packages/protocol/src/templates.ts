/**
 * Reply-template variables: `{{customer.name}}` and the like, filled on the desktop before sending.
 * Shared by every side that renders a template, so a preview and the sent message always agree.
 */

/** The variables the desktop fills; others may be added without breaking stored templates. */
export const templateVariables = ['customer.name', 'customer.email', 'customer.phone', 'agent.name'] as const;
export type TemplateVariable = (typeof templateVariables)[number];

const placeholder = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

/**
 * Replaces each `{{name}}` (spaces inside the braces allowed) whose `name` has a value in `vars`.
 * A placeholder without a value — unknown, or given as undefined — stays exactly as written, so a
 * typo is visible instead of silently vanishing. Values go in as plain text in one pass: braces or
 * `$` patterns inside a value are not expanded, and nothing is HTML-escaped (the result is text;
 * whoever displays it must show it as text).
 */
export function renderTemplate(body: string, vars: Readonly<Record<string, string | undefined>>): string {
  return body.replace(placeholder, (whole, name: string) => {
    const value = Object.hasOwn(vars, name) ? vars[name] : undefined;
    return value ?? whole;
  });
}

/** The distinct variable names a template uses, in order of first use (for hints and checks). */
export function variablesOf(body: string): string[] {
  return [...new Set(Array.from(body.matchAll(placeholder), (m) => m[1]!))];
}
