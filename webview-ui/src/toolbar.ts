// The toolbar (search with next/previous, filters, critical path, zoom reset) and the time ruler.
import { ticks } from '../../src/core/waterfall/layout';
import { add, el } from './dom';
import type { UiState } from './uiState';

export interface ToolbarEls {
  search: HTMLInputElement;
  prev: HTMLButtonElement;
  next: HTMLButtonElement;
  count: HTMLSpanElement;
  errorsOnly: HTMLInputElement;
  minMs: HTMLInputElement;
  service: HTMLSelectElement;
  critical: HTMLInputElement;
  resetZoom: HTMLButtonElement;
  info: HTMLSpanElement;
}

function labelled(text: string, input: HTMLElement, cls: string): HTMLLabelElement {
  const l = el('label', cls);
  add(l, input, el('span', '', text));
  return l;
}

/** Builds the toolbar into `parent`. */
export function buildToolbar(parent: HTMLElement): ToolbarEls {
  const bar = el('div', 'toolbar');
  bar.setAttribute('role', 'toolbar');
  bar.setAttribute('aria-label', 'Search and filters');
  const search = el('input', 'search');
  search.type = 'search';
  search.placeholder = 'Search name or attribute (key=value)';
  search.setAttribute('aria-label', 'Search spans by name or attribute');
  const prev = el('button', 'icon', '↑');
  prev.title = 'Previous match (Shift+Enter)';
  prev.setAttribute('aria-label', 'Previous match');
  const next = el('button', 'icon', '↓');
  next.title = 'Next match (Enter)';
  next.setAttribute('aria-label', 'Next match');
  const count = el('span', 'count');
  count.setAttribute('aria-live', 'polite');
  const errorsOnly = el('input');
  errorsOnly.type = 'checkbox';
  const minMs = el('input', 'min-ms');
  minMs.type = 'number';
  minMs.min = '0';
  minMs.step = 'any';
  minMs.placeholder = '0';
  minMs.setAttribute('aria-label', 'Minimum duration in milliseconds');
  const service = el('select', 'service');
  service.setAttribute('aria-label', 'Service');
  const critical = el('input');
  critical.type = 'checkbox';
  const resetZoom = el('button', 'action', 'Reset zoom');
  const info = el('span', 'info');
  const minWrap = el('label', 'filter');
  add(minWrap, el('span', '', '≥'), minMs, el('span', '', 'ms'));
  add(parent, add(bar, search, prev, next, count, labelled('Errors only', errorsOnly, 'filter'), minWrap, service,
    labelled('Critical path', critical, 'filter'), resetZoom, info));
  return { search, prev, next, count, errorsOnly, minMs, service, critical, resetZoom, info };
}

/** Fills the service filter with the trace's services, keeping `selected`. */
export function setServices(sel: HTMLSelectElement, services: string[], selected: string): void {
  const all = el('option', '', 'All services');
  all.value = '';
  const opts = [all];
  for (const s of services) {
    const o = el('option', '', s);
    o.value = s;
    opts.push(o);
  }
  sel.replaceChildren(...opts);
  sel.value = services.includes(selected) ? selected : '';
}

/** The time axis above the rows; a drag on it selects a range to zoom to. */
export class Ruler {
  readonly root: HTMLDivElement;
  private readonly axis: HTMLDivElement;
  private readonly range: HTMLDivElement;
  private lastKey = '';

  constructor(parent: HTMLElement, private readonly onRange: (a: number, b: number) => void) {
    this.root = el('div', 'header');
    const label = el('div', 'label', 'Service · Span');
    this.axis = el('div', 'axis');
    this.axis.setAttribute('aria-label', 'Time axis; drag to zoom to a range');
    this.range = el('div', 'range');
    this.range.hidden = true;
    add(parent, add(this.root, label, add(this.axis, this.range)));
    this.axis.addEventListener('pointerdown', (e) => this.down(e));
  }

  private down(e: PointerEvent): void {
    if (e.button !== 0) return;
    const rect = this.axis.getBoundingClientRect();
    const fx = (x: number): number => Math.min(1, Math.max(0, (x - rect.left) / rect.width));
    const x0 = e.clientX;
    this.axis.setPointerCapture(e.pointerId);
    const move = (m: PointerEvent): void => {
      this.range.hidden = false;
      this.range.style.left = `${fx(Math.min(x0, m.clientX)) * 100}%`;
      this.range.style.width = `${Math.abs(fx(m.clientX) - fx(x0)) * 100}%`;
    };
    const up = (u: PointerEvent): void => {
      this.axis.removeEventListener('pointermove', move);
      this.axis.removeEventListener('pointerup', up);
      this.range.hidden = true;
      if (Math.abs(u.clientX - x0) > 3) this.onRange(fx(Math.min(x0, u.clientX)), fx(Math.max(x0, u.clientX)));
    };
    this.axis.addEventListener('pointermove', move);
    this.axis.addEventListener('pointerup', up);
  }

  /** Width of the time axis in CSS pixels (a layout read: call before writing the DOM). */
  widthPx(): number {
    return this.axis.clientWidth;
  }

  render(s: UiState, widthPx: number): void {
    // Scrolling re-renders every frame; the axis only changes with the zoom, the trace or the width.
    const key = `${s.view.start} ${s.view.end} ${s.v.durationUs} ${widthPx}`;
    if (key === this.lastKey) return;
    this.lastKey = key;
    const t = ticks(s.view, s.v.durationUs, Math.max(2, Math.floor(Math.max(100, widthPx) / 90)));
    const labels: HTMLElement[] = [];
    for (const k of t) {
      const d = el('span', 'tick', k.label);
      d.style.left = `${k.fraction * 100}%`;
      labels.push(d);
    }
    this.axis.replaceChildren(...labels, this.range);
  }
}
