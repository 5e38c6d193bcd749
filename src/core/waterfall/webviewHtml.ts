/**
 * The waterfall page, shared by the VS Code panel and the browser tests so both run under the same
 * Content-Security-Policy: nothing loads except the nonce'd script and styles from `cspSource`.
 */

export interface WaterfallHtmlOptions {
  /** `webview.cspSource` (or the test server's origin). */
  cspSource: string;
  /** Random per page load, base64/hex, at least 128 bits. */
  nonce: string;
  /** URL of dist/webview.js. */
  scriptUri: string;
  /** URL of media/waterfall.css. */
  styleUri: string;
  /** URL of dist/codicons/codicon.css (it loads codicon.ttf beside it). */
  codiconUri: string;
}

/** The Content-Security-Policy of the page. */
export function waterfallCsp(o: Pick<WaterfallHtmlOptions, 'cspSource' | 'nonce'>): string {
  return `default-src 'none'; script-src 'nonce-${o.nonce}'; style-src ${o.cspSource} 'nonce-${o.nonce}'; img-src ${o.cspSource}; font-src ${o.cspSource}`;
}

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** The HTML document; the app builds its DOM itself inside `#app`. */
export function waterfallHtml(o: WaterfallHtmlOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(waterfallCsp(o))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(o.codiconUri)}" nonce="${attr(o.nonce)}">
<link rel="stylesheet" href="${attr(o.styleUri)}" nonce="${attr(o.nonce)}">
<title>Trace</title>
</head>
<body>
<div id="app" class="waterfall"></div>
<script nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}"></script>
</body>
</html>
`;
}
