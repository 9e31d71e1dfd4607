import type { Locale } from '@hotline/protocol/common';

/**
 * Every text the widget shows, in English and Russian. The language follows the host page
 * (`<html lang>`, or the script tag's `data-lang`), English when it is neither.
 */
export function pickLocale(...candidates: (string | null | undefined)[]): Locale {
  for (const candidate of candidates) {
    const primary = candidate?.trim().toLowerCase().split(/[-_]/)[0];
    if (primary === 'ru') return 'ru';
    if (primary === 'en') return 'en';
  }
  return 'en';
}

/** Russian plural form: 1 минута, 2 минуты, 5 минут, 21 минута, 11 минут. */
export function ruPlural(n: number, one: string, few: string, many: string): string {
  const mod10 = n % 10;
  const mod100 = n % 100;
  if (mod10 === 1 && mod100 !== 11) return one;
  if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return few;
  return many;
}

const en = {
  openChat: 'Chat with us',
  closeChat: 'Close the chat window',
  unread: (n: number) => `${n} unread ${n === 1 ? 'message' : 'messages'}`,
  title: 'Chat',
  loading: 'Loading…',
  unavailable: 'The chat is unavailable right now.',
  retry: 'Try again',
  greeting: 'Hi! Tell us a little about yourself and we will connect you with an agent.',
  name: 'Name',
  email: 'E-mail',
  phone: 'Phone',
  topic: 'Topic',
  firstMessage: 'How can we help?',
  optional: '(optional)',
  startChat: 'Start the chat',
  starting: 'Connecting…',
  required: 'Please fill in this field.',
  invalidEmail: 'Please enter a valid e-mail address.',
  invalidPhone: 'Digits only, optionally with a leading +.',
  needContact: 'Please enter an e-mail or a phone number so that we can answer.',
  offlineClosed: 'We are closed right now.',
  offlineNobody: 'Nobody is available to chat right now.',
  offlineMessageIntro: 'Leave a message and we will answer as soon as we can.',
  offlineCallbackIntro: 'Leave your phone number and we will call you back.',
  message: 'Message',
  callbackAbout: 'What is it about?',
  sendMessage: 'Send the message',
  requestCallback: 'Request a call back',
  offlineSent: 'Thank you! We have your message and will answer soon.',
  callbackSent: 'Thank you! We will call you back.',
  queuePosition: (n: number) =>
    n === 1 ? 'You are next in the queue.' : `You are number ${n} in the queue.`,
  waitEstimate: (wait: string) => `Estimated wait: ${wait}.`,
  waiting: 'Waiting for an agent…',
  lessThanMinute: 'less than a minute',
  minutes: (n: number) => `about ${n} ${n === 1 ? 'minute' : 'minutes'}`,
  hours: (n: number) => `about ${n} ${n === 1 ? 'hour' : 'hours'}`,
  connectedWith: (name: string) => `You are chatting with ${name}.`,
  agent: 'Agent',
  bot: 'Assistant',
  withBot: 'You are chatting with our assistant.',
  quickReplies: 'Quick replies',
  you: 'You',
  typing: (name: string) => `${name} is typing…`,
  composer: 'Your message',
  composerPlaceholder: 'Type a message…',
  send: 'Send',
  attach: 'Attach a file',
  uploading: (name: string) => `Uploading ${name}…`,
  fileTooLarge: (max: string) => `The file is too large (at most ${max}).`,
  fileType: 'Only images (PNG, JPEG, GIF, WebP) and PDF files can be sent.',
  tooLong: (max: number) => `The message is too long (at most ${max} characters).`,
  openAttachment: (name: string) => `Open ${name}`,
  sending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Not sent',
  reconnecting: 'Connection lost. Reconnecting…',
  endChat: 'End chat',
  ended: 'The chat has ended.',
  rateQuestion: 'How would you rate this chat?',
  chooseScore: 'Please choose a score from 1 to 5.',
  score: (n: number) => `${n} of 5`,
  comment: 'Comment',
  sendRating: 'Send rating',
  thanks: 'Thank you for your feedback!',
  transcript: 'Download transcript',
  newChat: 'Start a new chat',
  error: 'Something went wrong. Please try again.',
  rateLimited: 'Too many messages at once. Please wait a moment.',
  sizeUnits: ['B', 'KB', 'MB', 'GB'],
};

