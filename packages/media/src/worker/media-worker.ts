/**
 * Worker-thread entry: hosts one MediaEngine on the MessagePort handed over in `workerData`.
 * Started by MediaHost through `worker-bootstrap.mjs` (which loads TypeScript).
 */
import { type MessagePort, workerData } from 'node:worker_threads';
import { MediaEngine, type MediaEngineConfig } from './media-engine';
import { serveCommands } from './typed-port';

export interface MediaWorkerData {
  readonly port: MessagePort;
  readonly config: MediaEngineConfig;
}

const data = workerData as MediaWorkerData & { entry: string };
let engine: MediaEngine | undefined;
const server = serveCommands(data.port, (command) => engine!.handle(command));
engine = new MediaEngine(data.config, (event) => server.emit(event));
engine.start();
