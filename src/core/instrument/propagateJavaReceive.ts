/**
 * Which Java handlers (aws-lambda-java-core) another function may invoke directly: their event is no
 * aws-lambda-java-events type (SQS, API Gateway, S3, ...), so the invoker's context can only arrive in the
 * Lambda ClientContext `custom` (synchronous Invoke) or, for a Map input, the payload's `_tracing`.
 */
import type { Node } from 'web-tree-sitter';
import { findHandlers } from './handlers';
import type { PropagationSite } from './propagate';
import { descendants } from './text';
import type { SourceDoc } from './types';

const EVENTS = 'com.amazonaws.services.lambda.runtime.events.';
// Event classes of aws-lambda-java-events (and the serverless-java-container proxy models): a source that is not an Invoke.
const SOURCE_TYPES = /^(SQS|SNS|APIGateway|ApplicationLoadBalancer|S3|Dynamodb|Kinesis|Scheduled|CloudWatch|CloudFront|Cognito|CodeCommit|CodePipeline|Config|Lex|Connect|IoT|ActiveMQ|RabbitMQ|Kafka|SES|SecretsManager|LambdaDestination|AwsProxy|HttpApiV2Proxy)\w*(Event|Request)$/;

/** The formal parameters of a method. */
export const javaParams = (m: Node): Node[] => descendants(m.childForFieldName('parameters') ?? m, 'formal_parameter').filter((p) => p.parent?.id === m.childForFieldName('parameters')?.id);

/** True for aws-lambda-java-core's Context (`Context` unless the file imports another one, or fully qualified). */
export function isLambdaContext(type: string, root: Node): boolean {
  if (type === 'com.amazonaws.services.lambda.runtime.Context') return true;
  const other = descendants(root, 'import_declaration').some((i) => /\.Context\s*;$/.test(i.text) && !i.text.includes('com.amazonaws.services.lambda.runtime.Context'));
  return type === 'Context' && !other;
}

/** Handlers that take no event-source type and do not extract a context: an action only (nothing says another function invokes them). */
export function javaInvokeSites(doc: SourceDoc): PropagationSite[] {
  const imported = new Set(descendants(doc.root, 'import_declaration').map((i) => i.text.replace(/^import\s+|;$|\s+/g, '')).filter((i) => i.startsWith(EVENTS)).map((i) => i.split('.').pop()));
  return findHandlers(doc).filter((h) => {
    if (h.fn.childForFieldName('body')?.type !== 'block') return false;
    const types = javaParams(h.fn).map((p) => p.childForFieldName('type')?.text ?? '').filter((t) => !isLambdaContext(t, doc.root));
    const event = types[0]?.replace(/<.*$/s, '') ?? '';
    if (event.startsWith(EVENTS) || imported.has(event) || SOURCE_TYPES.test(event.split('.').pop()!)) return false;
    return !descendants(h.fn, 'method_invocation').some((c) => c.childForFieldName('name')?.text === 'extract');
  }).map((h) => ({ kind: 'extract', target: 'lambda', statement: h.fn, line: h.line, quiet: true }));
}
