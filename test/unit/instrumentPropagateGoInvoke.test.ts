import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planPropagation, propagationSites } from '../../src/core/instrument/propagate';
import { applyEdits } from '../../src/core/instrument/text';
import { docOf, propagateAll, siteLines, sourceFiles, useParsers } from './helpers/instrumentDocs';
import { goCheck, goRun, hasGo } from './instrumentGoCheck';

const iac = path.resolve(__dirname, '../../../shared/corpus/iac');

// A struct payload that keeps `_tracing` (what an asynchronous invoker writes), the context used by the body.
const STRUCT = `package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

type Order struct {
	ID      string            \`json:"id"\`
	Tracing map[string]string \`json:"_tracing,omitempty"\`
}

func handler(ctx context.Context, order *Order) (string, error) {
	return order.ID, ctx.Err()
}

func main() {
	lambda.Start(handler)
}
`;

const STRUCT_OUT = `package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
)

type Order struct {
	ID      string            \`json:"id"\`
	Tracing map[string]string \`json:"_tracing,omitempty"\`
}

func handler(ctx context.Context, order *Order) (string, error) {
	var traceCarrier propagation.MapCarrier
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		traceCarrier = lc.ClientContext.Custom
	}
	if len(traceCarrier) == 0 && order != nil {
		traceCarrier = propagation.MapCarrier(order.Tracing)
	}
	ctx, span := otel.Tracer("recv").Start(otel.GetTextMapPropagator().Extract(ctx, traceCarrier), "handler")
	defer span.End()
	return order.ID, ctx.Err()
}

func main() {
	lambda.Start(handler)
}
`;

// A map payload and no context parameter: the handler gets one (aws-lambda-go passes it to a handler that declares it).
const MAP = `package main

import "github.com/aws/aws-lambda-go/lambda"

func handle(event map[string]interface{}) error {
	return nil
}

func main() {
	lambda.Start(handle)
}
`;

const MAP_OUT = `package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
)

func handle(ctx context.Context, event map[string]interface{}) error {
	var traceCarrier propagation.MapCarrier
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		traceCarrier = lc.ClientContext.Custom
	}
	if tracing, ok := event["_tracing"].(map[string]interface{}); ok && len(traceCarrier) == 0 {
		traceCarrier = propagation.MapCarrier{}
		for k, v := range tracing {
			if s, ok := v.(string); ok {
				traceCarrier[k] = s
			}
		}
	}
	_, span := otel.Tracer("recv").Start(otel.GetTextMapPropagator().Extract(ctx, traceCarrier), "handle")
	defer span.End()
	return nil
}

func main() {
	lambda.Start(handle)
}
`;

// A typed event without _tracing: ClientContext only (synchronous invocations); lambdacontext already imported, lc taken.
const TYPED = `package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type Request struct {
	Name string \`json:"name"\`
}

func greet(_ context.Context, req Request) (string, error) {
	lc := req.Name
	return fmt.Sprint("hello ", lc, lambdacontext.FunctionName), nil
}

func main() {
	lambda.Start(greet)
}
`;

const TYPED_OUT = `package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
)

type Request struct {
	Name string \`json:"name"\`
}

func greet(ctx context.Context, req Request) (string, error) {
	var traceCarrier propagation.MapCarrier
	if lc2, ok := lambdacontext.FromContext(ctx); ok {
		traceCarrier = lc2.ClientContext.Custom
	}
	_, span := otel.Tracer("recv").Start(otel.GetTextMapPropagator().Extract(ctx, traceCarrier), "greet")
	defer span.End()
	lc := req.Name
	return fmt.Sprint("hello ", lc, lambdacontext.FunctionName), nil
}

func main() {
	lambda.Start(greet)
}
`;

