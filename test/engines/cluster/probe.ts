/** Small network helpers of the test cluster: a free loopback port, an HTTP(S) health probe. */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';

/**
 * A TCP port free on 127.0.0.1 right now: any (the kernel's ephemeral range), or one below
 * `below` (some programs parse ports as int16: Tekton 1.3's knative refuses 32768 and up).
 */
export async function freePort(below?: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const wanted = below === undefined ? 0 : 20_000 + Math.floor(Math.random() * (below - 20_000));
    const port = await new Promise<number | undefined>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(undefined));
      server.listen(wanted, '127.0.0.1', () => {
        const { port: bound } = server.address() as { port: number };
        server.close(() => resolve(bound));
      });
    });
    if (port !== undefined) return port;
  }
  throw new Error(`no free port${below === undefined ? '' : ` below ${below}`} on 127.0.0.1`);
}

/** Options of {@link httpGet}. */
export interface GetOptions {
  readonly ca?: string | Buffer;
  readonly token?: string;
  /** Accept any server certificate (a kubelet's self-signed one). @default false */
  readonly insecure?: boolean;
  /** @default 3000 */
  readonly timeoutMs?: number;
}

/** GETs `url`; resolves with the status and body (rejects on a transport error). */
export function httpGet(url: string, options: GetOptions = {}): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      u,
      {
        method: 'GET',
        ca: options.ca,
        rejectUnauthorized: !options.insecure,
        headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
        timeout: options.timeoutMs ?? 3000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** True when GET `url` answers 200. */
export async function isOk(url: string, options: GetOptions = {}): Promise<boolean> {
  return (await httpGet(url, options).catch(() => ({ status: 0 }))).status === 200;
}
