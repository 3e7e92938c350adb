import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageFetchError, safeFetchImage, type ImageFetchReason, type SafeFetchOptions } from '../../shared/images/safe-fetch.js';
import { startLocalServer, type LocalServer } from './local-http-server.js';

// Every server here listens on 127.0.0.1. Loopback is refused by default, so the success paths
// pass `allowPrivateAddresses` or an explicit `allowedPrivateEndpoints` list, options production
// code never sets. The refusal tests prove the default by checking the target saw no request.

const IMAGE = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'); // bytes are opaque to the fetcher
const LOOPBACK_OK: SafeFetchOptions = { allowPrivateAddresses: true };

async function failure(promise: Promise<unknown>): Promise<ImageFetchError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ImageFetchError) return err;
    throw err;
  }
  throw new Error('expected an ImageFetchError, the fetch succeeded');
}

async function expectRefused(promise: Promise<unknown>, reason: ImageFetchReason, message?: RegExp): Promise<ImageFetchError> {
  const err = await failure(promise);
  expect(err.reason, err.message).toBe(reason);
  if (message) expect(err.message).toMatch(message);
  return err;
}

let target: LocalServer; // serves the image, and redirects
let other: LocalServer; // a second loopback service that must never be reached

beforeAll(async () => {
  other = await startLocalServer((_req, res) => res.end('internal secret'));
  target = await startLocalServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const to = url.searchParams.get('to');
    if (url.pathname === '/image.png') {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': IMAGE.length });
      res.end(IMAGE);
    } else if (url.pathname === '/redirect' && to) {
      res.writeHead(Number(url.searchParams.get('status') ?? 302), { location: to });
      res.end();
    } else if (url.pathname === '/loop') {
      res.writeHead(302, { location: '/loop' });
      res.end();
    } else if (url.pathname === '/big-declared') {
      res.writeHead(200, { 'content-length': 5000 });
      res.end(Buffer.alloc(5000));
    } else if (url.pathname === '/big-streamed') {
      res.writeHead(200, { 'content-type': 'image/jpeg' }); // chunked, no length to check up front
      let sent = 0;
      const tick = () => {
        if (sent >= 10) return res.end();
        sent++;
        res.write(Buffer.alloc(1000), () => setTimeout(tick, 1));
      };
      tick();
    } else if (url.pathname === '/hang') {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.write(Buffer.alloc(10)); // then never finishes
    } else if (url.pathname === '/host') {
      res.end(req.headers.host ?? '');
    } else {
      res.writeHead(404);
      res.end('no');
    }
  });
});

afterAll(async () => {
  await Promise.all([target.close(), other.close()]);
});

describe('safeFetchImage: refusals by default', () => {
  it('refuses a URL pointing at 127.0.0.1 without connecting', async () => {
    const before = target.requests.length;
    await expectRefused(safeFetchImage(target.url('/image.png')), 'blocked_address', /127\.0\.0\.1: loopback/);
    expect(target.requests.length).toBe(before);
  });

  it('refuses a host name that resolves to loopback (checked after DNS)', async () => {
    const before = target.requests.length;
    await expectRefused(safeFetchImage(`http://localhost:${target.port}/image.png`), 'blocked_address', /localhost \((127\.0\.0\.1|::1)\): loopback/);
    expect(target.requests.length).toBe(before);
  });

  it('refuses IPv4-mapped IPv6 and numeric spellings of loopback', async () => {
    await expectRefused(safeFetchImage(`http://[::ffff:127.0.0.1]:${target.port}/image.png`), 'blocked_address', /IPv4-mapped/);
    await expectRefused(safeFetchImage(`http://2130706433:${target.port}/image.png`), 'blocked_address', /loopback/);
    await expectRefused(safeFetchImage(`http://0x7f.1:${target.port}/image.png`), 'blocked_address', /loopback/);
    await expectRefused(safeFetchImage(`http://[::1]:${target.port}/image.png`), 'blocked_address', /loopback ::1/);
  });

  it('refuses cloud metadata and private ranges before any connection is attempted', async () => {
    await expectRefused(safeFetchImage('http://169.254.169.254/latest/meta-data/'), 'blocked_address', /link-local/);
    await expectRefused(safeFetchImage('http://10.0.0.1/x.jpg'), 'blocked_address', /private/);
    await expectRefused(safeFetchImage('http://100.100.1.1/x.jpg'), 'blocked_address', /carrier-grade NAT/);
  });

  it('refuses a redirect from an allowed server to another loopback port, without reaching it', async () => {
    // The first hop is let through by an explicit host:port allow-list; the redirect target is not.
    const hop = target.url(`/redirect?to=${encodeURIComponent(other.url('/secret'))}`);
    const err = await expectRefused(safeFetchImage(hop, { allowedPrivateEndpoints: [target.endpoint] }), 'blocked_address', /127\.0\.0\.1: loopback/);
    expect(err.url).toBe(other.url('/secret'));
    expect(other.requests.length).toBe(0);
  });

  it('refuses non-http schemes, also as redirect targets', async () => {
    await expectRefused(safeFetchImage('file:///etc/passwd'), 'unsupported_protocol', /file:/);
    await expectRefused(safeFetchImage('ftp://example.com/x.jpg'), 'unsupported_protocol');
    await expectRefused(safeFetchImage('data:image/png;base64,AAAA'), 'unsupported_protocol');
    await expectRefused(safeFetchImage(target.url(`/redirect?to=${encodeURIComponent('file:///etc/passwd')}`), LOOPBACK_OK), 'unsupported_protocol');
  });

  it('refuses malformed URLs and URLs with credentials', async () => {
    await expectRefused(safeFetchImage('not a url'), 'invalid_url');
    await expectRefused(safeFetchImage(`http://user:pw@127.0.0.1:${target.port}/image.png`, LOOPBACK_OK), 'invalid_url', /credentials/);
  });
});

