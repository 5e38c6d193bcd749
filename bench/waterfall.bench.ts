// The waterfall in headless Debian Chromium, side by side with a plain-DOM baseline (every span a
// row of divs, the way Jaeger/Zipkin-style views render) fed the same message in the same run.
// Measures: first paint after the data arrives (10k, 100k), page open to first frame (100k), a
// 1M-span trace opening, scroll and zoom frame time (100k), renderer memory growth (100k).
import type { Browser, Page } from 'playwright-core';
import { line, type BenchLine } from './benchLine';
import { launch, openWaterfall, startServer, toTypedJson, REVIVE_TYPED_JS, type Server } from '../test/e2e/harness';
import { syntheticTrace } from '../test/e2e/fixtures';
import { toCompactTrace } from '../src/core/waterfall/compactTrace';
import { waterfallCsp, waterfallHtml } from '../src/core/waterfall/webviewHtml';
import { BASELINE_JS, BASELINE_STYLE } from './waterfallBaseline';
import { toSpeedscope } from './speedscopeProfile';

type Kind = 'ours' | 'baseline';
const NONCE = 'YmVuY2htYXJrLW5vbmNlLTEy';

const t0 = Date.now();
function progress(what: string): void {
  process.stderr.write(`[waterfall bench +${((Date.now() - t0) / 1000).toFixed(0)} s] ${what}\n`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
}

/** The plain-DOM page under the same CSP; it renders whatever `trace` message it receives. */
function baselineHtml(origin: string): string {
  return `<!DOCTYPE html><html><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${waterfallCsp({ cspSource: origin, nonce: NONCE })}">
<style nonce="${NONCE}">${BASELINE_STYLE}</style></head><body style="margin:0;font:13px sans-serif"><div id="app" style="height:100vh;overflow:auto;position:relative"></div>
<script nonce="${NONCE}">${BASELINE_JS}</script></body></html>`;
}

/**
 * A page that holds the payload itself (typed columns as base64 of their bytes, see toTypedJson)
 * and answers `ready` at once, like the extension host does. The shim goes before the app's
 * script so acquireVsCodeApi exists when the app starts.
 */
function withEmbeddedHost(html: string, json: string): string {
  const shim = `<script type="application/json" id="payload">${json.replace(/</g, '\\u003c')}</script>
<script nonce="${NONCE}">${REVIVE_TYPED_JS}
const payload = window.__reviveTyped(document.getElementById('payload').textContent).trace;
window.__postTrace = () => window.postMessage({ type: 'trace', trace: payload }, '*');
window.acquireVsCodeApi = () => ({ postMessage(m) { if (m.type === 'ready') window.__postTrace(); }, getState() {}, setState() {} });
</script>`;
  const at = html.indexOf('<div id="app"');
  return html.slice(0, at) + shim + html.slice(at);
}

async function openPage(browser: Browser, server: Server, kind: Kind): Promise<Page> {
  if (kind === 'ours') return (await openWaterfall(browser, server.origin)).page;
  const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
  await page.addInitScript(REVIVE_TYPED_JS);
  await page.goto(`${server.origin}/baseline.html`);
  return page;
}

/** Puts the payload in the page as `window.__p`, in 8 MB pieces: one 120 MB argument (1M spans) kills the page. */
async function stage(page: Page, json: string): Promise<void> {
  type W = { __chunks?: string[]; __p: unknown; __reviveTyped(s: string): unknown };
  await page.evaluate(() => { (window as unknown as W).__chunks = []; });
  for (let o = 0; o < json.length; o += 8 << 20) await page.evaluate((c) => { (window as unknown as W).__chunks!.push(c); }, json.slice(o, o + (8 << 20)));
  await page.evaluate(() => {
    const w = window as unknown as W;
    w.__p = w.__reviveTyped(w.__chunks!.join(''));
    w.__chunks = undefined;
  });
}


/**
 * Page-side helpers, as source text: functions passed to page.evaluate from a tsx-run module get
 * esbuild's `__name` wrappers, which do not exist in the page.
 * - postAndTime(): posts the staged trace; ms from postMessage to the task after the first paint.
 * - painted(): navigation start to the first `waterfall:painted` mark.
 * - frameTimes(action, n): main-thread ms of each frame that applies a scroll (or zoom), from the
 *   frame's first animation-frame callback to the task right after its paint; the action runs
 *   one frame earlier, and the measuring callback is registered before the app's own.
 */
const PAGE_JS = `window.__bench = {
  waitMark(name) {
    return new Promise((resolve) => {
      const poll = () => { const m = performance.getEntriesByName(name); if (m.length > 0) resolve(m[0].startTime); else setTimeout(poll, 5); };
      poll();
    });
  },
  async postAndTime() {
    performance.clearMarks();
    const t0 = performance.now();
    window.postMessage({ type: 'trace', trace: window.__p }, '*');
    window.__p = undefined;
    return (await window.__bench.waitMark('waterfall:painted')) - t0;
  },
  painted() { return window.__bench.waitMark('waterfall:painted'); },
  frameTimes(act, n) {
    return new Promise((resolve) => {
      const scroller = document.querySelector('.tree') || document.getElementById('app');
      const out = [];
      let k = 0;
      const step = () => {
        if (k++ >= n) { resolve(out); return; }
        requestAnimationFrame(() => {
          const t0 = performance.now();
          const ch = new MessageChannel();
          ch.port1.onmessage = () => { out.push(performance.now() - t0); step(); };
          ch.port2.postMessage(0);
        });
        if (act === 'scroll') scroller.scrollTop += 660;
        else {
          const r = scroller.getBoundingClientRect();
          scroller.dispatchEvent(new WheelEvent('wheel', { deltaY: k % 20 < 10 ? -120 : 120, ctrlKey: true, clientX: r.left + r.width * 0.7, clientY: r.top + 50, bubbles: true, cancelable: true }));
        }
      };
      requestAnimationFrame(step);
    });
  },
};`;

async function postAndTime(page: Page): Promise<number> {
  await page.evaluate(PAGE_JS);
  return page.evaluate('window.__bench.postAndTime()') as Promise<number>;
}

async function firstPaint(browser: Browser, server: Server, kind: Kind, json: string, runs: number): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const page = await openPage(browser, server, kind);
    await stage(page, json);
    times.push(await postAndTime(page));
    await page.close();
  }
  return median(times);
}

