/**
 * OpenTelemetry Collector `file` exporter output: JSON lines, one ExportTraceServiceRequest /
 * ExportMetricsServiceRequest / ExportLogsServiceRequest per line. Trace lines are decoded, metrics
 * and logs lines counted in `skipped`, and a bad line reported with its 1-based line number while
 * the other lines still import. Also reads `.jsonl` files with one OTLP/JSON document per line, and
 * a single pretty-printed OTLP/JSON document.
 */
import type { DecodeResult } from './model';
import { decodeJsonDocument, parseJson } from './otlpJson';
import { newJsonDecodeState } from './otlpJsonFields';
import { SCAN_MIN_CHARS, newOtlpJsonScanner, scanOtlpJson } from './otlpJsonScan';
import type { SpanScanner } from './otlpJsonScanSpan';

/**
 * Decodes JSON-lines text (LF or CRLF line ends, optional BOM). Never throws. Lines of at least
 * `scanMinChars` characters go through the OTLP/JSON scanner first (see `SCAN_MIN_CHARS`; 0: all
 * lines, Infinity: none); the result is the same either way.
 */
export function decodeCollectorFile(text: string, source: string, scanMinChars = SCAN_MIN_CHARS): DecodeResult {
  const st = newJsonDecodeState(source);
  let scanner: SpanScanner | undefined;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 0;
  let first = true;
  while (pos < text.length) {
    line++;
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    const lineText = text.slice(pos, nl);
    pos = nl + 1;
    if (isBlank(lineText)) continue;
    st.line = line;
    const errorsBefore = st.result.errors.length;
    if (lineText.length >= scanMinChars && scanOtlpJson(lineText, st, (scanner ??= newOtlpJsonScanner(st, text.length)))) {
      first = false;
      continue;
    }
    const doc = parseJson(lineText, st);
    if (doc === undefined && first) {
      // Perhaps one pretty-printed document rather than JSON lines.
      const whole = tryParse(text);
      if (whole !== undefined) {
        st.result.errors.length = errorsBefore;
        st.line = undefined;
        decodeJsonDocument(whole, st);
        return st.result;
      }
    }
    first = false;
    if (doc !== undefined) decodeJsonDocument(doc, st);
  }
  st.line = undefined;
  return st.result;
}

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return undefined;
  }
}
