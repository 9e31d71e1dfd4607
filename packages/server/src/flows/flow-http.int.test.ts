import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FlowAction } from '@hotline/core/flow/flow-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultEgressPolicy,
  type EgressPolicy,
  executeFlowHttp,
  isPrivateAddress,
  MAX_RESPONSE_BYTES,
  parseEgressAllowList,
} from './flow-http';

/**
 * The http verb against real sockets: a small server on 127.0.0.1 (port 0) that answers JSON, HTML,
 * oversized and slow replies and redirects; the egress policy that keeps flows off private networks.
 */
type HttpAction = Extract<FlowAction, { type: 'http' }>;

describe('executeFlowHttp', () => {
  let server: Server;
  let port: number;
  let seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  let allow: EgressPolicy;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
          res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
          res.end(JSON.stringify(value));
        };
        switch (req.url) {
          case '/ok':
            return json(200, { order: { status: 'shipped' } });
          case '/echo':
            return json(201, { got: JSON.parse(body || 'null') });
          case '/missing':
            return json(404, { error: 'nope' });
          case '/html':
            res.writeHead(200, { 'content-type': 'text/html' });
            return res.end('<p>hi</p>');
          case '/broken':
            res.writeHead(200, { 'content-type': 'application/json' });
            return res.end('{"a":');
          case '/html-error':
            res.writeHead(500, { 'content-type': 'text/html' });
            return res.end('<h1>oops</h1>');
          case '/huge':
            return json(200, { pad: 'x'.repeat(MAX_RESPONSE_BYTES) });
          case '/huge-chunked': {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.write('{"pad":"');
            for (let i = 0; i < 40; i++) res.write('y'.repeat(10_000));
            return res.end('"}');
          }
          case '/slow': {
            const t = setTimeout(() => json(200, { late: true }), 2_000);
            req.on('close', () => clearTimeout(t));
            return;
          }
          case '/same-host-redirect':
            res.writeHead(302, { location: '/ok' });
            return res.end();
          case '/to-metadata':
            res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
            return res.end();
          case '/to-localhost-name':
            res.writeHead(301, { location: `http://localhost:${port}/ok` });
            return res.end();
          case '/loop':
            res.writeHead(302, { location: '/loop' });
            return res.end();
          default:
            return json(404, {});
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    allow = parseEgressAllowList(`127.0.0.1:${port}`);
  });
  afterAll(() => {
    server?.close();
  });

  const action = (path: string, extra: Partial<HttpAction> = {}): HttpAction => ({
    type: 'http',
    method: 'GET',
    url: `http://127.0.0.1:${port}${path}`,
    headers: {},
    body: null,
    timeoutMs: 1_000,
    ...extra,
  });

  it('returns the status and the parsed JSON body, sending the flow’s method, headers and body', async () => {
    expect(await executeFlowHttp(action('/ok'), allow)).toEqual({
      type: 'http_response',
      status: 200,
      body: { order: { status: 'shipped' } },
    });
    seen = [];
    const posted = await executeFlowHttp(
      action('/echo', {
        method: 'POST',
        body: '{"id":"42"}',
        headers: { 'X-Api-Key': 'k1', Host: 'evil.example', 'Content-Length': '1' },
      }),
      allow,
    );
    expect(posted).toEqual({ type: 'http_response', status: 201, body: { got: { id: '42' } } });
    expect(seen[0]).toMatchObject({ method: 'POST', body: '{"id":"42"}' });
    // The flow's own header passes; transport headers it tried to set do not.
    expect(seen[0]!.headers['x-api-key']).toBe('k1');
    expect(seen[0]!.headers.host).toBe(`127.0.0.1:${port}`);
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(await executeFlowHttp(action('/missing'), allow)).toEqual({
      type: 'http_response',
      status: 404,
      body: { error: 'nope' },
    });
  });

  it('reports replies that are not JSON, broken, oversized or late as error / timeout', async () => {
    expect(await executeFlowHttp(action('/html'), allow)).toMatchObject({ type: 'error', code: 'NOT_JSON' });
    expect(await executeFlowHttp(action('/broken'), allow)).toMatchObject({
      type: 'error',
      code: 'BAD_JSON',
    });
    // A failed call with an HTML page is still the failed call (status kept for `http.status`).
    expect(await executeFlowHttp(action('/html-error'), allow)).toEqual({
      type: 'http_response',
      status: 500,
      body: null,
    });
    expect(await executeFlowHttp(action('/huge'), allow)).toMatchObject({ type: 'error', code: 'TOO_LARGE' });
    expect(await executeFlowHttp(action('/huge-chunked'), allow)).toMatchObject({
      type: 'error',
      code: 'TOO_LARGE',
    });
    const began = Date.now();
    expect(await executeFlowHttp(action('/slow', { timeoutMs: 300 }), allow)).toEqual({ type: 'timeout' });
    expect(Date.now() - began).toBeLessThan(1_500);
    const abort = new AbortController();
    const pending = executeFlowHttp(action('/slow'), allow, abort.signal);
    abort.abort();
    expect(await pending).toMatchObject({ type: 'error', code: 'ABORTED' });
  });

  it('refuses private, loopback and link-local addresses unless the host is allow-listed', async () => {
    for (const url of [
      `http://127.0.0.1:${port}/ok`,
      `http://localhost:${port}/ok`,
      'http://10.1.2.3/',
      'http://192.168.0.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://0x7f.1/',
      'http://2130706433/',
      'http://100.64.0.1/',
    ]) {
      expect(await executeFlowHttp(action('', { url }), defaultEgressPolicy), url).toMatchObject({
        type: 'error',
        code: 'EGRESS_DENIED',
      });
    }
    // Another port of the same allow-listed host is not allowed.
    expect(await executeFlowHttp(action('/ok'), parseEgressAllowList(`127.0.0.1:${port + 1}`))).toMatchObject(
      { type: 'error', code: 'EGRESS_DENIED' },
    );
    // The bare host allows every port; allowPrivate allows everything.
    expect(await executeFlowHttp(action('/ok'), parseEgressAllowList('127.0.0.1'))).toMatchObject({
      type: 'http_response',
      status: 200,
    });
    expect(await executeFlowHttp(action('/ok'), { allowPrivate: true, allowHosts: [] })).toMatchObject({
      status: 200,
    });
    expect(
      await executeFlowHttp(action('', { url: 'ftp://example.com/' }), defaultEgressPolicy),
    ).toMatchObject({ type: 'error', code: 'BAD_URL' });
    expect(
      await executeFlowHttp(action('', { url: `http://u:p@127.0.0.1:${port}/ok` }), allow),
    ).toMatchObject({ type: 'error', code: 'BAD_URL' });
  });

  it('follows redirects only on the same host', async () => {
    expect(await executeFlowHttp(action('/same-host-redirect'), allow)).toMatchObject({
      type: 'http_response',
      status: 200,
    });
    expect(await executeFlowHttp(action('/to-metadata'), allow)).toMatchObject({
      type: 'error',
      code: 'REDIRECT_REFUSED',
    });
    // `localhost` is another host name, even for the same machine.
    expect(await executeFlowHttp(action('/to-localhost-name'), allow)).toMatchObject({
      type: 'error',
      code: 'REDIRECT_REFUSED',
    });
    expect(await executeFlowHttp(action('/loop'), allow)).toMatchObject({
      type: 'error',
      code: 'REDIRECT_REFUSED',
    });
  });
});

describe('egress policy', () => {
  it('classifies addresses', () => {
    for (const ip of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '0.0.0.0'])
      expect(isPrivateAddress(ip), ip).toBe(true);
    for (const ip of ['::1', 'fe80::1', 'fc00::1', '::ffff:10.0.0.1', '::'])
      expect(isPrivateAddress(ip), ip).toBe(true);
    for (const ip of ['8.8.8.8', '1.1.1.1', '2a00:1450:4001::1', '172.32.0.1'])
      expect(isPrivateAddress(ip), ip).toBe(false);
    expect(isPrivateAddress('not-an-ip')).toBe(true);
  });

  it('reads HOTLINE_FLOW_HTTP_ALLOW', () => {
    expect(parseEgressAllowList(undefined)).toEqual({ allowPrivate: false, allowHosts: [] });
    expect(parseEgressAllowList(' CRM.internal:8443 , 127.0.0.1,[::1]:80 ,')).toEqual({
      allowPrivate: false,
      allowHosts: ['crm.internal:8443', '127.0.0.1', '[::1]:80'],
    });
    for (const bad of ['http://crm', 'crm/x', 'user@crm', 'crm:99999', 'a b'])
      expect(() => parseEgressAllowList(bad), bad).toThrow();
  });
});
