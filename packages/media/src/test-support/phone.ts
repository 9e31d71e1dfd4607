// A test "phone": one RtpLeg on 127.0.0.1 driven by its own 20 ms ticker in the test's thread, sending
// a source (looped) and keeping every frame it hears.
import type { G711Law } from '../codec/g711';
import type { DtmfEvent } from '../leg';
import type { PortAllocator } from '../rtp/port-allocator';
import { type RtpEndpoint, RtpLeg, type RtpLegOptions } from '../rtp/rtp-leg';
import { Ticker } from '../worker/ticker';

export interface Phone {
  readonly leg: RtpLeg;
  readonly endpoint: RtpEndpoint;
  readonly heard: Int16Array[];
  readonly digits: DtmfEvent[];
  /** Starts the clock: sends one frame per tick (from `source`, looped; silence without one). */
  start(): void;
  close(): Promise<void>;
}

export async function startPhone(
  ports: PortAllocator,
  options: {
    id: string;
    codec?: G711Law;
    remote?: RtpEndpoint;
    source?: Int16Array;
    rtcpMux?: boolean;
    extra?: Partial<RtpLegOptions>;
  },
): Promise<Phone> {
  const heard: Int16Array[] = [];
  const digits: DtmfEvent[] = [];
  const leg = new RtpLeg({
    id: options.id,
    codec: options.codec ?? 'PCMU',
    ports: await ports.allocate('127.0.0.1', options.rtcpMux ?? false),
    now: () => performance.now(),
    onDtmf: (e) => digits.push(e),
    ...(options.remote ? { remote: options.remote } : {}),
    ...(options.rtcpMux ? { rtcpMux: true } : {}),
    ...options.extra,
  });
  let position = 0;
  const ticker = new Ticker(20, (now) => {
    heard.push(Int16Array.from(leg.receiveFrame(now)));
    const frame = new Int16Array(160);
    const src = options.source;
    if (src && src.length > 0) {
      for (let i = 0; i < 160; i++) frame[i] = src[(position + i) % src.length]!;
      position = (position + 160) % src.length;
    }
    leg.sendFrame(frame, now);
  });
  return {
    leg,
    endpoint: { address: '127.0.0.1', port: leg.localPort },
    heard,
    digits,
    start: () => ticker.start(),
    async close() {
      ticker.stop();
      await leg.close();
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` holds, polling; fails after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
