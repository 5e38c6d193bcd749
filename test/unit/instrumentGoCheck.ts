/**
 * Type-checks Go files with the real Go compiler (`go build`, offline) against stub modules that have the
 * signatures of the APIs the instrument edits use: otel.Tracer, trace.Tracer.Start/Span, codes.Error,
 * otellambda.InstrumentHandler, lambda.Start, lambdacontext.FromContext, the DynamoDB client of aws-sdk-go-v2, and for trace propagation the
 * text map propagator, aws-lambda-go's SQS/SNS/CloudWatch events and the SQS/SNS/EventBridge/Lambda send inputs.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** An aws-sdk-go-v2 service module with one operation `op` taking `*<op>Input{fields}` and a `types` package. */
function sendStub(svc: string, op: string, fields: string, types: string): Record<string, Record<string, string>> {
  return { [`github.com/aws/aws-sdk-go-v2/service/${svc}`]: {
    'api.go': `package ${svc}\n\nimport (\n\t"context"\n\n\t"github.com/aws/aws-sdk-go-v2/service/${svc}/types"\n)\n\ntype Options struct{}\ntype Client struct{}\n`
      + `type ${op}Input struct{ ${fields} }\ntype ${op}Output struct{}\n\n// Sent is not SDK API: it records each call for the round-trip test.\nvar Sent []*${op}Input\n\n`
      + `func (c *Client) ${op}(ctx context.Context, params *${op}Input, optFns ...func(*Options)) (*${op}Output, error) {\n\tSent = append(Sent, params)\n\treturn &${op}Output{}, nil\n}\n`,
    'types/types.go': `package types\n\n${types}`,
  } };
}

