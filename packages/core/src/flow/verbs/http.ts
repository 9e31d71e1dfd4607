import type { Value } from '../flow-types';
import {
  type CheckContext,
  dflt,
  INVALID,
  int,
  issue,
  obj,
  oneOf,
  opt,
  type Parsed,
  pointer,
  rec,
  type Shape,
  str,
  target,
  tmpl,
} from '../shape';
import { parseTemplate, type Template, TemplateError, templateVariables } from '../template';
import { defineVerb, next, type Runtime, refuse, wait } from './verb';

/**
 * `http`: calls an external system. `url` and `headers` are templates (values inserted into the URL
 * are percent-encoded; CR/LF are removed from header values); `body` is JSON whose strings are
 * templates — a string that is exactly `"{{name}}"` becomes the variable's typed value. The channel
 * (the server) performs the request within `timeoutMs` and reports `http_response` (status and parsed
 * JSON body) or `error`/`timeout`.
 *
 * A 2xx reply takes `ok` after `map` copies values from the reply into variables (`"order.status"`,
 * `"items.0.name"`: dot-separated keys and array indexes; a missing path or a non-scalar gives null).
 * Anything else takes `error`. `http.status` holds the last status (null after a transport error).
 */
export const http = defineVerb({
  name: 'http',
  fields: obj({
    method: dflt(oneOf(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']), 'GET'),
    url: tmpl({ prefix: /^https?:\/\/[^{/]/i, hint: 'http:// or https:// and a literal host' }),
    headers: opt(
      rec(tmpl(), { key: str({ max: 64, pattern: /^[A-Za-z0-9-]+$/, hint: 'a header name' }), max: 20 }),
    ),
    body: opt(jsonTemplate()),
    timeoutMs: dflt(int({ min: 100, max: 30_000 }), 5000),
    map: opt(
      rec(str({ max: 256, pattern: /^[^.]+(\.[^.]+){0,15}$/, hint: 'keys separated by dots (at most 16)' }), {
        key: target(),
        max: 50,
      }),
    ),
  }),
  outcomes: () => ({ required: ['ok', 'error'] }),
  enter(node, rt) {
    const headers: Record<string, string> = {};
    for (const [k, t] of Object.entries(node.headers ?? {})) {
      headers[k] = rt.renderTemplate(t, (s) => s.replace(/[\r\n]+/g, ' '));
    }
    return wait({
      type: 'http',
      method: node.method,
      url: rt.renderTemplate(node.url, encodeURIComponent),
      headers,
      body: node.body === undefined ? null : JSON.stringify(fill(node.body, rt)),
      timeoutMs: node.timeoutMs,
    });
  },
  resume(node, rt, event) {
    if (event.type === 'error' || event.type === 'timeout') {
      rt.set('http.status', null);
      return next('error');
    }
    if (event.type !== 'http_response') return refuse(event, '"http_response", "error" or "timeout"');
    rt.set('http.status', event.status);
    if (event.status < 200 || event.status > 299) return next('error');
    const body = parseBody(event.body);
    for (const [name, path] of Object.entries(node.map ?? {})) rt.set(name, dig(body, path));
    return next('ok');
  },
});

/** A JSON body with templates in its strings. */
type JsonTemplate =
  | { readonly k: 'text'; readonly t: Template }
  | { readonly k: 'var'; readonly name: string }
  | { readonly k: 'lit'; readonly v: number | boolean | null }
  | { readonly k: 'arr'; readonly items: readonly JsonTemplate[] }
  | { readonly k: 'obj'; readonly entries: readonly (readonly [string, JsonTemplate])[] };

const MAX_BODY_DEPTH = 10;
const MAX_BODY_NODES = 500;

function jsonTemplate(): Shape<JsonTemplate> {
  return {
    optional: false,
    expected: 'JSON',
    parse(v, path, cx) {
      const budget = { nodes: 0 };
      return walk(v, path, cx, 0, budget);
    },
  };
}

function walk(
  v: unknown,
  path: string,
  cx: CheckContext,
  depth: number,
  budget: { nodes: number },
): Parsed<JsonTemplate> {
  if (++budget.nodes > MAX_BODY_NODES)
    return issue(cx, 'TOO_LARGE', path, `body has more than ${MAX_BODY_NODES} values`);
  if (depth > MAX_BODY_DEPTH)
    return issue(cx, 'TOO_LARGE', path, `body nested deeper than ${MAX_BODY_DEPTH}`);
  if (v === null || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)))
    return { k: 'lit', v };
  if (typeof v === 'string') {
    let t: Template;
    try {
      t = parseTemplate(v);
    } catch (error) {
      if (error instanceof TemplateError) return issue(cx, 'BAD_EXPRESSION', path, error.message);
      throw error;
    }
    for (const name of templateVariables(t)) cx.reads.push({ name, path });
    const only = t.length === 1 ? t[0] : undefined;
    return only !== undefined && typeof only !== 'string' ? { k: 'var', name: only.name } : { k: 'text', t };
  }
  if (Array.isArray(v)) {
    const items: JsonTemplate[] = [];
    for (let i = 0; i < v.length; i++) {
      const r = walk(v[i], pointer(path, i), cx, depth + 1, budget);
      if (r === INVALID) return INVALID;
      items.push(r);
    }
    return { k: 'arr', items };
  }
  if (typeof v === 'object') {
    const entries: [string, JsonTemplate][] = [];
    for (const [key, x] of Object.entries(v)) {
      const r = walk(x, pointer(path, key), cx, depth + 1, budget);
      if (r === INVALID) return INVALID;
      entries.push([key, r]);
    }
    return { k: 'obj', entries };
  }
  return issue(cx, 'WRONG_TYPE', path, `expected JSON, got ${typeof v}`);
}

function fill(t: JsonTemplate, rt: Runtime): unknown {
  switch (t.k) {
    case 'lit':
      return t.v;
    case 'var':
      return rt.get(t.name);
    case 'text':
      return rt.renderTemplate(t.t);
    case 'arr':
      return t.items.map((i) => fill(i, rt));
    case 'obj': {
      const out: Record<string, unknown> = {};
      for (const [k, x] of t.entries) Object.defineProperty(out, k, { value: fill(x, rt), enumerable: true });
      return out;
    }
  }
}

/** Channels should pass parsed JSON; a JSON string is parsed here (up to 1 MB), anything else kept. */
function parseBody(body: unknown): unknown {
  if (typeof body !== 'string' || body.length > 1_000_000) return body;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

function dig(body: unknown, path: string): Value {
  let v: unknown = body;
  for (const key of path.split('.')) {
    if (Array.isArray(v) && /^\d+$/.test(key)) v = v[Number(key)];
    else if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.hasOwn(v, key)) {
      v = (v as Record<string, unknown>)[key];
    } else return null;
  }
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
