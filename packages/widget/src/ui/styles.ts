/**
 * The widget's whole stylesheet, placed inside its shadow root: page rules cannot reach in and these
 * cannot leak out. `:host` declarations are `!important` because, for the host element itself, an
 * important rule from the shadow tree beats every rule of the page (even `* { all: unset !important }`);
 * the host also carries the same essentials inline. Sizes are in px, not rem: the page's root font
 * size is not ours.
 */
export const hostInlineStyle =
  'all:initial !important;display:block !important;position:fixed !important;right:0 !important;' +
  'bottom:0 !important;width:0 !important;height:0 !important;z-index:2147483647 !important;' +
  'visibility:visible !important;opacity:1 !important;overflow:visible !important;';

export const styles = `
:host {
  all: initial !important;
  display: block !important;
  position: fixed !important;
  inset: auto 0 0 auto !important;
  width: 0 !important;
  height: 0 !important;
  overflow: visible !important;
  z-index: 2147483647 !important;
  visibility: visible !important;
  opacity: 1 !important;
  transform: none !important;
  filter: none !important;
  contain: none !important;
}
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
.root {
  --accent: #2456d3;
  --accent-dark: #1b43a8;
  --text: #1d2330;
  --muted: #5d6677;
  --line: #dfe3ea;
  --bg: #ffffff;
  --soft: #f3f5f9;
  --danger: #b42318;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, "Helvetica Neue", Arial, sans-serif;
  color: var(--text);
  text-align: left;
  direction: ltr;
}
svg { fill: none; stroke: currentColor; stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; }
button { font: inherit; color: inherit; cursor: pointer; }
button:disabled { cursor: default; opacity: .6; }
:focus-visible { outline: 3px solid #8fb0ff; outline-offset: 2px; }
.sr-only {
  position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}

.launcher {
  position: fixed; right: 20px; bottom: 20px; width: 60px; height: 60px; border-radius: 50%;
  border: 0; background: var(--accent); color: #fff; display: flex; align-items: center;
  justify-content: center; box-shadow: 0 6px 20px rgba(20, 40, 90, .3); padding: 0; margin: 0;
}
.launcher:hover { background: var(--accent-dark); }
.launcher svg { width: 28px; height: 28px; }
.launcher .chat-icon { fill: currentColor; stroke: none; }
.badge {
  position: absolute; top: -2px; right: -2px; min-width: 22px; height: 22px; border-radius: 11px;
  background: #e5484d; color: #fff; font-size: 12px; font-weight: 700; line-height: 22px;
  text-align: center; padding: 0 6px;
}

.panel {
  position: fixed; right: 20px; bottom: 92px; width: 370px; height: min(600px, calc(100vh - 112px));
  display: flex; flex-direction: column; background: var(--bg); border-radius: 14px; overflow: hidden;
  box-shadow: 0 12px 40px rgba(20, 30, 60, .28); border: 1px solid var(--line);
}
@media (max-width: 480px) {
  .panel { right: 0; bottom: 0; width: 100vw; height: 100vh; border-radius: 0; border: 0; }
  .root.open .launcher { display: none; }
}
.header {
  display: flex; align-items: center; gap: 10px; padding: 14px 12px 14px 18px;
  background: var(--accent); color: #fff; flex: none;
}
.header-text { flex: 1; min-width: 0; }
.title { margin: 0; font-size: 16px; font-weight: 700; line-height: 1.3; }
.subtitle { margin: 0; font-size: 13px; opacity: .9; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.subtitle:empty { display: none; }
.icon-button {
  border: 0; background: transparent; color: inherit; width: 36px; height: 36px; border-radius: 8px;
  display: inline-flex; align-items: center; justify-content: center; padding: 0; flex: none;
}
.icon-button:hover { background: rgba(255, 255, 255, .16); }
.body { flex: 1; min-height: 0; display: flex; flex-direction: column; }

.scroll { flex: 1; min-height: 0; overflow-y: auto; padding: 16px 18px; }
.intro { margin: 0 0 14px; color: var(--muted); white-space: pre-wrap; }
.notice { margin: 0 0 12px; font-weight: 600; }
.form { display: flex; flex-direction: column; gap: 12px; }
.field { display: flex; flex-direction: column; gap: 4px; }
.field label { font-weight: 600; font-size: 13px; }
.field .hint { font-weight: 400; color: var(--muted); }
.input {
  font: inherit; color: var(--text); background: #fff; border: 1px solid #c5ccd8; border-radius: 8px;
  padding: 8px 10px; width: 100%; margin: 0;
}
textarea.input { resize: vertical; min-height: 72px; }
.input:focus { outline: none; border-color: var(--accent); box-shadow: 0 0 0 3px rgba(36, 86, 211, .2); }
.input[aria-invalid="true"] { border-color: var(--danger); }
.error { color: var(--danger); font-size: 13px; margin: 0; }
.error:empty { display: none; }
.primary {
  border: 0; border-radius: 8px; background: var(--accent); color: #fff; padding: 10px 14px;
  font-weight: 600; width: 100%;
}
.primary:hover:not(:disabled) { background: var(--accent-dark); }
.secondary {
  border: 1px solid #c5ccd8; border-radius: 8px; background: #fff; padding: 6px 10px; font-weight: 600; font-size: 13px;
  display: inline-flex; align-items: center; justify-content: center; gap: 6px;
}
.secondary:hover { background: var(--soft); }
.center { display: flex; flex-direction: column; gap: 12px; align-items: stretch; justify-content: center; flex: 1; padding: 24px; text-align: center; }

.banner { padding: 10px 18px; background: var(--soft); border-bottom: 1px solid var(--line); font-size: 13px; flex: none; }
.banner:empty { display: none; }
.conn { padding: 6px 18px; background: #fff4e5; color: #8a4b00; font-size: 13px; flex: none; }
.log { list-style: none; margin: 0; padding: 14px 14px 6px; flex: 1; min-height: 0; overflow-y: auto; display: flex; flex-direction: column; gap: 8px; }
.msg { display: flex; flex-direction: column; max-width: 82%; align-self: flex-start; }
.msg.mine { align-self: flex-end; align-items: flex-end; }
.msg.system { align-self: center; max-width: 100%; color: var(--muted); font-size: 12px; text-align: center; }
.author { font-size: 12px; color: var(--muted); margin: 0 4px 2px; }
.bubble {
  background: var(--soft); border-radius: 14px 14px 14px 4px; padding: 8px 12px; white-space: pre-wrap;
  overflow-wrap: anywhere; word-break: break-word;
}
.mine .bubble { background: var(--accent); color: #fff; border-radius: 14px 14px 4px 14px; }
.system .bubble { background: transparent; padding: 0; }
.quick { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
.msg:not(:last-child) .quick { display: none; }
.quick-reply {
  border: 1px solid var(--accent); color: var(--accent); background: #fff; border-radius: 16px;
  padding: 5px 12px; font: inherit; font-size: 13px; cursor: pointer;
}
.quick-reply:hover, .quick-reply:focus-visible { background: var(--accent); color: #fff; }
.meta { font-size: 11px; color: var(--muted); margin: 2px 4px 0; display: flex; gap: 6px; align-items: center; }
.tick.read { color: var(--accent); }
.tick.failed { color: var(--danger); }
.link-button { border: 0; background: none; padding: 0; color: var(--accent); text-decoration: underline; font-size: 11px; }
.thumb { display: block; border: 0; padding: 0; margin: 0 0 4px; background: none; border-radius: 10px; overflow: hidden; max-width: 220px; }
.thumb img { display: block; max-width: 220px; max-height: 200px; min-width: 60px; min-height: 40px; background: #e8ebf1; }
.file {
  display: flex; align-items: center; gap: 8px; border: 1px solid var(--line); background: #fff;
  color: var(--text); border-radius: 10px; padding: 8px 10px; margin: 0 0 4px; text-align: left; max-width: 240px;
}
.file span { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.typing { padding: 0 18px 6px; color: var(--muted); font-size: 12px; font-style: italic; min-height: 20px; flex: none; }
.composer { border-top: 1px solid var(--line); padding: 8px 10px 10px; flex: none; }
.composer-row { display: flex; align-items: flex-end; gap: 6px; }
.composer textarea {
  flex: 1; resize: none; min-height: 40px; max-height: 120px; border: 1px solid #c5ccd8; border-radius: 10px;
  padding: 9px 10px; font: inherit; color: var(--text); margin: 0; background: #fff;
}
.composer textarea:focus { outline: none; border-color: var(--accent); box-shadow: 0 0 0 3px rgba(36, 86, 211, .2); }
.composer .icon-button { color: var(--muted); width: 40px; height: 40px; }
.composer .icon-button:hover { background: var(--soft); color: var(--text); }
.composer .send { color: var(--accent); }
.composer-footer { display: flex; justify-content: space-between; align-items: center; gap: 8px; margin-top: 6px; min-height: 18px; }
.end-button { border: 0; background: none; color: var(--muted); font-size: 12px; text-decoration: underline; padding: 0; }
.ended { border-top: 1px solid var(--line); padding: 14px 18px; flex: none; display: flex; flex-direction: column; gap: 10px; max-height: 60%; overflow-y: auto; }
.ended p { margin: 0; }
.stars { display: flex; gap: 4px; border: 0; margin: 0; padding: 0; }
.stars legend { font-weight: 600; margin-bottom: 6px; padding: 0; }
.star { position: relative; }
.star input { position: absolute; opacity: 0; width: 1px; height: 1px; }
.star label {
  display: inline-flex; width: 40px; height: 40px; align-items: center; justify-content: center; border-radius: 8px;
  border: 1px solid #c5ccd8; font-weight: 700; cursor: pointer; background: #fff;
}
.star input:checked + label { background: var(--accent); border-color: var(--accent); color: #fff; }
.star input:focus-visible + label { outline: 3px solid #8fb0ff; outline-offset: 2px; }
.actions { display: flex; gap: 8px; flex-wrap: wrap; }
`;
