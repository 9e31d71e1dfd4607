/**
 * The process's one native phone thread (ADR 0009): loads node-datachannel — the only thread that ever
 * does — and hosts one phones-only `MediaEngine` per attached `MediaHost`, each on its own MessagePort
 * speaking the ordinary media protocol (phoneCreate, phoneAttach, …). Started and kept by
 * `native-phone-thread.ts`; see there for the lifecycle. Started through `worker-bootstrap.mjs`.
 *
 * Control messages on `parentPort` (not the media protocol): `attach` (a port and an engine config) →
 * `attached`; `detach` → the engine's phones are closed, `detached`; `shutdown` (sent from the main
 * thread's `exit` handler, which waits on `exitFlag`) → every connection closed and the addon cleaned
 * up, then the flag is raised. An exception that escapes to this thread is reported, never fatal: the
 * thread must not end while the addon is loaded.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { MediaEngine, type MediaEngineConfig } from './media-engine';
import { applyThreadNice } from './thread-priority';
import { serveCommands } from './typed-port';

export type ToNativeThread =
  | { kind: 'attach'; id: number; port: MessagePort; config: MediaEngineConfig }
  | { kind: 'detach'; id: number }
  | { kind: 'shutdown' };

export type FromNativeThread =
  | { kind: 'loaded'; ok: true; version: string }
  | { kind: 'loaded'; ok: false; error: string }
  | { kind: 'attached'; id: number }
  | { kind: 'detached'; id: number }
  | { kind: 'error'; message: string };

const data = workerData as { exitFlag: SharedArrayBuffer; nice: number };
// before the addon loads: the threads it starts (DTLS/SRTP workers, ICE polling) inherit the priority
applyThreadNice(data.nice);
const port = parentPort!;
const post = (m: FromNativeThread) => port.postMessage(m);

process.on('uncaughtException', (e) =>
  post({ kind: 'error', message: e instanceof Error ? e.message : String(e) }),
);
process.on('unhandledRejection', (e) =>
  post({ kind: 'error', message: e instanceof Error ? e.message : String(e) }),
);

let native: typeof import('../webrtc/native-webrtc-leg') & { cleanup: () => void };
try {
  const leg = await import('../webrtc/native-webrtc-leg');
  const ndc = (await import('node-datachannel')).default;
  native = { ...leg, cleanup: () => ndc.cleanup() };
  post({ kind: 'loaded', ok: true, version: ndc.getLibraryVersion() });
} catch (e) {
  post({ kind: 'loaded', ok: false, error: e instanceof Error ? e.message : String(e) });
  port.close(); // nothing loaded: the thread may end
  throw e;
}

const engines = new Map<number, { engine: MediaEngine; port: MessagePort }>();

port.on('message', async (m: ToNativeThread) => {
  if (m.kind === 'attach') {
    let engine: MediaEngine | undefined;
    const server = serveCommands(m.port, (command) => engine!.handle(command));
    engine = new MediaEngine(m.config, (event) => server.emit(event), native.NativeWebRtcLeg.answer);
    engine.start();
    engines.set(m.id, { engine, port: m.port });
    post({ kind: 'attached', id: m.id });
  } else if (m.kind === 'detach') {
    const e = engines.get(m.id);
    engines.delete(m.id);
    await e?.engine.stop().catch(() => {});
    e?.port.close();
    post({ kind: 'detached', id: m.id });
  } else if (m.kind === 'shutdown') {
    // the main thread is blocked in its `exit` handler, waiting on the flag (this thread runs freely):
    // stop every engine (its clock, then its phones' connections), wait for the addon to report them
    // closed, then clean the addon up — never while closings are in flight (see `nativeLegsClosed`)
    for (const e of engines.values()) void e.engine.stop().catch(() => {});
    for (const e of engines.values()) e.port.close();
    engines.clear();
    await native.nativeLegsClosed(1500);
    try {
      native.cleanup(); // closes anything left and joins the addon's threads
    } finally {
      const flag = new Int32Array(data.exitFlag);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    }
  }
});
