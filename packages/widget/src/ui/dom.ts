/**
 * The one way the widget builds DOM. Children that are strings become text nodes and attributes are
 * set with `setAttribute`, so data (a message, an agent's name) can never become markup — there is
 * no `innerHTML` anywhere in the widget.
 */
type Attributes = Record<string, string | number | boolean | null | undefined | EventListener>;
export type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** Replaces an element's content with text (never markup). */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

let nextId = 0;
/** A document-unique id for `label[for]` / `aria-describedby` inside the shadow root. */
export function uid(prefix: string): string {
  nextId += 1;
  return `hlw-${prefix}-${nextId}`;
}

const svgNs = 'http://www.w3.org/2000/svg';
/** A small inline icon from path data (constants in this package, never data). */
export function icon(paths: string[], size = 20): SVGSVGElement {
  const svg = document.createElementNS(svgNs, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', String(size));
  svg.setAttribute('height', String(size));
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  for (const d of paths) {
    const path = document.createElementNS(svgNs, 'path');
    path.setAttribute('d', d);
    svg.appendChild(path);
  }
  return svg;
}

export const icons = {
  chat: ['M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z'],
  close: ['M6 6l12 12M18 6L6 18'],
  send: ['M3 20l18-8L3 4l2 8-2 8zM5 12h8'],
  attach: ['M16.5 6.5l-7.8 7.8a2 2 0 0 0 2.8 2.8l7.8-7.8a4 4 0 0 0-5.7-5.7L5.8 11.4a6 6 0 0 0 8.5 8.5L20 14'],
  file: ['M14 3H6a1 1 0 0 0-1 1v16a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1V8z', 'M14 3v5h5'],
  download: ['M12 4v11M7 10l5 5 5-5M5 20h14'],
};
