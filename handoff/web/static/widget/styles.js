// The widget's CSS, adopted by its shadow root: the host page's styles cannot reach in,
// and ours cannot leak out. Colours meet WCAG AA (4.5:1 for text, 3:1 for focus rings).

export const CSS = `
:host { all: initial; }
.root { position: fixed; bottom: 20px; right: 20px; z-index: 2147483000;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1b1f24;
  display: flex; flex-direction: column; align-items: flex-end; gap: 12px; }
.root.left { right: auto; left: 20px; align-items: flex-start; }
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
.sr-only { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
button { font: inherit; cursor: pointer; }
:focus-visible { outline: 3px solid #0b57a4; outline-offset: 2px; }
.launcher { display: inline-flex; align-items: center; gap: 8px; border: 0; border-radius: 999px;
  padding: 12px 18px; background: #0b57a4; color: #fff; font-weight: 600;
  box-shadow: 0 4px 14px rgba(0,0,0,.25); position: relative; }
.launcher:hover { background: #094a8c; }
.launcher svg { width: 22px; height: 22px; fill: currentColor; }
.unread { position: absolute; top: -6px; right: -6px; min-width: 22px; height: 22px; padding: 0 6px;
  border-radius: 11px; background: #b3261e; color: #fff; font-size: 13px; line-height: 22px;
  text-align: center; border: 2px solid #fff; }
.panel { width: 380px; height: min(600px, calc(100vh - 110px)); background: #fff; border-radius: 14px;
  box-shadow: 0 10px 40px rgba(0,0,0,.3); display: flex; flex-direction: column; overflow: hidden;
  border: 1px solid #c9d1da; }
header { display: flex; align-items: center; gap: 8px; padding: 12px 14px; background: #0b57a4; color: #fff; }
.heading { flex: 1; min-width: 0; }
h2 { margin: 0; font-size: 16px; }
.state { margin: 2px 0 0; font-size: 13px; color: #fff; overflow-wrap: anywhere; }
.lang { display: flex; border: 1px solid rgba(255,255,255,.7); border-radius: 6px; overflow: hidden; }
.lang button { border: 0; background: transparent; color: #fff; padding: 4px 8px; font-size: 13px; }
.lang button[aria-pressed="true"] { background: #fff; color: #0b57a4; font-weight: 700; }
header :focus-visible { outline-color: #fff; }
.close { border: 0; background: transparent; color: #fff; font-size: 26px; line-height: 1;
  width: 36px; height: 36px; border-radius: 6px; }
.close:hover { background: rgba(255,255,255,.15); }
.banner { margin: 0; padding: 8px 14px; background: #fff4ce; color: #3d3000; font-size: 13px;
  border-bottom: 1px solid #e8d48a; }
.current { flex: 1; min-height: 0; display: flex; flex-direction: column; }
.log, .archive-log { margin: 0; padding: 14px; flex: 1; overflow-y: auto; background: #f6f8fa; }
.messages { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 10px; }
.earlier { border-bottom: 1px solid #d5dce3; background: #fff; }
.earlier-toggle { width: 100%; text-align: left; border: 0; background: none; padding: 8px 14px;
  color: #0b57a4; font-size: 14px; font-weight: 600; }
.earlier-toggle::before { content: "▸ "; }
.earlier-toggle[aria-expanded="true"]::before { content: "▾ "; }
.earlier-list { list-style: none; margin: 0; padding: 0 8px 8px; max-height: 180px; overflow-y: auto; }
.earlier-item { display: block; width: 100%; text-align: left; border: 1px solid #d5dce3; border-radius: 8px;
  background: #fff; padding: 6px 10px; margin-top: 4px; color: #1b1f24; font-size: 14px; }
.earlier-item:hover { background: #e6eef7; }
.earlier-item .when { color: #3d4752; font-size: 12px; }
.earlier-item .tickets { display: block; color: #3d4752; font-size: 12px; }
.archive { flex: 1; min-height: 0; display: flex; flex-direction: column; }
.archive-head { display: flex; align-items: baseline; justify-content: space-between; gap: 8px;
  padding: 8px 14px; border-bottom: 1px solid #d5dce3; }
.archive-head h3 { margin: 0; font-size: 14px; }
.archive-status { margin: 0; padding: 0 14px; font-size: 13px; color: #3d4752; }
.awaiting { margin: 0; padding: 8px 14px; background: #fff4ce; color: #3d3000; font-size: 13px;
  border-top: 1px solid #e8d48a; font-weight: 600; }
.msg { display: flex; flex-direction: column; max-width: 88%; align-self: flex-start; }
.msg.user { align-self: flex-end; align-items: flex-end; }
.msg.system, .msg.notice { align-self: center; max-width: 95%; text-align: center; color: #3d4752;
  font-size: 13px; }
.msg.system p, .msg.notice p { margin: 0; }
.msg.notice { background: #e9eef5; border-radius: 8px; padding: 6px 10px; }
.bubble { padding: 9px 12px; border-radius: 12px; background: #fff; border: 1px solid #d5dce3;
  overflow-wrap: anywhere; }
.bubble p { margin: 0 0 6px; } .bubble p:last-child { margin-bottom: 0; }
.bubble ol, .bubble ul { margin: 4px 0 6px; padding-left: 22px; }
.bubble code { font-family: ui-monospace, Consolas, monospace; font-size: 13px; background: #eef1f4;
  padding: 0 3px; border-radius: 3px; }
.bubble a { color: #0b57a4; text-decoration: underline; }
.msg.user .bubble { background: #0b57a4; color: #fff; border-color: #0b57a4; }
.msg.agent .bubble { background: #e7f4ec; border-color: #8cc5a2; }
.plain { white-space: pre-wrap; }
.who { font-size: 12px; font-weight: 600; color: #1e6b3f; margin: 0 0 2px 4px; }
.time { font-size: 11px; color: #58636e; margin: 2px 4px 0; }
.article-title { font-weight: 700; }
.tag { display: inline-block; font-size: 11px; font-weight: 700; text-transform: uppercase;
  letter-spacing: .03em; background: #0b57a4; color: #fff; border-radius: 4px; padding: 1px 5px; }
.article-link { font-size: 13px; }
.buttons { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
.buttons button { border: 1px solid #0b57a4; background: #fff; color: #0b57a4; border-radius: 999px;
  padding: 5px 12px; font-size: 14px; }
.buttons button:hover:not(:disabled) { background: #e6eef7; }
.buttons button:disabled { border-color: #8a96a3; color: #58636e; cursor: default; }
.status { font-size: 12px; color: #58636e; margin: 2px 4px 0; }
.failed .bubble { background: #fff; color: #1b1f24; border: 1px dashed #b3261e; }
.failed .status { color: #b3261e; }
.link { border: 0; background: none; padding: 0; color: #0b57a4; text-decoration: underline; }
.typing { margin: 0; min-height: 1.45em; padding: 0 14px; font-size: 13px; color: #3d4752;
  background: #f6f8fa; font-style: italic; }
.composer { padding: 10px; border-top: 1px solid #d5dce3; }
.composer .row { display: flex; gap: 8px; align-items: flex-end; }
.counter { margin: 4px 2px 0; font-size: 12px; color: #3d4752; text-align: right; }
.counter.over { color: #b3261e; font-weight: 700; }
.limit { margin: 4px 2px 0; font-size: 13px; color: #b3261e; }
textarea[aria-invalid="true"] { border-color: #b3261e; border-width: 2px; }
textarea { flex: 1; resize: none; font: inherit; padding: 8px 10px; border: 1px solid #7b8794;
  border-radius: 8px; color: #1b1f24; background: #fff; max-height: 140px; }
textarea::placeholder { color: #5f6b76; }
.send { border: 0; border-radius: 8px; padding: 9px 14px; background: #0b57a4; color: #fff; font-weight: 600; }
.send:hover:not(:disabled) { background: #094a8c; }
.send:disabled { background: #8a96a3; cursor: not-allowed; }
.attach { border: 1px solid #7b8794; border-radius: 8px; background: #fff; color: #0b57a4;
  width: 40px; height: 40px; display: inline-flex; align-items: center; justify-content: center; flex: none; }
.attach svg { width: 22px; height: 22px; fill: currentColor; }
.attach:hover { background: #e6eef7; }
.pending-files { list-style: none; margin: 0 0 8px; padding: 0; display: flex; flex-direction: column; gap: 4px; }
.pending-files li { display: flex; align-items: center; gap: 8px; border: 1px solid #d5dce3; border-radius: 8px;
  padding: 4px 6px; font-size: 13px; }
.pending-files .preview { width: 40px; height: 40px; object-fit: cover; border-radius: 4px; }
.pending-files .file-name { flex: 1; min-width: 0; overflow-wrap: anywhere; }
.pending-files .remove { border: 0; background: none; color: #b3261e; font-size: 20px; width: 32px; height: 32px;
  border-radius: 6px; }
.attachments progress { width: 100%; margin-bottom: 6px; }
.dropping { outline: 3px dashed #0b57a4; outline-offset: -6px; }
.files { list-style: none; margin: 0; padding: 0; }
.thumb { border: 0; padding: 0; background: none; display: block; border-radius: 6px; }
.thumb img { display: block; max-width: 220px; max-height: 160px; border-radius: 6px; }
.bubble a.file { font-weight: 600; }
.msg.user .bubble a { color: #fff; }
.viewer { border: 0; padding: 8px; max-width: 95vw; max-height: 95vh; border-radius: 10px; }
.viewer::backdrop { background: rgba(0,0,0,.7); }
.viewer .full { display: block; max-width: calc(95vw - 16px); max-height: calc(95vh - 64px); }
.close-image { display: block; margin: 0 0 8px auto; border: 1px solid #0b57a4; background: #fff; color: #0b57a4;
  border-radius: 6px; padding: 4px 12px; }
.problems { margin: 0; padding: 8px 14px; background: #fde7e9; color: #5c1017; font-size: 13px;
  border-bottom: 1px solid #e8a3aa; }
.problems ul { list-style: none; margin: 0 0 4px; padding: 0; }
.problems li + li { margin-top: 4px; }
.problems .dismiss { color: #5c1017; font-size: 13px; }
.rating { padding: 10px 14px; border-top: 1px solid #d5dce3; background: #fff; font-size: 14px; }
.rating fieldset { border: 0; margin: 0 0 8px; padding: 0; }
.rating legend { font-weight: 600; margin-bottom: 6px; padding: 0; }
.rating .scores { display: flex; gap: 6px; }
.rating .score { flex: 1; display: flex; flex-direction: column; align-items: center; gap: 2px;
  border: 1px solid #7b8794; border-radius: 8px; padding: 4px 2px; cursor: pointer; font-size: 12px; }
.rating .score:has(input:checked) { background: #0b57a4; color: #fff; border-color: #0b57a4; }
.rating .score:has(input:focus-visible) { outline: 3px solid #0b57a4; outline-offset: 2px; }
.rating .score input { position: absolute; opacity: 0; width: 1px; height: 1px; }
.rating .number { font-size: 16px; font-weight: 700; }
.rating textarea { width: 100%; margin: 4px 0 6px; }
.rating .actions { display: flex; gap: 12px; align-items: center; }
.rating .thanks { margin: 0; font-weight: 600; }
@media (max-width: 480px) {
  .root { bottom: 12px; right: 12px; }
  :host(.open) .root, .root:has(.panel:not([hidden])) { inset: 0; }
  .panel { position: fixed; inset: 0; width: 100vw; height: 100%; border-radius: 0; border: 0; }
  :host(.open) .launcher { display: none; }
  .msg { max-width: 94%; }
}
@media (prefers-reduced-motion: reduce) { * { transition: none !important; animation: none !important; } }
`;
