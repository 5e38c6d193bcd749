// The virtualized span rows: a spacer gives the scroll height, and a small pool of row elements
// (one screenful) is re-bound to whichever spans are in view. Nothing else is in the DOM.
import { SpanFlag } from '../../src/shared/protocol';
import { formatDurationUs, rowWindow, scrollTopForRow, spanBounds, ticks } from '../../src/core/waterfall/layout';
import { hasChildren } from '../../src/core/waterfall/traceView';
import { add, el } from './dom';
import { ROW_PX, type UiState } from './uiState';

interface RowEls {
  /** What the label part was last bound to; when unchanged only the bar moves (zoom). */
  key: string;
  /** What the bar was last placed for (span and view); unchanged on a vertical scroll. */
  barKey: string;
  root: HTMLDivElement;
  label: HTMLDivElement;
  toggle: HTMLSpanElement;
  /** Codicon for a fault (error), error/throttle (warning) or critical-path (flame) span. */
  mark: HTMLSpanElement;
  svc: HTMLSpanElement;
  name: HTMLSpanElement;
  bar: HTMLDivElement;
  dur: HTMLSpanElement;
}

export interface RowsCallbacks {
  onRowClick(spanIndex: number, onToggle: boolean): void;
  onScroll(): void;
}

const BAD = SpanFlag.Error | SpanFlag.Fault | SpanFlag.Throttle;

export class RowsView {
  readonly scroller: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly layer: HTMLDivElement;
  private readonly grid: HTMLDivElement;
  private readonly pool: RowEls[] = [];
  private lastFirst = 0;
  private lastCount = 0;
  private gridKey = '';
  private lastTrace: UiState['v'] | null = null;

  constructor(parent: HTMLElement, private readonly cb: RowsCallbacks) {
    this.scroller = el('div', 'tree');
    this.scroller.tabIndex = 0;
    this.scroller.setAttribute('role', 'tree');
    this.scroller.setAttribute('aria-label', 'Spans of the trace');
    this.spacer = el('div', 'spacer');
    this.layer = el('div', 'rows');
    this.layer.setAttribute('role', 'presentation');
    this.grid = el('div', 'grid');
    this.grid.setAttribute('aria-hidden', 'true');
    add(parent, add(el('div', 'tree-wrap'), add(this.scroller, this.spacer, this.layer), this.grid));
    this.scroller.addEventListener('scroll', () => cb.onScroll(), { passive: true });
    this.layer.addEventListener('click', (e) => {
      const t = e.target as HTMLElement;
      const row = t.closest<HTMLElement>('.row');
      if (!row || row.dataset.span === undefined) return;
      cb.onRowClick(Number(row.dataset.span), t.classList.contains('toggle'));
    });
  }

  private make(): RowEls {
    const root = el('div', 'row');
    root.setAttribute('role', 'treeitem');
    const label = el('div', 'label');
    const toggle = el('span', 'toggle');
    toggle.setAttribute('aria-hidden', 'true');
    const svc = el('span', 'svc');
    const mark = el('span', 'mark');
    mark.setAttribute('aria-hidden', 'true');
    const name = el('span', 'name');
    const timeline = el('div', 'timeline');
    const bar = el('div', 'bar');
    const dur = el('span', 'dur');
    add(root, add(label, toggle, svc, mark, name), add(timeline, bar, dur));
    this.layer.appendChild(root);
    return { key: '', barKey: '', root, label, toggle, svc, mark, name, bar, dur };
  }

  /** Index of the first row in view. */
  firstRow(s: UiState): number {
    return rowWindow(this.scroller.scrollTop, this.scroller.clientHeight, s.rows.length, ROW_PX).first;
  }

  /** Rows that fit in the viewport. */
  pageRows(): number {
    return Math.max(1, Math.floor(this.scroller.clientHeight / ROW_PX) - 1);
  }

