import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { PortAllocator } from './port-allocator';

describe('PortAllocator', () => {
  it('binds an even RTP port with RTCP on the next, round-robin, skipping ports someone holds', async () => {
    const squatter = createSocket('udp4');
    await new Promise<void>((resolve) => squatter.bind(41602, '127.0.0.1', resolve));
    const sut = new PortAllocator({ min: 41599, max: 41607 });
    const a = await sut.allocate('127.0.0.1', false);
    const b = await sut.allocate('127.0.0.1', false);
    expect([a.rtpPort, b.rtpPort]).toEqual([41600, 41604]);
    expect(a.rtcp?.address().port).toBe(41601);
    a.release();
    const c = await sut.allocate('127.0.0.1', true);
    expect(c.rtpPort).toBe(41606);
    expect(c.rtcp).toBeUndefined();
    await expect(sut.allocate('127.0.0.1', false)).resolves.toMatchObject({ rtpPort: 41600 });
    await expect(sut.allocate('127.0.0.1', false)).rejects.toThrow(/no free RTP port/);
    expect(sut.inUse).toBe(3);
    squatter.close();
  });
});
