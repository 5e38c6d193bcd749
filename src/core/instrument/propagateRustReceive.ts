/**
 * Which Rust handlers (lambda_runtime) another function may invoke directly: a `LambdaEvent<T>` parameter
 * whose payload is no aws_lambda_events source type (SQS, API Gateway, EventBridge, ...). The invoker's
 * context arrives in `event.context.client_context` (`Option<ClientContext>`, its `custom` a
 * `HashMap<String, String>`) or, for a serde_json `Value` payload, in the payload's `_tracing`.
 */
import type { Node } from 'web-tree-sitter';
import { findHandlers } from './handlers';
import type { PropagationSite } from './propagate';
import { descendants } from './text';
import type { SourceDoc } from './types';

const SOURCE_TYPES = /^(?:[\w:]*::)?(Sqs|Sns|ApiGateway|Alb|S3|DynamoDb|Kinesis|KinesisFirehose|EventBridge|CloudWatch|Cognito|Kafka|Ses|SimpleEmail|CodeCommit|Firehose|LambdaFunctionUrl|Iot|Lex|Connect|ActiveMq|RabbitMq|Cloudformation|SecretsManager)\w*(Event|Request)\b/;

/** The handler's `name: LambdaEvent<T>` parameter: its name and `T`. */
export function lambdaEventParam(fn: Node): { name: string; payload: string } | undefined {
  for (const p of descendants(fn.childForFieldName('parameters') ?? fn, 'parameter')) {
    const m = /^(?:lambda_runtime::)?LambdaEvent<(.+)>$/s.exec(p.childForFieldName('type')?.text.replace(/\s+/g, '') ?? '');
    const name = p.childForFieldName('pattern');
    if (m && name?.type === 'identifier') return { name: name.text, payload: m[1] };
  }
  return undefined;
}

/** True for a serde_json `Value` payload, which keeps the `_tracing` object an asynchronous invoker adds. */
export const keepsTracing = (payload: string): boolean => /^(serde_json::)?Value$/.test(payload);

/** The service_fn handler when it takes a `LambdaEvent` of no event-source type and does not extract: an action only. */
export function rustInvokeSites(doc: SourceDoc): PropagationSite[] {
  return findHandlers(doc).filter((h) => {
    const event = lambdaEventParam(h.fn);
    if (!event || SOURCE_TYPES.test(event.payload) || h.fn.childForFieldName('body')?.type !== 'block') return false;
    return !descendants(h.fn, 'field_identifier').some((i) => i.text === 'extract' || i.text === 'extract_with_context');
  }).map((h) => ({ kind: 'extract', target: 'lambda', statement: h.fn, line: h.line, quiet: true }));
}