async function pageOpen(browser: Browser, server: Server, kind: Kind, runs: number): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
    // 'commit': the baseline renders before its load event, for longer than goto's default timeout.
    await page.goto(`${server.origin}/open-${kind}.html`, { waitUntil: 'commit', timeout: 300_000 });
    await page.evaluate(PAGE_JS);
    const t = (await page.evaluate('window.__bench.painted()')) as number;
    times.push(t);
    await page.close();
  }
  return median(times);
}

async function frameTimes(page: Page, action: 'scroll' | 'zoom', frames: number): Promise<number[]> {
  await page.evaluate(PAGE_JS);
  return page.evaluate(`window.__bench.frameTimes(${JSON.stringify(action)}, ${frames})`) as Promise<number[]>;
}

/** speedscope 1.25 (npm) opening the same spans: navigation start to the frame after its title says it loaded. */
async function speedscopeOpen(browser: Browser, server: Server, runs: number): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
    await page.goto(`${server.origin}/node_modules/speedscope/dist/release/index.html#profileURL=${encodeURIComponent(`${server.origin}/trace.speedscope.json`)}`, { waitUntil: 'commit' });
    await page.waitForFunction('document.title.endsWith(" - speedscope")', undefined, { timeout: 120_000, polling: 10 });
    times.push((await page.evaluate('new Promise((r) => requestAnimationFrame(() => { const c = new MessageChannel(); c.port1.onmessage = () => r(performance.now()); c.port2.postMessage(0); }))')) as number);
    await page.close();
  }
  return median(times);
}

async function heapBytes(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const h = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; embedderHeapUsedSize?: number; backingStorageSize?: number };
  await cdp.detach();
  return h.usedSize + (h.embedderHeapUsedSize ?? 0) + (h.backingStorageSize ?? 0);
}

async function memoryGrowth(browser: Browser, server: Server, kind: Kind, json: string): Promise<number> {
  const page = await openPage(browser, server, kind);
  await page.waitForTimeout(200);
  const before = await heapBytes(page);
  await stage(page, json);
  await postAndTime(page);
  await page.waitForTimeout(300);
  const after = await heapBytes(page);
  await page.close();
  return (after - before) / (1024 * 1024);
}

