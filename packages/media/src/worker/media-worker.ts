/**
 * Worker-thread entry: hosts one MediaEngine on the MessagePort handed over in `workerData`.
 * Started by MediaHost through `worker-bootstrap.mjs` (which loads TypeScript).
 */
import { type MessagePort, workerData } from 'node:worker_threads';
import { MediaEngine, type MediaEngineConfig } from './media-engine';
import { applyThreadNice } from './thread-priority';
import { serveCommands } from './typed-port';

export interface MediaWorkerData {
  readonly port: MessagePort;
  readonly config: MediaEngineConfig;
  /** The nice value this thread asks for (see thread-priority.ts); reported in its `workerStats`. */
  readonly nice: number;
}

const data = workerData as MediaWorkerData & { entry: string };
applyThreadNice(data.nice);
let engine: MediaEngine | undefined;
const server = serveCommands(data.port, (command) => engine!.handle(command));
engine = new MediaEngine(data.config, (event) => server.emit(event));
engine.start();
