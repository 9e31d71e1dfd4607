import {
  MAX_MESSAGE_CHARS,
  WIDGET_WS_PATH,
  type WidgetServerFrame,
  widgetClientFrameSchema,
} from '@hotline/protocol/chat';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { z } from 'zod';
import { AppError } from '../errors';
import { type CustomerSink, customerFrame } from './chat-hub';
import type { ChatService } from './chat-service';
import type { Conversation } from './conversations';
import { RateLimiter } from './rate-limiter';
import { WidgetIntake } from './widget-intake';

/**
 * The customer's WebSocket (`/api/widget/ws`). Cross-origin and cookie-free: the first frame must be
 * `hello` with the visitor token and the conversation id, within `helloTimeoutMs` (5 s). A wrong
 * token, someone else's conversation or an origin the tenant does not allow gets one error frame and
 * the socket is closed — no data. Then: `welcome` with the status, the public messages after
 * `after`, and live `message`, `status`, `typing` and `mark` frames.
 *
 * `send` is answered with `ack` once the message is committed (a repeated `clientId` is acked with
 * the stored message and not stored again). Limits: frames of at most `MAX_WIDGET_FRAME_BYTES`,
 * ten bad frames close the socket (1008), a per-socket frame rate, and the service's per-visitor and
 * per-address message rates (`RATE_LIMITED` frames carry the `clientId`; nothing is stored then, so
 * the widget sends it again later).
 */
export const MAX_WIDGET_FRAME_BYTES = 24 * 1024;
const MAX_BAD_FRAMES = 10;
const REPLAY_PAGE = 500;
export const CLOSE_UNAUTHENTICATED = 4401;
export const CLOSE_FORBIDDEN = 4403;
export const CLOSE_NOT_FOUND = 4404;

type ClientFrame = z.output<typeof widgetClientFrameSchema>;