describe('safeFetchImage: fetching (loopback explicitly allowed)', () => {
  it('returns the bytes, content type and the address it connected to', async () => {
    const got = await safeFetchImage(target.url('/image.png'), LOOPBACK_OK);
    expect(got.bytes.equals(IMAGE)).toBe(true);
    expect(got).toMatchObject({ contentType: 'image/png', address: '127.0.0.1', redirects: 0, url: target.url('/image.png') });
  });

  it('follows up to three redirects, each one checked', async () => {
    const chain = target.url(`/redirect?to=${encodeURIComponent(`/redirect?status=301&to=${encodeURIComponent('/image.png')}`)}`);
    const got = await safeFetchImage(chain, { allowedPrivateEndpoints: [target.endpoint] });
    expect(got.redirects).toBe(2);
    expect(got.url).toBe(target.url('/image.png'));
    expect(got.bytes.equals(IMAGE)).toBe(true);
  });

  it('stops at the redirect limit', async () => {
    const before = target.requests.length;
    await expectRefused(safeFetchImage(target.url('/loop'), LOOPBACK_OK), 'too_many_redirects', /more than 3/);
    expect(target.requests.length - before).toBe(4); // the first request plus three redirects
    await expectRefused(safeFetchImage(target.url('/loop'), { ...LOOPBACK_OK, maxRedirects: 0 }), 'too_many_redirects');
  });

  it('refuses a body larger than the cap, declared or streamed', async () => {
    await expectRefused(safeFetchImage(target.url('/big-declared'), { ...LOOPBACK_OK, maxBytes: 4096 }), 'too_large', /declares 5000/);
    await expectRefused(safeFetchImage(target.url('/big-streamed'), { ...LOOPBACK_OK, maxBytes: 4096 }), 'too_large', /exceeded 4096/);
    const whole = await safeFetchImage(target.url('/big-streamed'), { ...LOOPBACK_OK, maxBytes: 10_000 });
    expect(whole.bytes.length).toBe(10_000);
  });

  it('gives up at the deadline on a response that never ends', async () => {
    const started = Date.now();
    await expectRefused(safeFetchImage(target.url('/hang'), { ...LOOPBACK_OK, timeoutMs: 300 }), 'timeout', /300 ms/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('reports HTTP errors with their status', async () => {
    const err = await expectRefused(safeFetchImage(target.url('/missing.png'), LOOPBACK_OK), 'http_status', /HTTP 404/);
    expect(err.status).toBe(404);
  });

  it('reports a refused connection as a network error', async () => {
    const gone = await startLocalServer((_req, res) => res.end());
    const url = gone.url('/x.png');
    await gone.close();
    await expectRefused(safeFetchImage(url, LOOPBACK_OK), 'network', /failed/);
  });
});

describe('safeFetchImage: DNS rebinding', () => {
  it('resolves once per hop and connects to the address it checked, keeping the name for the Host header', async () => {
    // A resolver that answers with the allowed loopback server first and a private address after:
    // what a rebinding attacker's DNS does. If the socket resolved the name again, it would get 10.0.0.1.
    const answers = ['127.0.0.1', '10.0.0.1'];
    const asked: string[] = [];
    const resolve = async (hostname: string) => {
      asked.push(hostname);
      return [{ address: answers.shift() ?? '10.0.0.1', family: 4 }];
    };
    const got = await safeFetchImage(`http://images.rebind.test:${target.port}/host`, { resolve, allowedPrivateEndpoints: [target.endpoint] });
    expect(asked).toEqual(['images.rebind.test']);
    expect(got.address).toBe('127.0.0.1');
    expect(got.bytes.toString()).toBe(`images.rebind.test:${target.port}`);
  });

  it('refuses a name when any of its addresses is private, even if another is allowed', async () => {
    const resolve = async () => [
      { address: '127.0.0.1', family: 4 },
      { address: '192.168.0.10', family: 4 },
    ];
    await expectRefused(safeFetchImage(`http://mixed.test:${target.port}/image.png`, { resolve, allowedPrivateEndpoints: [target.endpoint] }), 'blocked_address', /192\.168\.0\.10/);
  });

  it('reports a name that does not resolve', async () => {
    const resolve = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.test'), { code: 'ENOTFOUND' });
    };
    await expectRefused(safeFetchImage('http://nowhere.test/x.png', { resolve }), 'dns_failed', /nowhere\.test/);
  });
});