  /** Scrolls so that row position `pos` is in view (minimal movement). */
  ensureVisible(s: UiState, pos: number): void {
    const h = this.scroller.clientHeight;
    const first = this.firstRow(s);
    const page = Math.max(1, Math.floor(h / ROW_PX) - 1);
    if (pos < first) this.scroller.scrollTop = scrollTopForRow(pos, h, s.rows.length, ROW_PX);
    else if (pos >= first + page) this.scroller.scrollTop = scrollTopForRow(Math.max(0, pos - page + 1), h, s.rows.length, ROW_PX);
  }

  /**
   * Re-binds the row pool to the rows in view. Cost: one screenful, whatever the trace size.
   * `timelinePx` is measured by the caller before any write, so nothing here forces a layout.
   */
  render(s: UiState, timelinePx: number): void {
    const scrollTopPx = this.scroller.scrollTop;
    const win = rowWindow(scrollTopPx, this.scroller.clientHeight, s.rows.length, ROW_PX);
    this.lastCount = win.visible;
    if (s.v !== this.lastTrace) {
      this.lastTrace = s.v;
      for (const r of this.pool) { r.key = ''; r.barKey = ''; }
    }
    const spacerH = `${win.spacerPx}px`;
    if (this.spacer.style.height !== spacerH) this.spacer.style.height = spacerH;
    this.layer.style.transform = `translateY(${scrollTopPx + win.offsetPx}px)`;
    // Rows that stay in view keep their element (and its bound key): the pool rotates with the
    // scroll, so a one-row scroll re-binds one row, not a screenful. DOM order stays row order.
    this.rotate(win.first - this.lastFirst);
    this.lastFirst = win.first;
    const n = Math.min(win.visible, s.rows.length - win.first);
    while (this.pool.length < n) this.pool.push(this.make());
    for (let k = 0; k < this.pool.length; k++) {
      const r = this.pool[k];
      if (k >= n) {
        if (!r.root.hidden) { r.root.hidden = true; r.root.removeAttribute('id'); r.key = ''; }
        continue;
      }
      const i = s.rows[win.first + k];
      if (r.root.hidden) r.root.hidden = false;
      this.bind(r, s, i, win.first + k);
    }
    this.renderGrid(s, timelinePx);
    this.scroller.setAttribute('aria-activedescendant', s.sel >= 0 && this.isRendered(s.sel) ? `span-row-${s.sel}` : '');
  }

  /** Moves the pool by `delta` row positions: the elements scrolled out go to the other end. */
  private rotate(delta: number): void {
    const p = this.pool.length;
    if (delta === 0 || p === 0 || Math.abs(delta) >= p) return;
    if (delta > 0) {
      const out = this.pool.splice(0, delta);
      for (const r of out) { this.layer.appendChild(r.root); this.pool.push(r); }
    } else {
      const out = this.pool.splice(p + delta, -delta);
      const before = this.layer.firstChild;
      for (const r of out) this.layer.insertBefore(r.root, before);
      this.pool.unshift(...out);
    }
  }

  private isRendered(i: number): boolean {
    return this.pool.some((r) => !r.root.hidden && r.root.dataset.span === String(i));
  }

  private bind(r: RowEls, s: UiState, i: number, pos: number): void {
    const v = s.v;
    const key = `${i} ${pos} ${s.rows.length} ${s.sel === i} ${s.collapsed[i]} ${s.critical} ${s.keep === null ? 0 : s.keep[i]} ${s.isMatch[i]} ${s.matchPos >= 0 && s.matches[s.matchPos] === i}`;
    if (r.key !== key) {
      r.key = key;
      this.bindLabel(r, s, i, pos);
    }
    const barKey = `${i} ${s.view.start} ${s.view.end}`;
    if (r.barKey === barKey) return;
    r.barKey = barKey;
    const b = spanBounds(v.startUs[i], v.durUs[i], v.durationUs, s.view);
    r.bar.hidden = !b.visible;
    r.bar.style.left = `${b.start * 100}%`;
    r.bar.style.width = `max(1px, ${(b.end - b.start) * 100}%)`;
    // The label goes after the bar; near the right edge, before it; for a bar spanning everything, inside.
    const place = b.end <= 0.85 ? 'after' : b.start >= 0.15 ? 'before' : 'inside';
    r.dur.style.left = place === 'after' ? `calc(${b.end * 100}% + 4px)` : '';
    r.dur.style.right = place === 'before' ? `calc(${(1 - b.start) * 100}% + 4px)` : place === 'inside' ? '4px' : '';
    r.dur.classList.toggle('inside', place === 'inside');
  }

