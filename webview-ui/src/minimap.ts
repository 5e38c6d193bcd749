// The minimap: every row of the trace drawn into one small canvas (density per pixel, errors in
// their own colour), with a viewport box showing the rows and time range in view. Dragging the box
// pans; dragging elsewhere selects a time range to zoom to; a click jumps there.
import { SpanFlag } from '../../src/shared/protocol';
import { add, el } from './dom';
import type { UiState } from './uiState';

export interface MinimapCallbacks {
  /** Pan: move the time view to start at `viewStart` (fraction) and scroll to row position `row`. */
  onPan(viewStart: number, row: number): void;
  /** Zoom to [startFrac, endFrac] of the trace. */
  onSelectRange(startFrac: number, endFrac: number): void;
}

const HEIGHT_PX = 64;

export class Minimap {
  readonly root: HTMLDivElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly box: HTMLDivElement;
  private readonly sel: HTMLDivElement;
  private drawnFor: Int32Array | null = null;
  private drawnWidth = 0;

  constructor(parent: HTMLElement, private readonly state: () => UiState | null, private readonly cb: MinimapCallbacks, private readonly viewRows: () => { first: number; count: number }) {
    // viewRows must not read layout: it is called while the frame's DOM writes are pending.
    this.root = el('div', 'minimap');
    this.root.setAttribute('role', 'img');
    this.root.setAttribute('aria-label', 'Minimap of the whole trace; drag the box to pan, drag elsewhere to zoom to a time range');
    this.canvas = el('canvas');
    this.box = el('div', 'viewport');
    this.sel = el('div', 'range');
    this.sel.hidden = true;
    add(parent, add(this.root, this.canvas, this.box, this.sel));
    this.root.addEventListener('pointerdown', (e) => this.down(e));
  }

  /** Width in CSS pixels (a layout read: call before writing the DOM). */
  widthPx(): number {
    return this.root.clientWidth;
  }

  /** Redraws the density image when the rows or the width changed, then places the viewport box. */
  render(s: UiState, widthPx: number): void {
    const w = Math.max(1, widthPx);
    if (this.drawnFor !== s.rows || this.drawnWidth !== w) this.draw(s, w);
    const { first, count } = this.viewRows();
    const n = Math.max(1, s.rows.length);
    const top = (first / n) * HEIGHT_PX;
    const h = Math.max(4, (Math.min(count, n) / n) * HEIGHT_PX);
    this.box.style.left = `${s.view.start * 100}%`;
    this.box.style.width = `max(4px, ${(s.view.end - s.view.start) * 100}%)`;
    this.box.style.top = `${Math.min(top, HEIGHT_PX - h)}px`;
    this.box.style.height = `${h}px`;
  }

  private draw(s: UiState, cssW: number): void {
    this.drawnFor = s.rows;
    this.drawnWidth = cssW;
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    const W = Math.max(1, Math.round(cssW * dpr));
    const H = Math.round(HEIGHT_PX * dpr);
    this.canvas.width = W;
    this.canvas.height = H;
    const v = s.v;
    const rows = s.rows;
    const n = rows.length;
    // Difference arrays per pixel row: O(spans + pixels) however wide the bars are.
    const all = new Float32Array(H * (W + 1));
    const bad = new Float32Array(H * (W + 1));
    const errMask = SpanFlag.Error | SpanFlag.Fault;
    for (let k = 0; k < n; k++) {
      const i = rows[k];
      const y = Math.min(H - 1, Math.floor((k * H) / n));
      const x0 = Math.min(W - 1, Math.floor((v.startUs[i] / v.durationUs) * W));
      const x1 = Math.min(W, Math.max(x0 + 1, Math.ceil(((v.startUs[i] + v.durUs[i]) / v.durationUs) * W)));
      const base = y * (W + 1);
      const target = (v.flags[i] & errMask) !== 0 ? bad : all;
      target[base + x0] += 1;
      target[base + x1] -= 1;
    }
    const rowsPerPx = Math.max(1, n / H);
    const img = new ImageData(W, H);
    const [r, g, b] = this.rgb('--mm-bar');
    const [er, eg, eb] = this.rgb('--mm-error');
    for (let y = 0; y < H; y++) {
      let a = 0;
      let e = 0;
      const base = y * (W + 1);
      for (let x = 0; x < W; x++) {
        a += all[base + x];
        e += bad[base + x];
        const o = (y * W + x) * 4;
        if (e > 0) { img.data[o] = er; img.data[o + 1] = eg; img.data[o + 2] = eb; img.data[o + 3] = 255; }
        else if (a > 0) { img.data[o] = r; img.data[o + 1] = g; img.data[o + 2] = b; img.data[o + 3] = 90 + Math.min(165, (165 * a) / rowsPerPx); }
      }
    }
    this.canvas.getContext('2d')!.putImageData(img, 0, 0);
  }

  private rgb(prop: string): [number, number, number] {
    const c = getComputedStyle(this.root).getPropertyValue(prop).trim();
    const m = /^#([0-9a-f]{6})$/i.exec(c);
    if (m) return [parseInt(m[1].slice(0, 2), 16), parseInt(m[1].slice(2, 4), 16), parseInt(m[1].slice(4, 6), 16)];
    const rgb = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(c);
    if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
    return [55, 148, 255];
  }

  private down(e: PointerEvent): void {
    const s = this.state();
    if (!s || e.button !== 0) return;
    const rect = this.root.getBoundingClientRect();
    const fx = (x: number): number => Math.min(1, Math.max(0, (x - rect.left) / rect.width));
    const fy = (y: number): number => Math.min(1, Math.max(0, (y - rect.top) / rect.height));
    const box = this.box.getBoundingClientRect();
    // Fully zoomed out the box covers the whole width: a drag then selects a range instead.
    const inBox = s.view.end - s.view.start < 0.98 && e.clientX >= box.left - 2 && e.clientX <= box.right + 2 && e.clientY >= box.top - 2 && e.clientY <= box.bottom + 2;
    this.root.setPointerCapture(e.pointerId);
    const x0 = e.clientX;
    const y0 = e.clientY;
    const start0 = s.view.start;
    const row0 = this.viewRows().first;
    const n = s.rows.length;
    let moved = false;
    const move = (m: PointerEvent): void => {
      if (Math.abs(m.clientX - x0) + Math.abs(m.clientY - y0) > 2) moved = true;
      if (!moved) return;
      if (inBox) {
        this.cb.onPan(start0 + (m.clientX - x0) / rect.width, Math.round(row0 + ((m.clientY - y0) / rect.height) * n));
      } else {
        const a = fx(Math.min(x0, m.clientX));
        const b = fx(Math.max(x0, m.clientX));
        this.sel.hidden = false;
        this.sel.style.left = `${a * 100}%`;
        this.sel.style.width = `${(b - a) * 100}%`;
      }
    };
    const up = (u: PointerEvent): void => {
      this.root.removeEventListener('pointermove', move);
      this.root.removeEventListener('pointerup', up);
      this.sel.hidden = true;
      if (inBox) return;
      if (moved && Math.abs(u.clientX - x0) > 3) {
        this.cb.onSelectRange(fx(Math.min(x0, u.clientX)), fx(Math.max(x0, u.clientX)));
      } else {
        // A click: centre the time view and the rows on that point.
        const w = s.view.end - s.view.start;
        const { count } = this.viewRows();
        this.cb.onPan(fx(u.clientX) - w / 2, Math.max(0, Math.round(fy(u.clientY) * n - count / 2)));
      }
    };
    this.root.addEventListener('pointermove', move);
    this.root.addEventListener('pointerup', up);
  }
}
