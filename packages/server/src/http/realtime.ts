import { setTimeout as sleep } from 'node:timers/promises';
import { can } from '@hotline/core/roles';
import {
  isPhoneClientFrame,
  MAX_PHONE_FRAME_BYTES,
  type PhoneClientFrame,
  type PhoneServerFrame,
  phoneClientFrameSchemas,
} from '@hotline/protocol/agent-phone';
import { type ChatServerFrame, chatClientFrameSchemas } from '@hotline/protocol/chat';
import { type ClientFrame, clientFrameSchema, type ServerFrame, WS_PATH } from '@hotline/protocol/routing';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { AgentChat, type ChatClientFrame } from '../chat/agent-frames';
import type { ChatService } from '../chat/chat-service';
import type { LiveFigures } from '../routing/live-figures';
import type { RoutingService } from '../routing/routing-service';
import type { OutboxEntry, RoutingStore } from '../routing/routing-store';
import type { AuthStore } from '../stores/auth-store';
import type { Principal } from '../stores/principal';
import { AgentPhoneService } from '../voice/agent-phone-service';
import { bearerOrCookie, principalOf } from './authenticate';

/**
 * The realtime gateway: one WebSocket per browser session at `/api/ws`, authenticated like any API
 * call (session cookie or bearer token, checked before the upgrade). The client sends
 * `{type:"subscribe", after?}`; the server replays stored events after `after` from the outbox, then
 * streams new ones live, each with its `seq`, so a client that reconnects with the last `seq` it saw
 * misses nothing and sees nothing twice. Agents receive the events that concern them; supervisors
 * receive all of their tenant's, plus a `queues` frame with live figures (at most twice a second).
 *
 * Chat (when a `ChatService` is given): `watch`/`unwatch`/`typing`/`mark` frames for conversations,
 * answered with `chat.*` frames (see `chat/agent-frames.ts`).
 *
 * Hostile input: frames are limited to 4 KiB, must be JSON matching the schema, and a client that
 * sends ten bad frames is disconnected (close code 1008). The credentials are checked again about
 * every `recheckMs` (30 s): a session that expired, was signed out or whose user lost access is closed
 * with code 4401. The checks of a pass are spread evenly over the interval (see `spreadRecheck`),
 * not run back to back: 1,000 agents are 1,000 queries, and in a row they stalled the event loop.
 */
export const MAX_FRAME_BYTES = 4 * 1024;
const MAX_BAD_FRAMES = 10;
/** Routing frames plus the chat frames. */
const realtimeFrameSchema = z.discriminatedUnion('type', [
  ...clientFrameSchema.options,
  ...chatClientFrameSchemas,
]);
/** Plus the softphone's frames (`voice/agent-phone-service.ts`) for agents with a user. */
const phoneFrameSchema = z.discriminatedUnion('type', [
  ...clientFrameSchema.options,
  ...chatClientFrameSchemas,
  ...phoneClientFrameSchemas,
]);
const withoutChatPhoneFrameSchema = z.discriminatedUnion('type', [
  ...clientFrameSchema.options,
  ...phoneClientFrameSchemas,
]);
type RealtimeFrame = ClientFrame | ChatClientFrame | PhoneClientFrame;
const REPLAY_PAGE = 500;
const FIGURES_INTERVAL_MS = 500;
export const SESSION_ENDED_CLOSE_CODE = 4401;

interface Client {
  readonly socket: WebSocket;
  readonly principal: Principal;
  /** The credential the socket was opened with, checked again periodically. */
  readonly secret: string;
  readonly supervisor: boolean;
  /** Highest seq sent; live entries at or below it were already replayed. */
  lastSent: bigint;
  subscribed: boolean;
  /** Live entries that arrived while the replay was running. */
  pending: OutboxEntry[] | null;
  bad: number;
  /** The socket's chat watches (null without chat). */
  chat: AgentChat | null;
  /** The agent's softphone key (null without the phone service or for API keys without a user). */
  phoneKey: string | null;
}

