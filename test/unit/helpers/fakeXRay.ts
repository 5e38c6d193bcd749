/**
 * A loopback HTTP server answering the X-Ray REST-JSON API the way its reference describes, for
 * what moto lacks: NextToken paging of GetTraceSummaries, filter expressions (the `service("name")`
 * form), ThrottledException (HTTP 429), UnprocessedTraceIds, the 5-id limit of BatchGetTraces, and
 * the Transaction Search path (GetTraceSegmentDestination, StartTraceRetrieval, ListRetrievedTraces).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeTrace {
  /** X-Ray form `1-xxxxxxxx-...`. */
  id: string;
  startSec: number;
  /** The root segment's name, what `service("...")` matches. */
  service: string;
  documents: string[];
}

export interface FakeXRayOptions {
  traces: FakeTrace[];
  /** Summaries per GetTraceSummaries page (default 3). */
  pageSize?: number;
  destination?: 'XRay' | 'CloudWatchLogs';
  /** Per operation path (e.g. `/TraceSummaries`): answer the first N calls with 429 ThrottledException. */
  throttle?: Record<string, number>;
  /** Per operation path: cut the connection on the first N calls. */
  reset?: Record<string, number>;
  /** Ids BatchGetTraces reports as unprocessed the first time (or always, with `neverProcessed`). */
  unprocessedOnce?: string[];
  neverProcessed?: string[];
  /** ListRetrievedTraces answers RUNNING this many times per retrieval before COMPLETE (default 1). */
  runningPolls?: number;
  /** Traces per ListRetrievedTraces page (default 4). */
  retrievedPageSize?: number;
}

export interface FakeCall {
  path: string;
  body: Record<string, unknown>;
  status: number;
}

export interface FakeXRay {
  endpoint: string;
  calls: FakeCall[];
  stop(): Promise<void>;
}

/** A segment document with one subsegment, as BatchGetTraces would return it. */
export function fakeTrace(n: number, startSec: number, service: string): FakeTrace {
  const id = `1-${Math.floor(startSec).toString(16)}-${n.toString(16).padStart(24, '0')}`;
  const segId = (0x1000 + n).toString(16).padStart(16, 'a');
  const subId = (0x2000 + n).toString(16).padStart(16, 'b');
  const doc = { id: segId, trace_id: id, name: service, origin: 'AWS::Lambda::Function', start_time: startSec, end_time: startSec + 0.5,
    subsegments: [{ id: subId, name: `work-${n}`, start_time: startSec + 0.1, end_time: startSec + 0.4 }] };
  return { id, startSec, service, documents: [JSON.stringify(doc)] };
}

function matches(filter: unknown, t: FakeTrace): boolean | 'invalid' {
  if (filter === undefined || filter === null || filter === '') return true;
  const m = /^service\("([^"]*)"\)$/.exec(String(filter).trim());
  return m ? m[1] === t.service : 'invalid';
}

