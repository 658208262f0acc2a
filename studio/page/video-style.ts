/** The Video tab's stylesheet (classes prefixed `nv-`), added to the document once. */

const CSS = `
.nv-tab{--nv-bg:var(--bg,#fff);--nv-panel:var(--panel,#f6f7fa);--nv-line:var(--line,#c9cfda);--nv-text:var(--text,#1d2330);--nv-muted:var(--muted,#5b6577);--nv-accent:var(--accent,#2563eb);--nv-bad:var(--bad,#c62828)}
.nv-tab [hidden]{display:none!important}
.nv-tab{font:14px/1.4 system-ui,sans-serif;color:var(--nv-text);display:flex;flex-direction:column;gap:12px;max-width:1280px}
.nv-row{display:flex;flex-wrap:wrap;gap:8px;align-items:center}
.nv-tab button,.nv-tab select,.nv-tab input[type=text]{font:inherit;font-size:13px;padding:4px 10px;border:1px solid var(--nv-line);border-radius:5px;background:var(--nv-panel);color:var(--nv-text)}
.nv-tab button{cursor:pointer}
.nv-tab button.nv-primary{background:var(--nv-accent);border-color:var(--nv-accent);color:#111;font-weight:600}
.nv-tab button:disabled{opacity:.45;cursor:default}
.nv-tab input[type=text]{min-width:320px}
.nv-tab label{color:var(--nv-text)}
.nv-panes{display:grid;grid-template-columns:1fr 1fr;gap:10px}
.nv-pane{background:#000;border:1px solid var(--nv-line);border-radius:6px;overflow:hidden;position:relative;aspect-ratio:16/10;display:flex;align-items:center;justify-content:center}
.nv-pane video{width:100%;height:100%;object-fit:contain;background:#000}
.nv-pane .nv-label{position:absolute;left:8px;top:6px;color:#fff;background:rgba(0,0,0,.6);padding:1px 8px;border-radius:4px;font-size:12px}
.nv-pane .nv-empty{position:absolute;color:#b8c0cf;font-size:13px;text-align:center;padding:0 16px}
.nv-scrub{flex:1;min-width:200px;accent-color:var(--nv-accent)}
.nv-time{font-variant-numeric:tabular-nums;min-width:110px;color:var(--nv-muted)}
.nv-swatch{display:inline-flex;align-items:center;gap:4px;font-size:12px;color:var(--nv-muted);border:1px solid var(--nv-line);border-radius:5px;padding:2px 6px}
.nv-swatch input{width:28px;height:22px;border:0;padding:0;background:none}
.nv-bar{height:10px;background:var(--nv-line);border-radius:5px;overflow:hidden;flex:1;min-width:200px}
.nv-bar>div{height:100%;background:var(--nv-accent);width:0;transition:width .2s}
.nv-error{background:rgba(255,93,93,.12);border:1px solid var(--nv-bad);color:var(--nv-text);border-radius:6px;padding:8px 12px}
.nv-error:empty{display:none}
.nv-note{color:var(--nv-muted);font-size:13px}
.nv-downloads a{color:var(--nv-accent);margin-right:14px}
.nv-jobs{font-size:13px;border-collapse:collapse;color:var(--nv-text)}
.nv-jobs td{padding:2px 12px 2px 0}
.nv-section{border-top:1px solid var(--nv-line);padding-top:10px}
`;

/** Adds the stylesheet to `doc` unless it is there already. */
export function addVideoTabStyle(doc: Document): void {
  if (doc.getElementById('nv-style')) return;
  const s = doc.createElement('style');
  s.id = 'nv-style';
  s.textContent = CSS;
  doc.head.appendChild(s);
}
