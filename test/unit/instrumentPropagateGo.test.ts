import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planPropagation, propagationSites } from '../../src/core/instrument/propagate';
import { applyEdits } from '../../src/core/instrument/text';
import { InstrumentError } from '../../src/core/instrument/types';
import { docOf, propagateAll, siteLines, sourceFiles, useParsers } from './helpers/instrumentDocs';
import { goCheck, goRun, hasGo } from './instrumentGoCheck';

const iac = path.resolve(__dirname, '../../../shared/corpus/iac');

const SENDER = `package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

var (
	queue        *sqs.Client
	bus          *eventbridge.Client
	lambdaClient *lambda.Client
)

func handler(ctx context.Context, order map[string]interface{}) error {
	body, _ := json.Marshal(order)
	if _, err := queue.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:    aws.String("https://sqs/q"),
		MessageBody: aws.String(string(body)),
	}); err != nil {
		return err
	}
	detail := map[string]interface{}{"order": order["id"]}
	detailJSON, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	_, err = bus.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{Source: aws.String("orders"), Detail: aws.String(string(detailJSON))}}})
	if err != nil {
		return err
	}
	_, err = bus.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{Source: aws.String("orders"), Detail: aws.String(\`{"kind":"raw"}\`)}}})
	if err != nil {
		return err
	}
	_, err = lambdaClient.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("next"), Payload: body})
	if err != nil {
		return err
	}
	_, err = lambdaClient.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("audit"), InvocationType: lambdatypes.InvocationTypeEvent, Payload: body})
	return err
}

func main() {}
`;

const SENDER_OUT = `package main

import (
	"context"
	"encoding/base64"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
)

var (
	queue        *sqs.Client
	bus          *eventbridge.Client
	lambdaClient *lambda.Client
)

func handler(ctx context.Context, order map[string]interface{}) error {
	body, _ := json.Marshal(order)
	traceCarrier := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(ctx, traceCarrier)
	traceAttributes := map[string]sqstypes.MessageAttributeValue{}
	for k, v := range traceCarrier {
		traceAttributes[k] = sqstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	if _, err := queue.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:          aws.String("https://sqs/q"),
		MessageBody:       aws.String(string(body)),
		MessageAttributes: traceAttributes,
	}); err != nil {
		return err
	}
	detail := map[string]interface{}{"order": order["id"]}
	traceCarrier2 := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(ctx, traceCarrier2)
	detail["_tracing"] = traceCarrier2
	detailJSON, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	_, err = bus.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{Source: aws.String("orders"), Detail: aws.String(string(detailJSON))}}})
	if err != nil {
		return err
	}
	traceCarrier3 := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(ctx, traceCarrier3)
	traceDetail := \`{"kind":"raw"}\`
	var traceFields map[string]interface{}
	if json.Unmarshal([]byte(traceDetail), &traceFields) == nil && traceFields != nil {
		traceFields["_tracing"] = traceCarrier3
		if b, err := json.Marshal(traceFields); err == nil {
			traceDetail = string(b)
		}
	}
	_, err = bus.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{Source: aws.String("orders"), Detail: aws.String(traceDetail)}}})
	if err != nil {
		return err
	}
	traceCarrier4 := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(ctx, traceCarrier4)
	traceClientContext, _ := json.Marshal(map[string]interface{}{"custom": traceCarrier4})
	_, err = lambdaClient.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("next"), Payload: body, ClientContext: aws.String(base64.StdEncoding.EncodeToString(traceClientContext))})
	if err != nil {
		return err
	}
	traceCarrier5 := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(ctx, traceCarrier5)
	tracePayload := body
	var traceFields2 map[string]interface{}
	if json.Unmarshal(tracePayload, &traceFields2) == nil && traceFields2 != nil {
		traceFields2["_tracing"] = traceCarrier5
		if b, err := json.Marshal(traceFields2); err == nil {
			tracePayload = b
		}
	}
	_, err = lambdaClient.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("audit"), InvocationType: lambdatypes.InvocationTypeEvent, Payload: tracePayload})
	return err
}

func main() {}
`;

const RECEIVER = `package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func onQueue(ctx context.Context, event events.SQSEvent) error {
	for _, record := range event.Records {
		if record.Body == "" {
			continue
		}
		fmt.Println(record.Body)
	}
	return nil
}

func onTopic(event events.SNSEvent) {
	for _, r := range event.Records {
		msg := \`multi
line\`
		fmt.Println(r.SNS.Message, msg)
	}
}

func onEvent(ctx context.Context, event events.CloudWatchEvent) error {
	fmt.Println(event.DetailType)
	return nil
}

func main() {
	lambda.Start(onQueue)
}
`;