export type Dictionary = typeof en;

const ru: Dictionary = {
  openChat: 'Напишите нам',
  closeChat: 'Закрыть окно чата',
  unread: (n) =>
    `${n} ${ruPlural(n, 'непрочитанное сообщение', 'непрочитанных сообщения', 'непрочитанных сообщений')}`,
  title: 'Чат',
  loading: 'Загрузка…',
  unavailable: 'Чат сейчас недоступен.',
  retry: 'Повторить',
  greeting: 'Здравствуйте! Расскажите немного о себе, и мы соединим вас с оператором.',
  name: 'Имя',
  email: 'Эл. почта',
  phone: 'Телефон',
  topic: 'Тема',
  firstMessage: 'Чем мы можем помочь?',
  optional: '(необязательно)',
  startChat: 'Начать чат',
  starting: 'Подключаемся…',
  required: 'Заполните это поле.',
  invalidEmail: 'Введите правильный адрес электронной почты.',
  invalidPhone: 'Только цифры, в начале можно +.',
  needContact: 'Укажите почту или телефон, чтобы мы могли ответить.',
  offlineClosed: 'Сейчас мы не работаем.',
  offlineNobody: 'Сейчас никто не может ответить в чате.',
  offlineMessageIntro: 'Оставьте сообщение, и мы ответим, как только сможем.',
  offlineCallbackIntro: 'Оставьте номер телефона, и мы вам перезвоним.',
  message: 'Сообщение',
  callbackAbout: 'По какому вопросу?',
  sendMessage: 'Отправить сообщение',
  requestCallback: 'Заказать звонок',
  offlineSent: 'Спасибо! Мы получили ваше сообщение и скоро ответим.',
  callbackSent: 'Спасибо! Мы вам перезвоним.',
  queuePosition: (n) => (n === 1 ? 'Вы следующий в очереди.' : `Вы ${n}-й в очереди.`),
  waitEstimate: (wait) => `Примерное время ожидания: ${wait}.`,
  waiting: 'Ожидаем оператора…',
  lessThanMinute: 'меньше минуты',
  minutes: (n) => `около ${n} ${ruPlural(n, 'минуты', 'минут', 'минут')}`,
  hours: (n) => `около ${n} ${ruPlural(n, 'часа', 'часов', 'часов')}`,
  connectedWith: (name) => `С вами общается ${name}.`,
  agent: 'Оператор',
  bot: 'Помощник',
  withBot: 'Вам отвечает наш виртуальный помощник.',
  quickReplies: 'Варианты ответа',
  you: 'Вы',
  typing: (name) => `${name} печатает…`,
  composer: 'Ваше сообщение',
  composerPlaceholder: 'Введите сообщение…',
  send: 'Отправить',
  attach: 'Прикрепить файл',
  uploading: (name) => `Загружаем ${name}…`,
  fileTooLarge: (max) => `Файл слишком большой (не больше ${max}).`,
  fileType: 'Можно отправлять только изображения (PNG, JPEG, GIF, WebP) и PDF.',
  tooLong: (max) => `Сообщение слишком длинное (не больше ${max} символов).`,
  openAttachment: (name) => `Открыть ${name}`,
  sending: 'Отправляется',
  sent: 'Отправлено',
  delivered: 'Доставлено',
  read: 'Прочитано',
  failed: 'Не отправлено',
  reconnecting: 'Связь потеряна. Переподключаемся…',
  endChat: 'Завершить чат',
  ended: 'Чат завершён.',
  rateQuestion: 'Как вы оцените этот чат?',
  chooseScore: 'Выберите оценку от 1 до 5.',
  score: (n) => `${n} из 5`,
  comment: 'Комментарий',
  sendRating: 'Отправить оценку',
  thanks: 'Спасибо за отзыв!',
  transcript: 'Скачать переписку',
  newChat: 'Начать новый чат',
  error: 'Что-то пошло не так. Попробуйте ещё раз.',
  rateLimited: 'Слишком много сообщений подряд. Подождите немного.',
  sizeUnits: ['Б', 'КБ', 'МБ', 'ГБ'],
};

export const dictionaries: Record<Locale, Dictionary> = { en, ru };
