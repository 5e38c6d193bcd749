// The detail pane of the selected span. Every value is set with textContent; stack frames are
// buttons that ask the host to open the file (the path is only ever sent as message data).
import { SpanFlag, type DetailEntry, type SpanDetail } from '../../src/shared/protocol';
import { formatDurationUs } from '../../src/core/waterfall/layout';
import type { TraceView } from '../../src/core/waterfall/traceView';
import { add, el } from './dom';

export interface DetailCallbacks {
  onOpenFrame(path: string, line: number | null, spanId: string): void;
  onReveal(index: number): void;
  onZoom(index: number): void;
}

function table(entries: DetailEntry[]): HTMLTableElement {
  const t = el('table', 'kv');
  for (const e of entries) {
    const tr = el('tr');
    add(t, add(tr, el('th', '', e.key), el('td', '', e.value)));
  }
  return t;
}

function section(title: string, body: HTMLElement): HTMLElement {
  const d = el('details', 'section');
  d.open = true;
  add(d, el('summary', '', title), body);
  return d;
}

export class DetailPane {
  readonly root: HTMLElement;
  private readonly status: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private shown = -1;

  constructor(parent: HTMLElement, private readonly cb: DetailCallbacks) {
    this.root = el('aside', 'detail');
    this.root.setAttribute('aria-label', 'Span details');
    this.status = el('div', 'status');
    this.status.setAttribute('role', 'status');
    this.status.setAttribute('aria-live', 'polite');
    this.body = el('div', 'detail-body');
    add(parent, add(this.root, this.status, this.body));
    this.clear();
  }

  clear(): void {
    this.shown = -1;
    this.body.replaceChildren(el('p', 'hint', 'Select a span to see its attributes, events and stack.'));
  }

  /** Shows what the webview already knows about span i while the full detail is on its way. */
  showSummary(v: TraceView, i: number): void {
    this.shown = i;
    this.status.textContent = '';
    const f = v.flags[i];
    const head = el('div', 'detail-head');
    const title = el('h2', 'detail-name', v.strings[v.nameStr[i]]);
    const facts = el('div', 'facts');
    const fact = (t: string, cls = ''): void => { facts.appendChild(el('span', `fact ${cls}`, t)); };
    fact(v.strings[v.serviceStr[i]], 'svc');
    fact(formatDurationUs(v.durUs[i]));
    fact(`starts at ${formatDurationUs(v.startUs[i])}`);
    if (f & SpanFlag.Fault) fact('fault', 'bad');
    else if (f & SpanFlag.Error) fact('error', 'bad');
    if (f & SpanFlag.Throttle) fact('throttled', 'bad');
    if (f & SpanFlag.Init) fact('cold start: Initialization', 'init');
    if (f & SpanFlag.ColdStart) fact('cold start', 'init');
    if (f & SpanFlag.InProgress) fact('in progress');
    if (f & SpanFlag.Critical) fact('critical path', 'crit');
    if (f & SpanFlag.Orphan) fact('parent missing');
    const actions = el('div', 'actions');
    const reveal = el('button', 'action', 'Go to code');
    reveal.addEventListener('click', () => this.cb.onReveal(i));
    const zoom = el('button', 'action', 'Zoom to span');
    zoom.addEventListener('click', () => this.cb.onZoom(i));
    add(actions, reveal, zoom);
    add(head, title, facts, actions);
    this.body.replaceChildren(head, el('p', 'hint loading', 'Loading details…'));
  }

  /** Replaces the summary with the full detail when it is for the span still shown. */
  showDetail(index: number, d: SpanDetail): void {
    if (index !== this.shown) return;
    const head = this.body.firstElementChild as HTMLElement | null;
    const parts: HTMLElement[] = head ? [head] : [];
    const basics = table([{ key: 'kind', value: d.kind }, { key: 'status', value: d.status }, { key: 'duration', value: d.durationUs === null ? 'in progress' : formatDurationUs(d.durationUs) }]);
    parts.push(section('Span', basics));
    for (const ex of d.exceptions) {
      const box = el('div', 'exception');
      box.appendChild(el('div', 'ex-title', ex.message ? `${ex.type}: ${ex.message}` : ex.type));
      const list = el('ol', 'frames');
      for (const fr of ex.frames) {
        const li = el('li');
        const where = fr.line === null ? fr.path : `${fr.path}:${fr.line}`;
        if (fr.path !== '' && fr.path !== 'node' && !fr.path.startsWith('node:')) {
          const b = el('button', 'frame', where);
          b.title = `Open ${where}`;
          b.addEventListener('click', () => this.cb.onOpenFrame(fr.path, fr.line, d.spanId));
          li.appendChild(b);
        } else {
          li.appendChild(el('span', 'frame internal', where));
        }
        if (fr.label) li.appendChild(el('span', 'frame-label', fr.label));
        list.appendChild(li);
      }
      box.appendChild(list);
      parts.push(section('Exception', box));
    }
    for (const s of d.sections) parts.push(section(s.title, table(s.entries)));
    if (d.events.length > 0) {
      const box = el('div');
      for (const e of d.events) {
        box.appendChild(el('div', 'event-name', `${formatDurationUs(e.offsetUs)}  ${e.name}`));
        if (e.entries.length > 0) box.appendChild(table(e.entries));
      }
      parts.push(section(`Events (${d.events.length})`, box));
    }
    if (d.links.length > 0) {
      const box = el('div');
      for (const l of d.links) {
        box.appendChild(el('div', 'link-id', `${l.traceId} / ${l.spanId}`));
        if (l.entries.length > 0) box.appendChild(table(l.entries));
      }
      parts.push(section(`Links (${d.links.length})`, box));
    }
    this.body.replaceChildren(...parts);
  }

  /** A message from the host about opening code (e.g. why a span has no source location). */
  showStatus(message: string, ok: boolean): void {
    this.status.textContent = message;
    this.status.className = ok ? 'status' : 'status warn';
  }

  get shownIndex(): number {
    return this.shown;
  }
}
