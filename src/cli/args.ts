/** A small argv parser: `--flag value`, `--flag=value`, boolean `--flag`, and positionals. */
export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | true>;
}

/** `booleans` lists flags that take no value (e.g. `json`, `help`, `dry-run`). */
export function parseArgs(argv: string[], booleans: readonly string[] = []): ParsedArgs {
  const out: ParsedArgs = { positionals: [], flags: {} };
  const bool = new Set(['help', 'json', ...booleans]);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') { out.positionals.push(...argv.slice(i + 1)); break; }
    if (a === '-h') { out.flags.help = true; continue; }
    if (!a.startsWith('--')) { out.positionals.push(a); continue; }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (eq >= 0) out.flags[name] = a.slice(eq + 1);
    else if (bool.has(name) || i + 1 >= argv.length || argv[i + 1].startsWith('--')) out.flags[name] = true;
    else out.flags[name] = argv[++i];
  }
  return out;
}

/** A flag's string value, or undefined; `true` (given without a value) is an error for valued flags. */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
}

/** Thrown for bad command lines: printed without a stack, exit code 2. */
export class UsageError extends Error {}