describe('instrument: a Go handler invoked by another function continues the invoker\'s trace (ClientContext custom, payload _tracing)', function () {
  this.timeout(60_000);
  let tmp: string;
  before(async () => {
    await useParsers(['go']);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-propagate-go-invoke-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('offers the lambda.Start handler quietly (an action only) and reads ClientContext.Custom, then a struct payload\'s _tracing field', () => {
    assert.deepEqual(siteLines('recv.go', STRUCT), ['extract lambda 14 quiet']);
    const doc = docOf('recv.go', STRUCT);
    const plan = planPropagation(doc, propagationSites(doc)[0]);
    assert.equal(plan.title, 'Propagate trace context: continue the invoker\'s trace (Lambda Invoke ClientContext)');
    assert.equal(applyEdits(STRUCT, plan.edits), STRUCT_OUT);
  });

  it('a map payload: _tracing read from it when ClientContext has none; a missing context parameter is added', () => {
    assert.equal(propagateAll('recv.go', MAP).text, MAP_OUT);
  });

  it('a typed event without _tracing: ClientContext only (the note says so); a blank context parameter gets a name, taken names are not reused', () => {
    const doc = docOf('recv.go', TYPED);
    const plan = planPropagation(doc, propagationSites(doc)[0]);
    assert.equal(applyEdits(TYPED, plan.edits), TYPED_OUT);
    assert.match(plan.notes[0], /payload's _tracing, which this event type does not keep/);
  });

  it('keeps CRLF line endings; applied twice changes nothing', () => {
    const crlf = STRUCT.replace(/\n/g, '\r\n');
    const once = propagateAll('recv.go', crlf).text;
    assert.equal(once, STRUCT_OUT.replace(/\n/g, '\r\n'));
    assert.deepEqual(siteLines('recv.go', once), []);
    assert.equal(propagateAll('recv.go', once).text, once);
  });

  it('not offered on handlers of events (SQS, API Gateway: events.* parameters) nor on one that already extracts', () => {
    const sqs = 'package main\n\nimport (\n\t"context"\n\n\t"github.com/aws/aws-lambda-go/events"\n\t"github.com/aws/aws-lambda-go/lambda"\n)\n\nfunc h(ctx context.Context, e events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {\n\treturn events.APIGatewayProxyResponse{}, nil\n}\n\nfunc main() {\n\tlambda.Start(h)\n}\n';
    assert.deepEqual(siteLines('api.go', sqs), []);
    const extracted = MAP_OUT.replace('func main', 'func other() {}\n\nfunc main');
    assert.deepEqual(siteLines('recv.go', extracted), []);
  });

  it('the results are gofmt-clean and build against the API signatures (go build, offline stubs)', function () {
    if (!hasGo()) this.skip();
    const outs = [STRUCT_OUT, MAP_OUT, TYPED_OUT];
    outs.forEach((o, i) => fs.writeFileSync(path.join(tmp, `fmt${i}.go`), o));
    const fmt = spawnSync('gofmt', ['-l', ...outs.map((_, i) => path.join(tmp, `fmt${i}.go`))], { encoding: 'utf8' });
    assert.equal(fmt.status, 0, fmt.stderr);
    assert.equal(fmt.stdout, '');
    assert.deepEqual(goCheck(path.join(tmp, 'build'), outs.map((text, i) => ({ name: `p${i}`, text }))).map((r) => r.errors), ['', '', '']);
  });

  it('round trip: the span continues the traceparent of a synchronous invoker (ClientContext custom) and of an asynchronous one (payload _tracing), and starts a new trace without either (go run)', function () {
    if (!hasGo()) this.skip();
    const recv = MAP_OUT.replace('func main() {', 'func start() {');
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    // As the runtime does: ClientContext decoded into the context; an async payload decoded by encoding/json.
    const run = `package main

import (
\t"context"
\t"encoding/json"
\t"fmt"

\t"github.com/aws/aws-lambda-go/lambdacontext"
\t"go.opentelemetry.io/otel"
)

func main() {
\tsync := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{ClientContext: lambdacontext.ClientContext{Custom: map[string]string{"traceparent": "${tp}"}}})
\t_ = handle(sync, map[string]interface{}{"id": 1})
\tvar payload map[string]interface{}
\t_ = json.Unmarshal([]byte(\`{"id":2,"_tracing":{"traceparent":"${tp.replace('-01', '-00')}"}}\`), &payload)
\t_ = handle(lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{}), payload)
\t_ = handle(context.Background(), map[string]interface{}{"id": 3})
\tfor _, s := range otel.Started {
\t\tfmt.Println(s)
\t}
}
`;
    const r = goRun(path.join(tmp, 'roundtrip'), { 'recv.go': recv, 'run.go': run });
    assert.equal(r.errors, '');
    assert.deepEqual(r.stdout.trim().split('\n'), [`handle parent=${tp}`, `handle parent=${tp.replace('-01', '-00')}`, 'handle parent=']);
  });

  it('every Go file of corpus/iac: each quiet site (an invoked handler) applies, parses, and is not offered again; a handler factory is not offered', () => {
    const files = sourceFiles(iac, /\.go$/);
    const applied: string[] = [];
    for (const file of files) {
      const doc = docOf(file);
      const quiet = propagationSites(doc).filter((s) => s.quiet);
      if (!quiet.length) continue;
      const out = propagateAll(file, doc.text).text;
      assert.equal(docOf(file, out).root.hasError, false, file);
      assert.deepEqual(propagationSites(docOf(file, out)), [], file);
      assert.match(out, /lambdacontext\.FromContext\(ctx\)/, file);
      applied.push(path.relative(iac, file));
    }
    assert.deepEqual(applied.sort(), ['cdk/aws-cdk-examples/go-lambda-dynamodb/lambda-handler/main.go', 'cdk/aws-sam-cli-testdata/invoke-cdk/lambda_code/go_function/main.go']);
    // lambda.Start(otellambda.InstrumentHandler(lambdaHandler(ctx), ...)): lambdaHandler makes the handler once, it is not invoked.
    assert.deepEqual(propagationSites(docOf(path.join(iac, 'terraform/opentelemetry-lambda/go/function/function.go'))), []);
  });
});
