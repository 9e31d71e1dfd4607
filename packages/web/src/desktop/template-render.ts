import { renderTemplate } from '@hotline/protocol/templates';

/**
 * Fills `{{customer.name}}`, `{{agent.name}}` … in a reply template with the protocol's renderer (the
 * same one every side uses). A value that is empty or unknown here counts as missing, so its
 * placeholder stays as written and the agent sees what to fill in before sending.
 */
export function fillTemplate(
  body: string,
  values: Readonly<Record<string, string | null | undefined>>,
): string {
  const known: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) if (value) known[name] = value;
  return renderTemplate(body, known);
}
