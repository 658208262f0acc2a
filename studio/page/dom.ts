/** A tiny element builder for the studio page (no framework). Browser-only. */

/** Attribute values: strings, numbers, or booleans (true sets the property/attribute, false omits it). */
export type Attrs = Readonly<Record<string, string | number | boolean>>;

/** Creates `<tag attrs>children</tag>`. */
export function el(tag: string, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false) continue;
    if (k === 'checked' || k === 'hidden' || k === 'value' || k === 'disabled') (e as unknown as Record<string, unknown>)[k] = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  e.append(...children);
  return e;
}
