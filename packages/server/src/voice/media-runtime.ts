/**
 * The server's one media engine: starts the `MediaHost` (worker threads, RTP and WebRTC sockets) from
 * config and stops it on shutdown. Every voice feature (inbound calls, the agents' WebRTC phones, the
 * audio check) uses the same runtime, passed in from the composition root — never a second host.
 *
 * Events: `MediaHost` takes a single listener at start; the runtime fans events out to any number of
 * subscribers (each feature filters by its own call or phone ids). A subscriber that throws is logged
 * and does not stop the others.
 */
import { MediaHost } from '@hotline/media/worker/media-host';
import type { MediaEvent } from '@hotline/media/worker/protocol';
import { DEFAULT_MEDIA_NICE, type MediaConfig } from '../config';

export interface MediaRuntime {
  readonly host: MediaHost;
  /** The RTP/WebRTC address from config (what SDP answers advertise). */
  readonly address: string;
  /** Adds a listener for every media event; returns its removal. */
  subscribe(listener: (event: MediaEvent) => void): () => void;
  stop(): Promise<void>;
}

export interface MediaRuntimeLog {
  error(obj: object, msg: string): void;
  warn?(obj: object, msg: string): void;
  info?(obj: object, msg: string): void;
}

/** Starts the media workers. Resolves when every worker has loaded its code. */
export async function startMediaRuntime(
  config: Pick<MediaConfig, 'address' | 'portRange' | 'workers'> &
    Partial<Pick<MediaConfig, 'webrtcPortRange' | 'webrtc' | 'threadNice'>>,
  log: MediaRuntimeLog,
  options: { statsIntervalMs?: number } = {},
): Promise<MediaRuntime> {
  const listeners = new Set<(event: MediaEvent) => void>();
  const host = await MediaHost.start({
    address: config.address,
    portRange: config.portRange,
    ...(config.workers === undefined ? {} : { workers: config.workers }),
    ...(config.webrtcPortRange === undefined ? {} : { webrtcPortRange: config.webrtcPortRange }),
    ...(options.statsIntervalMs === undefined ? {} : { statsIntervalMs: options.statsIntervalMs }),
    ...(config.webrtc === undefined ? {} : { webrtc: config.webrtc }),
    threadNice: config.threadNice ?? DEFAULT_MEDIA_NICE,
    onEvent: (event) => {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (err) {
          log.error({ err, event: event.type }, 'media event listener failed');
        }
      }
    },
  });
  // which WebRTC stack the agents' phones get, and why (the fallback's cause when `auto` fell back)
  const webrtc = { configured: config.webrtc ?? 'auto', ...host.webrtc };
  if (webrtc.configured === 'auto' && host.webrtc.transport === 'werift')
    if (log.warn) log.warn(webrtc, 'native WebRTC unavailable: agents use werift (more CPU per phone)');
    else log.error(webrtc, 'native WebRTC unavailable: agents use werift (more CPU per phone)');
  else log.info?.(webrtc, `agents' WebRTC: ${host.webrtc.transport}`);
  // the media threads' priority (thread-priority.ts): refused, audio still flows, with more jitter under load
  const priority = host.threadPriority;
  if (priority.nice !== 0 && priority.applied < priority.threads) {
    const message = `media threads run at normal priority (${priority.applied} of ${priority.threads} got nice ${priority.nice}): grant CAP_SYS_NICE or set HOTLINE_MEDIA_NICE=0`;
    if (log.warn) log.warn(priority, message);
    else log.error(priority, message);
  } else if (priority.nice !== 0) log.info?.(priority, `media threads at nice ${priority.nice}`);
  let stopped = false;
  return {
    host,
    address: config.address,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      listeners.clear();
      await host.stop();
    },
  };
}
