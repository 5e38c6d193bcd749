/**
 * Retries of X-Ray API calls: throttling (ThrottledException, HTTP 429), server errors (5xx) and
 * network errors are retried with exponential backoff and full jitter; everything else fails at once.
 * Sleep and randomness are injectable so tests run without waiting.
 */

export interface RetryOptions {
  /** Attempts in all, including the first (default 8). */
  maxAttempts?: number;
  /** First backoff ceiling in ms (default 200); doubles per attempt. */
  baseDelayMs?: number;
  /** Largest backoff ceiling in ms (default 20,000). */
  maxDelayMs?: number;
  /** Waits `ms`, rejecting if `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** In [0, 1); default Math.random. */
  random?: () => number;
  signal?: AbortSignal;
  /** Told before each wait: which call, attempt number (1-based) that failed, the error and the wait. */
  onRetry?: (what: string, attempt: number, error: unknown, delayMs: number) => void;
}

const THROTTLE_NAMES = new Set(['ThrottledException', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown']);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET']);

/** True for errors worth retrying: throttling, 429, 5xx, network failures. */
export function isRetryable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  if (e.name === 'AbortError') return false;
  if (e.name && THROTTLE_NAMES.has(e.name)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status === 429 || (status !== undefined && status >= 500)) return true;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  if (e.name === 'TimeoutError' || e.name === 'NetworkingError') return true;
  return e.$retryable !== undefined;
}

/** Sleeps `ms`, or rejects with an AbortError as soon as `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) { reject(abortError()); return; }
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = (): void => { clearTimeout(t); reject(abortError()); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The error thrown when a pull is cancelled. */
export function abortError(): Error {
  const e = new Error('cancelled');
  e.name = 'AbortError';
  return e;
}

/** Runs `fn` until it succeeds, fails with a non-retryable error, or attempts run out. */
export async function withRetry<T>(what: string, fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const max = opts.maxAttempts ?? 8;
  const base = opts.baseDelayMs ?? 200;
  const cap = opts.maxDelayMs ?? 20_000;
  const sleep = opts.sleep ?? abortableSleep;
  const random = opts.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    if (opts.signal?.aborted) throw abortError();
    try {
      return await fn();
    } catch (e) {
      if (opts.signal?.aborted) throw abortError();
      if (attempt >= max || !isRetryable(e)) throw e;
      const delayMs = Math.floor(random() * Math.min(cap, base * 2 ** (attempt - 1)));
      opts.onRetry?.(what, attempt, e, delayMs);
      await sleep(delayMs, opts.signal);
    }
  }
}
