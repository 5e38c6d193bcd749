// The trace waterfall webview: entry point. Builds the app, listens to the host, then says `ready`.
import { createHost } from './host';
import { Waterfall } from './app';

const host = createHost();
const root = document.getElementById('app') ?? document.body;
const app = new Waterfall(root, host);
host.onMessage((msg) => {
  try {
    app.receive(msg);
  } catch (e) {
    host.post({ type: 'error', message: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) });
  }
});
window.addEventListener('error', (e) => host.post({ type: 'error', message: String(e.message) }));
host.post({ type: 'ready' });
