/**
 * The contact sheet page: a fixed grid of rendered cells (PNG data URLs) with their labels
 * as text, under a title line. Chromium lays it out and screenshots it, so labels need no
 * font code here.
 */

/** One rendered cell. */
export interface SheetImage {
  label: string;
  /** PNG file bytes of the cell (cell width x height, straight alpha). */
  png: Uint8Array;
}

/** Layout of a sheet, px. */
export interface SheetLayout {
  columns: number;
  cellWidth: number;
  cellHeight: number;
}

const LABEL_PX = 18;
const GAP_PX = 4;
const PAD_PX = 10;
const TITLE_PX = 44;

const escape = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** Page size of a sheet with `count` cells, px. */
export function sheetSize(count: number, l: SheetLayout): { width: number; height: number } {
  const rows = Math.ceil(count / l.columns);
  return {
    width: PAD_PX * 2 + l.columns * l.cellWidth + (l.columns - 1) * GAP_PX,
    height: PAD_PX * 2 + TITLE_PX + rows * (l.cellHeight + LABEL_PX) + (rows - 1) * GAP_PX,
  };
}

/** The sheet as one HTML document (no external resources). */
export function sheetHtml(title: string, subtitle: string, images: readonly SheetImage[], l: SheetLayout): string {
  const { width, height } = sheetSize(images.length, l);
  const cells = images.map((im) => `<figure><img src="data:image/png;base64,${Buffer.from(im.png).toString('base64')}" width="${l.cellWidth}" height="${l.cellHeight}" alt=""><figcaption>${escape(im.label)}</figcaption></figure>`);
  return `<!doctype html><html><head><meta charset="utf-8"><style>
html,body{margin:0;background:#e9ebee;font-family:"DejaVu Sans",Arial,sans-serif;color:#1d232b}
main{box-sizing:border-box;width:${width}px;height:${height}px;padding:${PAD_PX}px}
header{height:${TITLE_PX}px;line-height:1.3}
h1{font-size:17px;margin:0}
p{font-size:12px;margin:0;color:#4a5563}
section{display:grid;grid-template-columns:repeat(${l.columns},${l.cellWidth}px);gap:${GAP_PX}px}
figure{margin:0;width:${l.cellWidth}px;background:linear-gradient(#d3d9e0,#b9c1cb)}
img{display:block}
figcaption{height:${LABEL_PX}px;font-size:12px;line-height:${LABEL_PX}px;text-align:center;background:#fff;white-space:nowrap;overflow:hidden}
</style></head><body><main><header><h1>${escape(title)}</h1><p>${escape(subtitle)}</p></header><section>${cells.join('')}</section></main></body></html>`;
}
