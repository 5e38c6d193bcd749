// The waterfall app: owns the UI state, reacts to host messages, input and keys, and schedules
// one render per animation frame. Views (rows, minimap, ruler, detail) only draw what it holds.
import { assertNever, type CompactTrace, type HostMessage } from '../../src/shared/protocol';
import { toTraceView, spanIdAt, indexOfSpanId, hasChildren } from '../../src/core/waterfall/traceView';
import { filterKeep, visibleRows, searchSpans, expandAncestors, rowOf, servicesOf, NO_FILTER } from '../../src/core/waterfall/rows';
import { clampView, scrollTopForRow, zoomView, viewForSpan } from '../../src/core/waterfall/layout';
import type { Host } from './host';
import { add, el } from './dom';
import { RowsView } from './rowsView';
import { Minimap } from './minimap';
import { DetailPane } from './detailPane';
import { buildToolbar, setServices, Ruler, type ToolbarEls } from './toolbar';
import { ROW_PX, type SavedState, type UiState } from './uiState';

const MAX_SAVED_COLLAPSED = 5000;

export class Waterfall {
  private s: UiState | null = null;
  private readonly tb: ToolbarEls;
  private readonly ruler: Ruler;
  private readonly minimap: Minimap;
  private readonly rowsView: RowsView;
  private readonly detail: DetailPane;
  private readonly empty: HTMLDivElement;
  private frame = 0;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(root: HTMLElement, private readonly host: Host) {
    this.tb = buildToolbar(root);
    this.minimap = new Minimap(root, () => this.s, {
      onPan: (start, row) => this.pan(start, row),
      onSelectRange: (a, b) => this.setView(clampView(a, b)),
    }, () => this.rowsView.lastWindow);
    const main = el('div', 'main');
    const left = el('div', 'left');
    root.appendChild(add(main, left));
    this.ruler = new Ruler(left, (a, b) => this.zoomToFraction(a, b));
    this.rowsView = new RowsView(left, { onRowClick: (i, toggle) => this.rowClick(i, toggle), onScroll: () => this.schedule() });
    this.empty = el('div', 'empty', 'Waiting for a trace…');
    left.appendChild(this.empty);
    this.detail = new DetailPane(main, {
      onOpenFrame: (path, line, spanId) => this.host.post({ type: 'openSource', path, line, spanId }),
      onReveal: (i) => this.reveal(i),
      onZoom: (i) => this.zoomToSpan(i),
    });
    this.wire();
  }

  /** Handles one message from the host. */
  receive(msg: HostMessage): void {
    switch (msg.type) {
      case 'trace': this.load(msg.trace); break;
      case 'spanDetail': this.detail.showDetail(msg.index, msg.detail); break;
      case 'revealResult': this.detail.showStatus(msg.message, msg.ok); break;
      case 'selectSpan': if (this.s) { const i = indexOfSpanId(this.s.v, msg.spanId); if (i >= 0) this.select(i, true); } break;
      default: assertNever(msg);
    }
  }

