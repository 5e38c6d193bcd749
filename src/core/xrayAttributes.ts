/**
 * X-Ray segment fields -> OpenTelemetry semantic attributes, so analysis reads one vocabulary
 * whatever the source. The raw X-Ray fields stay in `Span.xray`; these are derived copies.
 */
import type { AttrValue, Attributes, Resource, SpanEvent, XRayException, XRayStackFrame } from './model';

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A number, or a string holding one (`"content_length": "861"` occurs in the wild). */
function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function set(attrs: Attributes, key: string, value: AttrValue | undefined): void {
  if (value !== undefined) attrs[key] = value;
}

export interface Arn {
  service: string;
  region: string;
  account: string;
  resource: string;
}

/** `arn:partition:service:region:account:resource`; undefined for anything else. */
export function parseArn(arn: unknown): Arn | undefined {
  if (typeof arn !== 'string' || !arn.startsWith('arn:')) return undefined;
  const parts = arn.split(':');
  if (parts.length < 6) return undefined;
  return { service: parts[2], region: parts[3], account: parts[4], resource: parts.slice(5).join(':') };
}

// The SDKs disagree on case (Node "DynamoDB", Python "dynamodb"); OTel uses the service id.
const AWS_SERVICE_NAMES: Record<string, string> = {
  dynamodb: 'DynamoDB', s3: 'S3', sqs: 'SQS', sns: 'SNS', lambda: 'Lambda', kinesis: 'Kinesis',
  sts: 'STS', ssm: 'SSM', secretsmanager: 'SecretsManager', eventbridge: 'EventBridge', sfn: 'SFN',
  stepfunctions: 'SFN', firehose: 'Firehose', kms: 'KMS', cloudwatch: 'CloudWatch',
};

const DB_SYSTEMS: Record<string, string> = {
  postgresql: 'postgresql', mysql: 'mysql', 'microsoft sql server': 'mssql', 'sql server': 'mssql',
  oracle: 'oracle', mariadb: 'mariadb', sqlite: 'sqlite',
};

const CLOUD_PLATFORMS: Record<string, string> = {
  'AWS::Lambda::Function': 'aws_lambda',
  'AWS::EC2::Instance': 'aws_ec2',
  'AWS::ECS::Container': 'aws_ecs',
  'AWS::ECS::EC2': 'aws_ecs',
  'AWS::ECS::Fargate': 'aws_ecs',
  'AWS::EKS::Container': 'aws_eks',
  'AWS::ElasticBeanstalk::Environment': 'aws_elastic_beanstalk',
  'AWS::AppRunner::Service': 'aws_app_runner',
};

/** Service name as OTel's `rpc.service` spells it. */
export function awsServiceName(name: string): string {
  return AWS_SERVICE_NAMES[name.toLowerCase()] ?? name;
}

/**
 * Span attributes of one segment or subsegment: `http`, `aws` (calls), `sql`, `user`.
 * `isLambdaSegment`: an `AWS::Lambda` or `AWS::Lambda::Function` segment, whose `request_id` is the
 * invocation id.
 */
export function spanAttributesOf(node: Json, name: string, isLambdaSegment: boolean): Attributes {
  const a: Attributes = {};
  const http = isObject(node.http) ? node.http : undefined;
  const req = http && isObject(http.request) ? http.request : undefined;
  const res = http && isObject(http.response) ? http.response : undefined;
  if (req) {
    const method = str(req.method);
    set(a, 'http.request.method', method?.toUpperCase());
    const url = str(req.url);
    set(a, 'url.full', url);
    set(a, 'server.address', url ? hostOf(url) : undefined);
    set(a, 'client.address', str(req.client_ip));
    set(a, 'user_agent.original', str(req.user_agent));
  }
  if (res) {
    set(a, 'http.response.status_code', num(res.status));
    set(a, 'http.response.body.size', num(res.content_length));
  }
  const aws = isObject(node.aws) ? node.aws : undefined;
  if (aws) {
    const op = str(aws.operation);
    if (op) {
      const service = awsServiceName(name);
      a['rpc.system'] = 'aws-api';
      a['rpc.service'] = service;
      a['rpc.method'] = op;
      awsServiceAttributes(a, service, aws);
    }
    const requestId = str(aws.request_id);
    set(a, 'aws.request.id', requestId);
    if (isLambdaSegment) set(a, 'faas.invocation_id', requestId);
    set(a, 'cloud.region', str(aws.region));
  }
  const sql = isObject(node.sql) ? node.sql : undefined;
  if (sql) {
    const query = str(sql.sanitized_query);
    set(a, 'db.statement', query);
    set(a, 'db.query.text', query);
    const dbType = str(sql.database_type);
    if (dbType) {
      const system = DB_SYSTEMS[dbType.toLowerCase()] ?? dbType.toLowerCase().replace(/\s+/g, '_');
      a['db.system'] = system;
      a['db.system.name'] = system;
    }
    set(a, 'db.user', str(sql.user));
    set(a, 'db.connection_string', str(sql.url));
  }
  set(a, 'enduser.id', str(node.user));
  return a;
}

