import type { AttachmentDto, WidgetConfig } from '@hotline/protocol/chat';
import type { Locale } from '@hotline/protocol/common';
import { ApiError, WidgetApi } from './api';
import { backoffDelay } from './backoff';
import { ConversationClient } from './client';
import { widgetWsPath } from './connection';
import { lastIncomingSeq } from './conversation';
import { checkFile, formatBytes } from './format';
import { type Dictionary, dictionaries } from './i18n';
import { newClientId } from './ids';
import { defaultLimits } from './limits';
import { marksDue, unreadCount } from './marks';
import { type KeyValueStorage, loadSession, type StoredSession, saveSession } from './session';
import { TypingSignal } from './typing';
import { ChatView } from './ui/chat-view';
import { h, icon, icons, setText, uid } from './ui/dom';
import { type ContactValues, contactForm } from './ui/forms';
import { styles } from './ui/styles';

export interface WidgetEnvironment {
  /** Where the script came from: every request goes there, never to the page's origin. */
  origin: string;
  tenant: string;
  locale: Locale;
  shadow: ShadowRoot;
  storage: KeyValueStorage | null;
}

const agentTypingTimeoutMs = 10_000;

/**
 * The widget's controller: loads the configuration, owns the stored session, the conversation state
 * (through `ConversationClient`), and which view the panel shows. Views only report what the visitor
 * did; every change of the conversation goes through the client.
 */
export class Widget {
  private readonly t: Dictionary;
  private readonly api: WidgetApi;
  private session: StoredSession;
  private config: WidgetConfig | null = null;
  private client: ConversationClient | null = null;
  private chat: ChatView | null = null;
  private typing: TypingSignal | null = null;
  private marksSent = { delivered: 0, read: 0 };
  private agentTypingTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly attachmentUrls = new Map<string, Promise<string>>();

  private readonly root: HTMLElement;
  private readonly launcher: HTMLButtonElement;
  private readonly badge: HTMLElement;
  private readonly panel: HTMLElement;
  private readonly subtitle: HTMLElement;
  private readonly title: HTMLElement;
  private readonly body: HTMLElement;