const RECEIVER_OUT = `package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
)

func onQueue(ctx context.Context, event events.SQSEvent) error {
	for _, record := range event.Records {
		func() {
			traceCarrier := propagation.MapCarrier{}
			for k, v := range record.MessageAttributes {
				if v.StringValue != nil {
					traceCarrier[k] = *v.StringValue
				}
			}
			_, span := otel.Tracer("recv").Start(otel.GetTextMapPropagator().Extract(ctx, traceCarrier), "process sqs record")
			defer span.End()
			if record.Body == "" {
				return
			}
			fmt.Println(record.Body)
		}()
	}
	return nil
}

func onTopic(event events.SNSEvent) {
	for _, r := range event.Records {
		func() {
			traceCarrier := propagation.MapCarrier{}
			for k, v := range r.SNS.MessageAttributes {
				if a, ok := v.(map[string]interface{}); ok {
					if s, ok := a["Value"].(string); ok {
						traceCarrier[k] = s
					}
				}
			}
			_, span := otel.Tracer("recv").Start(otel.GetTextMapPropagator().Extract(context.Background(), traceCarrier), "process sns record")
			defer span.End()
			msg := \`multi
line\`
			fmt.Println(r.SNS.Message, msg)
		}()
	}
}

func onEvent(ctx context.Context, event events.CloudWatchEvent) error {
	var traceDetail struct {
		Tracing propagation.MapCarrier \`json:"_tracing"\`
	}
	_ = json.Unmarshal(event.Detail, &traceDetail)
	ctx, span := otel.Tracer("recv").Start(otel.GetTextMapPropagator().Extract(ctx, traceDetail.Tracing), "process eventbridge event")
	defer span.End()
	fmt.Println(event.DetailType)
	return nil
}

func main() {
	lambda.Start(onQueue)
}
`;

const NAMED_INPUT = `package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

func notify(ctx context.Context, client *sns.Client, msg string) error {
	input := &sns.PublishInput{
		TopicArn: aws.String("arn:aws:sns:us-east-1:123456789012:orders"),
		Message:  aws.String(msg),
	}
	_, err := client.Publish(ctx, input)
	return err
}

func main() {}
`;

const NAMED_INPUT_OUT = `package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
)

func notify(ctx context.Context, client *sns.Client, msg string) error {
	traceCarrier := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(ctx, traceCarrier)
	traceAttributes := map[string]types.MessageAttributeValue{}
	for k, v := range traceCarrier {
		traceAttributes[k] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	input := &sns.PublishInput{
		TopicArn:          aws.String("arn:aws:sns:us-east-1:123456789012:orders"),
		Message:           aws.String(msg),
		MessageAttributes: traceAttributes,
	}
	_, err := client.Publish(ctx, input)
	return err
}

func main() {}
`;

