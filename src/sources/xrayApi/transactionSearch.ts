/**
 * The Transaction Search path: when X-Ray segments go to CloudWatch Logs, BatchGetTraces cannot
 * read them; StartTraceRetrieval (<= 100 ids per call) starts a retrieval, and ListRetrievedTraces
 * (TraceFormat XRAY) is polled until it is COMPLETE, then read page by page.
 */
import { ListRetrievedTracesCommand, StartTraceRetrievalCommand } from '@aws-sdk/client-xray';
import type { FetchContext } from './xrayApiSource';
import { abortableSleep } from './retry';

/** Ids per StartTraceRetrieval call (the API's limit). */
export const RETRIEVAL_BATCH = 100;

interface ListPage {
  RetrievalStatus?: string;
  Traces?: { Id?: string; Spans?: { Document?: string }[] }[];
  NextToken?: string;
}

/** Fetches `ids` (X-Ray form) through Transaction Search into the store. */
export async function fetchViaTransactionSearch(ctx: FetchContext, ids: string[], startUnixMs: number, endUnixMs: number, pollMs = 1000, maxPolls = 300): Promise<void> {
  const sleep = ctx.retry.sleep ?? abortableSleep;
  const send = ctx.send;
  const fetched = new Set<string>();
  for (let i = 0; i < ids.length; i += RETRIEVAL_BATCH) {
    const batch = ids.slice(i, i + RETRIEVAL_BATCH);
    const started = await send<{ RetrievalToken?: string }>('StartTraceRetrieval', new StartTraceRetrievalCommand({
      TraceIds: batch, StartTime: new Date(startUnixMs), EndTime: new Date(endUnixMs),
    }));
    const token = started.RetrievalToken;
    if (!token) throw new Error('StartTraceRetrieval returned no RetrievalToken');
    let page: ListPage | undefined;
    for (let poll = 0; ; poll++) {
      page = await send<ListPage>('ListRetrievedTraces', new ListRetrievedTracesCommand({ RetrievalToken: token, TraceFormat: 'XRAY' }));
      const status = page.RetrievalStatus ?? 'COMPLETE';
      if (status === 'COMPLETE') break;
      if (status !== 'SCHEDULED' && status !== 'RUNNING') throw new Error(`trace retrieval ended with status ${status}`);
      if (poll >= maxPolls) throw new Error(`trace retrieval still ${status} after ${maxPolls} polls`);
      await sleep(pollMs, ctx.signal);
    }
    for (;;) {
      const docs: string[] = [];
      for (const t of page.Traces ?? []) {
        if (t.Id && !fetched.has(t.Id)) { fetched.add(t.Id); ctx.result.tracesFetched++; }
        for (const s of t.Spans ?? []) if (s.Document) docs.push(s.Document);
      }
      await ctx.storeDocuments(docs);
      if (!page.NextToken) break;
      page = await send<ListPage>('ListRetrievedTraces', new ListRetrievedTracesCommand({ RetrievalToken: token, TraceFormat: 'XRAY', NextToken: page.NextToken }));
    }
    ctx.progress({ kind: 'fetched', traces: ctx.result.tracesFetched, of: ids.length, spansAccepted: ctx.result.spansAccepted });
  }
  ctx.result.unprocessed = ids.filter((id) => !fetched.has(id));
}