  constructor(private readonly env: WidgetEnvironment) {
    this.t = dictionaries[env.locale];
    this.api = new WidgetApi(env.origin, env.tenant);
    this.session = loadSession(env.storage, env.tenant);

    const panelId = uid('panel');
    const titleId = uid('title');
    this.badge = h('span', { class: 'badge', hidden: true, 'aria-hidden': 'true' });
    this.launcher = h(
      'button',
      { type: 'button', class: 'launcher', 'aria-controls': panelId, 'aria-expanded': 'false' },
      icon(icons.chat),
      this.badge,
    );
    this.launcher.querySelector('svg')?.classList.add('chat-icon');
    this.title = h('h2', { class: 'title', id: titleId }, this.t.title);
    this.subtitle = h('p', { class: 'subtitle' });
    const close = h(
      'button',
      { type: 'button', class: 'icon-button', 'aria-label': this.t.closeChat, title: this.t.closeChat },
      icon(icons.close),
    );
    this.body = h('div', { class: 'body' });
    this.panel = h(
      'section',
      { class: 'panel', id: panelId, role: 'dialog', 'aria-labelledby': titleId, hidden: true },
      h('div', { class: 'header' }, h('div', { class: 'header-text' }, this.title, this.subtitle), close),
      this.body,
    );
    this.root = h('div', { class: 'root', lang: env.locale, hidden: true }, this.launcher, this.panel);
    env.shadow.append(h('style', {}, styles), this.root);

    this.launcher.addEventListener('click', () => this.setOpen(this.panel.hidden));
    close.addEventListener('click', () => this.setOpen(false));
    this.panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.setOpen(false);
    });
    window.addEventListener('online', () => this.client?.reconnectNow());
    document.addEventListener('visibilitychange', () => this.afterChange());
    this.updateLauncher();
  }

  /** Shows the widget: at once when a conversation is stored (resume), else once the configuration is in. */
  start(): void {
    if (this.session.conversationId !== null && this.session.visitorToken !== null) {
      this.root.hidden = false;
      this.enterChat();
      if (this.session.open) this.setOpen(true, false);
    } else {
      this.showView(h('div', { class: 'center' }, h('p', {}, this.t.loading)));
    }
    void this.loadConfig(0);
  }

  private async loadConfig(attempt: number): Promise<void> {
    try {
      this.config = await this.api.config(this.env.locale);
    } catch (error) {
      if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
        // Unknown tenant or the widget switched off: show nothing (unless a chat is being resumed).
        console.info(`Hotline widget: not available for "${this.env.tenant}" (${error.code})`);
        return;
      }
      setTimeout(() => void this.loadConfig(attempt + 1), backoffDelay(attempt, Math.random));
      return;
    }
    setText(this.title, this.config.tenantName || this.t.title);
    this.root.hidden = false;
    if (!this.chat) this.showStartView();
  }

  // ── Panel and launcher ────────────────────────────────────────────────────

  private setOpen(open: boolean, focus = true): void {
    this.panel.hidden = !open;
    this.root.classList.toggle('open', open);
    this.launcher.setAttribute('aria-expanded', String(open));
    if (this.session.open !== open) {
      this.session.open = open;
      this.persist();
    }
    if (open && focus) this.focusView();
    if (!open && focus) this.launcher.focus();
    this.afterChange();
  }

  private updateLauncher(): void {
    const open = !this.panel.hidden;
    const unread = open || !this.client ? 0 : unreadCount(this.client.state, this.session.seenSeq);
    this.badge.hidden = unread === 0;
    setText(this.badge, unread > 9 ? '9+' : String(unread));
    const label = open ? this.t.closeChat : this.t.openChat;
    this.launcher.setAttribute('aria-label', unread > 0 ? `${label}, ${this.t.unread(unread)}` : label);
    this.launcher.setAttribute('title', label);
  }

  private showView(view: HTMLElement): void {
    this.body.replaceChildren(view);
  }

  private focusView(): void {
    if (this.chat) this.chat.focus();
    else this.body.querySelector<HTMLElement>('input, select, textarea, button')?.focus();
  }

  // ── Before a chat: pre-chat form, offline form ───────────────────────────

  private showStartView(): void {
    const config = this.config;
    if (!config) return;
    setText(this.subtitle, '');
    const kind = config.online ? 'prechat' : 'offline';
    const form = contactForm({
      t: this.t,
      config,
      kind,
      submit: (values) => (kind === 'prechat' ? this.startChat(values) : this.sendOffline(values, config)),
    });
    this.showView(h('div', { class: 'scroll' }, form));
    if (!this.panel.hidden) this.focusView();
  }

  private async startChat(values: ContactValues): Promise<void> {
    const page = location.href.length <= 2_000 && /^https?:/.test(location.href) ? location.href : undefined;
    const reply = await this.api
      .start({
        name: values.name.trim() || undefined,
        email: values.email.trim() || undefined,
        phone: values.phone || undefined,
        topic: values.topic,
        message: values.message.trim() || undefined,
        language: this.env.locale,
        page,
        visitorToken: this.session.visitorToken ?? undefined,
      })
      .catch((error: unknown) => {
        throw new Error(this.errorText(error));
      });
    this.session = {
      ...this.session,
      visitorToken: reply.visitorToken,
      conversationId: reply.conversationId,
      outbox: [],
      seenSeq: 0,
    };
    this.persist();
    this.enterChat();
    this.client?.apply({ type: 'status', status: reply.status });
    this.focusView();
  }

  private async sendOffline(values: ContactValues, config: WidgetConfig): Promise<void> {
    const callback = config.offlineMode === 'callback';
    const reply = await this.api
      .offline({
        name: values.name.trim(),
        email: values.email.trim() || undefined,
        phone: values.phone || undefined,
        topic: values.topic,
        message: values.message.trim(),
        callback,
        language: this.env.locale,
      })
      .catch((error: unknown) => {
        throw new Error(this.errorText(error));
      });
    // The same visitor (and contact) if they come back for a chat later.
    this.session.visitorToken = reply.visitorToken;
    this.persist();
    const done = h(
      'p',
      { tabindex: -1, role: 'status' },
      callback ? this.t.callbackSent : this.t.offlineSent,
    );
    this.showView(h('div', { class: 'center' }, done));
    done.focus();
  }

  // ── The conversation ─────────────────────────────────────────────────────

  private enterChat(): void {
    const conversationId = this.session.conversationId!;
    const token = this.session.visitorToken!;
    this.marksSent = { delivered: this.session.seenSeq, read: this.session.seenSeq };
    const limits = () => this.config?.limits ?? defaultLimits;
    const timers = {
      setTimeout: (f: () => void, ms: number) => setTimeout(f, ms),
      clearTimeout: (t: unknown) => clearTimeout(t as number),
    };
    const client = new ConversationClient({
      url: `${this.env.origin.replace(/^http/, 'ws')}${widgetWsPath}`,
      conversationId,
      token,
      outbox: this.session.outbox,
      createSocket: (url) => new WebSocket(url),
      timers,
      random: Math.random,
      now: () => new Date(),
      newClientId: () => newClientId(),
      saveOutbox: (outbox) => {
        this.session.outbox = outbox;
        this.persist();
      },
      onChange: () => {
        this.render();
        this.afterChange();
      },
      onFrame: (frame) => {
        if (frame.type === 'typing') this.armAgentTyping(frame.active);
        if (frame.type === 'error') this.frameError(frame);
      },
      onRejected: () => {
        if (client.state.status?.status !== 'ended') this.leaveChat(false);
      },
    });
    this.client = client;
    this.chat = new ChatView({
      t: this.t,
      locale: this.env.locale,
      maxMessageChars: () => limits().maxMessageChars,
      attachmentTypes: () => limits().attachmentTypes,
      send: (text) => {
        this.typing?.stop();
        client.send(text);
      },
      typing: (empty) => this.typing?.input(empty),
      attach: (file) => void this.attach(file),
      retry: (clientId) => client.retry(clientId),
      end: async () => {
        client.apply({ type: 'status', status: await this.api.end(token, conversationId) });
      },
      rate: async (score, comment) => {
        client.apply({ type: 'status', status: await this.api.rate(token, conversationId, score, comment) });
      },
      transcript: () => this.downloadTranscript(token, conversationId),
      newChat: () => this.leaveChat(true),
      attachmentUrl: (attachment) => this.attachmentUrl(attachment),
      openAttachment: (attachment) => void this.openAttachment(attachment),
    });
    this.showView(this.chat.element);
    this.typing = new TypingSignal(
      (active) => client.signal({ type: 'typing', active }),
      timers,
      () => Date.now(),
    );
    client.start();
    this.render();
  }

  /** Back to the start: the conversation is forgotten, the visitor token kept (same visitor next time). */
  private leaveChat(focus: boolean): void {
    this.client?.stop();
    this.client = null;
    this.typing = null;
    this.chat = null;
    for (const url of this.attachmentUrls.values())
      void url.then(
        (u) => URL.revokeObjectURL(u),
        () => {},
      );
    this.attachmentUrls.clear();
    this.session = { ...this.session, conversationId: null, outbox: [], seenSeq: 0 };
    this.persist();
    this.updateLauncher();
    if (this.config) this.showStartView();
    else this.showView(h('div', { class: 'center' }, h('p', {}, this.t.loading)));
    if (focus) this.focusView();
  }

  private render(): void {
    const client = this.client;
    if (client && this.chat) {
      const status = client.state.status;
      this.chat.update(client.state, client.connectionState, client.everConnected);
      setText(
        this.subtitle,
        status?.status === 'connected'
          ? (status.agentName ?? '')
          : status?.status === 'bot'
            ? this.t.bot
            : status?.status === 'queued'
              ? this.t.waiting
              : '',
      );
    }
    this.updateLauncher();
  }

  /** Marks owed to the agent, and what the visitor has now seen. */
  private afterChange(): void {
    const client = this.client;
    if (!client) return;
    const seen = !this.panel.hidden && document.visibilityState === 'visible';
    if (seen) {
      const newest = lastIncomingSeq(client.state);
      if (newest > this.session.seenSeq) {
        this.session.seenSeq = newest;
        this.persist();
        this.updateLauncher();
      }
    }
    if (!client.ready) return;
    for (const due of marksDue(client.state, this.marksSent, seen)) {
      if (client.signal({ type: 'mark', mark: due.mark, seq: due.seq })) {
        if (due.mark === 'read') this.marksSent.read = due.seq;
        this.marksSent.delivered = Math.max(this.marksSent.delivered, due.seq);
      }
    }
  }

  private frameError(frame: { code: string; clientId?: string }): void {
    if (frame.code === 'RATE_LIMITED') {
      this.chat?.showNotice(this.t.rateLimited);
    } else if (
      frame.code === 'CONVERSATION_ENDED' &&
      this.session.conversationId &&
      this.session.visitorToken
    ) {
      void this.api
        .status(this.session.visitorToken, this.session.conversationId)
        .then((status) => this.client?.apply({ type: 'status', status }))
        .catch(() => {});
    } else if (frame.clientId !== undefined) {
      this.chat?.showNotice(
        frame.code === 'PAYLOAD_TOO_LARGE'
          ? this.t.tooLong(this.config?.limits.maxMessageChars ?? defaultLimits.maxMessageChars)
          : this.t.error,
      );
    }
  }

  private armAgentTyping(active: boolean): void {
    if (this.agentTypingTimer !== null) clearTimeout(this.agentTypingTimer);
    this.agentTypingTimer = active
      ? setTimeout(() => this.client?.apply({ type: 'typing-expired' }), agentTypingTimeoutMs)
      : null;
  }

  private async attach(file: File): Promise<void> {
    const chat = this.chat;
    const { conversationId, visitorToken } = this.session;
    if (!chat || !conversationId || !visitorToken) return;
    const limits = this.config?.limits ?? defaultLimits;
    const problem = checkFile(file, limits);
    if (problem === 'type') return chat.showNotice(this.t.fileType);
    if (problem === 'size') {
      return chat.showNotice(this.t.fileTooLarge(formatBytes(limits.maxAttachmentBytes, this.env.locale)));
    }
    chat.showNotice('');
    const uploading = setTimeout(() => chat.showNotice(this.t.uploading(file.name)), 300);
    try {
      const attachment = await this.api.upload(visitorToken, conversationId, file, file.name);
      this.attachmentUrls.set(attachment.id, Promise.resolve(URL.createObjectURL(file)));
      clearTimeout(uploading);
      chat.showNotice('');
      if (this.chat === chat) this.client?.send('', attachment);
    } catch (error) {
      clearTimeout(uploading);
      chat.showNotice(this.errorText(error));
    }
  }

  private attachmentUrl(attachment: AttachmentDto): Promise<string> {
    let url = this.attachmentUrls.get(attachment.id);
    if (!url) {
      const { conversationId, visitorToken } = this.session;
      if (!conversationId || !visitorToken) return Promise.reject(new Error('no conversation'));
      url = this.api
        .attachment(visitorToken, conversationId, attachment.id)
        .then((blob) => URL.createObjectURL(blob));
      url.catch(() => this.attachmentUrls.delete(attachment.id));
      this.attachmentUrls.set(attachment.id, url);
    }
    return url;
  }

  private async openAttachment(attachment: AttachmentDto): Promise<void> {
    try {
      const url = await this.attachmentUrl(attachment);
      this.clickLink(url, attachment.mime.startsWith('image/') ? null : attachment.fileName);
    } catch {
      this.chat?.showNotice(this.t.error);
    }
  }

  private async downloadTranscript(token: string, conversationId: string): Promise<void> {
    const blob = await this.api.transcript(token, conversationId);
    const url = URL.createObjectURL(blob);
    this.clickLink(url, `chat-${conversationId.slice(0, 8)}.txt`);
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  /** Opens (no `download`) or saves a blob URL through a link, which browsers allow without a popup. */
  private clickLink(url: string, download: string | null): void {
    const link = h('a', { href: url, target: '_blank', rel: 'noopener', download: download ?? undefined });
    link.hidden = true;
    this.env.shadow.appendChild(link);
    link.click();
    link.remove();
  }

  private errorText(error: unknown): string {
    if (!(error instanceof ApiError)) return this.t.error;
    switch (error.code) {
      case 'RATE_LIMITED':
        return this.t.rateLimited;
      case 'PAYLOAD_TOO_LARGE':
        return this.t.fileTooLarge(
          formatBytes((this.config?.limits ?? defaultLimits).maxAttachmentBytes, this.env.locale),
        );
      case 'UNSUPPORTED_MEDIA_TYPE':
        return this.t.fileType;
      default:
        return this.t.error;
    }
  }

  private persist(): void {
    saveSession(this.env.storage, this.env.tenant, this.session);
  }
}
