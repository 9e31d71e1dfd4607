import { pickLocale } from './i18n';
import { hostInlineStyle } from './ui/styles';
import { Widget } from './widget';

/**
 * Entry of `widget.js`: `<script src="https://HOST/widget.js" data-tenant="SLUG" async></script>`.
 * Everything the widget needs comes from its own tag: the tenant, the Hotline origin (the script's
 * own URL — never the page's), optionally `data-lang`. The widget lives in an open shadow root on a
 * `<hotline-chat>` element appended to `<body>`.
 */
declare global {
  interface Window {
    __hotlineWidget?: true;
  }
}

function ownScript(): HTMLScriptElement | null {
  // `currentScript` is set while a classic script (async included) runs its top level.
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.src) return current;
  return document.querySelector<HTMLScriptElement>('script[data-tenant][src*="widget"]');
}

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // blocked by the browser's privacy settings
  }
}

function mount(script: HTMLScriptElement): void {
  const tenant = script.dataset.tenant?.trim();
  if (!tenant) {
    console.warn('Hotline widget: the script tag needs data-tenant="…"');
    return;
  }
  const host = document.createElement('hotline-chat');
  host.setAttribute('style', hostInlineStyle);
  const shadow = host.attachShadow({ mode: 'open' });
  document.body.appendChild(host);
  new Widget({
    origin: new URL(script.src, location.href).origin,
    tenant,
    locale: pickLocale(script.dataset.lang, document.documentElement.lang),
    shadow,
    storage: storage(),
  }).start();
}

const script = ownScript();
if (script && !window.__hotlineWidget) {
  window.__hotlineWidget = true;
  if (document.body) mount(script);
  else document.addEventListener('DOMContentLoaded', () => mount(script), { once: true });
}
