import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('applies defaults for an empty environment', () => {
    const sut = loadConfig({});
    expect(sut.port).toBe(8080);
    expect(sut.databaseUrl).toBeUndefined();
    expect(sut.dataDir).toMatch(/data$/);
    expect(sut.admin.email).toBe('admin@hotline.local');
    expect(sut.admin.password).toBeUndefined();
  });

  it('reads the missed-offers limit of routing (default 3, 0 disables, negative refused)', () => {
    expect(loadConfig({}).missedOffersLimit).toBe(3);
    expect(loadConfig({ HOTLINE_MISSED_OFFERS_LIMIT: '0' }).missedOffersLimit).toBe(0);
    expect(() => loadConfig({ HOTLINE_MISSED_OFFERS_LIMIT: '-1' })).toThrow(/HOTLINE_MISSED_OFFERS_LIMIT/);
  });

  it("reads the media threads' nice value (default -10, 0 leaves them alone, out of range refused)", () => {
    expect(loadConfig({}).media?.threadNice).toBe(-10);
    expect(loadConfig({ HOTLINE_MEDIA_NICE: '0' }).media?.threadNice).toBe(0);
    expect(() => loadConfig({ HOTLINE_MEDIA_NICE: '-21' })).toThrow(/HOTLINE_MEDIA_NICE/);
    expect(() => loadConfig({ HOTLINE_MEDIA_NICE: 'high' })).toThrow(/HOTLINE_MEDIA_NICE/);
  });

  it('treats empty variables as absent', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).port).toBe(8080);
  });

  it('names every invalid variable in one error', () => {
    const act = () =>
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', HOTLINE_ADMIN_PASSWORD: 'short' });
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(/PORT[\s\S]*DATABASE_URL[\s\S]*HOTLINE_ADMIN_PASSWORD/);
  });

  it('reads a PostgreSQL URL and admin credentials', () => {
    const sut = loadConfig({
      DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
      HOTLINE_ADMIN_EMAIL: ' Boss@Example.COM ',
      HOTLINE_ADMIN_PASSWORD: 'correct horse battery',
    });
    expect(sut.databaseUrl).toBe('postgres://u:p@127.0.0.1:5432/db');
    expect(sut.admin.email).toBe('boss@example.com');
  });
});
