// Serves the BUILT webview (dist/webview.js, media/waterfall.css) on loopback under the same HTML
// and CSP as the VS Code panel, drives Debian's Chromium through playwright-core, and plays the
// host's side of the protocol (answers requestDetail with the real spanDetail()).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Span, Trace } from '../../src/core/model';
import type { CompactTrace, HostMessage, WebviewMessage } from '../../src/shared/protocol';
import { toCompactTrace } from '../../src/core/waterfall/compactTrace';
import { spanDetail } from '../../src/core/waterfall/spanDetail';
import { waterfallHtml } from '../../src/core/waterfall/webviewHtml';

export const ROOT = path.resolve(__dirname, '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Server {
  origin: string;
  /** Extra pages by path (e.g. the benchmark's baseline). */
  pages: Map<string, string>;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.json': 'application/json', '.map': 'application/json', '.ttf': 'font/ttf' };

/** A static server on 127.0.0.1 (ephemeral port): /index.html is the waterfall page. */
export async function startServer(): Promise<Server> {
  const pages = new Map<string, string>();
  let origin = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const p = url.pathname;
    if (p === '/' || p === '/index.html') {
      const nonce = Buffer.from(Array.from({ length: 16 }, () => Math.floor(Math.random() * 256))).toString('base64');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(waterfallHtml({ cspSource: origin, nonce, scriptUri: `${origin}/dist/webview.js`, styleUri: `${origin}/media/waterfall.css`, codiconUri: `${origin}/dist/codicons/codicon.css` }));
      return;
    }
    if (p === '/favicon.ico') { res.writeHead(204); res.end(); return; }
    if (pages.has(p)) { res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }); res.end(pages.get(p)); return; }
    const allowed = p.startsWith('/dist/') || p.startsWith('/media/') || p.startsWith('/node_modules/speedscope/');
    const file = path.join(ROOT, path.normalize(p));
    if (!allowed || !file.startsWith(ROOT) || !fs.existsSync(file) || !fs.statSync(file).isFile()) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, pages, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

/**
 * JSON text crosses the DevTools protocol far faster than Playwright's argument serialization.
 * Typed arrays travel as {__typed, b64} (base64 of their bytes) and are rebuilt in the page before
 * postMessage, so the webview receives raw-buffer columns as the extension host sends them.
 */
export function toTypedJson(msg: unknown): string {
  return JSON.stringify(msg, (_k, v: unknown) => (ArrayBuffer.isView(v) ? { __typed: v.constructor.name, b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') } : v));
}

/** The page-side inverse of toTypedJson, installed as `window.__reviveTyped` (plain JS source). */
export const REVIVE_TYPED_JS = `window.__reviveTyped = (json) => JSON.parse(json, (k, v) => {
  if (!v || typeof v !== 'object' || typeof v.__typed !== 'string' || typeof v.b64 !== 'string') return v;
  let bytes;
  if (Uint8Array.fromBase64) bytes = Uint8Array.fromBase64(v.b64);
  else { const bin = atob(v.b64); bytes = new Uint8Array(bin.length); for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i); }
  return new globalThis[v.__typed](bytes.buffer);
});`;

/** Headless Debian Chromium; throws a clear error when it is missing. */
export async function launch(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: run apt-get update && apt-get install -y chromium`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** What a test sees of a page: its security signals and the host side of the protocol. */
export interface Harness {
  page: Page;
  consoleErrors: string[];
  dialogs: string[];
  /** The trace last sent, for answering detail requests. */
  order: Span[];
  send(msg: HostMessage): Promise<void>;
  sendTrace(trace: Trace): Promise<CompactTrace>;
  /** Messages the webview posted to the host, in order. */
  outbox(): Promise<WebviewMessage[]>;
  /** Answers every requestDetail not yet answered, as the extension host would. */
  answerDetails(): Promise<number>;
}

/** Opens the waterfall page and waits for its `ready`. */
export async function openWaterfall(browser: Browser, origin: string, viewport = { width: 1200, height: 700 }): Promise<Harness> {
  const page = await browser.newPage({ viewport });
  const consoleErrors: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  await page.addInitScript(REVIVE_TYPED_JS);
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(`${origin}/index.html`);
  await page.waitForFunction(() => ((window as unknown as { __hostOutbox?: { type: string }[] }).__hostOutbox ?? []).some((m) => m.type === 'ready'));
  const h: Harness = {
    page, consoleErrors, dialogs, order: [],
    // Resolves once the page has handled the message: postMessage delivers it in a later task, and a
    // listener added after the app's runs after the app's handler.
    send: async (msg) => {
      await page.evaluate((json) => new Promise<void>((resolve) => {
        window.addEventListener('message', () => resolve(), { once: true });
        window.postMessage((window as unknown as { __reviveTyped(j: string): unknown }).__reviveTyped(json), '*');
      }), toTypedJson(msg));
    },
    sendTrace: async (trace) => {
      const { payload, order } = toCompactTrace(trace);
      h.order = order;
      await page.evaluate(() => { (window as unknown as { __hostOutbox: unknown[] }).__hostOutbox.length = 0; });
      await h.send({ type: 'trace', trace: payload });
      const label = `${String(payload.count).replace(/\B(?=(\d{3})+$)/g, ',')} spans`;
      await page.waitForFunction((l) => document.querySelector('.toolbar .info')?.textContent === l, label);
      return payload;
    },
    outbox: () => page.evaluate(() => (window as unknown as { __hostOutbox: WebviewMessage[] }).__hostOutbox.slice()),
    answerDetails: async () => {
      // Taken out of the outbox so each request is answered once, even across reloads.
      const reqs = await page.evaluate(() => {
        const box = (window as unknown as { __hostOutbox: { type: string; index: number }[] }).__hostOutbox;
        const taken = box.filter((m) => m.type === 'requestDetail');
        for (let k = box.length - 1; k >= 0; k--) if (box[k].type === 'requestDetail') box.splice(k, 1);
        return taken;
      });
      for (const r of reqs) await h.send({ type: 'spanDetail', index: r.index, detail: spanDetail(h.order[r.index]) });
      return reqs.length;
    },
  };
  return h;
}
