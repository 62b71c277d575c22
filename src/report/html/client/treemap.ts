import { hierarchy, treemap, treemapSquarify, type HierarchyRectangularNode } from 'd3-hierarchy';
import { NODE_KIND, type SizeTree } from '../page-data.js';
import { h, put, svg, type Child } from './dom.js';

/** The map's drawing area, in SVG user units (the picture scales to the page's width). */
export const MAP_W = 1000;
export const MAP_H = 560;

type Datum = { readonly i: number; readonly children: Datum[] };
type MapNode = HierarchyRectangularNode<Datum>;

/** What a map shows for each node; the map itself only lays out and draws. */
export type MapModel = {
  readonly tree: SizeTree;
  /** What the map is of, for its accessible name. */
  readonly title: string;
  /** Fill colour of a leaf. */
  fill(i: number): string;
  /** What the colour of a leaf means (`data-state`). */
  state(i: number): string;
  /** True to hatch a leaf (waste). */
  hatched(i: number): boolean;
  /** How much of a leaf its colour stands for (an aggregate's share of files), 0–1; 1 when absent. */
  share?(i: number): number;
  /** The tooltip of a node. */
  describe(i: number, path: string): Child[];
  /** A short accessible name of a node. */
  label(i: number, path: string): string;
};

const fmt = (x: number) => (Math.round(x * 1000) / 1000).toString();

/**
 * A zoomable treemap of a size tree, drawn with d3-hierarchy's squarified layout and no
 * padding, so every leaf's area is its bytes times one constant (the drawing's area over the
 * bytes of the directory it is zoomed to). Directories are outlines over their files. Pointer:
 * hover for the tooltip, click to zoom into the directory under the pointer. Keyboard: the
 * entries of the directory shown are focusable (arrows move, Enter zooms in, Escape or
 * Backspace zooms out).
 */
export class Treemap {
  readonly el: HTMLElement;
  private readonly nodes: MapNode[] = [];
  private readonly root: MapNode;
  private zoom: MapNode;
  private readonly map: SVGSVGElement;
  private readonly layers: { leaves: SVGGElement; hatch: SVGGElement; dirs: SVGGElement; labels: SVGGElement; items: SVGGElement };
  private readonly tip: HTMLDivElement;
  private readonly crumbs: HTMLElement;
  private readonly wrap: HTMLDivElement;