/** Service-specific semantic attributes from the SDKs' `aws` fields (their request parameters in snake_case). */
function awsServiceAttributes(a: Attributes, service: string, aws: Json): void {
  switch (service) {
    case 'DynamoDB': {
      a['db.system'] = 'dynamodb';
      a['db.system.name'] = 'dynamodb';
      const table = str(aws.table_name);
      const tables = Array.isArray(aws.table_names) ? aws.table_names.filter((t): t is string => typeof t === 'string') : [];
      if (table || tables.length) a['aws.dynamodb.table_names'] = table ? [table] : tables;
      break;
    }
    case 'Lambda': {
      const fn = str(aws.function_name);
      if (fn) {
        a['faas.invoked_name'] = lambdaFunctionName(fn) ?? fn;
        a['faas.invoked_provider'] = 'aws';
        set(a, 'faas.invoked_region', str(aws.region) ?? (parseArn(fn)?.region || undefined));
      }
      break;
    }
    case 'SQS': {
      a['messaging.system'] = 'aws_sqs';
      const url = str(aws.queue_url);
      set(a, 'messaging.destination.name', url ? url.slice(url.lastIndexOf('/') + 1) || undefined : undefined);
      set(a, 'messaging.message.id', str(aws.message_id));
      break;
    }
    case 'SNS': {
      a['messaging.system'] = 'aws_sns';
      const topic = str(aws.topic_arn);
      set(a, 'messaging.destination.name', topic ? topic.slice(topic.lastIndexOf(':') + 1) || undefined : undefined);
      break;
    }
    case 'S3':
      set(a, 'aws.s3.bucket', str(aws.bucket_name));
      set(a, 'aws.s3.key', str(aws.key));
      break;
  }
}

/** `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` -> name; undefined otherwise. */
export function lambdaFunctionName(arn: unknown): string | undefined {
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== 'lambda') return undefined;
  const [type, name] = parsed.resource.split(':');
  return type === 'function' && name ? name : undefined;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The resource of a segment: the service it describes (`name`, `origin`, `service`, `aws`
 * account / EC2 / ECS / function ARN, `resource_arn`).
 */
export function resourceOf(doc: Json, name: string): Resource {
  const r: Attributes = { 'service.name': name };
  const origin = str(doc.origin);
  const aws = isObject(doc.aws) ? doc.aws : {};
  const resourceArn = parseArn(aws.function_arn) ? aws.function_arn as string
    : parseArn(doc.resource_arn) ? doc.resource_arn as string : undefined;
  const arn = parseArn(resourceArn);
  if (origin?.startsWith('AWS::') || arn || str(aws.account_id)) r['cloud.provider'] = 'aws';
  set(r, 'cloud.platform', origin ? CLOUD_PLATFORMS[origin] : undefined);
  set(r, 'cloud.account.id', str(aws.account_id) ?? (arn?.account || undefined));
  set(r, 'cloud.resource_id', resourceArn);
  if (origin === 'AWS::Lambda::Function') r['faas.name'] = name;
  const ec2 = isObject(aws.ec2) ? aws.ec2 : undefined;
  const az = str(ec2?.availability_zone) ?? (isObject(aws.ecs) ? str(aws.ecs.availability_zone) : undefined);
  set(r, 'cloud.region', arn?.region || (az ? az.replace(/[a-z]$/, '') : undefined));
  set(r, 'cloud.availability_zone', az);
  if (ec2) {
    set(r, 'host.id', str(ec2.instance_id));
    set(r, 'host.type', str(ec2.instance_size));
    set(r, 'host.image.id', str(ec2.ami_id));
  }
  if (isObject(aws.ecs)) set(r, 'container.id', str(aws.ecs.container_id));
  const xray = isObject(aws.xray) ? aws.xray : undefined;
  set(r, 'telemetry.sdk.name', str(xray?.sdk));
  set(r, 'telemetry.sdk.version', str(xray?.sdk_version));
  if (Array.isArray(aws.cloudwatch_logs)) {
    const groups = aws.cloudwatch_logs.map((l) => (isObject(l) ? str(l.log_group) : undefined)).filter((g): g is string => !!g);
    if (groups.length) r['aws.log.group.names'] = groups;
  }
  const service = isObject(doc.service) ? doc.service : undefined;
  if (service) {
    set(r, 'service.version', str(service.version));
    set(r, 'process.runtime.name', str(service.runtime));
    set(r, 'process.runtime.version', str(service.runtime_version));
  }
  return { attributes: r };
}

