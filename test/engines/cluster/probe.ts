/** Small network helpers of the test cluster: a free loopback port, an HTTP(S) health probe. */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
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
