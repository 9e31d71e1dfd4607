import type { WidgetConfig } from '@hotline/protocol/chat';
import type { Dictionary } from '../i18n';
import {
  type ContactFields,
  type FieldErrors,
  normalizePhone,
  validateOffline,
  validatePreChat,
} from '../validate';
import { h, setText, uid } from './dom';

type Mode = WidgetConfig['preChat']['name'];

interface Field {
  wrap: HTMLElement;
  control: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
  error: HTMLElement;
}

function field(
  label: string,
  mode: Mode,
  t: Dictionary,
  make: (id: string, describedBy: string) => Field['control'],
): Field {
  const id = uid('field');
  const errorId = `${id}-error`;
  const control = make(id, errorId);
  if (mode === 'required') control.setAttribute('aria-required', 'true');
  const error = h('p', { class: 'error', id: errorId, 'aria-live': 'polite' });
  const wrap = h(
    'div',
    { class: 'field' },
    h(
      'label',
      { for: id },
      label,
      mode === 'optional' ? h('span', { class: 'hint' }, ` ${t.optional}`) : null,
    ),
    control,
    error,
  );
  // A corrected field loses its complaint at once; the rest wait for the next submit.
  control.addEventListener('input', () => {
    setText(error, '');
    control.setAttribute('aria-invalid', 'false');
  });
  return { wrap, control, error };
}

function input(type: string, autocomplete: string, maxlength: number) {
  return (id: string, describedBy: string) =>
    h('input', { class: 'input', id, type, autocomplete, maxlength, 'aria-describedby': describedBy });
}

function textarea(maxlength: number, rows = 3) {
  return (id: string, describedBy: string) =>
    h('textarea', { class: 'input', id, rows, maxlength, 'aria-describedby': describedBy });
}

export interface ContactValues extends ContactFields {
  topic: string | undefined;
}

export interface ContactFormOptions {
  t: Dictionary;
  config: WidgetConfig;
  /** `prechat`: start a chat; `offline`: leave a message or ask for a call back (`config.offlineMode`). */
  kind: 'prechat' | 'offline';
  /** Resolves when done; a rejection's message is shown under the form. */
  submit(values: ContactValues): Promise<void>;
}

/** The pre-chat form and the offline form: the same fields, different rules and wording. */
export function contactForm({ t, config, kind, submit }: ContactFormOptions): HTMLElement {
  const callback = kind === 'offline' && config.offlineMode === 'callback';
  const modes: Record<'name' | 'email' | 'phone', Mode> =
    kind === 'prechat'
      ? config.preChat
      : {
          name: 'required',
          email: callback ? 'hidden' : 'optional',
          phone: callback ? 'required' : 'optional',
        };
  const maxChars = config.limits.maxMessageChars;
  const fields: Partial<Record<'name' | 'email' | 'phone' | 'message', Field>> = {};
  if (modes.name !== 'hidden') fields.name = field(t.name, modes.name, t, input('text', 'name', 120));
  if (modes.email !== 'hidden') fields.email = field(t.email, modes.email, t, input('email', 'email', 320));
  if (modes.phone !== 'hidden') fields.phone = field(t.phone, modes.phone, t, input('tel', 'tel', 30));

  let topic: Field | null = null;
  if (config.topics.length > 1) {
    topic = field(t.topic, 'required', t, (id, describedBy) =>
      h(
        'select',
        { class: 'input', id, 'aria-describedby': describedBy },
        ...config.topics.map((option) => h('option', { value: option.key }, option.label)),
      ),
    );
  }
  const messageLabel = kind === 'prechat' ? t.firstMessage : callback ? t.callbackAbout : t.message;
  fields.message = field(messageLabel, kind === 'prechat' ? 'optional' : 'required', t, textarea(maxChars));

  const formError = h('p', { class: 'error', role: 'alert' });
  const label = kind === 'prechat' ? t.startChat : callback ? t.requestCallback : t.sendMessage;
  const button = h('button', { class: 'primary', type: 'submit' }, label);

  let intro: string;
  if (kind === 'prechat') intro = config.greeting || t.greeting;
  else intro = callback ? t.offlineCallbackIntro : t.offlineMessageIntro;
  const notice =
    kind === 'offline' ? (config.offlineReason === 'closed' ? t.offlineClosed : t.offlineNobody) : null;

  const form = h(
    'form',
    { class: 'form', novalidate: true },
    notice ? h('p', { class: 'notice' }, notice) : null,
    h('p', { class: 'intro' }, intro),
    fields.name?.wrap,
    fields.email?.wrap,
    fields.phone?.wrap,
    topic?.wrap,
    fields.message.wrap,
    formError,
    button,
  );

  const show = (errors: FieldErrors) => {
    for (const [name, f] of Object.entries(fields)) {
      const message = errors[name as keyof FieldErrors] ?? '';
      setText(f.error, message);
      f.control.setAttribute('aria-invalid', message === '' ? 'false' : 'true');
    }
    setText(formError, errors.form ?? '');
    const first = Object.entries(fields).find(([name]) => errors[name as keyof FieldErrors]);
    first?.[1].control.focus();
  };

  form.addEventListener('input', () => setText(formError, ''));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (button.disabled) return;
    const values: ContactValues = {
      name: fields.name?.control.value ?? '',
      email: fields.email?.control.value ?? '',
      phone: fields.phone?.control.value ?? '',
      message: fields.message?.control.value ?? '',
      topic: topic ? topic.control.value : config.topics[0]?.key,
    };
    const errors =
      kind === 'prechat'
        ? validatePreChat(values, modes, maxChars, t)
        : validateOffline(values, callback, maxChars, t);
    show(errors);
    if (Object.keys(errors).length > 0) return;
    values.phone = normalizePhone(values.phone);
    button.disabled = true;
    setText(button, kind === 'prechat' ? t.starting : label);
    submit(values)
      .catch((error: unknown) => {
        setText(formError, error instanceof Error && error.message ? error.message : t.error);
      })
      .finally(() => {
        button.disabled = false;
        setText(button, label);
      });
  });
  return form;
}
