/**
 * Building the page's DOM. Text goes in as text nodes only; attributes are set one by one and
 * never an event handler or a style attribute, so no string from the report can become markup
 * or script.
 */

export type Attrs = Readonly<Record<string, string | number | boolean | null | undefined>>;
export type Child = Node | string | number | null | undefined | false;

function setAttrs(el: Element, attrs: Attrs | null | undefined): void {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (/^on|^style$/i.test(k)) throw new Error(`refusing attribute ${k}`);
    if (v === null || v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(el: Element, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** An HTML element with attributes and children (strings become text nodes). */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes and children. */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** A name from the image, isolated from the text around it. */
export function name(s: string, tag: 'span' | 'code' = 'span'): HTMLElement {
  return h(tag, { class: 'name', dir: 'auto' }, s);
}

/** A section with a heading, or nothing when it has no content. */
export function section(title: string, id: string, ...content: Child[]): HTMLElement {
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), ...content);
}

/** Replaces an element's children (strings become text nodes; null and false are skipped). */
export function put(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** Appends children to an element (strings become text nodes; null and false are skipped). */
export function add(el: Element, ...children: Child[]): void {
  append(el, children);
}
