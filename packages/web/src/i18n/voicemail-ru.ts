import type { voicemailEn } from './voicemail-en';

type Strings<T> = { [K in keyof T]: T[K] extends string ? string : Strings<T[K]> };

/** Голосовая почта на рабочем месте оператора и в списке супервизора; ключи те же, что в `voicemail-en.ts`. */
export const voicemailRu: Strings<typeof voicemailEn> = {
  title: 'Голосовое сообщение',
  from: 'От {{caller}}',
  dialled: 'Звонили на {{did}}',
  duration: '{{seconds}} с',
  download: 'Скачать',
  markHandled: 'Обработано',
  markNew: 'Вернуть в новые',
  status: { new: 'Новое', heard: 'Прослушано', handled: 'Обработано' },
  listTitle: 'Голосовая почта',
  queue: 'Ящик',
  any: 'Любой',
  received: 'Получено',
  caller: 'Кто звонил',
  length: 'Длительность',
  statusFilter: 'Статус',
  empty: 'Сообщений нет.',
  unavailable: 'Сообщение недоступно (удалено или адресовано не вам).',
};
