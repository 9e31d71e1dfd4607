import { describe, expect, it } from 'vitest';
import { Conversation, single } from '../test-support';

const lookup = {
  verb: 'http',
  method: 'POST',
  url: 'https://crm.example.com/customers/{{caller.number}}/orders?q={{query}}',
  headers: { Authorization: 'Bearer {{token}}' },
  body: {
    phone: '{{caller.number}}',
    count: '{{count}}',
    note: 'order {{query}}',
    nested: [{ fixed: true }, null],
  },
  timeoutMs: 2000,
  map: { status: 'orders.0.status', total: 'summary.total', missing: 'no.such.path', obj: 'summary' },
};
const vars = {
  query: { type: 'string', default: 'a&b=c/d' },
  token: { type: 'string', default: 'abc\r\nX-Evil: 1' },
  count: { type: 'number', default: 3 },
};
const sut = single(lookup, ['ok', 'error'], vars);
const start = () => new Conversation(sut, { channel: 'chat', caller: { number: '+7 495' } });

describe('http', () => {
  it('renders the request: URL values percent-encoded, header values without CR/LF, typed JSON body', () => {
    expect(start().action).toEqual({
      type: 'http',
      method: 'POST',
      url: 'https://crm.example.com/customers/%2B7%20495/orders?q=a%26b%3Dc%2Fd',
      headers: { Authorization: 'Bearer abc X-Evil: 1' },
      body: JSON.stringify({
        phone: '+7 495',
        count: 3,
        note: 'order a&b=c/d',
        nested: [{ fixed: true }, null],
      }),
      timeoutMs: 2000,
    });
  });

  it('a 2xx reply maps scalars into variables; missing paths and objects give null', () => {
    const c = start();
    c.send({
      type: 'http_response',
      status: 200,
      body: { orders: [{ status: 'shipped' }], summary: { total: 12.5 } },
    });
    expect(c.outcome).toBe('ok');
    expect(c.step.state.vars).toMatchObject({
      status: 'shipped',
      total: 12.5,
      missing: null,
      obj: null,
      'http.status': 200,
    });
  });

  it('parses a JSON text body, ignores prototype keys', () => {
    const c = start();
    c.send({ type: 'http_response', status: 201, body: '{"orders":[{"status":"new"}],"__proto__":{"x":1}}' });
    expect(c.step.state.vars.status).toBe('new');
  });

  it.each([
    [{ type: 'http_response', status: 404, body: {} }, 404],
    [{ type: 'http_response', status: 500, body: 'oops' }, 500],
    [{ type: 'error', message: 'ECONNREFUSED' }, null],
    [{ type: 'timeout' }, null],
  ] as const)('%j takes error', (event, status) => {
    const c = start();
    c.send(event);
    expect(c.outcome).toBe('error');
    expect(c.step.state.vars['http.status']).toBe(status);
  });

  it('refuses a malformed reply (status out of range) without moving on', () => {
    const c = start();
    const r = c.send({ type: 'http_response', status: 42, body: null });
    expect(r.refused?.code).toBe('BAD_EVENT');
    expect(c.action.type).toBe('http');
  });
});
