/**
 * The decisions behind the receiver and X-Ray commands: reading the `since` setting,
 * telling what kind of failure a pull ended with, and where watched files are. Unit-tested in plain mocha.
 */
import * as path from 'node:path';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30m`, `6h`, `2d`, `90s` (also `1.5h`) in ms; undefined for anything else or a duration of 0. */
export function parseSinceMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([smhd])$/i.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2].toLowerCase()];
  return ms > 0 && Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** What went wrong in a pull, in the terms the user acts on. */
export type XRayFailure = 'cancelled' | 'credentials' | 'rejectedCredentials' | 'region' | 'accessDenied' | 'throttled' | 'network' | 'other';

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);
const THROTTLE_NAMES = new Set(['ThrottledException', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown']);

/**
 * Classifies an error from `pullXRayTraces` (which already turns credential and region problems into
 * messages starting "No AWS credentials", "No AWS region", "AWS rejected the credentials", "Access denied").
 */
export function classifyXRayError(err: unknown): XRayFailure {
  const e = (err ?? {}) as { name?: string; code?: string; message?: string; cause?: unknown; $metadata?: { httpStatusCode?: number } };
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (e.name === 'AbortError') return 'cancelled';
  if (message.startsWith('No AWS credentials')) return 'credentials';
  if (message.startsWith('No AWS region')) return 'region';
  if (message.startsWith('AWS rejected the credentials')) return 'rejectedCredentials';
  if (message.startsWith('Access denied')) return 'accessDenied';
  if ((e.name && THROTTLE_NAMES.has(e.name)) || e.$metadata?.httpStatusCode === 429) return 'throttled';
  const code = e.code ?? (e.cause as { code?: string } | undefined)?.code;
  if ((code && NETWORK_CODES.has(code)) || e.name === 'TimeoutError' || e.name === 'NetworkingError') return 'network';
  return 'other';
}

/**
 * Absolute paths of the watched files: `~/...` under `homeDir`, relative ones from the first workspace
 * folder (or `homeDir` without one); duplicates dropped, order kept.
 */
export function resolveWatchPaths(files: readonly string[], workspaceDir: string | undefined, homeDir: string): string[] {
  const out = files.map((f) => (f === '~' || f.startsWith('~/') ? path.join(homeDir, f.slice(1)) : path.resolve(workspaceDir ?? homeDir, f)));
  return [...new Set(out)];
}
