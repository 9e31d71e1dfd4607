import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCSeq, type SipMessage } from './message';
import { freePort, hasCommand, until } from './test-support/net';
import { NodeTransport } from './transport/node-transport';
import type { CallBase, CallEnd } from './ua/call-base';
import type { IncomingCall } from './ua/incoming-call';
import { UserAgent } from './ua/user-agent';
import { parseUri } from './uri';

/**
 * Interop with baresip (Debian 1.0.0, headless: `aufile` plays a tone made by sox, plays out to
 * /dev/null) on 127.0.0.1: baresip calls our UA, which answers; our UA calls baresip, which answers by
 * itself (`answermode=auto`). Each call is hung up by us after a second of media, and must end with
 * BYE → 200. baresip runs bounded (`-t`) and is killed by PID at the end.
 */
const scratch = mkdtempSync(join(tmpdir(), 'hotline-baresip-'));

function requirePrograms(): void {
  for (const [program, pkg] of [
    ['baresip', 'baresip'],
    ['sox', 'sox'],
  ]) {
    if (!hasCommand(program!))
      throw new Error(
        `${program} is not installed (Debian package ${pkg}; \`npm test\` installs it as root)`,
      );
  }
}

interface Baresip {
  readonly child: ChildProcess;
  output(): string;
  readonly exited: Promise<number | null>;
}

/** baresip with its own config directory, listening on `port`, running `commands`, quitting after `seconds`. */
function startBaresip(name: string, port: number, o: { seconds: number; commands?: string[] }): Baresip {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  const wav = join(dir, 'tone.wav');
  execFileSync('sox', [
    '-n',
    '-r',
    '8000',
    '-c',
    '1',
    '-b',
    '16',
    wav,
    'synth',
    '3',
    'sine',
    '440',
    'vol',
    '0.3',
  ]);
  writeFileSync(
    join(dir, 'config'),
    [
      'poll_method epoll',
      `sip_listen 127.0.0.1:${port}`,
      `audio_source aufile,${wav}`,
      'audio_player aufile,/dev/null',
      'audio_alert aufile,/dev/null',
      'module_path /usr/lib/baresip/modules',
      'module g711.so',
      'module aufile.so',
      'module_app account.so',
      'module_app menu.so',
      // Below Linux's ephemeral range (32768–60999), so no clash with ports the OS hands out.
      'rtp_ports 10000-20000',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'accounts'),
    '<sip:baresip@127.0.0.1>;regint=0;answermode=auto;audio_codecs=PCMU,PCMA\n',
  );
  const args = ['-4', '-f', dir, '-t', String(o.seconds), ...(o.commands ?? []).flatMap((c) => ['-e', c])];
  const child = spawn('baresip', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const append = (d: Buffer) => {
    out = (out + d.toString('utf8')).slice(-8_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const kill = setTimeout(() => child.kill('SIGKILL'), (o.seconds + 10) * 1_000);
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(kill);
      resolve(code);
    }),
  );
  return { child, output: () => out, exited };
}

/** baresip listens on UDP and TCP `port` and TLS `port + 1` (no option to leave TLS out in 1.0.0). */
async function freePortPair(): Promise<number> {
  for (;;) {
    const port = await freePort();
    const next = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port + 1, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (next) return port;
  }
}

async function stop(b: Baresip): Promise<void> {
  if (b.child.exitCode === null && b.child.pid !== undefined) process.kill(b.child.pid, 'SIGTERM');
  await b.exited;
}

describe('baresip ⇄ Hotline UserAgent', () => {
  let ua: UserAgent;
  const seen: SipMessage[] = [];
  const incoming: IncomingCall[] = [];

  beforeAll(async () => {
    requirePrograms();
    let self: UserAgent | undefined;
    const transport = await NodeTransport.listen({
      host: '127.0.0.1',
      udp: { port: 0 },
      tcp: { port: 0 },
      onMessage: (m) => {
        seen.push(m.message);
        self?.receive(m);
      },
    });
    self = new UserAgent({
      transport,
      host: '127.0.0.1',
      ports: transport.ports,
      onIncomingCall: (call) => {
        incoming.push(call);
        call.ring();
        call.answer({ address: '127.0.0.1', port: 41_000 });
      },
    });
    ua = self;
    afterAll(async () => {
      await transport.close();
    });
  });

  /** Hangs `call` up a second after it is answered; resolves with how it ended. */
  function hangUpAfterASecond(call: CallBase, answeredEvent: 'confirmed' | 'answered'): Promise<CallEnd> {
    return new Promise((resolve) => {
      call.on(answeredEvent, () => setTimeout(() => call.hangUp(), 1_000));
      call.on('ended', resolve);
    });
  }

  const byeAnswered = (from: number) => () =>
    seen.slice(from).some((m) => m.kind === 'response' && m.status === 200 && getCSeq(m).method === 'BYE');

  it('takes a call from baresip, answers it and ends it with BYE → 200', async () => {
    const from = seen.length;
    const port = await freePortPair();
    const baresip = startBaresip('calls-in', port, {
      seconds: 12,
      commands: [`/dial sip:support@127.0.0.1:${ua.ports.UDP}`],
    });
    try {
      await until(() => incoming.length > 0, 8_000).catch(() => {
        throw new Error(`baresip did not call:\n${baresip.output()}`);
      });
      const call = incoming.at(-1)!;
      expect(call.offer?.media[0]?.rtp.map((f) => f.encoding.toUpperCase())).toContain('PCMU');
      const ended = await hangUpAfterASecond(call, 'confirmed');
      expect(ended).toEqual({ by: 'local', cause: 'bye' });
      await until(byeAnswered(from), 5_000).catch(() => {
        throw new Error(`no 200 to our BYE:\n${baresip.output()}`);
      });
      expect(seen.slice(from).some((m) => m.kind === 'request' && m.method === 'ACK')).toBe(true);
    } finally {
      await stop(baresip);
    }
  }, 30_000);

  it('calls baresip, which answers by itself, and ends the call with BYE → 200', async () => {
    const from = seen.length;
    const port = await freePortPair();
    const baresip = startBaresip('calls-out', port, { seconds: 12 });
    try {
      await until(() => baresip.output().includes('baresip is ready'), 8_000).catch(() => {
        throw new Error(`baresip did not start:\n${baresip.output()}`);
      });
      const call = ua.call({
        to: parseUri(`sip:baresip@127.0.0.1:${port}`),
        target: { transport: 'UDP', address: '127.0.0.1', port },
        media: { address: '127.0.0.1', port: 41_002 },
      });
      let answered = false;
      call.on('answered', () => {
        answered = true;
      });
      const ended = await hangUpAfterASecond(call, 'answered');
      expect(answered, baresip.output()).toBe(true);
      expect(ended).toEqual({ by: 'local', cause: 'bye' });
      await until(byeAnswered(from), 5_000).catch(() => {
        throw new Error(`no 200 to our BYE:\n${baresip.output()}`);
      });
      const ok = seen
        .slice(from)
        .find((m) => m.kind === 'response' && m.status === 200 && getCSeq(m).method === 'INVITE');
      expect(ok?.body.toString()).toMatch(/m=audio \d+ RTP\/AVP 0/);
    } finally {
      await stop(baresip);
    }
  }, 30_000);
});