// Signatures follow go.opentelemetry.io/otel v1.x, aws-lambda-go v1 and aws-sdk-go-v2.
const STUBS: Record<string, Record<string, string>> = {
  'go.opentelemetry.io/otel': {
    // Behaves enough for a round trip: the propagator carries one traceparent held in the context, and each
    // span started is listed in Started. ContextWithTraceparent and Started are not otel API (test hooks).
    'otel.go': `package otel

import (
\t"context"

\t"go.opentelemetry.io/otel/codes"
\t"go.opentelemetry.io/otel/propagation"
\t"go.opentelemetry.io/otel/trace"
)

type key struct{}

func ContextWithTraceparent(ctx context.Context, tp string) context.Context { return context.WithValue(ctx, key{}, tp) }

var Started []string

type span struct{}

func (span) End(options ...trace.SpanEndOption)                  {}
func (span) RecordError(err error, options ...trace.EventOption)       {}
func (span) SetStatus(code codes.Code, description string)             {}

type tracer struct{}

func (tracer) Start(ctx context.Context, spanName string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
\ttp, _ := ctx.Value(key{}).(string)
\tStarted = append(Started, spanName+" parent="+tp)
\treturn ctx, span{}
}

func Tracer(name string, opts ...trace.TracerOption) trace.Tracer { return tracer{} }

type w3c struct{}

func (w3c) Inject(ctx context.Context, carrier propagation.TextMapCarrier) {
\tif tp, ok := ctx.Value(key{}).(string); ok {
\t\tcarrier.Set("traceparent", tp)
\t}
}

func (w3c) Extract(ctx context.Context, carrier propagation.TextMapCarrier) context.Context {
\tif tp := carrier.Get("traceparent"); tp != "" {
\t\treturn context.WithValue(ctx, key{}, tp)
\t}
\treturn ctx
}

func (w3c) Fields() []string { return []string{"traceparent"} }

func GetTextMapPropagator() propagation.TextMapPropagator { return w3c{} }
`,
    'propagation/propagation.go': 'package propagation\n\nimport "context"\n\ntype TextMapCarrier interface {\n\tGet(key string) string\n\tSet(key string, value string)\n\tKeys() []string\n}\n\n'
      + 'type MapCarrier map[string]string\n\nfunc (c MapCarrier) Get(key string) string { return c[key] }\nfunc (c MapCarrier) Set(key, value string) { c[key] = value }\nfunc (c MapCarrier) Keys() []string { return nil }\n\n'
      + 'type TextMapPropagator interface {\n\tInject(ctx context.Context, carrier TextMapCarrier)\n\tExtract(ctx context.Context, carrier TextMapCarrier) context.Context\n\tFields() []string\n}\n',
    'codes/codes.go': 'package codes\n\ntype Code uint32\n\nconst (\n\tUnset Code = 0\n\tError Code = 1\n\tOk    Code = 2\n)\n',
    'trace/trace.go': 'package trace\n\nimport (\n\t"context"\n\n\t"go.opentelemetry.io/otel/codes"\n)\n\ntype TracerOption interface{ tracerOption() }\ntype SpanStartOption interface{ spanStartOption() }\ntype SpanEndOption interface{ spanEndOption() }\ntype EventOption interface{ eventOption() }\n\n'
      + 'type Span interface {\n\tEnd(options ...SpanEndOption)\n\tRecordError(err error, options ...EventOption)\n\tSetStatus(code codes.Code, description string)\n}\n\n'
      + 'type Tracer interface {\n\tStart(ctx context.Context, spanName string, opts ...SpanStartOption) (context.Context, Span)\n}\n',
  },
  'go.opentelemetry.io/contrib/instrumentation/github.com/aws/aws-lambda-go/otellambda': {
    'otellambda.go': 'package otellambda\n\ntype Option interface{ apply() }\n\nfunc InstrumentHandler(handlerFunc interface{}, options ...Option) interface{} { return handlerFunc }\n',
  },
  'github.com/aws/aws-lambda-go': {
    'lambda/entry.go': 'package lambda\n\nfunc Start(handler interface{}) {}\n',
    // As aws-lambda-go v1 lambdacontext: the runtime decodes the invoker's ClientContext (custom included) into the context.
    'lambdacontext/context.go': 'package lambdacontext\n\nimport "context"\n\nvar FunctionName string\n\n'
      + 'type ClientApplication struct {\n\tInstallationID string `json:"installation_id"`\n\tAppTitle       string `json:"app_title"`\n}\n\n'
      + 'type ClientContext struct {\n\tClient ClientApplication\n\tEnv    map[string]string `json:"env"`\n\tCustom map[string]string `json:"custom"`\n}\n\n'
      + 'type LambdaContext struct {\n\tAwsRequestID       string\n\tInvokedFunctionArn string\n\tClientContext      ClientContext\n}\n\n'
      + 'type key struct{}\n\nfunc NewContext(parent context.Context, lc *LambdaContext) context.Context { return context.WithValue(parent, key{}, lc) }\n\n'
      + 'func FromContext(ctx context.Context) (*LambdaContext, bool) {\n\tlc, ok := ctx.Value(key{}).(*LambdaContext)\n\treturn lc, ok\n}\n',
    'events/events.go': 'package events\n\nimport "encoding/json"\n\ntype SQSEvent struct{ Records []SQSMessage }\n'
      + 'type SQSMessage struct {\n\tMessageId         string\n\tBody              string\n\tMessageAttributes map[string]SQSMessageAttribute\n}\n'
      + 'type SQSMessageAttribute struct {\n\tStringValue *string\n\tDataType    string\n}\n'
      + 'type SNSEvent struct{ Records []SNSEventRecord }\ntype SNSEventRecord struct{ SNS SNSEntity }\n'
      + 'type SNSEntity struct {\n\tMessage           string\n\tMessageAttributes map[string]interface{}\n}\n'
      + 'type CloudWatchEvent struct {\n\tSource     string\n\tDetailType string\n\tDetail     json.RawMessage\n}\n',
  },
  'github.com/aws/aws-sdk-go-v2': { 'aws/aws.go': 'package aws\n\nfunc String(v string) *string { return &v }\n' },
  ...sendStub('sqs', 'SendMessage', 'QueueUrl, MessageBody *string; MessageAttributes map[string]types.MessageAttributeValue', 'type MessageAttributeValue struct{ DataType, StringValue *string }\n'),
  ...sendStub('sns', 'Publish', 'TopicArn, Message *string; MessageAttributes map[string]types.MessageAttributeValue', 'type MessageAttributeValue struct{ DataType, StringValue *string }\n'),
  ...sendStub('eventbridge', 'PutEvents', 'Entries []types.PutEventsRequestEntry', 'type PutEventsRequestEntry struct{ Source, DetailType, Detail, EventBusName *string }\n'),
  ...sendStub('lambda', 'Invoke', 'FunctionName, ClientContext *string; Payload []byte; InvocationType types.InvocationType',
    'type InvocationType string\n\nconst (\n\tInvocationTypeEvent           InvocationType = "Event"\n\tInvocationTypeRequestResponse InvocationType = "RequestResponse"\n)\n'),
  'github.com/aws/aws-sdk-go-v2/service/dynamodb': {
    'api.go': 'package dynamodb\n\nimport "context"\n\ntype Options struct{}\ntype Client struct{}\ntype PutItemInput struct{ TableName *string }\ntype PutItemOutput struct{ ConsumedCapacity interface{} }\n\n'
      + 'func (c *Client) PutItem(ctx context.Context, params *PutItemInput, optFns ...func(*Options)) (*PutItemOutput, error) { return nil, nil }\n',
  },
};