describe('instrument: Go trace context through SQS, SNS, EventBridge and Lambda Invoke', function () {
  this.timeout(60_000);
  let tmp: string;
  before(async () => {
    await useParsers(['go']);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ti-propagate-go-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('injects into SQS message attributes, the EventBridge detail (the map before it is marshalled, or the JSON string), ClientContext, and the payload of an asynchronous Invoke', () => {
    assert.deepEqual(siteLines('send.go', SENDER), ['inject sqs 23', 'inject eventbridge 34', 'inject eventbridge 38', 'inject lambda 42', 'inject lambda 46']);
    const { text, titles } = propagateAll('send.go', SENDER);
    assert.deepEqual(titles, ['Propagate trace context to SQS', 'Propagate trace context to EventBridge', 'Propagate trace context to EventBridge', 'Propagate trace context to Lambda Invoke', 'Propagate trace context to Lambda Invoke']);
    assert.equal(text, SENDER_OUT);
    assert.deepEqual(siteLines('send.go', text), []);
    const doc = docOf('send.go', SENDER);
    assert.match(planPropagation(doc, propagationSites(doc)[4]).notes[0], /payload \(_tracing\): Lambda passes ClientContext to synchronous invocations only/);
  });

  it('continues the sender\'s trace per SQS/SNS record (in a closure, continue becomes return) and in an EventBridge handler', () => {
    assert.deepEqual(siteLines('recv.go', RECEIVER), ['extract sqs 12', 'extract sns 22', 'extract eventbridge 29']);
    const { text, titles } = propagateAll('recv.go', RECEIVER);
    assert.deepEqual(titles, ['Propagate trace context: continue the sender\'s trace for each SQS record', 'Propagate trace context: continue the sender\'s trace for each SNS record',
      'Propagate trace context: continue the sender\'s trace from the event detail (_tracing)']);
    assert.equal(text, RECEIVER_OUT);
    assert.deepEqual(siteLines('recv.go', text), []);
  });

  it('an input built before the send: the carrier comes before it and the field joins its aligned keys (gofmt)', () => {
    assert.deepEqual(siteLines('notify.go', NAMED_INPUT), ['inject sns 15']);
    assert.equal(propagateAll('notify.go', NAMED_INPUT).text, NAMED_INPUT_OUT);
  });

  it('keeps CRLF line endings', () => {
    const crlf = (s: string) => s.replace(/\n/g, '\r\n');
    assert.equal(propagateAll('send.go', crlf(SENDER)).text, crlf(SENDER_OUT));
    assert.equal(propagateAll('recv.go', crlf(RECEIVER)).text, crlf(RECEIVER_OUT));
  });

  it('a single import becomes a block (standard library, then modules); a name taken by another package gets an alias', () => {
    const text = 'package main\n\nimport "github.com/aws/aws-sdk-go-v2/service/sqs"\n\nfunc send(ctx context.Context, c *sqs.Client, types int) {\n\tc.SendMessage(ctx, &sqs.SendMessageInput{})\n}\n';
    assert.equal(propagateAll('s.go', text).text, `package main

import (
\t"github.com/aws/aws-sdk-go-v2/aws"
\t"github.com/aws/aws-sdk-go-v2/service/sqs"
\tsqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
\t"go.opentelemetry.io/otel"
\t"go.opentelemetry.io/otel/propagation"
)

func send(ctx context.Context, c *sqs.Client, types int) {
\ttraceCarrier := propagation.MapCarrier{}
\totel.GetTextMapPropagator().Inject(ctx, traceCarrier)
\ttraceAttributes := map[string]sqstypes.MessageAttributeValue{}
\tfor k, v := range traceCarrier {
\t\ttraceAttributes[k] = sqstypes.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
\t}
\tc.SendMessage(ctx, &sqs.SendMessageInput{MessageAttributes: traceAttributes})
}
`);
  });

  it('refuses, with the reason, a send whose MessageAttributes are already set and a record loop that breaks out', () => {
    const set = 'package main\n\nfunc f(ctx context.Context) {\n\tc.SendMessage(ctx, &sqs.SendMessageInput{MessageAttributes: attrs})\n}\n';
    const doc = docOf('a.go', set);
    assert.throws(() => planPropagation(doc, propagationSites(doc)[0]), (e: unknown) => e instanceof InstrumentError && /MessageAttributes is already set here/.test(e.message));
    const brk = 'package main\n\nfunc f(ctx context.Context, e events.SQSEvent) {\n\tfor _, r := range e.Records {\n\t\tif r.Body == "" {\n\t\t\tbreak\n\t\t}\n\t}\n}\n';
    const d2 = docOf('b.go', brk);
    assert.throws(() => planPropagation(d2, propagationSites(d2)[0]), (e: unknown) => e instanceof InstrumentError && /the loop body has break \(line 6\)/.test(e.message));
  });

  it('the results are gofmt-clean and build against the API signatures (go build, offline stubs)', function () {
    if (!hasGo()) this.skip();
    const outs = [propagateAll('send.go', SENDER).text, propagateAll('recv.go', RECEIVER).text, propagateAll('notify.go', NAMED_INPUT).text];
    outs.forEach((o, i) => fs.writeFileSync(path.join(tmp, `fmt${i}.go`), o));
    const fmt = spawnSync('gofmt', ['-l', ...outs.map((_, i) => path.join(tmp, `fmt${i}.go`))], { encoding: 'utf8' });
    assert.equal(fmt.status, 0, fmt.stderr);
    assert.equal(fmt.stdout, '');
    assert.deepEqual(goCheck(path.join(tmp, 'build'), outs.map((text, i) => ({ name: `p${i}`, text }))).map((r) => r.errors), ['', '', '']);
  });

  it('round trip: what the Go senders put on the wire is what the Go receivers extract (go run; SQS, SNS and EventBridge delivery simulated, JSON by encoding/json)', function () {
    if (!hasGo()) this.skip();
    const send = propagateAll('send.go', SENDER).text.replace('\nfunc main() {}\n', '\n');
    const recv = propagateAll('recv.go', RECEIVER).text.replace('func main() {', 'func start() {');
    // The stub propagator carries one traceparent in the context; SQS, SNS and EventBridge deliver what was sent the way Lambda's events shape it.
    const run = `package main

import (
\t"context"
\t"encoding/base64"
\t"encoding/json"
\t"fmt"

\t"github.com/aws/aws-lambda-go/events"
\t"github.com/aws/aws-sdk-go-v2/service/eventbridge"
\t"github.com/aws/aws-sdk-go-v2/service/lambda"
\t"github.com/aws/aws-sdk-go-v2/service/sqs"
\t"go.opentelemetry.io/otel"
)

func main() {
\tctx := otel.ContextWithTraceparent(context.Background(), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
\tif err := handler(ctx, map[string]interface{}{"id": 7}); err != nil {
\t\tpanic(err)
\t}
\tm := sqs.Sent[0]
\tattrs := map[string]events.SQSMessageAttribute{}
\tsnsAttrs := map[string]interface{}{}
\tfor k, v := range m.MessageAttributes {
\t\tattrs[k] = events.SQSMessageAttribute{StringValue: v.StringValue, DataType: *v.DataType}
\t\tsnsAttrs[k] = map[string]interface{}{"Type": *v.DataType, "Value": *v.StringValue}
\t}
\t_ = onQueue(context.Background(), events.SQSEvent{Records: []events.SQSMessage{{Body: *m.MessageBody, MessageAttributes: attrs}}})
\tonTopic(events.SNSEvent{Records: []events.SNSEventRecord{{SNS: events.SNSEntity{Message: "m", MessageAttributes: snsAttrs}}}})
\tfor _, in := range eventbridge.Sent {
\t\tfmt.Println("detail", *in.Entries[0].Detail)
\t\t_ = onEvent(context.Background(), events.CloudWatchEvent{Detail: json.RawMessage(*in.Entries[0].Detail)})
\t}
\tfor _, in := range lambda.Sent {
\t\tif in.ClientContext != nil {
\t\t\traw, _ := base64.StdEncoding.DecodeString(*in.ClientContext)
\t\t\tfmt.Println("client context", string(raw))
\t\t} else {
\t\t\tfmt.Println("payload", string(in.Payload))
\t\t}
\t}
\tfor _, s := range otel.Started {
\t\tfmt.Println("span", s)
\t}
}
`;
    const r = goRun(path.join(tmp, 'roundtrip'), { 'send.go': send, 'recv.go': recv, 'run.go': run });
    assert.equal(r.errors, '');
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    // The receivers print the SQS body, the SNS message and the CloudWatch detail type between the lines of the driver.
    assert.deepEqual(r.stdout.trim().split('\n'), [
      '{"id":7}',
      'm multi',
      'line',
      `detail {"_tracing":{"traceparent":"${tp}"},"order":7}`,
      '',
      `detail {"_tracing":{"traceparent":"${tp}"},"kind":"raw"}`,
      '',
      `client context {"custom":{"traceparent":"${tp}"}}`,
      `payload {"_tracing":{"traceparent":"${tp}"},"id":7}`,
      `span process sqs record parent=${tp}`,
      `span process sns record parent=${tp}`,
      `span process eventbridge event parent=${tp}`,
      `span process eventbridge event parent=${tp}`,
    ]);
  });

  it('every Go file of corpus/iac: no send or record loop there lacks propagation (they call DynamoDB and API Gateway), and each file with a send added gets it applied, parsed and not offered again', () => {
    const files = sourceFiles(iac, /\.go$/);
    assert.equal(files.length, 12);
    const failures: string[] = [];
    for (const file of files) {
      const doc = docOf(file);
      assert.equal(doc.root.hasError, false, file);
      // Invoked handlers (quiet sites) are tested in instrumentPropagateGoInvoke.test.ts.
      assert.deepEqual(propagationSites(doc).filter((x) => !x.quiet), [], file);
      // The same file with an SQS send appended to it: applies cleanly next to its own imports.
      const text = `${doc.text.replace(/\s*$/, '\n')}\nfunc notify(ctx context.Context, c *sqs.Client) {\n\tc.SendMessage(ctx, &sqs.SendMessageInput{\n\t\tMessageBody: aws.String("x"),\n\t})\n}\n`;
      const d = docOf(file, text);
      const [site] = propagationSites(d);
      const out = applyEdits(text, planPropagation(d, site).edits);
      if (docOf(file, out).root.hasError) failures.push(`${path.relative(iac, file)}: does not parse`);
      if (propagationSites(docOf(file, out)).filter((x) => !x.quiet).length) failures.push(`${path.relative(iac, file)}: still offered`);
      if (!/\n\t\tMessageBody:       aws\.String\("x"\),\n\t\tMessageAttributes: traceAttributes,\n/.test(out)) failures.push(`${path.relative(iac, file)}: literal not aligned`);
    }
    assert.deepEqual(failures, []);
  });
});
