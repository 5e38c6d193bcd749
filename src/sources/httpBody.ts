/**
 * Reading an HTTP request body under limits: the wire size is counted while streaming (the request
 * is abandoned as soon as it passes the limit), and gzip is inflated with a cap on the output so a
 * small bomb cannot exhaust memory.
 */
import type { IncomingMessage } from 'node:http';
import zlib from 'node:zlib';

/** Why a body could not be read; `status` is the HTTP answer to give. */
export class BodyError extends Error {
  constructor(readonly status: 400 | 413 | 415, message: string) {
    super(message);
  }
}

/** Default request body limit (wire bytes), as the OTLP spec recommends: 64 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * Reads the whole request body. Rejects with BodyError(413) once more than `maxBytes` arrived
 * (the rest of the body is not read) and with a plain Error if the client goes away.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      reject(new BodyError(413, `body of ${declared} bytes is over the limit of ${maxBytes} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        finish(new BodyError(413, `body is over the limit of ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      if (err) {
        // Stop collecting; the caller answers and then drops (or cuts off) the rest.
        req.pause();
        reject(err);
      } else resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    req.on('data', onData);
    req.once('end', () => finish());
    req.once('error', (e) => finish(e));
    req.once('aborted', () => finish(new Error('client aborted the request')));
  });
}

/**
 * Inflates a `Content-Encoding` body. `identity`/absent returns the bytes as they are; gzip and
 * deflate are inflated with at most `maxBytes` of output (413 above); other encodings give 415.
 */
export async function decodeContentEncoding(body: Buffer, encoding: string | undefined, maxBytes: number): Promise<Buffer> {
  const enc = (encoding ?? '').trim().toLowerCase();
  if (enc === '' || enc === 'identity') return body;
  if (enc !== 'gzip' && enc !== 'deflate') throw new BodyError(415, `unsupported Content-Encoding '${enc}' (gzip, deflate or none)`);
  const inflate = enc === 'gzip' ? zlib.gunzip : zlib.inflate;
  return new Promise((resolve, reject) => {
    inflate(body, { maxOutputLength: maxBytes }, (err, out) => {
      if (!err) { resolve(out); return; }
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        reject(new BodyError(413, `${enc} body inflates to more than ${maxBytes} bytes`));
      } else reject(new BodyError(400, `${enc} body is corrupt: ${err.message}`));
    });
  });
}

/** The media type of a Content-Type header, lowercased, without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}
