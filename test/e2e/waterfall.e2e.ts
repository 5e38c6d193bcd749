// The built waterfall webview (dist/webview.js) in Debian Chromium, under the panel's own HTML and
// CSP, with the test playing the extension host. Run by scripts/e2e.mjs.
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launch, openWaterfall, startServer, type Harness, type Server } from './harness';
import { lambdaColdStartTrace, makeSpan, syntheticTrace, HOSTILE, hostileTrace } from './fixtures';
import { waterfallCsp } from '../../src/core/waterfall/webviewHtml';

const COLD_START_NAMES = ['api/prod', 'Lambda', 'random-name', 'random-name', 'Initialization', 'Invocation', 'DynamoDB', 'SELECT orders', 'Overhead'];

async function rowNames(h: Harness): Promise<string[]> {
  return h.page.$$eval('.rows .row:not([hidden]) .name', (els) => els.map((e) => e.textContent ?? ''));
}

async function rowAttr(h: Harness, name: string, attr: string): Promise<string | null> {
  return h.page.$$eval('.rows .row:not([hidden])', (rows, [n, a]) => {
    const r = rows.find((x) => x.querySelector('.name')?.textContent === n);
    return r ? r.getAttribute(a) : 'NO ROW';
  }, [name, attr] as const);
}

async function selectedName(h: Harness): Promise<string | null> {
  return h.page.$eval('.tree', (t) => {
    const id = t.getAttribute('aria-activedescendant');
    return id ? document.getElementById(id)?.querySelector('.name')?.textContent ?? null : null;
  });
}

/** Bar position as fractions of its timeline: [left, width]. */
async function barFractions(h: Harness, name: string): Promise<[number, number]> {
  return h.page.$$eval('.rows .row:not([hidden])', (rows, n) => {
    const r = rows.find((x) => x.querySelector('.name')?.textContent === n)!;
    const tl = r.querySelector('.timeline')!.getBoundingClientRect();
    const b = r.querySelector('.bar')!.getBoundingClientRect();
    return [(b.left - tl.left) / tl.width, b.width / tl.width] as [number, number];
  }, name);
}