  private bindLabel(r: RowEls, s: UiState, i: number, pos: number): void {
    const v = s.v;
    const dur = formatDurationUs(v.durUs[i]);
    const f = v.flags[i];
    const kids = hasChildren(v, i);
    const open = kids && s.collapsed[i] === 0;
    const name = v.strings[v.nameStr[i]];
    const svc = v.strings[v.serviceStr[i]];
    r.root.id = `span-row-${i}`;
    r.root.dataset.span = String(i);
    r.root.setAttribute('aria-level', String(v.depth[i] + 1));
    if (kids) r.root.setAttribute('aria-expanded', String(open)); else r.root.removeAttribute('aria-expanded');
    r.root.setAttribute('aria-selected', String(s.sel === i));
    r.root.setAttribute('aria-posinset', String(pos + 1));
    r.root.setAttribute('aria-setsize', String(s.rows.length));
    const marks = [(f & SpanFlag.Fault) ? 'fault' : (f & SpanFlag.Error) ? 'error' : '', (f & SpanFlag.Throttle) ? 'throttled' : '',
      (f & SpanFlag.Init) ? 'cold start initialization' : '', (f & SpanFlag.InProgress) ? 'in progress' : '',
      s.critical && (f & SpanFlag.Critical) ? 'critical path' : ''].filter(Boolean).join(', ');
    r.root.setAttribute('aria-label', `${name}, ${svc}, ${dur}${marks ? `, ${marks}` : ''}`);
    let cls = 'row';
    if (s.sel === i) cls += ' selected';
    if (f & BAD) cls += ' bad';
    if (f & SpanFlag.Fault) cls += ' fault';
    if (f & SpanFlag.Init) cls += ' init';
    if (f & SpanFlag.InProgress) cls += ' open';
    if (s.critical && (f & SpanFlag.Critical)) cls += ' critical';
    if (s.keep !== null && s.keep[i] === 2) cls += ' context';
    if (s.isMatch[i] === 1) cls += ' match';
    if (s.matchPos >= 0 && s.matches[s.matchPos] === i) cls += ' current-match';
    r.root.className = cls;
    r.label.style.paddingLeft = `${4 + Math.min(v.depth[i], 40) * 12}px`;
    r.toggle.className = kids ? (open ? 'toggle expanded codicon codicon-chevron-down' : 'toggle collapsed codicon codicon-chevron-right') : 'toggle leaf';
    const icon = (f & SpanFlag.Fault) ? 'error' : (f & BAD) ? 'warning' : s.critical && (f & SpanFlag.Critical) ? 'flame' : '';
    r.mark.className = icon ? `mark codicon codicon-${icon}` : 'mark';
    r.svc.textContent = svc;
    r.name.textContent = name;
    r.name.title = name;
    r.dur.textContent = (f & SpanFlag.Init) ? `${dur} cold start` : dur;
  }

  private renderGrid(s: UiState, timelinePx: number): void {
    // A vertical scroll leaves the grid as it is.
    const gridKey = `${s.view.start} ${s.view.end} ${s.v.durationUs} ${timelinePx}`;
    if (gridKey === this.gridKey) return;
    this.gridKey = gridKey;
    const t = ticks(s.view, s.v.durationUs, Math.max(2, Math.floor(Math.max(100, timelinePx) / 90)));
    while (this.grid.childElementCount < t.length) this.grid.appendChild(el('div', 'gridline'));
    for (let k = 0; k < this.grid.childElementCount; k++) {
      const g = this.grid.children[k] as HTMLElement;
      g.hidden = k >= t.length;
      if (k < t.length) g.style.left = `${t[k].fraction * 100}%`;
    }
  }

  /** First row position and rows in view at the last render (no layout read). */
  get lastWindow(): { first: number; count: number } {
    return { first: this.lastFirst, count: this.lastCount };
  }
}
