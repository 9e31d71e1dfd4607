import type { WidgetConfig } from '@hotline/protocol/chat';
import type { Dictionary } from './i18n';

/**
 * The forms' checks, mirroring the protocol's schemas (`startConversationBody`, `offlineMessageBody`)
 * so the visitor learns of a mistake before a round trip; the server checks again and decides.
 */
export type FieldErrors = Partial<Record<'name' | 'email' | 'phone' | 'message' | 'form', string>>;

export interface ContactFields {
  name: string;
  email: string;
  phone: string;
  message: string;
}

type Mode = WidgetConfig['preChat']['name'];

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const phonePattern = /^\+?[0-9]{3,20}$/;

/** Spaces, dashes, dots and brackets people type in phone numbers are dropped: `+7 (900) 123-45-67`. */
export function normalizePhone(phone: string): string {
  return phone.replace(/[\s().-]/g, '');
}

function checkField(
  errors: FieldErrors,
  field: 'name' | 'email' | 'phone',
  value: string,
  mode: Mode,
  t: Dictionary,
): void {
  if (mode === 'hidden') return;
  if (value === '') {
    if (mode === 'required') errors[field] = t.required;
    return;
  }
  if (field === 'email' && (!emailPattern.test(value) || value.length > 320)) errors.email = t.invalidEmail;
  if (field === 'phone' && !phonePattern.test(value)) errors.phone = t.invalidPhone;
  if (field === 'name' && value.length > 120) errors.name = t.required;
}

export function validatePreChat(
  fields: ContactFields,
  preChat: WidgetConfig['preChat'],
  maxMessageChars: number,
  t: Dictionary,
): FieldErrors {
  const errors: FieldErrors = {};
  checkField(errors, 'name', fields.name.trim(), preChat.name, t);
  checkField(errors, 'email', fields.email.trim(), preChat.email, t);
  checkField(errors, 'phone', normalizePhone(fields.phone), preChat.phone, t);
  if (fields.message.length > maxMessageChars) errors.message = t.tooLong(maxMessageChars);
  return errors;
}

export function validateOffline(
  fields: ContactFields,
  callback: boolean,
  maxMessageChars: number,
  t: Dictionary,
): FieldErrors {
  const errors: FieldErrors = {};
  const email = fields.email.trim();
  const phone = normalizePhone(fields.phone);
  checkField(errors, 'name', fields.name.trim(), 'required', t);
  checkField(errors, 'email', email, 'optional', t);
  checkField(errors, 'phone', phone, callback ? 'required' : 'optional', t);
  if (fields.message.trim() === '') errors.message = t.required;
  else if (fields.message.length > maxMessageChars) errors.message = t.tooLong(maxMessageChars);
  if (!callback && email === '' && phone === '' && !errors.email && !errors.phone)
    errors.form = t.needContact;
  return errors;
}
