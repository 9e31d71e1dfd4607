import type { AttachmentDto, ChatMessage } from '@hotline/protocol/chat';
import type { Locale } from '@hotline/protocol/common';
import type { ConnectionState } from '../connection';
import { type ConversationState, type PendingMessage, type Tick, tickOf } from '../conversation';
import { formatBytes, formatTime, formatWait } from '../format';
import type { Dictionary } from '../i18n';
import { h, icon, icons, setText, uid } from './dom';

export interface ChatViewOptions {
  t: Dictionary;
  locale: Locale;
  maxMessageChars: () => number;
  attachmentTypes: () => readonly string[];
  send(text: string): void;
  typing(empty: boolean): void;
  attach(file: File): void;
  retry(clientId: string): void;
  end(): Promise<void>;
  rate(score: number, comment: string): Promise<void>;
  transcript(): Promise<void>;
  newChat(): void;
  /** An object URL for an attachment's content (fetched with the visitor token). */
  attachmentUrl(attachment: AttachmentDto): Promise<string>;
  openAttachment(attachment: AttachmentDto): void;
}

interface Rendered {
  element: HTMLLIElement;
  tick: HTMLElement | null;
  retry: HTMLButtonElement | null;
  shown: Tick | null;
}

const tickGlyph: Record<Tick, string> = { sending: '◷', failed: '!', sent: '✓', delivered: '✓✓', read: '✓✓' };

/**
 * The conversation: queue position or agent, the message log, typing indicator, composer, and the
 * end-of-chat rating. `update` is called with every new state and touches only what changed — each
 * message's element is created once (the pending one is reused when the server stores it), so a
 * screen reader announces each message once and the visitor's scroll position is kept.
 */
export class ChatView {
  readonly element: HTMLElement;
  private readonly banner: HTMLElement;
  private readonly connection: HTMLElement;
  private readonly log: HTMLUListElement;
  private readonly typingLine: HTMLElement;
  private readonly composer: HTMLElement;
  private readonly textarea: HTMLTextAreaElement;
  private readonly fileInput: HTMLInputElement;
  private readonly notice: HTMLElement;
  private readonly endButton: HTMLButtonElement;
  private readonly endedArea: HTMLElement;
  private readonly rendered = new Map<string, Rendered>();
  private endedFor: string | null = null;
  private rated = false;