async function frame(h: Harness): Promise<void> {
  await h.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

async function clickName(h: Harness, name: string): Promise<void> {
  await h.page.locator('.rows .row:not([hidden]) .name', { hasText: name }).first().click();
}

async function toggleOf(h: Harness, name: string): Promise<void> {
  await h.page.locator('.rows .row:not([hidden])', { has: h.page.locator('.name', { hasText: name }) }).first().locator('.toggle').click();
  await frame(h);
}

describe('waterfall webview in Chromium', function () {
  this.timeout(60_000);
  let server: Server;
  let browser: Browser;
  let h: Harness;

  before(async () => { server = await startServer(); browser = await launch(); });
  after(async () => { await browser?.close(); await server?.close(); });
  beforeEach(async () => { h = await openWaterfall(browser, server.origin); });
  afterEach(async () => {
    const csp = await h.page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
    await h.page.close();
    assert.deepEqual(csp, [], 'no Content-Security-Policy violations');
    assert.deepEqual(h.consoleErrors, [], 'no console errors');
  });

  it('says ready, then renders one row per span in tree order with levels, marks and a time axis', async () => {
    assert.deepEqual((await h.outbox()).map((m) => m.type), ['ready']);
    const csp = await h.page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.getAttribute('content') ?? '');
    assert.match(csp, /^default-src 'none'; script-src 'nonce-[^']+'; style-src http:\/\/127\.0\.0\.1:\d+ 'nonce-/);
    assert.equal(csp, waterfallCsp({ cspSource: server.origin, nonce: /nonce-([^']+)/.exec(csp)![1] }));
    await h.sendTrace(lambdaColdStartTrace());
    assert.deepEqual(await rowNames(h), COLD_START_NAMES);
    // Collapse arrows are codicon glyphs, and the codicon font (font-src cspSource) actually loaded.
    assert.equal(await h.page.locator('.rows .row:not([hidden]) .toggle.codicon-chevron-down').count() > 0, true);
    assert.equal(await h.page.evaluate(async () => { await document.fonts.ready; let ok = false; document.fonts.forEach((f) => { ok ||= f.family.replace(/"/g, '') === 'codicon' && f.status === 'loaded'; }); return ok; }), true);
    assert.equal(await h.page.$eval('.rows .toggle.codicon-chevron-down', (e) => getComputedStyle(e, '::before').fontFamily), 'codicon');
    assert.deepEqual(await h.page.$$eval('[role=tree] [role=treeitem]:not([hidden])', (r) => r.map((x) => x.getAttribute('aria-level'))), ['1', '2', '3', '4', '5', '5', '6', '7', '5']);
    assert.equal(await rowAttr(h, 'api/prod', 'aria-expanded'), 'true');
    assert.equal(await rowAttr(h, 'SELECT orders', 'aria-expanded'), null);
    assert.match((await rowAttr(h, 'Initialization', 'aria-label'))!, /^Initialization, random-name, 665 ms, cold start initialization/);
    assert.match((await rowAttr(h, 'DynamoDB', 'aria-label'))!, /fault/);
    assert.match((await rowAttr(h, 'Initialization', 'class'))!, /\binit\b/);
    assert.deepEqual(await h.page.$$eval('.rows .row.bad .name', (e) => e.map((x) => x.textContent)), ['api/prod', 'random-name', 'DynamoDB']);
    const ticks = await h.page.$$eval('.header .tick', (t) => t.map((x) => x.textContent));
    assert.equal(ticks[0], '0 µs');
    assert.ok(ticks.includes('1 s'), ticks.join(','));
    const [left, width] = await barFractions(h, 'Initialization');
    assert.ok(Math.abs(left - 25 / 1450) < 0.01 && Math.abs(width - 665 / 1450) < 0.01, `${left} ${width}`);
    assert.equal(await h.page.textContent('.toolbar .info'), '9 spans');
  });

  it('replaces a large trace with a small one without leaving stale rows on screen', async () => {
    await h.sendTrace(syntheticTrace(2000));
    await h.sendTrace(lambdaColdStartTrace());
    const shown = await h.page.$$eval('.rows .row', (rows) => rows.filter((r) => r.checkVisibility()).map((r) => r.querySelector('.name')!.textContent));
    assert.deepEqual(shown, COLD_START_NAMES);
    assert.equal(await h.page.textContent('.toolbar .info'), '9 spans');
  });

  it('collapses and expands a subtree from its toggle', async () => {
    await h.sendTrace(lambdaColdStartTrace());
    await toggleOf(h, 'Invocation');
    assert.deepEqual(await rowNames(h), ['api/prod', 'Lambda', 'random-name', 'random-name', 'Initialization', 'Invocation', 'Overhead']);
    assert.equal(await rowAttr(h, 'Invocation', 'aria-expanded'), 'false');
    await toggleOf(h, 'Invocation');
    assert.deepEqual(await rowNames(h), COLD_START_NAMES);
  });

  it('keeps only a screenful of rows in the DOM for 20k spans and reaches the last one with End', async () => {
    const payload = await h.sendTrace(syntheticTrace(20_000));
    const count = await h.page.$$eval('.rows .row', (r) => r.length);
    assert.ok(count > 20 && count < 60, `rows in DOM: ${count}`);
    assert.equal(await h.page.getAttribute('.rows .row', 'aria-setsize'), '20000');
    await h.page.focus('.tree');
    await h.page.keyboard.press('End');
    await frame(h);
    assert.equal(await selectedName(h), payload.strings[payload.nameStr[payload.count - 1]]);
    assert.ok((await h.page.$$eval('.rows .row', (r) => r.length)) < 60);
  });

  it('on a short scroll keeps the elements of rows still in view and places every row at its position', async () => {
    const payload = await h.sendTrace(syntheticTrace(20_000));
    await frame(h);
    // mark each row element with the row it shows, scroll by 5 rows, and read them back in DOM order
    await h.page.$$eval('.rows .row:not([hidden])', (rows) => { for (const r of rows) (r as HTMLElement).dataset.was = r.getAttribute('aria-posinset') ?? ''; });
    await h.page.$eval('.tree', (t) => { t.scrollTop = 5 * 22; });
    await frame(h);
    const after = await h.page.$$eval('.rows .row:not([hidden])', (rows) => {
      const top = document.querySelector('.tree')!.getBoundingClientRect().top;
      return rows.map((r) => ({ pos: Number(r.getAttribute('aria-posinset')), was: (r as HTMLElement).dataset.was ?? '', y: Math.round(r.getBoundingClientRect().top - top), name: r.querySelector('.name')!.textContent }));
    });
    assert.equal(after[0].pos, 6);
    after.forEach((r, k) => {
      assert.equal(r.pos, 6 + k, 'DOM order is row order');
      assert.equal(r.y, k * 22, `row ${r.pos} sits at its place`);
      assert.equal(r.name, payload.strings[payload.nameStr[r.pos - 1]]);
    });
    // the 5 rows that entered reuse the elements that left; every other element still shows its row
    const kept = after.filter((r) => r.was === String(r.pos)).length;
    assert.ok(kept >= after.length - 6, `${kept} of ${after.length} row elements kept their row`);
  });

  it('searches names and attributes with next and previous, expanding collapsed parents', async () => {
    const count = (text: string): Promise<unknown> => h.page.waitForFunction((t) => document.querySelector('.toolbar .count')?.textContent === t, text);
    await h.sendTrace(lambdaColdStartTrace());
    await toggleOf(h, 'Invocation');
    await h.page.fill('.search', 'postgres');
    await count('1 of 1');
    assert.equal(await selectedName(h), 'SELECT orders');
    assert.ok((await rowNames(h)).includes('SELECT orders'));
    await h.page.fill('.search', 'random-name');
    await count('6 of 7'); // continues from the selection
    await h.page.click('.toolbar button[aria-label="Next match"]');
    assert.equal(await h.page.textContent('.toolbar .count'), '7 of 7');
    assert.equal(await selectedName(h), 'Overhead');
    await h.page.press('.search', 'Enter');
    assert.equal(await h.page.textContent('.toolbar .count'), '1 of 7');
    await h.page.press('.search', 'Shift+Enter');
    assert.equal(await selectedName(h), 'Overhead');
    await h.page.click('.toolbar button[aria-label="Previous match"]');
    assert.equal(await h.page.textContent('.toolbar .count'), '6 of 7');
    assert.equal(await h.page.$$eval('.rows .row.match', (r) => r.length), 7);
    await h.page.fill('.search', 'nothing like this');
    await h.page.press('.search', 'Enter');
    assert.equal(await h.page.textContent('.toolbar .count'), 'No matches');
  });

  it('filters by errors, minimum duration and service', async () => {
    await h.sendTrace(lambdaColdStartTrace());
    await h.page.check('.toolbar label:has-text("Errors only") input');
    await frame(h);
    assert.deepEqual(await rowNames(h), ['api/prod', 'Lambda', 'random-name', 'random-name', 'Invocation', 'DynamoDB']);
    assert.match((await rowAttr(h, 'Lambda', 'class'))!, /\bcontext\b/);
    await h.page.uncheck('.toolbar label:has-text("Errors only") input');
    await h.page.fill('.min-ms', '661');
    await frame(h);
    assert.deepEqual(await rowNames(h), ['api/prod', 'Lambda', 'random-name', 'random-name', 'Initialization', 'Invocation']);
    await h.page.fill('.min-ms', '');
    await h.page.selectOption('.toolbar select.service', 'api');
    await frame(h);
    assert.deepEqual(await rowNames(h), ['api/prod', 'Lambda']);
    assert.deepEqual(await h.page.$$eval('select.service option', (o) => o.map((x) => x.textContent)), ['All services', 'api', 'random-name']);
  });

  it('moves, expands and collapses with the keyboard and reveals with Enter', async () => {
    await h.sendTrace(lambdaColdStartTrace());
    await h.page.focus('.tree');
    const keys = async (...k: string[]): Promise<void> => { for (const x of k) await h.page.keyboard.press(x); await frame(h); };
    await keys('ArrowDown');
    assert.equal(await selectedName(h), 'api/prod');
    await keys('ArrowDown', 'ArrowDown', 'ArrowDown', 'ArrowRight');
    assert.equal(await selectedName(h), 'Initialization');
    await keys('ArrowDown', 'ArrowLeft');
    assert.equal(await rowAttr(h, 'Invocation', 'aria-expanded'), 'false');
    assert.ok(!(await rowNames(h)).includes('DynamoDB'));
    await keys('ArrowRight', 'ArrowRight');
    assert.equal(await selectedName(h), 'DynamoDB');
    await keys('ArrowLeft', 'ArrowLeft');
    assert.equal(await rowAttr(h, 'DynamoDB', 'aria-expanded'), 'false');
    assert.equal(await selectedName(h), 'Invocation');
    assert.equal(await rowAttr(h, 'Invocation', 'aria-selected'), 'true');
    await keys('Enter');
    const out = await h.outbox();
    assert.deepEqual(out[out.length - 1], { type: 'revealSpan', index: 5, spanId: '1000000000000006' });
  });

  it('zooms to a range dragged on the minimap, then pans by dragging its viewport box', async () => {
    await h.sendTrace(lambdaColdStartTrace());
    const mm = (await h.page.locator('.minimap').boundingBox())!;
    const y = mm.y + mm.height / 2;
    await h.page.mouse.move(mm.x + mm.width * 0.1, y);
    await h.page.mouse.down();
    await h.page.mouse.move(mm.x + mm.width * 0.3, y, { steps: 4 });
    await h.page.mouse.move(mm.x + mm.width * 0.5, y, { steps: 4 });
    await h.page.mouse.up();
    await frame(h);
    // Invocation starts at 700/1450 of the trace; in the view [0.1, 0.5] that is (0.483 - 0.1) / 0.4.
    let [left] = await barFractions(h, 'Invocation');
    assert.ok(Math.abs(left - (700 / 1450 - 0.1) / 0.4) < 0.02, `after zoom: ${left}`);
    const box = (await h.page.locator('.minimap .viewport').boundingBox())!;
    assert.ok(Math.abs(box.x - (mm.x + mm.width * 0.1)) < 3 && Math.abs(box.width - mm.width * 0.4) < 3);
    await h.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await h.page.mouse.down();
    await h.page.mouse.move(box.x + box.width / 2 + mm.width * 0.2, box.y + box.height / 2, { steps: 5 });
    await h.page.mouse.up();
    await frame(h);
    [left] = await barFractions(h, 'Invocation');
    assert.ok(Math.abs(left - (700 / 1450 - 0.3) / 0.4) < 0.02, `after pan: ${left}`);
    await h.page.click('text=Reset zoom');
    await frame(h);
    [left] = await barFractions(h, 'Invocation');
    assert.ok(Math.abs(left - 700 / 1450) < 0.01);
  });

  it('zooms to a range dragged on the time axis and to a span with the z key', async () => {
    await h.sendTrace(lambdaColdStartTrace());
    const ax = (await h.page.locator('.header .axis').boundingBox())!;
    await h.page.mouse.move(ax.x + ax.width * 0.25, ax.y + 5);
    await h.page.mouse.down();
    await h.page.mouse.move(ax.x + ax.width * 0.75, ax.y + 5, { steps: 5 });
    await h.page.mouse.up();
    await frame(h);
    const [l1] = await barFractions(h, 'Invocation');
    assert.ok(Math.abs(l1 - (700 / 1450 - 0.25) / 0.5) < 0.02, `${l1}`);
    await h.page.click('text=Reset zoom');
    await h.page.focus('.tree');
    for (const k of ['ArrowDown', 'End', 'z']) await h.page.keyboard.press(k);
    await frame(h);
    const [l2, w2] = await barFractions(h, 'Overhead');
    assert.ok(Math.abs(l2 - 0.05 / 1.1) < 0.01 && Math.abs(w2 - 1 / 1.1) < 0.01, `${l2} ${w2}`);
  });

  it('asks the host to reveal a clicked span, shows its detail and opens clicked stack frames', async () => {
    await h.sendTrace(lambdaColdStartTrace());
    await h.page.locator('.rows .row:not([hidden])').nth(3).click();
    const out = await h.outbox();
    assert.deepEqual(out.filter((m) => m.type === 'revealSpan'), [{ type: 'revealSpan', index: 3, spanId: '1000000000000004' }]);
    assert.deepEqual(out.filter((m) => m.type === 'requestDetail'), [{ type: 'requestDetail', index: 3, spanId: '1000000000000004' }]);
    assert.equal(await h.answerDetails(), 1);
    await h.page.waitForSelector('.detail .exception');
    assert.equal(await h.page.textContent('.detail .ex-title'), 'ResourceNotFoundException: Requested resource not found');
    assert.deepEqual(await h.page.$$eval('.detail button.frame', (b) => b.map((x) => x.textContent)), ['node_modules/@aws-sdk/client-dynamodb/dist/index.js:2204', 'src/handlers/createOrder.js:42']);
    assert.deepEqual(await h.page.$$eval('.detail .frame.internal', (b) => b.map((x) => x.textContent)), ['node']);
    await h.page.click('.detail button.frame >> text=src/handlers/createOrder.js:42');
    const last = (await h.outbox()).at(-1);
    assert.deepEqual(last, { type: 'openSource', path: 'src/handlers/createOrder.js', line: 42, spanId: '1000000000000004' });
    await h.send({ type: 'revealResult', spanId: '1000000000000004', ok: false, message: 'No handler found for function random-name' });
    assert.equal(await h.page.textContent('.detail .status'), 'No handler found for function random-name');
    const sections = await h.page.$$eval('.detail summary', (s) => s.map((x) => x.textContent));
    assert.deepEqual(sections, ['Span', 'Exception', 'Attributes', 'X-Ray', 'Resource', 'Ids'].filter((t) => t !== 'Attributes'));
  });

  it('highlights only the spans on the critical path', async () => {
    const spans = [
      makeSpan('c000000000000001', undefined, 'handler', 0, 100), makeSpan('c000000000000002', 'c000000000000001', 'fetch user', 0, 30),
      makeSpan('c000000000000003', 'c000000000000001', 'log (parallel, short)', 5, 20), makeSpan('c000000000000004', 'c000000000000001', 'query orders', 30, 95),
    ];
    await h.sendTrace({ traceId: spans[0].traceId, spans });
    assert.equal(await h.page.$$eval('.rows .row.critical', (r) => r.length), 0);
    await h.page.check('.toolbar label:has-text("Critical path") input');
    await frame(h);
    assert.deepEqual(await h.page.$$eval('.rows .row.critical .name', (r) => r.map((x) => x.textContent)), ['handler', 'fetch user', 'query orders']);
  });

  it('restores collapsed rows, selection and zoom after a reload (getState/setState)', async () => {
    await h.sendTrace(lambdaColdStartTrace());
    await toggleOf(h, 'Invocation');
    await clickName(h, 'Overhead');
    await h.page.focus('.tree');
    await h.page.keyboard.press('+');
    await h.page.waitForTimeout(400);
    await h.page.reload();
    await h.page.waitForFunction(() => ((window as unknown as { __hostOutbox?: { type: string }[] }).__hostOutbox ?? []).some((m) => m.type === 'ready'));
    await h.sendTrace(lambdaColdStartTrace());
    await frame(h);
    assert.deepEqual(await rowNames(h), ['api/prod', 'Lambda', 'random-name', 'random-name', 'Initialization', 'Invocation', 'Overhead']);
    assert.equal(await selectedName(h), 'Overhead');
    assert.notEqual((await h.page.$$eval('.header .tick', (t) => t.map((x) => x.textContent)))[0], '0 µs');
  });

  it('renders hostile names, attributes and stack frames as inert text without breaking the layout', async () => {
    await h.sendTrace(hostileTrace());
    assert.deepEqual(await rowNames(h), HOSTILE);
    assert.deepEqual(await h.page.$$eval('.rows .row:not([hidden]) .svc', (e) => e.map((x) => x.textContent)), HOSTILE);
    const geometry = await h.page.$$eval('.rows .row:not([hidden])', (rows) => rows.map((r) => { const b = r.getBoundingClientRect(); return [b.top, b.height]; }));
    geometry.forEach(([top, height], k) => { assert.equal(height, 22); assert.equal(top - geometry[0][0], 22 * k); });
    for (let k = 0; k < HOSTILE.length; k++) {
      await h.page.locator('.rows .row:not([hidden])').nth(k).click();
      await h.answerDetails();
      await h.page.waitForSelector('.detail .exception');
    }
    assert.equal(await h.page.textContent('.detail .ex-title'), `${HOSTILE[7]}: ${HOSTILE[7]}`);
    await h.page.click('.detail button.frame');
    assert.deepEqual((await h.outbox()).at(-1), { type: 'openSource', path: HOSTILE[7], line: 1, spanId: '2000000000000007' });
    await h.page.locator('.rows .row:not([hidden])').nth(0).click();
    await h.answerDetails();
    await h.page.waitForSelector('.detail .exception');
    await h.page.click('.detail button.frame');
    await h.page.fill('.search', '<img');
    await h.page.waitForFunction(() => document.querySelector('.toolbar .count')?.textContent === '1 of 8');
    const state = await h.page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: unknown }).__pwned,
      active: document.querySelectorAll('#app script, #app img, #app svg, #app a, #app iframe, #app object').length,
      url: location.pathname,
      rowHeight: Array.from(document.querySelectorAll<HTMLElement>('.rows .row:not([hidden])')).map((r) => r.getBoundingClientRect().height),
      textHasScript: document.querySelector('.detail')!.textContent!.includes('<script>window.__pwned=1</script>'),
    }));
    assert.deepEqual(state, { pwned: undefined, active: 0, url: '/index.html', rowHeight: Array(8).fill(22), textHasScript: true });
    assert.deepEqual(h.dialogs, []);
  });
});
