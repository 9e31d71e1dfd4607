/**
 * Agents' softphones on the server: one media-engine phone (a WebRTC leg on some media worker, see
 * `@hotline/media` and ADR 0007) per logged-in agent, negotiated over the agent's WebSockets
 * (`agent-phone-frames.ts`) and kept across WebSocket reconnects; calls are bridged into it with
 * `attach`. Keyed by tenant and user: one phone per agent, the last offer wins (another tab's phone is
 * closed with reason `replaced`).
 *
 * Lifetime: created by `phone.offer`; closed by `phone.hangup` (logout), by the end of the session
 * (`sessionEnded`), by the connection failing, or `graceMs` after the agent's last socket went away
 * without coming back (a closed laptop). Commands of one agent run one at a time, in order.
 *
 * Threading: control plane only. Audio never passes here; this sends commands to the media workers
 * and turns their events into frames.
 */
import { randomUUID } from 'node:crypto';
import type { MediaCall } from '@hotline/media/worker/media-host';
import type { MediaEvent } from '@hotline/media/worker/protocol';
import { MediaCommandError } from '@hotline/media/worker/typed-port';
import type {
  PhoneClientFrame,
  PhoneConnectionState,
  PhoneErrorCode,
  PhoneMode,
  PhoneServerFrame,
  RecordingStatus,
} from '@hotline/protocol/agent-phone';
import { AGENT_LEG, type AgentPhoneSeam, CALLER_LEG, type VoiceCallHandle } from './agent-seam';
import type { MediaRuntime } from './media-runtime';

/** One of the agent's open WebSockets. */
export interface PhoneSink {
  send(frame: PhoneServerFrame): void;
}

export interface AgentPhoneServiceDeps {
  /** Absent: voice is off, offers are answered with `VOICE_UNAVAILABLE`. */
  readonly media: MediaRuntime | undefined;
  readonly log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /** How long a phone outlives its agent's last WebSocket (default 60 s). */
  readonly graceMs?: number;
  /** Offers per agent per minute (default 10): each one allocates sockets and a DTLS handshake. */
  readonly offersPerMinute?: number;
  /** The audio check's tone and loop-back (defaults: 440 Hz for 1.5 s, then 6 s of loop-back). */
  readonly check?: { toneHz?: number; toneMs?: number; loopbackMs?: number };
}

interface Phone {
  readonly id: string;
  readonly tabId: string;
  state: PhoneConnectionState;
  mode: PhoneMode;
}

interface Agent {
  readonly key: string;
  readonly sinks: Set<PhoneSink>;
  phone: Phone | undefined;
  /** Commands of this agent, one at a time. */
  queue: Promise<void>;
  grace: NodeJS.Timeout | undefined;
  offers: number[];
  /** The inbound call bridged into the phone, and its recording's status once known. */
  call: { handle: VoiceCallHandle; recording: RecordingStatus | null } | undefined;
}

export class AgentPhoneService {
  readonly #deps: AgentPhoneServiceDeps;
  readonly #agents = new Map<string, Agent>();
  readonly #byPhone = new Map<string, Agent>();
  readonly #unsubscribe: () => void;

  constructor(deps: AgentPhoneServiceDeps) {
    this.#deps = deps;
    this.#unsubscribe = deps.media?.subscribe((e) => this.#onMediaEvent(e)) ?? (() => {});
  }

  static keyOf(tenantId: string, userId: string): string {
    return `${tenantId}:${userId}`;
  }

  get enabled(): boolean {
    return this.#deps.media !== undefined;
  }

