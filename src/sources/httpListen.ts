/**
 * Binding listeners on loopback with a clear answer when the port is taken: the error names the
 * port, what else may be using it, and the next free port to use instead.
 */
import dgram from 'node:dgram';
import net from 'node:net';

/** Thrown when a receiver's port is already in use; `freePort` is a port that was free just now. */
export class PortInUseError extends Error {
  constructor(readonly kind: 'tcp' | 'udp', readonly host: string, readonly port: number, readonly freePort: number | undefined, hint: string) {
    super(`${kind.toUpperCase()} port ${port} on ${host} is already in use (another receiver, an OpenTelemetry Collector or the X-Ray daemon?). `
      + (freePort !== undefined ? `Port ${freePort} is free: ${hint.replace('PORT', String(freePort))}.` : 'No free port found nearby.'));
  }
}

function tryTcp(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

function tryUdp(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    s.once('error', () => { s.close(); resolve(false); });
    s.bind(port, host, () => s.close(() => resolve(true)));
  });
}

/** The first free port after `port` (up to 50 tried), or undefined. */
export async function nextFreePort(kind: 'tcp' | 'udp', host: string, port: number): Promise<number | undefined> {
  for (let p = port + 1; p <= Math.min(65535, port + 50); p++) {
    if (await (kind === 'tcp' ? tryTcp(host, p) : tryUdp(host, p))) return p;
  }
  return undefined;
}

/** Maps EADDRINUSE to PortInUseError (with the next free port); other errors pass through. */
export async function explainListenError(err: unknown, kind: 'tcp' | 'udp', host: string, port: number, hint: string): Promise<Error> {
  if ((err as NodeJS.ErrnoException)?.code !== 'EADDRINUSE' || port === 0) return err instanceof Error ? err : new Error(String(err));
  return new PortInUseError(kind, host, port, await nextFreePort(kind, host, port), hint);
}