  private load(t: CompactTrace): void {
    performance.mark('waterfall:data');
    const v = toTraceView(t);
    const saved = this.host.getState<SavedState>();
    const same = saved !== undefined && saved !== null && saved.traceId === v.traceId;
    const collapsed = new Uint8Array(v.count);
    if (same) for (const id of saved.collapsedSpanIds) { const i = indexOfSpanId(v, id); if (i >= 0) collapsed[i] = 1; }
    const filter = same ? { ...NO_FILTER, ...saved.filter } : NO_FILTER;
    const keep = filterKeep(v, filter);
    this.s = {
      v, collapsed, keep, rows: visibleRows(v, collapsed, keep), sel: -1, view: same ? clampView(saved.view.start, saved.view.end) : { start: 0, end: 1 },
      filter, query: same ? saved.query : '', matches: new Int32Array(0), matchPos: -1, isMatch: new Uint8Array(v.count), critical: same ? saved.critical : false,
    };
    this.empty.hidden = true;
    this.tb.search.value = this.s.query;
    this.tb.errorsOnly.checked = filter.errorsOnly;
    this.tb.minMs.value = filter.minDurationUs > 0 ? String(filter.minDurationUs / 1000) : '';
    this.tb.critical.checked = this.s.critical;
    // The service list is not needed for the first frame.
    const loaded = this.s;
    setTimeout(() => { if (this.s === loaded) setServices(this.tb.service, servicesOf(v), filter.service); }, 0);
    this.tb.info.textContent = `${String(v.count).replace(/\B(?=(\d{3})+$)/g, ',')} spans`;
    if (this.s.query) this.runSearch(false);
    this.detail.clear();
    this.renderNow();
    if (same) {
      this.rowsView.scroller.scrollTop = saved.scrollTopPx;
      const sel = saved.selSpanId === null ? -1 : indexOfSpanId(v, saved.selSpanId);
      if (sel >= 0) this.select(sel, false);
      this.renderNow();
    }
    // The mark after the next paint: rAF runs before it, a message posted there is handled after it.
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => performance.mark('waterfall:painted');
      ch.port2.postMessage(0);
    });
  }

  private wire(): void {
    const tb = this.tb;
    tb.search.addEventListener('input', () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => this.runSearch(true), 120);
    });
    tb.search.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') { e.preventDefault(); clearTimeout(this.searchTimer); if (this.s && this.s.query !== tb.search.value.trim()) this.runSearch(true); else this.step(e.shiftKey ? -1 : 1); }
      if (e.key === 'Escape') { tb.search.value = ''; this.runSearch(false); this.rowsView.scroller.focus(); }
    });
    tb.prev.addEventListener('click', () => this.step(-1));
    tb.next.addEventListener('click', () => this.step(1));
    const onFilter = (): void => {
      if (!this.s) return;
      const ms = Number(tb.minMs.value);
      this.s.filter = { errorsOnly: tb.errorsOnly.checked, minDurationUs: Number.isFinite(ms) && ms > 0 ? ms * 1000 : 0, service: tb.service.value };
      this.s.keep = filterKeep(this.s.v, this.s.filter);
      this.refreshRows();
      if (this.s.query) this.runSearch(false);
    };
    tb.errorsOnly.addEventListener('change', onFilter);
    tb.minMs.addEventListener('input', onFilter);
    tb.service.addEventListener('change', onFilter);
    tb.critical.addEventListener('change', () => { if (this.s) { this.s.critical = tb.critical.checked; this.schedule(); } });
    tb.resetZoom.addEventListener('click', () => this.setView({ start: 0, end: 1 }));
    const sc = this.rowsView.scroller;
    sc.addEventListener('keydown', (e) => this.key(e));
    sc.addEventListener('dblclick', (e) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>('.row');
      if (row?.dataset.span !== undefined) this.zoomToSpan(Number(row.dataset.span));
    });
    sc.addEventListener('wheel', (e) => {
      if (!this.s || !(e.ctrlKey || e.metaKey || e.shiftKey)) return;
      e.preventDefault();
      const axis = this.ruler.root.querySelector('.axis')!.getBoundingClientRect();
      const w = this.s.view.end - this.s.view.start;
      if (e.shiftKey && !e.ctrlKey && !e.metaKey) {
        const d = (e.deltaX || e.deltaY) / axis.width;
        this.setView(clampView(this.s.view.start + d * w, this.s.view.end + d * w));
      } else {
        this.setView(zoomView(this.s.view, Math.pow(1.0015, e.deltaY), (e.clientX - axis.left) / axis.width));
      }
    }, { passive: false });
    window.addEventListener('resize', () => this.schedule());
  }

  private key(e: KeyboardEvent): void {
    const s = this.s;
    if (!s || s.rows.length === 0) return;
    let pos = s.sel >= 0 ? rowOf(s.rows, s.sel) : -1;
    const go = (p: number): void => { e.preventDefault(); this.select(s.rows[Math.max(0, Math.min(s.rows.length - 1, p))], true); };
    if (pos < 0) {
      // Nothing selected yet: arrows pick the first row in view; Home/End/Page keys count from it.
      if (['ArrowDown', 'ArrowUp', 'ArrowLeft', 'ArrowRight', 'Enter'].includes(e.key)) { go(this.rowsView.firstRow(s)); return; }
      pos = this.rowsView.firstRow(s);
    }
    switch (e.key) {
      case 'ArrowDown': go(pos + 1); break;
      case 'ArrowUp': go(pos - 1); break;
      case 'PageDown': go(pos + this.rowsView.pageRows()); break;
      case 'PageUp': go(pos - this.rowsView.pageRows()); break;
      case 'Home': go(0); break;
      case 'End': go(s.rows.length - 1); break;
      case 'ArrowRight':
        e.preventDefault();
        if (hasChildren(s.v, s.sel) && s.collapsed[s.sel] === 1) this.toggle(s.sel);
        else if (pos + 1 < s.rows.length && s.v.parent[s.rows[pos + 1]] === s.sel) go(pos + 1);
        break;
      case 'ArrowLeft':
        e.preventDefault();
        if (hasChildren(s.v, s.sel) && s.collapsed[s.sel] === 0) this.toggle(s.sel);
        else if (s.v.parent[s.sel] >= 0 && rowOf(s.rows, s.v.parent[s.sel]) >= 0) this.select(s.v.parent[s.sel], true);
        break;
      case 'Enter': e.preventDefault(); this.reveal(s.sel); break;
      case '+': case '=': e.preventDefault(); this.setView(zoomView(s.view, 0.5, 0.5)); break;
      case '-': e.preventDefault(); this.setView(zoomView(s.view, 2, 0.5)); break;
      case '0': e.preventDefault(); this.setView({ start: 0, end: 1 }); break;
      case 'z': e.preventDefault(); this.zoomToSpan(s.sel); break;
      case '/': e.preventDefault(); this.tb.search.focus(); break;
      default: break;
    }
  }

  private rowClick(i: number, onToggle: boolean): void {
    if (onToggle) { this.toggle(i); return; }
    this.select(i, false);
    this.reveal(i);
  }

  private toggle(i: number): void {
    const s = this.s;
    if (!s || !hasChildren(s.v, i)) return;
    s.collapsed[i] ^= 1;
    this.refreshRows();
  }

  private refreshRows(): void {
    const s = this.s!;
    s.rows = visibleRows(s.v, s.collapsed, s.keep);
    this.schedule();
  }

  private select(i: number, scroll: boolean): void {
    const s = this.s!;
    if (s.rows.length === 0 || rowOf(s.rows, i) < 0) {
      if (s.keep !== null && s.keep[i] === 0) return;
      expandAncestors(s.v, s.collapsed, i);
      s.rows = visibleRows(s.v, s.collapsed, s.keep);
    }
    const changed = s.sel !== i;
    s.sel = i;
    if (scroll) this.rowsView.ensureVisible(s, rowOf(s.rows, i));
    if (changed || this.detail.shownIndex !== i) {
      this.detail.showSummary(s.v, i);
      this.host.post({ type: 'requestDetail', index: i, spanId: spanIdAt(s.v, i) });
    }
    this.renderNow();
  }

  private reveal(i: number): void {
    if (!this.s || i < 0) return;
    this.host.post({ type: 'revealSpan', index: i, spanId: spanIdAt(this.s.v, i) });
  }

  private runSearch(jump: boolean): void {
    const s = this.s;
    if (!s) return;
    s.query = this.tb.search.value.trim();
    let m = searchSpans(s.v, s.query);
    if (s.keep !== null) m = m.filter((i) => s.keep![i] !== 0);
    s.isMatch.fill(0);
    for (const i of m) s.isMatch[i] = 1;
    s.matches = m;
    s.matchPos = -1;
    if (jump && m.length > 0) this.step(1);
    this.updateCount();
    this.schedule();
  }

  private step(dir: 1 | -1): void {
    const s = this.s;
    if (!s || s.matches.length === 0) return;
    if (s.matchPos < 0) {
      // Start from the selection so "next" finds the next match below it.
      let k = 0;
      while (k < s.matches.length && s.matches[k] < Math.max(0, s.sel)) k++;
      s.matchPos = dir === 1 ? k % s.matches.length : (k - 1 + s.matches.length) % s.matches.length;
    } else {
      s.matchPos = (s.matchPos + dir + s.matches.length) % s.matches.length;
    }
    this.updateCount();
    this.select(s.matches[s.matchPos], true);
  }

  private updateCount(): void {
    const s = this.s!;
    this.tb.count.textContent = s.query === '' ? '' : s.matches.length === 0 ? 'No matches' : `${s.matchPos < 0 ? '–' : s.matchPos + 1} of ${s.matches.length}`;
  }

  private zoomToSpan(i: number): void {
    if (!this.s || i < 0) return;
    this.setView(viewForSpan(this.s.v.startUs[i], this.s.v.durUs[i], this.s.v.durationUs));
  }

  /** Zooms to [a, b], fractions of the current view (a ruler drag). */
  private zoomToFraction(a: number, b: number): void {
    if (!this.s) return;
    const { start, end } = this.s.view;
    this.setView(clampView(start + a * (end - start), start + b * (end - start)));
  }

  private setView(v: { start: number; end: number }): void {
    if (!this.s) return;
    this.s.view = v;
    this.schedule();
  }

  private pan(start: number, row: number): void {
    const s = this.s;
    if (!s) return;
    const w = s.view.end - s.view.start;
    s.view = clampView(start, start + w);
    const sc = this.rowsView.scroller;
    sc.scrollTop = scrollTopForRow(Math.max(0, Math.min(row, s.rows.length - 1)), sc.clientHeight, s.rows.length, ROW_PX);
    this.schedule();
  }

  private schedule(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.renderNow(); });
  }

  private renderNow(): void {
    const s = this.s;
    if (!s) return;
    // All layout reads first, then only writes: a read after a write forces a synchronous layout.
    const axisPx = this.ruler.widthPx();
    const minimapPx = this.minimap.widthPx();
    this.rowsView.render(s, axisPx);
    this.ruler.render(s, axisPx);
    this.minimap.render(s, minimapPx);
    this.tb.count.hidden = s.query === '';
    this.saveSoon();
  }

  private saveSoon(): void {
    if (this.saveTimer !== undefined) return;
    this.saveTimer = setTimeout(() => { this.saveTimer = undefined; this.save(); }, 250);
  }

  private save(): void {
    const s = this.s;
    if (!s) return;
    const collapsedSpanIds: string[] = [];
    // indexOf on a typed array is a native scan: cheap enough to run on every save at 1M spans.
    for (let i = s.collapsed.indexOf(1); i >= 0 && collapsedSpanIds.length < MAX_SAVED_COLLAPSED; i = s.collapsed.indexOf(1, i + 1)) collapsedSpanIds.push(spanIdAt(s.v, i));
    const state: SavedState = {
      traceId: s.v.traceId, scrollTopPx: this.rowsView.scroller.scrollTop, view: s.view, selSpanId: s.sel >= 0 ? spanIdAt(s.v, s.sel) : null,
      collapsedSpanIds, query: s.query, filter: s.filter, critical: s.critical,
    };
    this.host.setState(state);
  }
}
