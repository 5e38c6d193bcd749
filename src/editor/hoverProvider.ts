/**
 * Hovers on handlers (and their declarations) and on decorated lines: the percentile table, cold vs
 * warm, the cost with its formulas, findings (N+1, broken propagation), advice, and links to open
 * the slowest trace, the latest error, and the trace in the X-Ray console. Every string that comes
 * from a trace is escaped: it is data, never markdown.
 */
import * as vscode from 'vscode';
import { w3cToXrayTraceId } from '../core/ids';
import type { HandlerInsight, LineInsight, SplitStats } from '../sources/insights/insightsModel';
import { formatMs, formatRate } from '../sources/insights/insightsFormat';
import { formatUsd } from '../core/analysis/cost';
import type { InsightsHost } from './codeLensInsights';
import { GET_TRACES_COMMAND } from './codeLensProvider';
import { SHOW_FUNCTION_TRACES_COMMAND } from './functionTracesPick';
import { OPEN_TRACE_COMMAND } from './traceCommands';

/** Escapes text for markdown (tables included). */
export function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

const commandLink = (label: string, command: string, args: unknown[]): string =>
  `[${md(label)}](command:${command}?${encodeURIComponent(JSON.stringify(args))})`;

/** The X-Ray console page of a trace, or undefined without a region. */
export function xrayConsoleUrl(region: string | null | undefined, traceId: string): string | undefined {
  const id = w3cToXrayTraceId(traceId);
  if (!region || !id || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) return undefined;
  return `https://${region}.console.aws.amazon.com/xray/home?region=${region}#/traces/${id}`;
}

function row(label: string, s: { p50Ms: number | null; p95Ms: number | null; p99Ms: number | null }, extra: string[] = []): string {
  return `| ${label} | ${formatMs(s.p50Ms)} | ${formatMs(s.p95Ms)} | ${formatMs(s.p99Ms)} | ${extra.join(' | ')} |`;
}

/** The hover markdown of a handler. */
export function handlerHoverMarkdown(h: HandlerInsight): string {
  const out: string[] = [];
  const names = h.traceNames.length ? ` · ${h.traceNames.map(md).join(', ')}` : '';
  out.push(`**$(pulse) ${md(h.fn.name)}**${names}`);
  const r = h.row;
  if (!r) {
    out.push('', vscode.l10n.t('No traces of this function yet.'), '', commandLink(vscode.l10n.t('Get traces…'), GET_TRACES_COMMAND, [h.fn.name]));
    return out.join('\n');
  }
  out.push('', `| | p50 | p95 | p99 | ${vscode.l10n.t('max')} | ${vscode.l10n.t('invocations')} |`, '|---|--:|--:|--:|--:|--:|');
  out.push(row(vscode.l10n.t('all'), r, [formatMs(r.maxMs), String(r.invocations)]));
  const side = (label: string, s: SplitStats | undefined) => { if (s && s.count > 0) out.push(row(label, s, ['', String(s.count)])); };
  side(vscode.l10n.t('warm'), h.warm);
  side(vscode.l10n.t('cold'), h.cold);
  const cold = [`${formatRate(r.coldStartRate)} ${vscode.l10n.t('cold')}`];
  if (r.initP95Ms !== null) cold.push(`INIT p50 ${formatMs(r.initP50Ms)} · p95 ${formatMs(r.initP95Ms)}`);
  out.push('', `$(snowflake) ${cold.join(' · ')} · ${formatRate(r.errorRate)} ${vscode.l10n.t('errors')} (${r.errors})${r.timeoutSec !== null ? ` · ${vscode.l10n.t('timeout')} ${r.timeoutSec} s` : ''} · ${r.memoryMb} MB ${r.architecture}`);
  out.push('', `**$(credit-card) ${formatUsd(r.costPer1MUsd)} ${vscode.l10n.t('per 1M')}${r.costPerMonthUsd !== null ? ` · ${formatUsd(r.costPerMonthUsd)}/${vscode.l10n.t('month')}` : ''}**`);
  out.push(`- ${md(r.costFormulas.perInvocation)}`);
  if (r.costFormulas.perMonth) out.push(`- ${md(r.costFormulas.perMonth)}`);
  if (r.costFormulas.xrayRecordedPerMonth) out.push(`- X-Ray: ${md(r.costFormulas.xrayRecordedPerMonth)}`);
  if (h.findings.length) {
    out.push('', `**${vscode.l10n.t('Findings')}**`);
    for (const f of h.findings) {
      out.push(`- ${f.severity === 'warning' ? '$(warning)' : '$(info)'} ${md(f.kind)} (${f.traces === 1 ? vscode.l10n.t('1 trace') : vscode.l10n.t('{0} traces', f.traces)}): ${md(f.message)} ${commandLink(vscode.l10n.t('open'), OPEN_TRACE_COMMAND, [f.exampleTraceId])}`);
    }
  }
  const advice = r.advice.filter((a) => a.severity !== 'info' || a.kind === 'arm64-savings' || a.kind === 'memory-oversized');
  if (advice.length) {
    out.push('', `**${vscode.l10n.t('Advice')}**`);
    for (const a of advice) out.push(`- ${a.severity === 'info' ? '$(lightbulb)' : '$(warning)'} ${md(a.message)} (${md(a.formula)})`);
  }
  const links: string[] = [];
  if (h.slowestTraceId) links.push(commandLink(vscode.l10n.t('Open slowest trace'), OPEN_TRACE_COMMAND, [h.slowestTraceId]));
  if (h.latestErrorTraceId) links.push(commandLink(vscode.l10n.t('Open latest error'), OPEN_TRACE_COMMAND, [h.latestErrorTraceId]));
  links.push(commandLink(vscode.l10n.t('All traces'), SHOW_FUNCTION_TRACES_COMMAND, [h.traceNames[0]]));
  const url = h.slowestTraceId ? xrayConsoleUrl(r.region, h.slowestTraceId) : undefined;
  if (url) links.push(`[${vscode.l10n.t('Open in X-Ray console')}](${url})`);
  out.push('', links.join(' · '));
  return out.join('\n');
}