  #agent(key: string): Agent {
    let agent = this.#agents.get(key);
    if (!agent) {
      agent = {
        key,
        sinks: new Set(),
        phone: undefined,
        queue: Promise.resolve(),
        grace: undefined,
        offers: [],
        call: undefined,
      };
      this.#agents.set(key, agent);
    }
    return agent;
  }

  /**
   * A WebSocket of the agent opened: it receives the agent's phone frames, starting with the current
   * state when a phone exists (a reconnect: the browser keeps its connection). Returns the removal.
   */
  connect(key: string, sink: PhoneSink): () => void {
    const agent = this.#agent(key);
    agent.sinks.add(sink);
    if (agent.grace) {
      clearTimeout(agent.grace);
      agent.grace = undefined;
    }
    const phone = agent.phone;
    if (phone) {
      sink.send({ type: 'phone.state', tabId: phone.tabId, state: phone.state, mode: phone.mode });
      const status = agent.call?.recording;
      if (status) sink.send({ type: 'phone.recording', tabId: phone.tabId, status });
    }
    return () => {
      agent.sinks.delete(sink);
      if (agent.sinks.size > 0) return;
      if (!agent.phone) {
        this.#agents.delete(key);
        return;
      }
      agent.grace = setTimeout(() => {
        agent.grace = undefined;
        if (agent.sinks.size === 0) this.#enqueue(agent, () => this.#close(agent, 'socket-gone'));
      }, this.#deps.graceMs ?? 60_000);
      agent.grace.unref?.();
    };
  }

  /** The agent's session ended (signed out, expired, deactivated): the phone goes at once. */
  sessionEnded(key: string): void {
    const agent = this.#agents.get(key);
    if (agent) this.#enqueue(agent, () => this.#close(agent, 'session-ended'));
  }

  /** A phone frame from one of the agent's sockets; errors go back to that socket as `phone.error`. */
  handle(key: string, frame: PhoneClientFrame, from: PhoneSink): Promise<void> {
    const agent = this.#agent(key);
    return this.#enqueue(agent, async () => {
      try {
        await this.#handle(agent, frame, from);
      } catch (e) {
        const code = e instanceof PhoneError ? e.code : 'INTERNAL';
        if (code === 'INTERNAL') this.#deps.log.error({ err: e, frame: frame.type }, 'phone frame failed');
        from.send({
          type: 'phone.error',
          tabId: frame.tabId,
          code,
          message: e instanceof Error ? e.message : String(e),
        });
      }
    });
  }

  async #handle(agent: Agent, frame: PhoneClientFrame, from: PhoneSink): Promise<void> {
    const media = this.#deps.media;
    if (!media) throw new PhoneError('VOICE_UNAVAILABLE', 'voice is not enabled on this server');
    switch (frame.type) {
      case 'phone.offer': {
        const now = Date.now();
        agent.offers = agent.offers.filter((t) => now - t < 60_000);
        if (agent.offers.length >= (this.#deps.offersPerMinute ?? 10))
          throw new PhoneError('RATE_LIMITED', 'too many softphone connections in a minute; wait a little');
        agent.offers.push(now);
        if (agent.phone) await this.#close(agent, 'replaced');
        const id = randomUUID();
        let answer: string;
        try {
          answer = (await media.host.createAgentPhone(id, frame.sdp)).answer;
        } catch (e) {
          if (e instanceof MediaCommandError && (e.code === 'BAD_OFFER' || e.code === 'NO_COMMON_CODEC'))
            throw new PhoneError(e.code, e.message);
          throw e;
        }
        const phone: Phone = { id, tabId: frame.tabId, state: 'connecting', mode: 'idle' };
        agent.phone = phone;
        this.#byPhone.set(id, agent);
        from.send({ type: 'phone.answer', tabId: frame.tabId, sdp: answer });
        this.#broadcast(agent, {
          type: 'phone.state',
          tabId: phone.tabId,
          state: phone.state,
          mode: phone.mode,
        });
        return;
      }
      case 'phone.hangup': {
        const phone = this.#owned(agent, frame.tabId);
        if (phone) await this.#close(agent, 'hangup');
        return;
      }
      case 'phone.check': {
        const phone = this.#owned(agent, frame.tabId);
        if (phone?.state !== 'connected')
          throw new PhoneError('PHONE_NOT_CONNECTED', 'the softphone is not connected');
        if (frame.action === 'stop') {
          if (phone.mode === 'check') await media.host.stopAgentPhoneCheck(phone.id);
          return;
        }
        if (phone.mode === 'call') throw new PhoneError('PHONE_BUSY', 'the softphone is on a call');
        await media.host.checkAgentPhone(phone.id, {
          toneHz: this.#deps.check?.toneHz ?? 440,
          toneMs: this.#deps.check?.toneMs ?? 1500,
          loopbackMs: this.#deps.check?.loopbackMs ?? 6000,
        });
        this.#setMode(agent, phone, 'check');
        return;
      }
      case 'phone.record': {
        const phone = this.#owned(agent, frame.tabId);
        const call = agent.call;
        if (phone?.mode !== 'call' || !call)
          throw new PhoneError('NOT_ON_CALL', 'the softphone has no call to record');
        const status = await call.handle.record('agent');
        if (status === 'unavailable')
          throw new PhoneError('RECORDING_NOT_ALLOWED', "this queue's calls are never recorded");
        this.#recordingChanged(agent, call.handle, status);
        if (status === 'failed')
          throw new PhoneError('RECORDING_FAILED', 'the recording could not start (see the server log)');
        return;
      }
      case 'phone.transfer': {
        const phone = this.#owned(agent, frame.tabId);
        const handle = agent.call?.handle;
        if (phone?.mode !== 'call' || !handle)
          throw new PhoneError('NOT_ON_CALL', 'the softphone has no call to transfer');
        if (!handle.transferToNumber)
          throw new PhoneError('TRANSFER_UNAVAILABLE', 'this call cannot be transferred to a number');
        const { tabId } = phone;
        const { number } = frame;
        this.#broadcast(agent, { type: 'phone.transfer', tabId, number, status: 'dialling' });
        // The number may ring for half a minute: the agent's other commands do not wait for it.
        handle.transferToNumber(number).then(
          (r) =>
            this.#broadcast(
              agent,
              r.ok
                ? { type: 'phone.transfer', tabId, number: r.number, status: 'connected' }
                : {
                    type: 'phone.transfer',
                    tabId,
                    number,
                    status: 'failed',
                    code: r.code,
                    message: r.message,
                  },
            ),
          (err: unknown) => {
            this.#deps.log.error({ err }, 'transfer to a number failed');
            this.#broadcast(agent, {
              type: 'phone.transfer',
              tabId,
              number,
              status: 'failed',
              code: 'FAILED',
              message: 'the transfer failed (see the server log)',
            });
          },
        );
        return;
      }
    }
  }

  /** Tells the agent's tabs the recording status of their bridged call (unless it is another call). */
  #recordingChanged(agent: Agent, call: VoiceCallHandle, status: RecordingStatus): void {
    if (agent.call?.handle.callId !== call.callId) return;
    agent.call.recording = status;
    const phone = agent.phone;
    if (phone) this.#broadcast(agent, { type: 'phone.recording', tabId: phone.tabId, status });
  }

  #owned(agent: Agent, tabId: string): Phone | undefined {
    const phone = agent.phone;
    return phone && phone.tabId === tabId ? phone : undefined;
  }

  #broadcast(agent: Agent, frame: PhoneServerFrame): void {
    for (const sink of agent.sinks) sink.send(frame);
  }

  #setMode(agent: Agent, phone: Phone, mode: PhoneMode): void {
    phone.mode = mode;
    this.#broadcast(agent, { type: 'phone.state', tabId: phone.tabId, state: phone.state, mode });
  }

  async #close(agent: Agent, reason: string): Promise<void> {
    const phone = agent.phone;
    if (!phone) return;
    agent.phone = undefined;
    this.#byPhone.delete(phone.id);
    this.#broadcast(agent, {
      type: 'phone.state',
      tabId: phone.tabId,
      state: 'closed',
      mode: 'idle',
      reason,
    });
    try {
      await this.#deps.media?.host.closeAgentPhone(phone.id);
    } catch (e) {
      // already gone on the worker (its connection failed in the meantime)
      if (!(e instanceof MediaCommandError && e.code === 'NO_SUCH_PHONE')) throw e;
    }
    if (agent.sinks.size === 0 && !agent.grace) this.#agents.delete(agent.key);
  }

  #enqueue(agent: Agent, job: () => Promise<void>): Promise<void> {
    const next = agent.queue
      .then(job)
      .catch((err) => this.#deps.log.error({ err }, 'agent phone job failed'));
    agent.queue = next;
    return next;
  }

  #onMediaEvent(e: MediaEvent): void {
    if (!('phoneId' in e)) return;
    const agent = this.#byPhone.get(e.phoneId);
    const phone = agent?.phone;
    if (!agent || !phone || phone.id !== e.phoneId) return;
    switch (e.type) {
      case 'phone-state': {
        if (e.state === 'new') return;
        phone.state = e.state;
        this.#broadcast(agent, {
          type: 'phone.state',
          tabId: phone.tabId,
          state: phone.state,
          mode: phone.mode,
        });
        return;
      }
      case 'phone-closed':
        // the worker closed it (connection failed or closed by the browser)
        agent.phone = undefined;
        this.#byPhone.delete(phone.id);
        this.#broadcast(agent, {
          type: 'phone.state',
          tabId: phone.tabId,
          state: phone.state === 'failed' ? 'failed' : 'closed',
          mode: 'idle',
          reason: e.reason,
        });
        return;
      case 'phone-check-done': {
        const { micRmsDbfs, micPeakDbfs, micToneHz, completed } = e.result;
        this.#broadcast(agent, {
          type: 'phone.check-done',
          tabId: phone.tabId,
          result: { micRmsDbfs, micPeakDbfs, micToneHz, completed },
        });
        if (phone.mode === 'check') this.#setMode(agent, phone, 'idle');
        return;
      }
      case 'phone-dtmf':
        this.#broadcast(agent, {
          type: 'phone.dtmf',
          tabId: phone.tabId,
          digit: e.event.digit,
          durationMs: e.event.durationMs,
        });
        // On a call the keys are for the other party (an IVR they reached, a code), as on any phone.
        if (phone.mode === 'call')
          agent.call?.handle.sendAgentDigit(e.event.digit, keyMs(e.event.durationMs));
        return;
      case 'phone-detached':
        if (e.reason !== 'replaced' && phone.mode === 'call') this.#setMode(agent, phone, 'idle');
        return;
    }
  }

  /** The agent's phone id when it is connected (for the inbound call path), else undefined. */
  connectedPhone(tenantId: string, userId: string): string | undefined {
    const phone = this.#agents.get(AgentPhoneService.keyOf(tenantId, userId))?.phone;
    return phone?.state === 'connected' ? phone.id : undefined;
  }

  /**
   * Bridges the agent's phone into `call` as the leg `legId` (then `connect`/`join` it): no new ICE,
   * the audio crosses workers through shared memory. A running audio check is stopped.
   */
  async attach(tenantId: string, userId: string, call: MediaCall, legId: string): Promise<void> {
    const agent = this.#agents.get(AgentPhoneService.keyOf(tenantId, userId));
    const phone = agent?.phone;
    if (!agent || !phone || phone.state !== 'connected')
      throw new PhoneError('PHONE_NOT_CONNECTED', 'the agent has no connected softphone');
    await this.#deps.media!.host.attachAgentPhone(phone.id, call, legId);
    this.#setMode(agent, phone, 'call');
  }

  /** Unhooks the agent's phone from its call (hang-up, hold); the connection stays. */
  async detach(tenantId: string, userId: string): Promise<void> {
    const agent = this.#agents.get(AgentPhoneService.keyOf(tenantId, userId));
    const phone = agent?.phone;
    if (!agent || !phone) return;
    await this.#deps.media!.host.detachAgentPhone(phone.id);
    this.#setMode(agent, phone, 'idle');
  }

  /**
   * The seam inbound calls use (`agent-seam.ts`): ringing goes to the desktop with the routing offer
   * (WebSocket events), so offers need nothing here; accepting bridges the caller into the agent's
   * phone; the end of the call unhooks it (the connection stays for the next call).
   */
  voiceSeam(): AgentPhoneSeam {
    const bridged = new Map<string, { tenantId: string; agentId: string }>();
    /** The call ended, or its agent transferred it: that agent's phone goes idle (its connection stays). */
    const unhook = (call: VoiceCallHandle) => {
      const b = bridged.get(call.callId);
      if (!b) return;
      bridged.delete(call.callId);
      const agent = this.#agents.get(AgentPhoneService.keyOf(b.tenantId, b.agentId));
      if (agent?.call?.handle.callId === call.callId) agent.call = undefined;
      this.detach(b.tenantId, b.agentId).catch((err) => this.#deps.log.warn({ err }, 'phone detach failed'));
    };
    return {
      onVoiceOffer: () => {},
      onVoiceOfferWithdrawn: () => {},
      bridgeToAgent: async (call: VoiceCallHandle, agentId: string) => {
        await call.stopHold();
        try {
          await this.attach(call.tenantId, agentId, call.media, AGENT_LEG);
          await call.media.connect([CALLER_LEG, AGENT_LEG]);
          bridged.set(call.callId, { tenantId: call.tenantId, agentId });
          const agent = this.#agents.get(AgentPhoneService.keyOf(call.tenantId, agentId));
          if (agent) agent.call = { handle: call, recording: null };
        } catch (e) {
          await call.resumeHold();
          throw e;
        }
      },
      onRecording: (call: VoiceCallHandle, status: RecordingStatus) => {
        const b = bridged.get(call.callId);
        const agent = b && this.#agents.get(AgentPhoneService.keyOf(b.tenantId, b.agentId));
        if (agent) this.#recordingChanged(agent, call, status);
      },
      onVoiceCallEnded: (call: VoiceCallHandle) => unhook(call),
      releaseAgent: (call: VoiceCallHandle) => unhook(call),
    };
  }

  /** Shutdown: closes every phone. */
  async close(): Promise<void> {
    this.#unsubscribe();
    await Promise.all(
      [...this.#agents.values()].map((agent) => {
        if (agent.grace) clearTimeout(agent.grace);
        return this.#enqueue(agent, () => this.#close(agent, 'server'));
      }),
    );
  }
}

/**
 * How long a key pressed on the softphone is played on to the far end: as long as the agent held it
 * (the browser sends 100 ms), but at least 100 ms, which every IVR detects, and at most a second (an
 * event whose end packets were lost is closed late by the receiver).
 */
function keyMs(heldMs: number): number {
  return Math.min(Math.max(heldMs, 100), 1000);
}

export class PhoneError extends Error {
  readonly code: PhoneErrorCode;
  constructor(code: PhoneErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = 'PhoneError';
  }
}