export async function installRealtime(
  app: FastifyInstance,
  deps: {
    routing: RoutingService;
    store: RoutingStore;
    figures: LiveFigures;
    auth: AuthStore;
    chat?: ChatService;
    /** Agents' softphones; phone frames are refused (INVALID_FRAME) without it. */
    agentPhone?: AgentPhoneService;
    /** How often an open socket's credentials are checked again. */
    recheckMs?: number;
  },
): Promise<void> {
  const recheckMs = deps.recheckMs ?? 30_000;
  const clients = new Set<Client>();
  const figureTimers = new Map<string, NodeJS.Timeout>();

  const sendSerialized = (client: Client, json: string) => {
    if (client.socket.readyState === client.socket.OPEN) client.socket.send(json);
  };
  const send = (
    client: Client,
    frame: ServerFrame | ChatServerFrame | PhoneServerFrame | { type: 'queues'; items: unknown },
  ) => sendSerialized(client, JSON.stringify(frame));
  const concerns = (client: Client, entry: OutboxEntry) =>
    entry.tenantId === client.principal.tenantId &&
    (client.supervisor ||
      (client.principal.userId !== null && entry.agentIds.includes(client.principal.userId)));
  const deliver = (client: Client, entry: OutboxEntry) => {
    const seq = BigInt(entry.seq);
    if (seq <= client.lastSent || !concerns(client, entry)) return;
    client.lastSent = seq;
    send(client, {
      type: 'event',
      seq: entry.seq,
      at: new Date(entry.at).toISOString(),
      event: entry.payload as { type: string } & Record<string, unknown>,
    });
  };

  const pushFigures = (tenantId: string) => {
    if (figureTimers.has(tenantId)) return;
    figureTimers.set(
      tenantId,
      setTimeout(async () => {
        figureTimers.delete(tenantId);
        const watchers = [...clients].filter(
          (c) => c.supervisor && c.subscribed && c.principal.tenantId === tenantId,
        );
        if (watchers.length === 0) return;
        try {
          const items = await deps.figures.queues(tenantId);
          for (const c of watchers) send(c, { type: 'queues', items });
        } catch (err) {
          app.log.error({ err, tenantId }, 'live figures failed');
        }
      }, FIGURES_INTERVAL_MS),
    );
  };

  const unsubscribe = deps.routing.subscribe((entries) => {
    const tenants = new Set<string>();
    for (const client of clients) {
      if (!client.subscribed) continue;
      for (const entry of entries) {
        if (client.pending) client.pending.push(entry);
        else deliver(client, entry);
      }
    }
    for (const e of entries) tenants.add(e.tenantId);
    for (const t of tenants) pushFigures(t);
  });
  const recheck = spreadRecheck(recheckMs, () => {
    // One query per distinct credential (several tabs of one session share it), one at a time.
    const bySecret = new Map<string, Client[]>();
    for (const client of clients) {
      const list = bySecret.get(client.secret);
      if (list) list.push(client);
      else bySecret.set(client.secret, [client]);
    }
    return [...bySecret].map(([secret, list]) => async () => {
      try {
        const still = await deps.auth.authenticate(secret);
        for (const client of list) {
          if (!clients.has(client)) continue;
          if (!still || still.principal.tenantId !== client.principal.tenantId) {
            client.socket.close(SESSION_ENDED_CLOSE_CODE, 'session ended');
          }
        }
      } catch (err) {
        app.log.error({ err }, 'credential re-check failed');
      }
    });
  });
  app.addHook('onClose', async () => {
    recheck.stop();
    unsubscribe();
    for (const t of figureTimers.values()) clearTimeout(t);
    for (const c of clients) c.socket.close(1001, 'server shutting down');
  });

  const subscribe = async (client: Client, frame: Extract<ClientFrame, { type: 'subscribe' }>) => {
    if (client.subscribed) return;
    client.subscribed = true;
    const tenantId = client.principal.tenantId;
    if (frame.after === undefined) {
      client.lastSent = BigInt(await deps.store.lastOutboxSeq(tenantId));
      send(client, { type: 'ready', seq: String(client.lastSent) });
      if (client.supervisor) pushFigures(tenantId);
      return;
    }
    client.pending = [];
    client.lastSent = BigInt(frame.after);
    for (;;) {
      const page = await deps.store.readOutbox(tenantId, String(client.lastSent), REPLAY_PAGE);
      for (const entry of page) {
        deliver(client, entry);
        client.lastSent = BigInt(entry.seq) > client.lastSent ? BigInt(entry.seq) : client.lastSent;
      }
      if (page.length < REPLAY_PAGE) break;
    }
    const pending = client.pending;
    client.pending = null;
    for (const entry of pending) deliver(client, entry);
    send(client, { type: 'ready', seq: String(client.lastSent) });
    if (client.supervisor) pushFigures(tenantId);
  };

  app.get(
    WS_PATH,
    { websocket: true, config: { access: 'agent.work' }, schema: { hide: true } },
    (socket, request) => {
      const principal = principalOf(request);
      const client: Client = {
        socket,
        principal,
        secret: bearerOrCookie(request) ?? '',
        supervisor: can(principal.role, 'supervisor.monitor'),
        lastSent: 0n,
        subscribed: false,
        pending: null,
        bad: 0,
        chat: null,
        phoneKey:
          deps.agentPhone && principal.userId !== null
            ? AgentPhoneService.keyOf(principal.tenantId, principal.userId)
            : null,
      };
      const phoneSink = { send: (frame: PhoneServerFrame) => send(client, frame) };
      const phoneDisconnect = client.phoneKey
        ? deps.agentPhone?.connect(client.phoneKey, phoneSink)
        : undefined;
      if (deps.chat) {
        client.chat = new AgentChat(
          deps.chat,
          principal,
          (frame) => send(client, frame),
          (json) => sendSerialized(client, json),
        );
      }
      clients.add(client);
      socket.on('close', (code: number) => {
        clients.delete(client);
        client.chat?.close();
        phoneDisconnect?.();
        // signed out or expired: the softphone goes with the session, not after the grace period
        if (code === SESSION_ENDED_CLOSE_CODE && client.phoneKey)
          deps.agentPhone?.sessionEnded(client.phoneKey);
      });
      socket.on('message', (data, isBinary) => {
        const text = isBinary ? null : data.toString();
        let frame: RealtimeFrame | null = null;
        const limit = client.phoneKey ? MAX_PHONE_FRAME_BYTES : MAX_FRAME_BYTES;
        if (text !== null && text.length <= limit) {
          try {
            const schema = client.phoneKey
              ? client.chat
                ? phoneFrameSchema
                : withoutChatPhoneFrameSchema
              : client.chat
                ? realtimeFrameSchema
                : clientFrameSchema;
            const parsed = schema.safeParse(JSON.parse(text));
            // only an offer may be large: anything else above the usual limit is refused
            if (parsed.success && text.length > MAX_FRAME_BYTES && parsed.data.type !== 'phone.offer') {
              frame = null;
            } else if (parsed.success) frame = parsed.data;
          } catch {
            frame = null;
          }
        }
        if (!frame) {
          client.bad++;
          send(client, {
            type: 'error',
            code: 'INVALID_FRAME',
            message:
              'expected {"type":"subscribe"|"ping"|"watch"|"unwatch"|"typing"|"mark"|"phone.offer"|"phone.hangup"|"phone.check"|"phone.record"|"phone.transfer"} JSON',
          });
          if (client.bad >= MAX_BAD_FRAMES) socket.close(1008, 'too many invalid frames');
          return;
        }
        if (frame.type === 'ping') return send(client, { type: 'pong' });
        if (isPhoneClientFrame(frame)) {
          if (client.phoneKey) void deps.agentPhone?.handle(client.phoneKey, frame, phoneSink);
          return;
        }
        if (frame.type !== 'subscribe') {
          client.chat?.handle(frame).catch((err) => {
            app.log.error({ err }, 'chat frame failed');
            socket.close(1011, 'internal error');
          });
          return;
        }
        subscribe(client, frame).catch((err) => {
          app.log.error({ err }, 'subscribe failed');
          socket.close(1011, 'internal error');
        });
      });
    },
  );
}

/**
 * Runs passes of checks back to back, each spread evenly over `intervalMs`: `plan` lists the checks
 * of a pass (taken when the pass begins), check i starts `i × intervalMs / n` after the pass began,
 * and the next pass begins `intervalMs` after this one did (or when its last check ends, if later).
 * So every check repeats about every `intervalMs`, and the database sees a steady trickle instead
 * of a burst. Checks run one at a time; `stop` ends the walk (a running check finishes).
 */
function spreadRecheck(intervalMs: number, plan: () => (() => Promise<void>)[]): { stop(): void } {
  const abort = new AbortController();
  const until = (at: number) =>
    sleep(Math.max(0, at - performance.now()), undefined, { ref: false, signal: abort.signal });
  const walk = async () => {
    let began = performance.now();
    await until(began + intervalMs);
    for (;;) {
      began = performance.now();
      const checks = plan();
      const gap = intervalMs / Math.max(1, checks.length);
      for (let i = 0; i < checks.length; i++) {
        await until(began + i * gap);
        await checks[i]!();
      }
      await until(began + intervalMs);
    }
  };
  walk().catch(() => {
    // Only the abort ends the walk: each check handles its own errors.
  });
  return { stop: () => abort.abort() };
}
