// A child process for `native-phone-thread.int.test.ts`: two MediaHosts one after the other in this one
// process, both on native WebRTC (so the same native phone thread serves both), each with an agent
// phone connected to a werift browser; then the process ends the way argv[2] says — `natural` (the
// event loop empties), `exit` (process.exit(0)) or `sigterm` (a handled SIGTERM, as main.ts does).
// It prints one line of JSON; the test checks it and that the process exited with code 0, not by abort.
import { MediaHost } from '../worker/media-host';
import { startBrowserPeer } from './browser-peer';

const how = process.argv[2] ?? 'natural';
const report: { transports: string[]; connected: number; workers: number[] } = {
  transports: [],
  connected: 0,
  workers: [],
};
for (let round = 0; round < 2; round++) {
  const host = await MediaHost.start({
    address: '127.0.0.1',
    portRange: { min: 42100 + round * 100, max: 42199 + round * 100 },
    workers: 1,
    webrtc: 'native',
  });
  report.transports.push(host.webrtc.transport);
  const peer = await startBrowserPeer({});
  const { answer, worker } = await host.createAgentPhone(`phone-${round}`, peer.offer);
  report.workers.push(worker);
  await peer.accept(answer);
  await peer.connected();
  report.connected++;
  await peer.close();
  // the first host closes its phone and stops; the second leaves its phone open (the exit handler
  // must clean the addon up under it) and, unless the loop is to empty by itself, keeps running
  if (round === 0) await host.closeAgentPhone(`phone-${round}`);
  if (round === 0 || how === 'natural') await host.stop();
}
process.stdout.write(`${JSON.stringify(report)}\n`);
if (how === 'exit') process.exit(0);
if (how === 'sigterm') {
  process.on('SIGTERM', () => process.exit(0));
  process.kill(process.pid, 'SIGTERM');
  setTimeout(() => {}, 5000);
}
