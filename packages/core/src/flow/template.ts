import type { Language, LocalText, Value } from './flow-types';

/**
 * Text with variables: `Hello, {{caller.name}}!`. Only variable names go between the braces (no
 * expressions); a variable that is not set renders as an empty string. `{{` with no closing `}}` or
 * with something other than a name inside is refused when the flow is validated.
 */
export type Template = readonly (string | { readonly name: string })[];

/** Text per language, compiled. At least one language is present. */
export type LocalTemplate = Readonly<Partial<Record<Language, Template>>>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

export function parseTemplate(text: string): Template {
  const parts: (string | { name: string })[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    if (open < 0) {
      parts.push(text.slice(i));
      break;
    }
    if (open > i) parts.push(text.slice(i, open));
    const close = text.indexOf('}}', open + 2);
    if (close < 0) throw new TemplateError(`"{{" at ${open} is not closed`);
    const name = text.slice(open + 2, close).trim();
    if (!NAME.test(name)) throw new TemplateError(`"{{${name}}}" at ${open} is not a variable name`);
    parts.push({ name });
    i = close + 2;
  }
  return parts;
}

export function templateVariables(t: Template): string[] {
  const out: string[] = [];
  for (const p of t) if (typeof p !== 'string') out.push(p.name);
  return out;
}

export function stringOf(v: Value): string {
  return v === null ? '' : String(v);
}

/** Renders a template; `encode` transforms each inserted value (URL encoding, header cleaning). */
export function render(
  t: Template,
  read: (name: string) => Value,
  encode: (s: string) => string = (s) => s,
): string {
  let out = '';
  for (const p of t) out += typeof p === 'string' ? p : encode(stringOf(read(p.name)));
  return out;
}

/** The template in `language`, or in the other language when that one is missing. */
export function pickLanguage(t: LocalTemplate, language: Language): Template {
  return t[language] ?? t.ru ?? t.en ?? [];
}

export function parseLocalText(text: LocalText): LocalTemplate {
  if (typeof text === 'string') {
    const t = parseTemplate(text);
    return { ru: t, en: t };
  }
  const out: { ru?: Template; en?: Template } = {};
  if (text.ru !== undefined) out.ru = parseTemplate(text.ru);
  if (text.en !== undefined) out.en = parseTemplate(text.en);
  return out;
}