  constructor(private readonly o: ChatViewOptions) {
    const { t } = o;
    const composerId = uid('composer');
    this.banner = h('div', { class: 'banner', role: 'status', 'aria-live': 'polite' });
    this.connection = h('div', { class: 'conn', role: 'status', hidden: true }, t.reconnecting);
    this.log = h('ul', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': t.title });
    this.typingLine = h('div', { class: 'typing' });
    this.textarea = h('textarea', {
      id: composerId,
      rows: 1,
      placeholder: t.composerPlaceholder,
      maxlength: o.maxMessageChars(),
    });
    this.fileInput = h('input', {
      type: 'file',
      class: 'sr-only',
      tabindex: -1,
      'aria-hidden': 'true',
      accept: o.attachmentTypes().join(','),
    });
    this.notice = h('p', { class: 'error', role: 'alert' });
    this.endButton = h('button', { type: 'button', class: 'end-button' }, t.endChat);
    const attachButton = h(
      'button',
      { type: 'button', class: 'icon-button', 'aria-label': t.attach, title: t.attach },
      icon(icons.attach),
    );
    const sendButton = h(
      'button',
      { type: 'submit', class: 'icon-button send', 'aria-label': t.send, title: t.send },
      icon(icons.send),
    );
    this.composer = h(
      'form',
      { class: 'composer' },
      h('label', { for: composerId, class: 'sr-only' }, t.composer),
      h('div', { class: 'composer-row' }, attachButton, this.textarea, sendButton),
      h('div', { class: 'composer-footer' }, this.notice, this.endButton),
      this.fileInput,
    );
    this.endedArea = h('div', { class: 'ended', hidden: true });
    this.element = h(
      'div',
      { class: 'body' },
      this.banner,
      this.connection,
      this.log,
      this.typingLine,
      this.composer,
      this.endedArea,
    );

    this.composer.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.textarea.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.textarea.addEventListener('input', () => {
      this.grow();
      o.typing(this.textarea.value.trim() === '');
    });
    attachButton.addEventListener('click', () => this.fileInput.click());
    this.fileInput.addEventListener('change', () => {
      const file = this.fileInput.files?.[0];
      this.fileInput.value = '';
      if (file) o.attach(file);
    });
    this.endButton.addEventListener('click', () => {
      this.endButton.disabled = true;
      o.end()
        .catch(() => this.showNotice(t.error))
        .finally(() => {
          this.endButton.disabled = false;
        });
    });
  }

  focus(): void {
    if (!this.composer.hidden) this.textarea.focus();
    else this.endedArea.querySelector<HTMLElement>('input, button')?.focus();
  }

  /** A short message under the composer (a refused file, a rate limit); '' clears it. */
  showNotice(text: string): void {
    setText(this.notice, text);
  }

  update(state: ConversationState, connection: ConnectionState, connectionEverOpened: boolean): void {
    const { t, locale } = this.o;
    const status = state.status;
    let banner = '';
    if (status?.status === 'queued') {
      banner = status.position === null ? t.waiting : t.queuePosition(status.position);
      if (status.ewtSeconds !== null) banner += ` ${t.waitEstimate(formatWait(status.ewtSeconds, locale))}`;
    } else if (status?.status === 'bot') {
      banner = t.withBot;
    } else if (status?.status === 'connected') {
      banner = t.connectedWith(status.agentName ?? t.agent);
    } else if (status?.status === 'ended') {
      banner = t.ended;
    }
    setText(this.banner, banner);
    this.connection.hidden = connection === 'open' || !connectionEverOpened || status?.status === 'ended';
    setText(this.typingLine, state.agentTyping ? t.typing(status?.agentName ?? t.agent) : '');

    this.renderMessages(state);

    const ended = status?.status === 'ended';
    this.composer.hidden = ended;
    this.endButton.hidden = status === null;
    this.endedArea.hidden = !ended;
    if (ended && status && this.endedFor !== status.conversationId) {
      this.endedFor = status.conversationId;
      this.rated = status.rated;
      this.renderEnded();
    }
  }

  private submit(): void {
    const text = this.textarea.value;
    if (text.trim() === '') return;
    if (text.length > this.o.maxMessageChars()) {
      this.showNotice(this.o.t.tooLong(this.o.maxMessageChars()));
      return;
    }
    this.showNotice('');
    this.textarea.value = '';
    this.grow();
    this.o.send(text);
    this.textarea.focus();
  }

  private grow(): void {
    this.textarea.style.height = 'auto';
    this.textarea.style.height = `${Math.min(this.textarea.scrollHeight + 2, 120)}px`;
  }

  private renderMessages(state: ConversationState): void {
    const nearBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 80;
    let mineAdded = false;
    const wanted: [string, ChatMessage | PendingMessage][] = [
      ...state.messages.map((m): [string, ChatMessage] => [m.id, m]),
      ...state.outbox.map((p): [string, PendingMessage] => [`p:${p.clientId}`, p]),
    ];
    const keep = new Set<string>();
    let previous: Element | null = null;
    for (const [key, message] of wanted) {
      let item = this.rendered.get(key);
      if (!item && 'seq' in message && message.clientId !== null) {
        // The server stored a message sent from this page: keep its element, now under its id.
        const pendingKey = `p:${message.clientId}`;
        item = this.rendered.get(pendingKey);
        if (item) {
          this.rendered.delete(pendingKey);
          this.rendered.set(key, item);
        }
      }
      if (!item) {
        item = this.renderItem(message);
        this.rendered.set(key, item);
        if (!('seq' in message) || message.author.kind === 'customer') mineAdded = true;
      }
      keep.add(key);
      const tick = item.tick ? tickOf(state, message) : null;
      if (item.tick && tick && tick !== item.shown) {
        item.shown = tick;
        item.tick.className = `tick ${tick}`;
        setText(item.tick, tickGlyph[tick]);
        item.tick.setAttribute('title', this.o.t[tick]);
        item.tick.setAttribute('aria-label', this.o.t[tick]);
        if (item.retry) item.retry.hidden = tick !== 'failed';
      }
      const expected: Element | null = previous ? previous.nextElementSibling : this.log.firstElementChild;
      if (expected !== item.element) this.log.insertBefore(item.element, expected);
      previous = item.element;
    }
    for (const [key, item] of this.rendered) {
      if (!keep.has(key)) {
        item.element.remove();
        this.rendered.delete(key);
      }
    }
    if (mineAdded || nearBottom) this.log.scrollTop = this.log.scrollHeight;
  }

  private renderItem(message: ChatMessage | PendingMessage): Rendered {
    const { t, locale } = this.o;
    const stored = 'seq' in message;
    const kind = stored ? message.author.kind : 'customer';
    const mine = kind === 'customer';
    const element = h('li', { class: `msg ${mine ? 'mine' : kind === 'system' ? 'system' : 'theirs'}` });
    if (!mine && kind !== 'system') {
      const fallback = kind === 'bot' ? t.bot : t.agent;
      element.appendChild(h('span', { class: 'author' }, (stored && message.author.name) || fallback));
    } else if (mine) {
      element.appendChild(h('span', { class: 'sr-only' }, `${t.you}:`));
    }
    if (message.attachment) element.appendChild(this.renderAttachment(message.attachment));
    if (message.text.trim() !== '') element.appendChild(h('div', { class: 'bubble' }, message.text));
    // A bot's quick replies: pressing one sends its label. CSS shows them on the last message only.
    if (stored && message.buttons && message.buttons.length > 0) {
      const group = h('div', { class: 'quick', role: 'group', 'aria-label': t.quickReplies });
      for (const b of message.buttons) {
        const button = h('button', { type: 'button', class: 'quick-reply' }, b.label);
        button.addEventListener('click', () => this.o.send(b.label));
        group.appendChild(button);
      }
      element.appendChild(group);
    }
    const meta = h('div', { class: 'meta' }, h('span', {}, formatTime(message.createdAt, locale)));
    let tick: HTMLElement | null = null;
    let retry: HTMLButtonElement | null = null;
    if (mine) {
      tick = h('span', { class: 'tick' });
      retry = h('button', { type: 'button', class: 'link-button', hidden: true }, t.retry);
      const clientId = message.clientId;
      if (clientId) retry.addEventListener('click', () => this.o.retry(clientId));
      meta.append(tick, retry);
    }
    element.appendChild(meta);
    return { element, tick, retry, shown: null };
  }

  private renderAttachment(attachment: AttachmentDto): HTMLElement {
    const { t, locale } = this.o;
    if (attachment.mime.startsWith('image/')) {
      const image = h('img', { alt: attachment.fileName });
      const button = h(
        'button',
        { type: 'button', class: 'thumb', 'aria-label': t.openAttachment(attachment.fileName) },
        image,
      );
      this.o
        .attachmentUrl(attachment)
        .then((url) => {
          image.src = url;
        })
        .catch(() => {
          // the alt text (file name) stays
        });
      button.addEventListener('click', () => this.o.openAttachment(attachment));
      return button;
    }
    const button = h(
      'button',
      { type: 'button', class: 'file', 'aria-label': t.openAttachment(attachment.fileName) },
      icon(icons.file),
      h('span', {}, `${attachment.fileName} · ${formatBytes(attachment.size, locale)}`),
    );
    button.addEventListener('click', () => this.o.openAttachment(attachment));
    return button;
  }

  private renderEnded(): void {
    const { t } = this.o;
    const area = this.endedArea;
    area.replaceChildren();
    if (!this.rated) {
      const name = uid('score');
      const commentId = uid('comment');
      const error = h('p', { class: 'error', role: 'alert' });
      const comment = h('textarea', { class: 'input', id: commentId, rows: 2, maxlength: 1000 });
      const submit = h('button', { type: 'submit', class: 'primary' }, t.sendRating);
      const stars = h('fieldset', { class: 'stars' }, h('legend', {}, t.rateQuestion));
      for (let score = 1; score <= 5; score += 1) {
        const id = `${name}-${score}`;
        stars.appendChild(
          h(
            'span',
            { class: 'star' },
            h('input', { type: 'radio', name, id, value: score }),
            h(
              'label',
              { for: id, title: t.score(score) },
              h('span', { 'aria-hidden': 'true' }, String(score)),
              h('span', { class: 'sr-only' }, t.score(score)),
            ),
          ),
        );
      }
      const form = h(
        'form',
        { class: 'form' },
        stars,
        h(
          'div',
          { class: 'field' },
          h('label', { for: commentId }, t.comment, h('span', { class: 'hint' }, ` ${t.optional}`)),
          comment,
        ),
        error,
        submit,
      );
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const checked = form.querySelector<HTMLInputElement>('input[type=radio]:checked');
        if (!checked) {
          setText(error, t.chooseScore);
          form.querySelector<HTMLInputElement>('input[type=radio]')?.focus();
          return;
        }
        submit.disabled = true;
        this.o
          .rate(Number(checked.value), comment.value.trim())
          .then(() => {
            this.rated = true;
            this.renderEnded();
            area.querySelector<HTMLElement>('p')?.focus();
          })
          .catch(() => setText(error, t.error))
          .finally(() => {
            submit.disabled = false;
          });
      });
      area.appendChild(form);
    } else {
      area.appendChild(h('p', { tabindex: -1 }, t.thanks));
    }
    const transcript = h(
      'button',
      { type: 'button', class: 'secondary' },
      icon(icons.download, 16),
      t.transcript,
    );
    const failed = h('p', { class: 'error', role: 'alert' });
    transcript.addEventListener('click', () => {
      transcript.disabled = true;
      setText(failed, '');
      this.o
        .transcript()
        .catch(() => setText(failed, t.error))
        .finally(() => {
          transcript.disabled = false;
        });
    });
    const again = h('button', { type: 'button', class: 'secondary' }, t.newChat);
    again.addEventListener('click', () => this.o.newChat());
    area.append(h('div', { class: 'actions' }, transcript, again), failed);
  }
}