/** The benchmark; see the header comment. Timings are medians of 3 fresh pages. */
export async function run(): Promise<BenchLine[]> {
  const server = await startServer();
  const browser = await launch();
  const out: BenchLine[] = [];
  try {
    server.pages.set('/baseline.html', baselineHtml(server.origin));
    const json10k = toTypedJson(toCompactTrace(syntheticTrace(10_000)).payload);
    const t100k = toCompactTrace(syntheticTrace(100_000)).payload;
    const json100k = toTypedJson(t100k);
    const embedded = toTypedJson({ trace: t100k });
    server.pages.set('/open-ours.html', withEmbeddedHost(waterfallHtml({ cspSource: server.origin, nonce: NONCE, scriptUri: `${server.origin}/dist/webview.js`, styleUri: `${server.origin}/media/waterfall.css`, codiconUri: `${server.origin}/dist/codicons/codicon.css` }), embedded));
    server.pages.set('/open-baseline.html', withEmbeddedHost(baselineHtml(server.origin), embedded));

    for (const [n, json, target] of [[10_000, json10k, '<= 60 ms'], [100_000, json100k, '<= 150 ms']] as const) {
      progress(`first paint ${n}`);
      // The baseline needs tens of seconds per page at 100k rows: one run of it there.
      const ours = await firstPaint(browser, server, 'ours', json, 3);
      const base = await firstPaint(browser, server, 'baseline', json, n >= 100_000 ? 1 : 3);
      out.push(line(`waterfall first paint after data, ${n / 1000}k spans`, ours, 'ms', 'plain DOM, all rows', base, target));
    }
    progress('page open');
    const open100k = await pageOpen(browser, server, 'ours', 3);
    out.push(line('waterfall page open to first frame, 100k spans', open100k, 'ms', 'plain DOM, all rows', await pageOpen(browser, server, 'baseline', 1), '<= 1000 ms'));
    progress('speedscope');
    server.pages.set('/trace.speedscope.json', toSpeedscope(t100k));
    out.push(line('waterfall page open to first frame, 100k spans', open100k, 'ms', 'speedscope 1.25, same spans', await speedscopeOpen(browser, server, 3), '<= 1000 ms'));

    const frames: Record<Kind, { scroll: number[]; zoom: number[] }> = { ours: { scroll: [], zoom: [] }, baseline: { scroll: [], zoom: [] } };
    for (const kind of ['ours', 'baseline'] as const) {
      progress(`frames ${kind}`);
      const page = await openPage(browser, server, kind);
      await stage(page, json100k);
      await postAndTime(page);
      // The baseline takes seconds per zoom frame at 100k rows; a dozen frames tell enough.
      frames[kind].scroll = await frameTimes(page, 'scroll', kind === 'ours' ? 60 : 12);
      frames[kind].zoom = await frameTimes(page, 'zoom', kind === 'ours' ? 40 : 12);
      await page.close();
    }
    out.push(line('waterfall scroll frame time median, 100k spans', median(frames.ours.scroll), 'ms', 'plain DOM, all rows', median(frames.baseline.scroll), '<= 16 ms'));
    out.push(line('waterfall zoom frame time median, 100k spans', median(frames.ours.zoom), 'ms', 'plain DOM, all rows', median(frames.baseline.zoom), '<= 16 ms'));
    out.push(line('waterfall scroll frame time p95, 100k spans', percentile(frames.ours.scroll, 0.95), 'ms', 'plain DOM, all rows', percentile(frames.baseline.scroll, 0.95), '<= 16 ms'));
    out.push(line('waterfall zoom frame time p95, 100k spans', percentile(frames.ours.zoom, 0.95), 'ms', 'plain DOM, all rows', percentile(frames.baseline.zoom, 0.95), '<= 16 ms'));

    progress('memory');
    out.push(line('waterfall renderer memory growth, 100k spans', await memoryGrowth(browser, server, 'ours', json100k), 'MiB', 'plain DOM, all rows', await memoryGrowth(browser, server, 'baseline', json100k), '<= 35 MiB'));

    // 1M spans: the plain-DOM baseline cannot render that many rows in useful time, so the
    // comparison is with our own 100k first paint (the ratio shows how it scales).
    progress('1M spans');
    const ours100k = out[1].value;
    const json1m = toTypedJson(toCompactTrace(syntheticTrace(1_000_000)).payload);
    const page = await openPage(browser, server, 'ours');
    await stage(page, json1m);
    const t1m = await postAndTime(page);
    const rows = await page.getAttribute('.rows .row', 'aria-setsize');
    await page.close();
    if (rows !== '1000000') throw new Error(`1M-span trace did not open: aria-setsize ${rows}`);
    out.push(line('waterfall 1M spans: first paint after data', t1m, 'ms', 'ours at 100k spans', ours100k, 'opens'));
  } finally {
    await browser.close();
    await server.close();
  }
  return out;
}