export async function startFakeXRay(opts: FakeXRayOptions): Promise<FakeXRay> {
  const calls: FakeCall[] = [];
  const seen: Record<string, number> = {};
  const unprocessedLeft = new Set(opts.unprocessedOnce ?? []);
  const retrievals = new Map<string, { ids: string[]; polls: number }>();
  const byId = new Map(opts.traces.map((t) => [t.id, t]));
  const pageSize = opts.pageSize ?? 3;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      const body = (chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {}) as Record<string, unknown>;
      const n = (seen[path] = (seen[path] ?? 0) + 1);
      const call: FakeCall = { path, body, status: 200 };
      calls.push(call);
      const send = (status: number, payload: unknown, errorType?: string): void => {
        call.status = status;
        const headers: Record<string, string> = { 'Content-Type': 'application/json', 'x-amzn-RequestId': `req-${calls.length}` };
        if (errorType) headers['x-amzn-ErrorType'] = errorType;
        res.writeHead(status, headers);
        res.end(JSON.stringify(payload));
      };
      if (n <= (opts.reset?.[path] ?? 0)) { call.status = 0; req.socket.destroy(); return; }
      if (n <= (opts.throttle?.[path] ?? 0)) { send(429, { message: 'Rate exceeded' }, 'ThrottledException'); return; }
      switch (path) {
        case '/TraceSummaries': {
          const start = Number(body.StartTime);
          const end = Number(body.EndTime);
          if (end - start > 24 * 3600) { send(400, { Message: 'Time range too large' }, 'InvalidRequestException'); return; }
          const all: FakeTrace[] = [];
          for (const t of opts.traces) {
            const ok = matches(body.FilterExpression, t);
            if (ok === 'invalid') { send(400, { Message: `Invalid filter expression ${String(body.FilterExpression)}` }, 'InvalidRequestException'); return; }
            if (ok && t.startSec >= start && t.startSec < end) all.push(t);
          }
          all.sort((a, b) => b.startSec - a.startSec);
          const from = body.NextToken ? Number(String(body.NextToken).slice(5)) : 0;
          const page = all.slice(from, from + pageSize);
          send(200, {
            TraceSummaries: page.map((t) => ({ Id: t.id, Duration: 0.5, ResponseTime: 0.5, HasFault: false, HasError: false, IsPartial: false })),
            ApproximateTime: end, TracesProcessedCount: all.length,
            ...(from + pageSize < all.length ? { NextToken: `page:${from + pageSize}` } : {}),
          });
          return;
        }
        case '/Traces': {
          const ids = (body.TraceIds as string[] | undefined) ?? [];
          if (ids.length > 5) { send(400, { Message: 'TraceIds: at most 5 items' }, 'InvalidRequestException'); return; }
          if (opts.destination === 'CloudWatchLogs') { send(400, { Message: 'BatchGetTraces is not available with Transaction Search' }, 'InvalidRequestException'); return; }
          const unprocessed = ids.filter((id) => (opts.neverProcessed ?? []).includes(id) || unprocessedLeft.delete(id));
          const traces = ids.filter((id) => !unprocessed.includes(id) && byId.has(id)).map((id) => byId.get(id)!);
          send(200, {
            Traces: traces.map((t) => ({ Id: t.id, Duration: 0.5, LimitExceeded: false, Segments: t.documents.map((d, i) => ({ Id: `${i}`, Document: d })) })),
            UnprocessedTraceIds: unprocessed,
          });
          return;
        }
        case '/GetTraceSegmentDestination':
          send(200, { Destination: opts.destination ?? 'XRay', Status: 'ACTIVE' });
          return;
        case '/StartTraceRetrieval': {
          const ids = (body.TraceIds as string[] | undefined) ?? [];
          if (ids.length > 100) { send(400, { Message: 'TraceIds: at most 100 items' }, 'InvalidRequestException'); return; }
          if (opts.destination !== 'CloudWatchLogs') { send(400, { Message: 'Transaction Search is not enabled' }, 'InvalidRequestException'); return; }
          const token = `rt-${retrievals.size + 1}`;
          retrievals.set(token, { ids, polls: 0 });
          send(200, { RetrievalToken: token });
          return;
        }
        case '/ListRetrievedTraces': {
          const r = retrievals.get(String(body.RetrievalToken));
          if (!r) { send(404, { Message: 'unknown RetrievalToken' }, 'ResourceNotFoundException'); return; }
          if (body.TraceFormat !== 'XRAY') { send(400, { Message: 'this fake serves TraceFormat XRAY' }, 'InvalidRequestException'); return; }
          if (!body.NextToken && r.polls++ < (opts.runningPolls ?? 1)) { send(200, { RetrievalStatus: 'RUNNING', TraceFormat: 'XRAY', Traces: [] }); return; }
          const size = opts.retrievedPageSize ?? 4;
          const from = body.NextToken ? Number(String(body.NextToken).slice(5)) : 0;
          const page = r.ids.slice(from, from + size).filter((id) => byId.has(id)).map((id) => byId.get(id)!);
          send(200, {
            RetrievalStatus: 'COMPLETE', TraceFormat: 'XRAY',
            Traces: page.map((t) => ({ Id: t.id, Duration: 0.5, Spans: t.documents.map((d, i) => ({ Id: `${i}`, Document: d })) })),
            ...(from + size < r.ids.length ? { NextToken: `next:${from + size}` } : {}),
          });
          return;
        }
        default:
          send(404, { Message: `no such operation ${path}` }, 'UnknownOperationException');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
