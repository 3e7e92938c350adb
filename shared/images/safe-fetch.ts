import { lookup as dnsLookup } from 'node:dns/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { z } from 'zod';
import { classifyAddress } from './ip-address-policy.js';

/**
 * Fetching an image from a URL someone else chose, without letting them aim our fetcher at our
 * own network (SSRF). Per hop: only http/https, no credentials in the URL; the host is resolved
 * here and every address it resolves to must be public (ip-address-policy.ts); the connection
 * then goes to exactly the address we checked (a pinned `lookup`), so a DNS answer that changes
 * between check and connect (rebinding) cannot swap in 127.0.0.1. Redirects are followed by
 * hand, each one re-checked the same way. The whole fetch, redirects included, shares one
 * deadline and one byte cap.
 */

export type ImageFetchReason =
  | 'invalid_url'
  | 'unsupported_protocol'
  | 'blocked_address'
  | 'dns_failed'
  | 'too_many_redirects'
  | 'too_large'
  | 'timeout'
  | 'http_status'
  | 'network';

export class ImageFetchError extends Error {
  override readonly name = 'ImageFetchError';
  constructor(
    readonly reason: ImageFetchReason,
    message: string,
    readonly url: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(message, { cause: options?.cause });
    this.status = options?.status;
  }
  readonly status: number | undefined;
}

export const safeFetchOptionsSchema = z.object({
  maxBytes: z.number().int().positive().default(20 * 1024 * 1024),
  /** Total time for DNS, connects, redirects and body. */
  timeoutMs: z.number().int().positive().default(10_000),
  maxRedirects: z.number().int().min(0).max(10).default(3),
  /**
   * TESTS ONLY: connect to private/loopback addresses too. Production code never sets this;
   * the pipeline's configuration has no way to.
   */
  allowPrivateAddresses: z.boolean().default(false),
  /** TESTS ONLY: exact `ip:port` endpoints (IPv6 as `[::1]:8080`) let through despite being private. */
  allowedPrivateEndpoints: z.array(z.string()).default([]),
  userAgent: z.string().default('modpipe-image-fetcher/0.1'),
});

/** Name resolution; the default is the OS resolver (`dns.lookup`, so /etc/hosts counts). */
export type HostResolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export type SafeFetchOptions = z.input<typeof safeFetchOptionsSchema> & { resolve?: HostResolver };
type Options = z.output<typeof safeFetchOptionsSchema> & { resolve: HostResolver };

