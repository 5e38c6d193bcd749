/** Text renderings of the report document: a terminal table and GitHub markdown. */
import { formatUsd } from './cost';
import { describeViolation } from './failOn';
import type { FunctionRow } from './functionReport';
import type { ReportDocument } from './report';

/** Trace strings are data: no control characters reach a terminal or a markdown table. */
function clean(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
}

function ms(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '-';
  if (v < 10) return v.toFixed(2);
  if (v < 1000) return v.toFixed(1);
  return Math.round(v).toString();
}

function pct(f: number): string {
  return `${(f * 100).toFixed(f > 0 && f < 0.1 ? 1 : 0)}%`;
}

function usd(v: number | null): string {
  return v === null ? '-' : formatUsd(v);
}

const HEAD = ['FUNCTION', 'HANDLER', 'INVOC', 'P50 ms', 'P95 ms', 'P99 ms', 'ERR', 'COLD', 'INIT P95', '$/1M', '$/MONTH'];

function cells(r: FunctionRow): string[] {
  return [
    clean(r.name), r.handler ? `${clean(r.handler.file)}:${r.handler.line}` : '-', String(r.invocations),
    ms(r.p50Ms), ms(r.p95Ms), ms(r.p99Ms), pct(r.errorRate), pct(r.coldStartRate), ms(r.initP95Ms),
    usd(r.costPer1MUsd), usd(r.costPerMonthUsd),
  ];
}

function footnotes(doc: ReportDocument): string[] {
  const out: string[] = [];
  for (const r of doc.functions) {
    const assumed = [r.memorySource === 'assumed' ? `${r.memoryMb} MB memory assumed` : '', r.architectureSource === 'assumed' ? `${r.architecture} assumed` : ''].filter(Boolean);
    if (assumed.length) out.push(`${clean(r.name)}: ${assumed.join(', ')} (no infrastructure file or span says)`);
    if (r.percentileMethod === 'sketch') out.push(`${clean(r.name)}: percentiles from a sketch (within 1%)`);
    for (const a of r.advice) if (a.severity !== 'info' || a.kind === 'arm64-savings') out.push(`${clean(r.name)}: ${a.severity}: ${a.message}`);
  }
  return out;
}

/** A plain-text table, findings and threshold results. */
export function reportTable(doc: ReportDocument): string {
  const lines: string[] = [];
  if (doc.functions.length === 0) lines.push(`No Lambda invocations in ${doc.traces} trace${doc.traces === 1 ? '' : 's'}.`);
  else {
    const body = doc.functions.map(cells);
    const widths = HEAD.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
    const fmt = (r: string[]): string => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
    lines.push(fmt(HEAD), ...body.map(fmt));
  }
  const notes = footnotes(doc);
  if (notes.length) lines.push('', ...notes.map((n) => `* ${n}`));
  if (doc.lines && doc.lines.top.length) {
    lines.push('', `Costliest lines (${doc.lines.mapped} spans mapped, ${doc.lines.unmapped} not):`);
    for (const l of doc.lines.top.slice(0, 10)) lines.push(`  ${`${clean(l.file)}:${l.line}`.padEnd(32)} ${String(l.count).padStart(6)} span${l.count === 1 ? " " : "s"}  p50 ${ms(l.p50Ms).padStart(7)}  p95 ${ms(l.p95Ms).padStart(7)}  err ${pct(l.errorRate).padStart(4)}  ${clean(l.spanNames.join(', '))}`);
  }
  if (doc.findings.length) {
    lines.push('', `Findings (${doc.findings.length}):`);
    for (const f of doc.findings) lines.push(`  ${f.severity.padEnd(7)} ${f.kind.padEnd(17)} trace ${f.traceId}  ${clean(f.message)}`);
  }
  if (doc.failOn) {
    lines.push('', doc.failOn.violations.length ? `--fail-on: ${doc.failOn.violations.length} threshold(s) crossed:` : `--fail-on: no threshold crossed (${doc.failOn.rules.join(', ')})`);
    for (const v of doc.failOn.violations) lines.push(`  ${clean(describeViolation(v))}`);
  }
  return lines.join('\n') + '\n';
}

function mdCell(s: string): string {
  return clean(s).replace(/\|/g, '\\|');
}

/** GitHub-flavoured markdown (for a CI job summary or a PR comment). */
export function reportMarkdown(doc: ReportDocument): string {
  const lines: string[] = ['## Trace Insight report', ''];
  if (doc.functions.length === 0) lines.push(`No Lambda invocations in ${doc.traces} traces.`);
  else {
    lines.push(`| ${HEAD.map((h) => h.replace('$', '\\$')).join(' | ')} |`, `|${HEAD.map((_, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`);
    for (const r of doc.functions) lines.push(`| ${cells(r).map((c, i) => (i === 1 && c !== '-' ? `\`${mdCell(c)}\`` : mdCell(c))).join(' | ')} |`);
  }
  const notes = footnotes(doc);
  if (notes.length) lines.push('', ...notes.map((n) => `- ${mdCell(n)}`));
  if (doc.lines && doc.lines.top.length) {
    lines.push('', `### Costliest lines`, '', '| LINE | SPANS | P50 ms | P95 ms | ERR |', '| --- | ---: | ---: | ---: | ---: |');
    for (const l of doc.lines.top.slice(0, 10)) lines.push(`| \`${mdCell(`${l.file}:${l.line}`)}\` | ${l.count} | ${ms(l.p50Ms)} | ${ms(l.p95Ms)} | ${pct(l.errorRate)} |`);
  }
  if (doc.findings.length) {
    lines.push('', `### Findings (${doc.findings.length})`, '');
    for (const f of doc.findings) lines.push(`- **${f.kind}** (${f.severity}) in trace \`${f.traceId}\`: ${mdCell(f.message)}`);
  }
  if (doc.failOn) {
    lines.push('', '### Thresholds', '');
    if (!doc.failOn.violations.length) lines.push(`No threshold crossed (\`${mdCell(doc.failOn.rules.join(','))}\`).`);
    for (const v of doc.failOn.violations) lines.push(`- :x: ${mdCell(describeViolation(v))}`);
  }
  return lines.join('\n') + '\n';
}
