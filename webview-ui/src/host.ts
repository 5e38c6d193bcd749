// The webview's only access to its host. In VS Code it wraps acquireVsCodeApi; in a plain browser
// (the Playwright tests and the benchmark) it records outgoing messages in `window.__hostOutbox`
// and keeps state in sessionStorage, so a reload behaves like VS Code restoring a hidden webview.
import type { HostMessage, WebviewMessage } from '../../src/shared/protocol';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface Host {
  post(msg: WebviewMessage): void;
  getState<T>(): T | undefined;
  setState(state: unknown): void;
  onMessage(handler: (msg: HostMessage) => void): void;
}

const STATE_KEY = 'traceInsight.waterfall.state';

function browserApi(): VsCodeApi {
  const w = window as unknown as { __hostOutbox?: unknown[] };
  w.__hostOutbox = [];
  return {
    postMessage: (msg) => { w.__hostOutbox!.push(msg); },
    getState: () => {
      try { const s = sessionStorage.getItem(STATE_KEY); return s === null ? undefined : JSON.parse(s); } catch { return undefined; }
    },
    setState: (state) => {
      try { sessionStorage.setItem(STATE_KEY, JSON.stringify(state)); } catch { /* storage full or disabled: state is a convenience */ }
    },
  };
}

/** Creates the host bridge; call once. */
export function createHost(): Host {
  const api = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : browserApi();
  return {
    post: (msg) => api.postMessage(msg),
    getState: <T>() => api.getState() as T | undefined,
    setState: (s) => api.setState(s),
    onMessage: (handler) => {
      window.addEventListener('message', (e: MessageEvent) => {
        const d = e.data as { type?: unknown } | null;
        if (d && typeof d === 'object' && typeof d.type === 'string') handler(d as HostMessage);
      });
    },
  };
}