/** What a `cause` holds; `causeId` when it only points at an exception recorded elsewhere. */
export interface ParsedCause {
  workingDirectory?: string;
  exceptions?: XRayException[];
  causeId?: string;
  paths?: string[];
}

/** Parses `cause`: an object with `exceptions[]`, or an exception id string. A string error otherwise. */
export function parseCause(cause: unknown): ParsedCause | string {
  if (typeof cause === 'string') return { causeId: cause };
  if (!isObject(cause)) return `cause is neither an object nor an exception id (got ${JSON.stringify(cause)}); ignored`;
  const out: ParsedCause = {};
  const wd = str(cause.working_directory);
  if (wd) out.workingDirectory = wd;
  const id = str(cause.id);
  if (id) out.causeId = id;
  if (Array.isArray(cause.paths)) out.paths = cause.paths.filter((p): p is string => typeof p === 'string');
  if (Array.isArray(cause.exceptions)) out.exceptions = cause.exceptions.filter(isObject).map(exceptionOf);
  return out;
}

function exceptionOf(e: Json): XRayException {
  const x: XRayException = { stack: [] };
  if (typeof e.id === 'string' && e.id) x.id = e.id;
  if (typeof e.message === 'string') x.message = e.message;
  if (typeof e.type === 'string' && e.type) x.type = e.type;
  if (typeof e.remote === 'boolean') x.remote = e.remote;
  const truncated = num(e.truncated);
  if (truncated !== undefined) x.truncated = truncated;
  const skipped = num(e.skipped);
  if (skipped !== undefined) x.skipped = skipped;
  if (typeof e.cause === 'string' && e.cause) x.cause = e.cause;
  if (Array.isArray(e.stack)) {
    for (const f of e.stack) {
      if (!isObject(f)) continue;
      // `line` is a number (null for Node internals); anything else counts as unknown.
      const line = typeof f.line === 'number' ? f.line : num(f.line) ?? null;
      const frame: XRayStackFrame = { path: typeof f.path === 'string' ? f.path : '', line };
      if (typeof f.label === 'string') frame.label = f.label;
      x.stack.push(frame);
    }
  }
  return x;
}

/** OTel `exception` events (type, message, stacktrace in Node's `at label (path:line)` form) at `timeUnixUs`. */
export function exceptionEvents(exceptions: readonly XRayException[], timeUnixUs: number): SpanEvent[] {
  const events: SpanEvent[] = [];
  for (const e of exceptions) {
    if (e.message === undefined && e.type === undefined) continue;
    const attributes: Attributes = {};
    set(attributes, 'exception.type', e.type);
    set(attributes, 'exception.message', e.message);
    if (e.stack.length) {
      const head = e.type ? `${e.type}: ${e.message ?? ''}` : e.message ?? '';
      const frames = e.stack.map((f) => `    at ${f.label ?? '<anonymous>'} (${f.path}${f.line === null ? '' : `:${f.line}`})`);
      attributes['exception.stacktrace'] = [head, ...frames].join('\n');
    }
    events.push({ name: 'exception', timeUnixUs, attributes });
  }
  return events;
}