  constructor(
    private readonly model: MapModel,
    readonly id: string,
  ) {
    const t = model.tree;
    const data: Datum[] = t.name.map((_, i) => ({ i, children: [] }));
    for (let i = 1; i < data.length; i++) data[t.parent[i]!]!.children.push(data[i]!);
    const h0 = hierarchy<Datum>(data[0]!, (d) => (d.children.length > 0 ? d.children : undefined))
      .sum((d) => (t.kind[d.i] === NODE_KIND.dir ? 0 : t.bytes[d.i]!))
      .sort((a, b) => b.value! - a.value! || a.data.i - b.data.i);
    this.root = h0 as MapNode;
    this.root.each((n) => (this.nodes[n.data.i] = n));
    this.zoom = this.root;

    const hatchId = `${id}-hatch`;
    this.layers = { leaves: svg('g'), hatch: svg('g'), dirs: svg('g'), labels: svg('g'), items: svg('g', { role: 'group' }) };
    this.map = svg(
      'svg',
      { class: 'map', viewBox: `0 0 ${MAP_W} ${MAP_H}`, width: MAP_W, height: MAP_H, tabindex: -1, role: 'group', 'aria-label': model.title, 'data-map': id },
      svg('defs', null, svg('pattern', { id: hatchId, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' }, svg('rect', { width: 1.6, height: 6, class: 'hatch-line' }))),
      this.layers.leaves,
      this.layers.hatch,
      this.layers.dirs,
      this.layers.labels,
      this.layers.items,
    );
    this.tip = h('div', { class: 'tip', role: 'tooltip', id: `${id}-tip`, hidden: true });
    this.crumbs = h('nav', { class: 'crumbs', 'aria-label': 'Directory shown in the map' });
    this.wrap = h('div', { class: 'map-wrap' }, this.map, this.tip);
    this.el = h('div', { class: 'map-box' }, this.crumbs, this.wrap);
    this.hatchUrl = `url(#${hatchId})`;

    this.map.addEventListener('pointermove', (e) => this.hover(e));
    this.map.addEventListener('pointerleave', () => (this.tip.hidden = true));
    this.map.addEventListener('click', (e) => this.click(e));
    this.map.addEventListener('keydown', (e) => this.key(e));
    this.map.addEventListener('focusin', (e) => this.focused(e));
    this.map.addEventListener('focusout', () => (this.tip.hidden = true));
    this.draw();
  }

  private readonly hatchUrl: string;

  /** The node shown as the whole map. */
  get zoomedTo(): number {
    return this.zoom.data.i;
  }

  /** The path of a node: `/usr/lib`, and for an aggregate its directory's path. */
  pathOf(i: number): string {
    const t = this.model.tree;
    const parts: string[] = [];
    for (let x = i; x > 0; x = t.parent[x]!) if (t.kind[x] !== NODE_KIND.aggregate) parts.push(t.name[x]!);
    return `/${parts.reverse().join('/')}`;
  }

  /** Shows directory `i` as the whole map. */
  zoomTo(i: number, focus = false): void {
    const n = this.nodes[i];
    if (!n || !n.children) return;
    this.zoom = n;
    this.draw();
    if (focus) (this.layers.items.querySelector('[tabindex="0"]') as SVGElement | null)?.focus();
  }

  /** Redraws the colours (after a change of selection or scheme) without a new layout. */
  recolour(): void {
    for (const r of this.layers.leaves.children) {
      const i = Number(r.getAttribute('data-i'));
      r.setAttribute('fill', this.model.fill(i));
      r.setAttribute('data-state', this.model.state(i));
      const o = this.opacity(i);
      if (o === null) r.removeAttribute('fill-opacity');
      else r.setAttribute('fill-opacity', o);
    }
  }

  /** A leaf's fill opacity: fainter the smaller the share its colour stands for; null for all of it. */
  private opacity(i: number): string | null {
    const s = this.model.share?.(i) ?? 1;
    return s >= 1 ? null : fmt(0.25 + 0.75 * Math.max(0, s));
  }

  /** The laid-out nodes of the directory shown, by node index. */
  private laid = new Map<number, MapNode>();

  private draw(): void {
    // d3's treemap lays out from a root (it indexes its padding by depth): the directory shown
    // becomes the root of a hierarchy of its own.
    const t = this.model.tree;
    const z = hierarchy<Datum>(this.zoom.data, (d) => (d.children.length > 0 ? d.children : undefined))
      .sum((d) => (t.kind[d.i] === NODE_KIND.dir ? 0 : t.bytes[d.i]!))
      .sort((a, b) => b.value! - a.value! || a.data.i - b.data.i) as MapNode;
    treemap<Datum>().tile(treemapSquarify).size([MAP_W, MAP_H]).paddingInner(0).paddingOuter(0).round(false)(z);
    this.laid = new Map();
    z.each((n) => this.laid.set(n.data.i, n));
    for (const g of Object.values(this.layers)) g.replaceChildren();
    const { leaves, hatch, dirs, labels, items } = this.layers;
    const box = (n: MapNode) => ({ x: fmt(n.x0), y: fmt(n.y0), width: fmt(n.x1 - n.x0), height: fmt(n.y1 - n.y0) });
    for (const n of z.leaves()) {
      if (!(n.value! > 0)) continue;
      const i = n.data.i;
      leaves.appendChild(svg('rect', { class: 'leaf', ...box(n), fill: this.model.fill(i), 'fill-opacity': this.opacity(i), 'data-i': i, 'data-bytes': n.value!, 'data-state': this.model.state(i) }));
      if (this.model.hatched(i)) hatch.appendChild(svg('rect', { class: 'hatch', ...box(n), fill: this.hatchUrl }));
    }
    for (const n of z.descendants()) {
      const d = n.depth - z.depth;
      if (d < 1 || d > 2 || t.kind[n.data.i] !== NODE_KIND.dir || !(n.value! > 0)) continue;
      dirs.appendChild(svg('rect', { class: d === 1 ? 'dir1' : 'dir2', ...box(n) }));
      const w = n.x1 - n.x0;
      if (d === 1 && w > 40 && n.y1 - n.y0 > 16) {
        const name = t.name[n.data.i]!;
        const fit = Math.max(1, Math.floor((w - 8) / 6.4));
        labels.appendChild(svg('text', { x: fmt(n.x0 + 4), y: fmt(n.y0 + 13) }, name.length > fit ? `${name.slice(0, Math.max(1, fit - 1))}…` : name));
      }
    }
    let first = true;
    for (const n of z.children ?? []) {
      if (!(n.value! > 0)) continue;
      const i = n.data.i;
      const path = this.pathOf(i);
      items.appendChild(svg('rect', { class: 'item', ...box(n), tabindex: first ? 0 : -1, role: 'button', 'data-i': i, 'aria-label': this.model.label(i, path), 'aria-describedby': `${this.id}-tip` }));
      first = false;
    }
    items.setAttribute('aria-label', `${this.model.title}: ${this.pathOf(z.data.i)}`);
    this.drawCrumbs();
  }

  private drawCrumbs(): void {
    const chain: MapNode[] = [];
    for (let n: MapNode | null = this.zoom; n; n = n.parent) chain.unshift(n);
    this.crumbs.replaceChildren(
      ...chain.map((n, k) => {
        const last = k === chain.length - 1;
        const name = k === 0 ? '/' : this.model.tree.name[n.data.i]!;
        const b = h('button', { type: 'button', 'aria-label': last ? `Shown: ${this.pathOf(n.data.i)}` : `Zoom out to ${this.pathOf(n.data.i)}`, 'aria-current': last ? 'location' : null, class: 'name' }, name);
        b.addEventListener('click', () => this.zoomTo(n.data.i));
        return b;
      }),
    );
  }

  /** The entry of the shown directory that holds node `i` (itself when it is one). */
  private entryOf(i: number): MapNode | undefined {
    for (let n: MapNode | null = this.nodes[i] ?? null; n; n = n.parent) if (n.parent === this.zoom) return n;
    return undefined;
  }

  private showTip(i: number, x: number, y: number): void {
    const path = this.pathOf(i);
    put(this.tip, ...this.model.describe(i, path));
    this.tip.hidden = false;
    const wrap = this.wrap.getBoundingClientRect();
    const tw = this.tip.offsetWidth;
    const th = this.tip.offsetHeight;
    const left = x + 14 + tw > wrap.width ? Math.max(0, x - 14 - tw) : x + 14;
    const top = y + 14 + th > wrap.height ? Math.max(0, y - 14 - th) : y + 14;
    this.tip.style.left = `${left}px`;
    this.tip.style.top = `${top}px`;
  }

  private hover(e: PointerEvent): void {
    const r = (e.target as Element).closest('rect.leaf');
    if (!r) {
      this.tip.hidden = true;
      return;
    }
    const wrap = this.wrap.getBoundingClientRect();
    this.showTip(Number(r.getAttribute('data-i')), e.clientX - wrap.left, e.clientY - wrap.top);
  }

  private click(e: MouseEvent): void {
    const r = (e.target as Element).closest('rect.leaf');
    if (!r) return;
    const n = this.entryOf(Number(r.getAttribute('data-i')));
    if (n?.children) this.zoomTo(n.data.i);
  }

  private focused(e: FocusEvent): void {
    const r = e.target as Element;
    if (!r.matches('rect.item')) return;
    const n = this.laid.get(Number(r.getAttribute('data-i')));
    if (!n) return;
    const scale = this.map.getBoundingClientRect().width / MAP_W;
    this.showTip(n.data.i, ((n.x0 + n.x1) / 2) * scale, ((n.y0 + n.y1) / 2) * scale);
  }

  private key(e: KeyboardEvent): void {
    const r = e.target as Element;
    if (!r.matches('rect.item')) return;
    const items = [...this.layers.items.children] as SVGElement[];
    const at = items.indexOf(r as SVGElement);
    const move = (k: number) => {
      const next = items[Math.max(0, Math.min(items.length - 1, k))];
      if (!next || next === r) return;
      r.setAttribute('tabindex', '-1');
      next.setAttribute('tabindex', '0');
      next.focus();
    };
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') move(at + 1);
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') move(at - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(items.length - 1);
    else if (e.key === 'Enter' || e.key === ' ') {
      const n = this.nodes[Number(r.getAttribute('data-i'))];
      if (!n?.children) return;
      this.zoomTo(n.data.i, true);
    } else if ((e.key === 'Escape' || e.key === 'Backspace') && this.zoom.parent) {
      const from = this.zoom.data.i;
      this.zoomTo(this.zoom.parent.data.i);
      const back = this.layers.items.querySelector(`[data-i="${from}"]`) as SVGElement | null;
      const cur = this.layers.items.querySelector('[tabindex="0"]');
      if (back && cur) {
        cur.setAttribute('tabindex', '-1');
        back.setAttribute('tabindex', '0');
        back.focus();
      }
    } else return;
    e.preventDefault();
  }
}
