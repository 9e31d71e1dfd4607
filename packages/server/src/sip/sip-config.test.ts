import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';

describe('SIP configuration', () => {
  it('listens on loopback 5060 by default, without TLS, realm hotline', () => {
    const sut = loadConfig({});
    expect(sut.sip).toEqual({ host: '127.0.0.1', advertisedHost: undefined, port: 5060, tls: undefined });
    expect(sut.sipRealm).toBe('hotline');
  });

  it('takes host, port 0, TLS files and an advertised host; SIP_ENABLED=false turns it off', () => {
    const sut = loadConfig({
      SIP_HOST: '0.0.0.0',
      SIP_ADVERTISED_HOST: '203.0.113.10',
      SIP_PORT: '0',
      SIP_TLS_PORT: '5071',
      SIP_TLS_CERT: '/etc/hotline/sip.crt',
      SIP_TLS_KEY: '/etc/hotline/sip.key',
      SIP_REALM: 'calls.example.com',
    });
    expect(sut.sip).toEqual({
      host: '0.0.0.0',
      advertisedHost: '203.0.113.10',
      port: 0,
      tls: { port: 5071, certFile: '/etc/hotline/sip.crt', keyFile: '/etc/hotline/sip.key' },
    });
    expect(sut.sipRealm).toBe('calls.example.com');
    expect(loadConfig({ SIP_ENABLED: 'false' }).sip).toBeNull();
  });

  it('refuses a certificate without key, and bad ports', () => {
    expect(() => loadConfig({ SIP_TLS_CERT: '/x.crt' })).toThrow(/SIP_TLS_CERT, SIP_TLS_KEY/);
    expect(() => loadConfig({ SIP_PORT: '70000' })).toThrow(/SIP_PORT/);
    expect(() => loadConfig({ SIP_ENABLED: 'maybe' })).toThrow(/SIP_ENABLED/);
  });
});