/** True when the Go toolchain runs here. */
export const hasGo = (): boolean => spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;

/** Builds each source as its own package of one module in `dir` (stubs replaced in, no network); returns the compiler's errors per source (empty when it builds). */
export function goCheck(dir: string, sources: { name: string; text: string }[]): { name: string; errors: string }[] {
  writeModule(dir);
  return sources.map((s) => {
    fs.mkdirSync(path.join(dir, s.name), { recursive: true });
    fs.writeFileSync(path.join(dir, s.name, 'file.go'), s.text);
    const r = spawnSync('go', ['build', '-o', process.platform === 'win32' ? 'NUL' : '/dev/null', `./${s.name}`], { cwd: dir, env: GO_ENV, encoding: 'utf8' });
    return { name: s.name, errors: r.status === 0 ? '' : r.stderr.trim() };
  });
}

/** Runs the files of one `package main` (`go run`, offline, against the stubs); its standard output, or the compiler's errors. */
export function goRun(dir: string, files: Record<string, string>): { stdout: string; errors: string } {
  writeModule(dir);
  fs.mkdirSync(path.join(dir, 'run'), { recursive: true });
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, 'run', f), text);
  const r = spawnSync('go', ['run', './run'], { cwd: dir, env: GO_ENV, encoding: 'utf8' });
  return { stdout: r.stdout, errors: r.status === 0 ? '' : r.stderr.trim() };
}

const GO_ENV = { ...process.env, GOFLAGS: '-mod=mod', GOPROXY: 'off', GOTOOLCHAIN: 'local', GOWORK: 'off', GO111MODULE: 'on' };

function writeModule(dir: string): void {
  const mods = Object.keys(STUBS);
  for (const [mod, files] of Object.entries(STUBS)) {
    const at = path.join(dir, 'stubs', mod.replace(/[/.]/g, '_'));
    for (const [f, text] of Object.entries(files)) { fs.mkdirSync(path.dirname(path.join(at, f)), { recursive: true }); fs.writeFileSync(path.join(at, f), text); }
    fs.writeFileSync(path.join(at, 'go.mod'), `module ${mod}\n\ngo 1.19\n`);
  }
  fs.writeFileSync(path.join(dir, 'go.mod'), `module check\n\ngo 1.19\n\nrequire (\n${mods.map((m) => `\t${m} v0.0.0\n`).join('')})\n\n${mods.map((m) => `replace ${m} => ./stubs/${m.replace(/[/.]/g, '_')}\n`).join('')}`);
}