/** The hover markdown of a decorated line. */
export function lineHoverMarkdown(l: LineInsight, region: string | null | undefined): string {
  const out = [`**${l.spanNames.map(md).join(', ')}** · ${md(`${l.file}:${l.line}`)}`, '',
    '| | p50 | p95 | max | calls | errors |', '|---|--:|--:|--:|--:|--:|',
    `| ${vscode.l10n.t('this line')} | ${formatMs(l.p50Ms)} | ${formatMs(l.p95Ms)} | ${formatMs(l.maxMs)} | ${l.count} | ${formatRate(l.errors / l.count)} |`];
  if (l.slowestTraceId) {
    const links = [commandLink(vscode.l10n.t('Open slowest trace'), OPEN_TRACE_COMMAND, [l.slowestTraceId])];
    const url = xrayConsoleUrl(region, l.slowestTraceId);
    if (url) links.push(`[${vscode.l10n.t('Open in X-Ray console')}](${url})`);
    out.push('', links.join(' · '));
  }
  return out.join('\n');
}

export class InsightsHoverProvider implements vscode.HoverProvider {
  constructor(private readonly host: InsightsHost) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const file = this.host.forDocument(document.uri);
    if (!file) return undefined;
    const line = position.line + 1;
    const parts: string[] = [];
    for (const a of file.handlers) if (a.line === line) parts.push(handlerHoverMarkdown(a.insight));
    const region = file.handlers.find((a) => a.insight.row?.region)?.insight.row?.region;
    for (const l of file.lines) if (l.line === line) parts.push(lineHoverMarkdown(l, region));
    if (!parts.length) return undefined;
    const m = new vscode.MarkdownString(parts.join('\n\n---\n\n'), true);
    m.isTrusted = { enabledCommands: [OPEN_TRACE_COMMAND, SHOW_FUNCTION_TRACES_COMMAND, GET_TRACES_COMMAND] };
    return new vscode.Hover(m, document.lineAt(position.line).range);
  }
}