export function installWidgetSocket(
  app: FastifyInstance,
  chat: ChatService,
  opts: { helloTimeoutMs?: number; frameRate?: { burst: number; perSecond: number } } = {},
): void {
  const helloTimeoutMs = opts.helloTimeoutMs ?? 5_000;
  const frameLimiter = new RateLimiter(opts.frameRate ?? { burst: 60, perSecond: 20 }, {
    now: () => Date.now(),
  });
  const open = new Set<WebSocket>();
  let socketSeq = 0;
  app.addHook('onClose', async () => {
    for (const s of open) s.close(1001, 'server shutting down');
  });

  app.get(
    WIDGET_WS_PATH,
    { websocket: true, config: { access: 'public' }, schema: { hide: true } },
    (socket, request) => {
      open.add(socket);
      const address = request.ip;
      const origin = request.headers.origin;
      const socketKey = `s${++socketSeq}`;
      let bad = 0;
      let session: { conv: Conversation; visitorId: string; sink: CustomerSink } | null = null;
      let hello: Promise<void> | null = null;
      const sendSerialized = (json: string) => {
        if (socket.readyState === socket.OPEN) socket.send(json);
      };
      const send = (frame: WidgetServerFrame) => sendSerialized(JSON.stringify(frame));
      const refuse = (code: string, message: string, close: number) => {
        send({ type: 'error', code, message });
        socket.close(close, message.slice(0, 100));
      };
      const deadline = setTimeout(
        () => refuse('UNAUTHENTICATED', 'send hello with your visitor token first', CLOSE_UNAUTHENTICATED),
        helloTimeoutMs,
      );
      socket.on('close', () => {
        clearTimeout(deadline);
        open.delete(socket);
        if (session) chat.hub.removeCustomer(session.sink);
      });

      const badFrame = (code: string, message: string, clientId?: string) => {
        bad++;
        send({ type: 'error', code, message, ...(clientId ? { clientId } : {}) });
        if (bad >= MAX_BAD_FRAMES) socket.close(1008, 'too many invalid frames');
      };

      const onHello = async (frame: Extract<ClientFrame, { type: 'hello' }>) => {
        const visitor = await chat.intake.visitor(frame.token);
        if (!visitor) return refuse('UNAUTHENTICATED', 'unknown visitor token', CLOSE_UNAUTHENTICATED);
        let conv: Conversation;
        try {
          conv = await chat.conversations.get(visitor.tenantId, frame.conversationId);
        } catch {
          return refuse('NOT_FOUND', 'conversation not found', CLOSE_NOT_FOUND);
        }
        if (conv.visitorId !== visitor.id)
          return refuse('NOT_FOUND', 'conversation not found', CLOSE_NOT_FOUND);
        const settings = await chat.intake.settings(visitor.tenantId);
        if (!WidgetIntake.originAllowed(settings, origin)) {
          return refuse('FORBIDDEN', 'this site may not use the widget', CLOSE_FORBIDDEN);
        }
        clearTimeout(deadline);
        const sink: CustomerSink = {
          conv,
          send,
          sendSerialized,
          lastSent: frame.after,
          pending: [],
          lastStatus: null,
        };
        session = { conv, visitorId: visitor.id, sink };
        chat.hub.addCustomer(sink);
        if (socket.readyState !== socket.OPEN) return chat.hub.removeCustomer(sink);
        const status = await chat.statusOf(conv);
        chat.hub.sentStatus(sink, status);
        send({ type: 'welcome', status });
        for (;;) {
          const page = await chat.log.read(conv.tenantId, conv.interactionId, {
            after: sink.lastSent,
            limit: REPLAY_PAGE,
            visibilities: ['public'],
          });
          for (const m of page) {
            sink.lastSent = m.seq;
            send({ type: 'message', message: m });
          }
          if (page.length < REPLAY_PAGE) break;
        }
        chat.hub.finishReplay(sink, customerFrame, (m) => m.visibility === 'public');
      };

      const onFrame = async (frame: ClientFrame) => {
        if (!session) return;
        const { conv, visitorId } = session;
        switch (frame.type) {
          case 'send':
            try {
              const r = await chat.customerSend(conv, visitorId, address, frame);
              send({ type: 'ack', clientId: frame.clientId, id: r.message.id, seq: r.message.seq });
            } catch (err) {
              if (!(err instanceof AppError)) throw err;
              send({ type: 'error', code: err.code, message: err.message, clientId: frame.clientId });
            }
            return;
          case 'typing':
            return chat.customerTyping(conv, frame.active);
          case 'mark':
            return chat.customerMark(conv, frame.mark, frame.seq);
          case 'ping':
            return send({ type: 'pong' });
          case 'hello':
            return badFrame('INVALID_FRAME', 'already said hello');
        }
      };

      socket.on('message', (data: Buffer, isBinary) => {
        if (isBinary || data.length > MAX_WIDGET_FRAME_BYTES) {
          return badFrame(
            'PAYLOAD_TOO_LARGE',
            `frames are JSON text of at most ${MAX_WIDGET_FRAME_BYTES} bytes`,
          );
        }
        let raw: unknown;
        try {
          raw = JSON.parse(data.toString('utf8'));
        } catch {
          return badFrame('INVALID_FRAME', 'frames are JSON');
        }
        const parsed = widgetClientFrameSchema.safeParse(raw);
        if (!parsed.success) {
          const r = raw as { type?: unknown; text?: unknown; clientId?: unknown };
          const clientId = typeof r?.clientId === 'string' ? r.clientId.slice(0, 64) : undefined;
          if (r?.type === 'send' && typeof r.text === 'string' && r.text.length > MAX_MESSAGE_CHARS) {
            return badFrame(
              'PAYLOAD_TOO_LARGE',
              `messages have at most ${MAX_MESSAGE_CHARS} characters`,
              clientId,
            );
          }
          return badFrame('INVALID_FRAME', parsed.error.issues[0]?.message ?? 'invalid frame', clientId);
        }
        const frame = parsed.data;
        if (!hello) {
          if (frame.type !== 'hello') {
            return refuse(
              'UNAUTHENTICATED',
              'send hello with your visitor token first',
              CLOSE_UNAUTHENTICATED,
            );
          }
          hello = onHello(frame).catch((err) => {
            app.log.error({ err }, 'widget hello failed');
            socket.close(1011, 'internal error');
          });
          return;
        }
        if (frame.type !== 'ping' && !frameLimiter.take(socketKey)) {
          const clientId = frame.type === 'send' ? frame.clientId : undefined;
          return send({
            type: 'error',
            code: 'RATE_LIMITED',
            message: 'too many frames; slow down',
            ...(clientId ? { clientId } : {}),
          });
        }
        hello
          .then(() => onFrame(frame))
          .catch((err) => {
            app.log.error({ err }, 'widget frame failed');
            send({ type: 'error', code: 'INTERNAL', message: 'internal error' });
          });
      });
    },
  );
}
