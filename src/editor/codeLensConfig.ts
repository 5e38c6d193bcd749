/**
 * The settings of the numbers on the code (`traceInsight.codeLens.*`, `traceInsight.decorations.*`,
 * `traceInsight.functionMap`) as a typed, frozen snapshot, read in one place like config.ts does for
 * the store settings; the controllers re-read it from their `onConfigurationChanged`.
 */
import * as vscode from 'vscode';
import { CONFIG_SECTION } from './config';

/** Which lenses show on a handler, in this order. */
export type LensKind = 'latency' | 'coldStarts' | 'cost';
export const LENS_KINDS: readonly LensKind[] = ['latency', 'coldStarts', 'cost'];

export interface InsightsSettings {
  readonly codeLensEnabled: boolean;
  readonly lenses: readonly LensKind[];
  /** Lenses also on the function's declaration in SAM/CloudFormation/Serverless/CDK/Terraform files. */
  readonly onDeclarations: boolean;
  readonly decorationsEnabled: boolean;
  /** Trace function name -> declared function name (logical id, function key or resource name). */
  readonly functionMap: Readonly<Record<string, string>>;
}

/** Settings whose change matters to the insights controllers. */
export const INSIGHTS_KEYS = ['codeLens', 'decorations', 'functionMap'].map((k) => `${CONFIG_SECTION}.${k}`);

function lensKinds(v: unknown): LensKind[] {
  if (Array.isArray(v)) return LENS_KINDS.filter((k) => v.includes(k));
  // `{ "latency": true, "cost": false }` is accepted too
  if (v && typeof v === 'object') return LENS_KINDS.filter((k) => (v as Record<string, unknown>)[k] !== false);
  return [...LENS_KINDS];
}

/** Reads the current settings; malformed values fall back to the defaults. */
export function readInsightsSettings(): InsightsSettings {
  const c = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const map = c.get<unknown>('functionMap');
  const functionMap: Record<string, string> = {};
  if (map && typeof map === 'object' && !Array.isArray(map)) {
    for (const [k, v] of Object.entries(map as Record<string, unknown>)) if (typeof v === 'string' && v.trim()) functionMap[k] = v.trim();
  }
  return Object.freeze({
    codeLensEnabled: c.get<unknown>('codeLens.enabled') !== false,
    lenses: Object.freeze(lensKinds(c.get<unknown>('codeLens.show'))),
    onDeclarations: c.get<unknown>('codeLens.onDeclarations') !== false,
    decorationsEnabled: c.get<unknown>('decorations.enabled') !== false,
    functionMap: Object.freeze(functionMap),
  });
}

/** True on the initial call or when one of the insights settings changed. */
export function insightsSettingsChanged(e: vscode.ConfigurationChangeEvent | undefined): boolean {
  return e === undefined || INSIGHTS_KEYS.some((k) => e.affectsConfiguration(k));
}
