import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { phoneConfig, turnRestCredential } from './agent-phone-config';

describe('softphone ICE servers', () => {
  it('are empty without TURN and say when voice is off', () => {
    expect(phoneConfig({ enabled: true, turn: undefined, ttlMs: 1000 }, 'u1', 0)).toEqual({
      enabled: true,
      iceServers: [],
      iceTransportPolicy: 'all',
    });
    expect(phoneConfig({ enabled: false, turn: undefined, ttlMs: 1000 }, 'u1', 0).enabled).toBe(false);
  });

  it('hand out static TURN credentials as configured', () => {
    const turn = loadConfig({
      HOTLINE_TURN_URL: 'turn:turn.example.com:3478?transport=udp',
      HOTLINE_TURN_USERNAME: 'agent',
      HOTLINE_TURN_PASSWORD: 'secret',
    }).media?.turn;
    expect(phoneConfig({ enabled: true, turn, ttlMs: 1000 }, 'u1', 0)).toEqual({
      enabled: true,
      iceServers: [
        { urls: ['turn:turn.example.com:3478?transport=udp'], username: 'agent', credential: 'secret' },
      ],
      iceTransportPolicy: 'all',
    });
  });

  it('tell browsers to relay everything through TURN when the policy says relay', () => {
    const turn = loadConfig({
      HOTLINE_TURN_URL: 'turn:turn.example.com:3478',
      HOTLINE_TURN_SECRET: 's3cret-key',
      HOTLINE_TURN_POLICY: 'relay',
    }).media?.turn;
    expect(phoneConfig({ enabled: true, turn, ttlMs: 1000 }, 'u1', 0).iceTransportPolicy).toBe('relay');
  });

  it('derive time-limited TURN REST credentials from the shared secret (coturn static-auth-secret)', () => {
    const c = turnRestCredential('s3cret-key', 'user-1', 1_700_000_000_000, 3_600_000);
    expect(c.username).toBe('1700003600:user-1');
    expect(c.credential).toBe(createHmac('sha1', 's3cret-key').update('1700003600:user-1').digest('base64'));
    const turn = loadConfig({
      HOTLINE_TURN_URL: 'turns:turn.example.com:5349',
      HOTLINE_TURN_SECRET: 's3cret-key',
    }).media?.turn;
    const [server] = phoneConfig(
      { enabled: true, turn, ttlMs: 3_600_000 },
      'user-1',
      1_700_000_000_000,
    ).iceServers;
    expect(server).toEqual({ urls: ['turns:turn.example.com:5349'], ...c });
  });
});

describe('media config', () => {
  it('defaults to loopback, 40000–49999, one worker per core at nice -10, native WebRTC when it loads, no TURN', () => {
    expect(loadConfig({}).media).toEqual({
      address: '127.0.0.1',
      portRange: { min: 40_000, max: 49_999 },
      workers: undefined,
      threadNice: -10,
      webrtcPortRange: undefined,
      webrtc: 'auto',
      turn: undefined,
    });
    expect(loadConfig({ HOTLINE_WEBRTC: 'werift' }).media?.webrtc).toBe('werift');
    expect(loadConfig({ HOTLINE_WEBRTC: 'native' }).media?.webrtc).toBe('native');
    expect(() => loadConfig({ HOTLINE_WEBRTC: 'chrome' })).toThrow(/HOTLINE_WEBRTC/);
    expect(
      loadConfig({ HOTLINE_WEBRTC_PORT_MIN: '50000', HOTLINE_WEBRTC_PORT_MAX: '50999' }).media
        ?.webrtcPortRange,
    ).toEqual({
      min: 50_000,
      max: 50_999,
    });
    expect(loadConfig({ HOTLINE_MEDIA_ENABLED: 'false' }).media).toBeNull();
  });

  it('refuses half-configured or contradictory TURN and tiny port ranges, naming the variables', () => {
    expect(() => loadConfig({ HOTLINE_TURN_URL: 'turn:x' })).toThrow(/HOTLINE_TURN_USERNAME/);
    expect(() => loadConfig({ HOTLINE_TURN_USERNAME: 'a', HOTLINE_TURN_PASSWORD: 'b' })).toThrow(
      /HOTLINE_TURN_URL/,
    );
    expect(() =>
      loadConfig({ HOTLINE_TURN_URL: 'turn:x', HOTLINE_TURN_SECRET: '12345678', HOTLINE_TURN_USERNAME: 'a' }),
    ).toThrow(/HOTLINE_TURN_SECRET/);
    expect(() => loadConfig({ HOTLINE_TURN_URL: 'http://x' })).toThrow(/HOTLINE_TURN_URL/);
    expect(() => loadConfig({ HOTLINE_TURN_POLICY: 'relay' })).toThrow(/HOTLINE_TURN_POLICY/);
    expect(() =>
      loadConfig({
        HOTLINE_TURN_URL: 'turn:x',
        HOTLINE_TURN_SECRET: '12345678',
        HOTLINE_TURN_POLICY: 'turn',
      }),
    ).toThrow(/HOTLINE_TURN_POLICY/);
    expect(() => loadConfig({ HOTLINE_WEBRTC_PORT_MIN: '50000' })).toThrow(/set both or neither/);
    expect(() => loadConfig({ HOTLINE_WEBRTC_PORT_MIN: '45000', HOTLINE_WEBRTC_PORT_MAX: '46000' })).toThrow(
      /overlap/,
    );
    expect(() => loadConfig({ HOTLINE_RTP_PORT_MIN: '40000', HOTLINE_RTP_PORT_MAX: '40004' })).toThrow(
      /HOTLINE_RTP_PORT_MIN/,
    );
  });
});
