// The plain-DOM baseline of bench/waterfall.bench.ts, as page script source: every span becomes a
// row of divs (label, timeline, bar, duration) appended at once, and ctrl+wheel zoom rewrites every
// bar, which is how DOM waterfalls without virtualization behave. It reads the same `trace` message.
export const BASELINE_STYLE = `.r{display:flex;height:22px;line-height:22px;white-space:nowrap;overflow:hidden}
.l{width:38%;flex:none;overflow:hidden;text-overflow:ellipsis}.t{position:relative;flex:1;margin-right:10px}
.b{position:absolute;top:5px;height:12px;background:#3794ff;min-width:1px}.e .b{background:#f14c4c}.d{position:absolute;font-size:11px;color:#888}`;

export const BASELINE_JS = `(() => {
  const app = document.getElementById('app');
  let trace = null, view = [0, 1], bars = [], pending = 0;
  const fmt = (us) => us < 1000 ? Math.round(us) + ' µs' : us < 1e6 ? +(us / 1000).toPrecision(3) + ' ms' : +(us / 1e6).toPrecision(3) + ' s';
  function place() {
    const t = trace, w = (view[1] - view[0]) * t.durationUs, s0 = view[0] * t.durationUs;
    for (let i = 0; i < t.count; i++) {
      const a = (t.startUs[i] - s0) / w, b = (t.startUs[i] + t.durUs[i] - s0) / w;
      bars[i].style.left = Math.max(0, Math.min(1, a)) * 100 + '%';
      bars[i].style.width = (Math.max(0, Math.min(1, b)) - Math.max(0, Math.min(1, a))) * 100 + '%';
    }
  }
  window.addEventListener('message', (e) => {
    const m = e.data;
    if (!m || m.type !== 'trace') return;
    performance.mark('waterfall:data');
    trace = m.trace;
    const t = trace, frag = document.createDocumentFragment();
    bars = new Array(t.count);
    for (let i = 0; i < t.count; i++) {
      const r = document.createElement('div');
      r.className = (t.flags[i] & 3) ? 'r e' : 'r';
      const l = document.createElement('div');
      l.className = 'l';
      l.style.paddingLeft = Math.min(t.depth[i], 40) * 12 + 'px';
      l.textContent = t.strings[t.serviceStr[i]] + ' ' + t.strings[t.nameStr[i]];
      const tl = document.createElement('div');
      tl.className = 't';
      const b = document.createElement('div');
      b.className = 'b';
      const d = document.createElement('span');
      d.className = 'd';
      d.textContent = fmt(t.durUs[i]);
      tl.append(b, d);
      r.append(l, tl);
      frag.appendChild(r);
      bars[i] = b;
    }
    place();
    app.replaceChildren(frag);
    requestAnimationFrame(() => { const ch = new MessageChannel(); ch.port1.onmessage = () => performance.mark('waterfall:painted'); ch.port2.postMessage(0); });
  });
  app.addEventListener('wheel', (e) => {
    if (!trace || !e.ctrlKey) return;
    e.preventDefault();
    const w = view[1] - view[0], at = view[0] + w * 0.7, nw = Math.min(1, Math.max(1e-6, w * Math.pow(1.0015, e.deltaY)));
    const s = Math.max(0, Math.min(1 - nw, at - nw * 0.7));
    view = [s, s + nw];
    if (!pending) pending = requestAnimationFrame(() => { pending = 0; place(); });
  }, { passive: false });
  if (window.__postTrace) window.__postTrace();
})();`;
