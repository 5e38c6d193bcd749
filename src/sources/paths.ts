/** Where the per-user trace store lives by default, per platform conventions. */
import os from 'node:os';
import path from 'node:path';

/**
 * The default store directory: `$XDG_DATA_HOME/trace-insight/store` (else
 * `~/.local/share/trace-insight/store`) on Linux and other Unixes, `~/Library/Application
 * Support/trace-insight/store` on macOS, `%LOCALAPPDATA%\trace-insight\store` on Windows.
 * `env`, `platform` and `home` are parameters so the rule is testable on any machine.
 */
export function defaultStoreDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string {
  if (platform === 'win32') {
    const base = env.LOCALAPPDATA || path.win32.join(home, 'AppData', 'Local');
    return path.win32.join(base, 'trace-insight', 'store');
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', 'trace-insight', 'store');
  // XDG says a relative XDG_DATA_HOME is invalid and must be ignored.
  const xdg = env.XDG_DATA_HOME && path.posix.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.posix.join(home, '.local', 'share');
  return path.posix.join(xdg, 'trace-insight', 'store');
}
