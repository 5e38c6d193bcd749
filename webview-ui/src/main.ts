// The trace waterfall webview: entry point.
export {};
