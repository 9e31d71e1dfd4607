import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { flowsEn } from './flow-editor-en';
import { flowsRu } from './flow-editor-ru';
import { LANGUAGE_STORAGE_KEY, pickLanguage } from './language';
import { ru } from './ru';
import { softphoneEn } from './softphone-en';
import { softphoneRu } from './softphone-ru';
import { voicemailEn } from './voicemail-en';
import { voicemailRu } from './voicemail-ru';

declare module 'i18next' {
  interface CustomTypeOptions {
    resources: {
      translation: typeof en;
      softphone: typeof softphoneEn;
      flows: typeof flowsEn;
      voicemail: typeof voicemailEn;
    };
  }
}

export function storedLanguage(): string | null {
  try {
    return localStorage.getItem(LANGUAGE_STORAGE_KEY);
  } catch {
    return null;
  }
}

/** Remembers an explicit choice from the language switch; it then outranks the account's locale. */
export function chooseLanguage(language: string): void {
  try {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, language);
  } catch {
    // Private mode or a full quota: the choice lasts for this page only.
  }
  void i18n.changeLanguage(language);
}

/** Applies the account's locale after sign-in unless the user already chose a language here. */
export function adoptAccountLocale(locale: string): void {
  const language = pickLanguage({ stored: storedLanguage(), userLocale: locale });
  if (language !== i18n.language) void i18n.changeLanguage(language);
}

i18n.on('languageChanged', (language) => {
  document.documentElement.lang = language;
});

// Resources are bundled, so initialisation completes synchronously before the first render.
void i18n.use(initReactI18next).init({
  // The softphone has its own namespace: one more set of keys in `translation` made its key type too
  // deep for TypeScript (TS2589).
  resources: {
    en: { translation: en, softphone: softphoneEn, flows: flowsEn, voicemail: voicemailEn },
    ru: { translation: ru, softphone: softphoneRu, flows: flowsRu, voicemail: voicemailRu },
  },
  lng: pickLanguage({ stored: storedLanguage(), browser: navigator.language }),
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
});

export { i18n };
