import { describe, expect, it } from 'vitest';
import { ApiError, WidgetApi } from './api';

interface Call {
  url: string;
  init: RequestInit;
}

function fakeFetch(response: () => Response | Promise<Response>) {
  const calls: Call[] = [];
  const fetchFn = async (url: string, init: RequestInit = {}) => {
    calls.push({ url, init });
    return response();
  };
  return { calls, fetchFn };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const conversationId = '00000000-0000-4000-8000-000000000001';

describe('WidgetApi', () => {
  it('calls the Hotline origin, never the page, with the tenant slug escaped', async () => {
    const { calls, fetchFn } = fakeFetch(() => json(200, { tenantName: 'Acme' }));
    const sut = new WidgetApi('https://hotline.example', 'acme/../x', fetchFn);
    expect(await sut.config('ru')).toEqual({ tenantName: 'Acme' });
    expect(calls[0]!.url).toBe('https://hotline.example/api/widget/acme%2F..%2Fx/config?lang=ru');
    expect(calls[0]!.init).toMatchObject({ credentials: 'omit', mode: 'cors' });
    expect(calls[0]!.init.headers).toEqual({ accept: 'application/json' });
  });

  it('posts JSON for a new conversation, without a token', async () => {
    const { calls, fetchFn } = fakeFetch(() =>
      json(201, { conversationId, visitorToken: 'hlv_x', status: {} }),
    );
    const sut = new WidgetApi('https://h.test', 'acme', fetchFn);
    await sut.start({ name: 'Bob', language: 'en' });
    expect(calls[0]!.url).toBe('https://h.test/api/widget/acme/conversations');
    expect(calls[0]!.init.method).toBe('POST');
    expect(calls[0]!.init.body).toBe('{"name":"Bob","language":"en"}');
    expect(calls[0]!.init.headers).toEqual({
      accept: 'application/json',
      'content-type': 'application/json',
    });
  });

  it('sends the visitor token as a bearer on conversation calls', async () => {
    const { calls, fetchFn } = fakeFetch(() => json(200, { items: [{ seq: 1 }] }));
    const sut = new WidgetApi('https://h.test', 'acme', fetchFn);
    expect(await sut.messages('hlv_t', conversationId, 4)).toEqual([{ seq: 1 }]);
    expect(calls[0]!.url).toBe(`https://h.test/api/widget/conversations/${conversationId}/messages?after=4`);
    expect(calls[0]!.init.headers).toMatchObject({ authorization: 'Bearer hlv_t' });
  });

  it('uploads a file as multipart field "file" (the browser sets the boundary)', async () => {
    const { calls, fetchFn } = fakeFetch(() => json(201, { id: 'a' }));
    const sut = new WidgetApi('https://h.test', 'acme', fetchFn);
    await sut.upload('hlv_t', conversationId, new Blob(['%PDF-1.4']), 'doc.pdf');
    const body = calls[0]!.init.body as FormData;
    expect(body).toBeInstanceOf(FormData);
    expect((body.get('file') as File).name).toBe('doc.pdf');
    expect(calls[0]!.init.headers).toEqual({ accept: 'application/json', authorization: 'Bearer hlv_t' });
  });

  it('reads a transcript as a blob', async () => {
    const { fetchFn } = fakeFetch(() => new Response('Bob: hi\n', { status: 200 }));
    const sut = new WidgetApi('https://h.test', 'acme', fetchFn);
    expect(await (await sut.transcript('hlv_t', conversationId)).text()).toBe('Bob: hi\n');
  });

  it('turns an error body into ApiError with the stable code', async () => {
    const { fetchFn } = fakeFetch(() => json(429, { error: { code: 'RATE_LIMITED', message: 'slow down' } }));
    const sut = new WidgetApi('https://h.test', 'acme', fetchFn);
    const error = await sut.rate('hlv_t', conversationId, 5, '').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 429, code: 'RATE_LIMITED', message: 'slow down' });
  });

  it('keeps the status when the error is not ours (a proxy page)', async () => {
    const { fetchFn } = fakeFetch(() => new Response('<html>Bad gateway</html>', { status: 502 }));
    const sut = new WidgetApi('https://h.test', 'acme', fetchFn);
    await expect(sut.config('en')).rejects.toMatchObject({ status: 502, code: 'INTERNAL' });
  });

  it('reports a network failure as NETWORK, status 0', async () => {
    const { fetchFn } = fakeFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    const sut = new WidgetApi('https://h.test', 'acme', fetchFn);
    await expect(sut.config('en')).rejects.toMatchObject({ status: 0, code: 'NETWORK' });
  });

  it('accepts an empty answer', async () => {
    const { fetchFn } = fakeFetch(() => new Response(null, { status: 204 }));
    const sut = new WidgetApi('https://h.test', 'acme', fetchFn);
    await expect(sut.end('hlv_t', conversationId)).resolves.toBeUndefined();
  });
});