const systemResolver: HostResolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export interface FetchedImage {
  bytes: Buffer;
  /** Where the bytes finally came from, after redirects. */
  url: string;
  /** The address we connected to for that last hop. */
  address: string;
  contentType: string | undefined;
  redirects: number;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export async function safeFetchImage(url: string, options: SafeFetchOptions = {}): Promise<FetchedImage> {
  const opts: Options = { ...safeFetchOptionsSchema.parse(options), resolve: options.resolve ?? systemResolver };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs);
  try {
    let current = parseUrl(url);
    for (let redirects = 0; ; redirects++) {
      const target = await resolveTarget(current, opts, controller.signal);
      const response = await request(current, target, opts, controller.signal);
      const status = response.statusCode ?? 0;
      if (REDIRECT_STATUSES.has(status)) {
        response.resume();
        const location = response.headers.location;
        if (!location) throw new ImageFetchError('http_status', `HTTP ${status} redirect without a Location header`, current.href, { status });
        if (redirects >= opts.maxRedirects) {
          throw new ImageFetchError('too_many_redirects', `more than ${opts.maxRedirects} redirects`, current.href, { status });
        }
        current = parseUrl(location, current);
        continue;
      }
      if (status < 200 || status >= 300) {
        response.resume();
        throw new ImageFetchError('http_status', `HTTP ${status} from ${current.host}`, current.href, { status });
      }
      const bytes = await readBody(response, current, opts.maxBytes);
      const contentType = response.headers['content-type'];
      return { bytes, url: current.href, address: target.address, contentType, redirects };
    }
  } catch (err) {
    if (controller.signal.aborted && !(err instanceof ImageFetchError && err.reason !== 'network')) {
      throw new ImageFetchError('timeout', `gave up after ${opts.timeoutMs} ms`, url, { cause: err });
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

function parseUrl(text: string, base?: URL): URL {
  const at = base?.href ?? text;
  let url: URL;
  try {
    url = new URL(text, base);
  } catch (err) {
    throw new ImageFetchError('invalid_url', `not a valid URL: ${JSON.stringify(text.slice(0, 200))}`, at, { cause: err });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ImageFetchError('unsupported_protocol', `only http and https are fetched, not ${url.protocol}`, url.href);
  }
  if (url.username || url.password) throw new ImageFetchError('invalid_url', 'URLs with credentials are not fetched', url.href);
  return url;
}

interface Target {
  address: string;
  family: 4 | 6;
  port: number;
}

/** Resolve once, judge every address, return the one we will connect to. */
async function resolveTarget(url: URL, opts: Options, signal: AbortSignal): Promise<Target> {
  // The WHATWG parser already canonicalised odd IPv4 spellings (2130706433, 0x7f.1) to dotted quads.
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  let addresses: { address: string; family: number }[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await abortable(opts.resolve(host), signal);
    } catch (err) {
      if (signal.aborted) throw err;
      throw new ImageFetchError('dns_failed', `could not resolve ${host}`, url.href, { cause: err });
    }
    if (addresses.length === 0) throw new ImageFetchError('dns_failed', `${host} resolves to no address`, url.href);
  }
  // Every address must pass, not just the first: a host that publishes a private address is
  // not one we want to talk to, whichever address the OS would have picked.
  for (const { address } of addresses) {
    const verdict = classifyAddress(address);
    if (verdict.public || opts.allowPrivateAddresses || endpointAllowed(address, port, opts)) continue;
    const shown = host === address ? address : `${host} (${address})`;
    throw new ImageFetchError('blocked_address', `refusing to connect to ${shown}: ${verdict.range}`, url.href);
  }
  const first = addresses[0];
  if (!first) throw new ImageFetchError('dns_failed', `${host} resolves to no address`, url.href);
  return { address: first.address, family: first.family === 6 ? 6 : 4, port };
}

function endpointAllowed(address: string, port: number, opts: Options): boolean {
  const endpoint = address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
  return opts.allowedPrivateEndpoints.includes(endpoint);
}

/** A lookup that ignores the name and answers with the address we already checked. */
function pinnedLookup(target: Target): LookupFunction {
  return (_hostname, options, callback) => {
    // Node 20 asks for `all` when it races IPv4/IPv6 (autoSelectFamily); answer in the shape asked.
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
}

function request(url: URL, target: Target, opts: Options, signal: AbortSignal): Promise<IncomingMessage> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      {
        protocol: url.protocol,
        // The name stays the host (Host header, TLS SNI and certificate check); the pinned
        // lookup decides where the socket actually goes.
        hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
        port: target.port,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        lookup: pinnedLookup(target),
        family: target.family,
        agent: false,
        signal,
        headers: { 'user-agent': opts.userAgent, accept: 'image/*', 'accept-encoding': 'identity' },
      },
      resolve,
    );
    req.on('error', (err) => reject(signal.aborted ? err : new ImageFetchError('network', `request to ${url.host} failed: ${err.message}`, url.href, { cause: err })));
    req.end();
  });
}

function readBody(response: IncomingMessage, url: URL, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    return Promise.reject(new ImageFetchError('too_large', `the response declares ${declared} bytes, more than the ${maxBytes} allowed`, url.href));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    response.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        response.destroy();
        reject(new ImageFetchError('too_large', `the response exceeded ${maxBytes} bytes`, url.href));
        return;
      }
      chunks.push(chunk);
    });
    response.on('end', () => resolve(Buffer.concat(chunks, total)));
    response.on('error', (err) => reject(new ImageFetchError('network', `reading the response failed: ${err.message}`, url.href, { cause: err })));
    response.on('close', () => {
      if (!response.complete) reject(new ImageFetchError('network', 'the connection closed before the response was complete', url.href));
    });
  });
}

/** dns.lookup cannot be cancelled; stop waiting for it when the deadline passes. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('aborted'));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
