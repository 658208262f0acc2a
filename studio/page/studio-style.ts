/** The studio shell's and Live tab's stylesheet (one <style>, no external files). */
const CSS = `
:root { color-scheme: dark; --bg:#16181d; --panel:#20232a; --line:#323742; --text:#e6e8ec; --muted:#9aa1ad; --accent:#ff8a3d; --bad:#ff5d5d; }
html, body { margin:0; background:var(--bg); color:var(--text); font:14px/1.4 system-ui, sans-serif; }
header.studio { display:flex; align-items:center; gap:16px; padding:8px 16px; border-bottom:1px solid var(--line); background:var(--panel); }
header.studio h1 { font-size:16px; margin:0; letter-spacing:.5px; }
nav.tabs { display:flex; gap:4px; }
nav.tabs button { background:none; border:1px solid transparent; color:var(--muted); padding:6px 14px; border-radius:6px; cursor:pointer; font-size:14px; }
nav.tabs button[aria-selected=true] { color:var(--text); border-color:var(--line); background:var(--bg); }
main > section { padding:12px 16px; }
.toolbar { display:flex; flex-wrap:wrap; align-items:center; gap:8px 12px; margin-bottom:10px; }
.toolbar .sep { width:1px; height:22px; background:var(--line); }
.toolbar select, .toolbar input[type=text], .toolbar button, .colors button { background:var(--panel); color:var(--text); border:1px solid var(--line); border-radius:5px; padding:4px 8px; font-size:13px; }
.toolbar button { cursor:pointer; }
.toolbar button.record.on { background:var(--bad); border-color:var(--bad); }
.stage { position:relative; display:inline-block; max-width:100%; border:1px solid var(--line); background:#000; }
.stage.dragging { outline:3px dashed var(--accent); }
.stage .drop-hint { display:none; position:absolute; inset:0; align-items:center; justify-content:center; font-size:20px; background:rgba(0,0,0,.5); }
.stage.dragging .drop-hint { display:flex; }
.live-canvas { display:block; max-width:100%; max-height:72vh; }
.status { color:var(--muted); font-variant-numeric:tabular-nums; margin:6px 0; min-height:20px; }
.message { padding:8px 12px; border-radius:6px; margin:0 0 10px; max-width:900px; }
.message.error { background:#3a1f22; border:1px solid var(--bad); }
.message.note { background:#1f2f3a; border:1px solid #3d7ea6; }
.panel h3 { font-size:13px; color:var(--muted); margin:10px 0 6px; font-weight:600; }
.colors { display:flex; flex-wrap:wrap; gap:8px 14px; align-items:center; }
.colors .swatch { display:flex; align-items:center; gap:4px; color:var(--muted); font-size:12px; }
.colors input[type=color] { width:28px; height:22px; padding:0; border:1px solid var(--line); background:none; }
.muted { color:var(--muted); }
.downloads a { color:var(--accent); }
`;

/** Adds the stylesheet once. */
export function addStudioStyle(): void {
  if (document.getElementById('noggin-studio-style')) return;
  const s = document.createElement('style');
  s.id = 'noggin-studio-style';
  s.textContent = CSS;
  document.head.append(s);
}
