/**
 * Type-checks Go files with the real Go compiler (`go build`, offline) against stub modules that have the
 * signatures of the APIs the instrument edits use: otel.Tracer, trace.Tracer.Start/Span, codes.Error,
 * otellambda.InstrumentHandler, lambda.Start and the DynamoDB client of aws-sdk-go-v2.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

// Signatures follow go.opentelemetry.io/otel v1.x, aws-lambda-go v1 and aws-sdk-go-v2.
const STUBS: Record<string, Record<string, string>> = {
  'go.opentelemetry.io/otel': {
    'otel.go': 'package otel\n\nimport "go.opentelemetry.io/otel/trace"\n\nfunc Tracer(name string, opts ...trace.TracerOption) trace.Tracer { return nil }\n',
    'codes/codes.go': 'package codes\n\ntype Code uint32\n\nconst (\n\tUnset Code = 0\n\tError Code = 1\n\tOk    Code = 2\n)\n',
    'trace/trace.go': 'package trace\n\nimport (\n\t"context"\n\n\t"go.opentelemetry.io/otel/codes"\n)\n\ntype TracerOption interface{ tracerOption() }\ntype SpanStartOption interface{ spanStartOption() }\ntype SpanEndOption interface{ spanEndOption() }\ntype EventOption interface{ eventOption() }\n\n'
      + 'type Span interface {\n\tEnd(options ...SpanEndOption)\n\tRecordError(err error, options ...EventOption)\n\tSetStatus(code codes.Code, description string)\n}\n\n'
      + 'type Tracer interface {\n\tStart(ctx context.Context, spanName string, opts ...SpanStartOption) (context.Context, Span)\n}\n',
  },
  'go.opentelemetry.io/contrib/instrumentation/github.com/aws/aws-lambda-go/otellambda': {
    'otellambda.go': 'package otellambda\n\ntype Option interface{ apply() }\n\nfunc InstrumentHandler(handlerFunc interface{}, options ...Option) interface{} { return handlerFunc }\n',
  },
  'github.com/aws/aws-lambda-go': { 'lambda/entry.go': 'package lambda\n\nfunc Start(handler interface{}) {}\n' },
  'github.com/aws/aws-sdk-go-v2/service/dynamodb': {
    'api.go': 'package dynamodb\n\nimport "context"\n\ntype Options struct{}\ntype Client struct{}\ntype PutItemInput struct{ TableName *string }\ntype PutItemOutput struct{ ConsumedCapacity interface{} }\n\n'
      + 'func (c *Client) PutItem(ctx context.Context, params *PutItemInput, optFns ...func(*Options)) (*PutItemOutput, error) { return nil, nil }\n',
  },
};

/** True when the Go toolchain runs here. */
export const hasGo = (): boolean => spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;

/** Builds each source as its own package of one module in `dir` (stubs replaced in, no network); returns the compiler's errors per source (empty when it builds). */
export function goCheck(dir: string, sources: { name: string; text: string }[]): { name: string; errors: string }[] {
  const mods = Object.keys(STUBS);
  for (const [mod, files] of Object.entries(STUBS)) {
    const at = path.join(dir, 'stubs', mod.replace(/[/.]/g, '_'));
    for (const [f, text] of Object.entries(files)) { fs.mkdirSync(path.dirname(path.join(at, f)), { recursive: true }); fs.writeFileSync(path.join(at, f), text); }
    fs.writeFileSync(path.join(at, 'go.mod'), `module ${mod}\n\ngo 1.19\n`);
  }
  fs.writeFileSync(path.join(dir, 'go.mod'), `module check\n\ngo 1.19\n\nrequire (\n${mods.map((m) => `\t${m} v0.0.0\n`).join('')})\n\n${mods.map((m) => `replace ${m} => ./stubs/${m.replace(/[/.]/g, '_')}\n`).join('')}`);
  const env = { ...process.env, GOFLAGS: '-mod=mod', GOPROXY: 'off', GOTOOLCHAIN: 'local', GOWORK: 'off', GO111MODULE: 'on' };
  return sources.map((s) => {
    fs.mkdirSync(path.join(dir, s.name), { recursive: true });
    fs.writeFileSync(path.join(dir, s.name, 'file.go'), s.text);
    const r = spawnSync('go', ['build', '-o', process.platform === 'win32' ? 'NUL' : '/dev/null', `./${s.name}`], { cwd: dir, env, encoding: 'utf8' });
    return { name: s.name, errors: r.status === 0 ? '' : r.stderr.trim() };
  });
}
