/**
 * A small SVG (and HTML) writer: elements as strings, every attribute value and every text
 * escaped, control characters written as visible escapes (printable.ts), numbers with at most
 * one decimal, attributes in the order given — so that the same picture is the same bytes.
 */

import { printable } from "./printable.ts";

export type Attrs = Readonly<Record<string, string | number | undefined>>;

/** Text made safe for XML and HTML, in content and in attribute values alike. */
export function escapeXml(text: string): string {
  return printable(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** A coordinate or length: an integer, or one decimal. */
export function num(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`not a coordinate: ${n}`);
  const r = Math.round(n * 10) / 10;
  return Object.is(r, -0) ? "0" : String(r);
}

function attributes(attrs: Attrs): string {
  let out = "";
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    out += ` ${k}="${typeof v === "number" ? num(v) : escapeXml(v)}"`;
  }
  return out;
}

/** `<name attrs>children</name>`; children are markup already (see `text`). */
export function el(name: string, attrs: Attrs = {}, ...children: string[]): string {
  const open = `<${name}${attributes(attrs)}`;
  return children.length === 0 ? `${open}/>` : `${open}>${children.join("")}</${name}>`;
}

/** Text content, escaped. */
export function text(content: string): string {
  return escapeXml(content);
}

/** An HTML element: never self-closed (HTML has no `<p/>`). */
export function html(name: string, attrs: Attrs = {}, ...children: string[]): string {
  return `<${name}${attributes(attrs)}>${children.join("")}</${name}>`;
}

/** `text` cut to `max` characters, with an ellipsis when it was longer. */
export function clip(content: string, max: number): string {
  const chars = [...content];
  return chars.length <= max ? content : `${chars.slice(0, Math.max(1, max - 1)).join("")}…`;
}
