import { open } from 'node:fs/promises';

export interface FeedPage {
  /** Parsed lines; a line that is not JSON is kept as `{ __unparsed: line }` so it fails visibly downstream. */
  records: unknown[];
  next: string | null;
}

const MAX_LINE = 16 * 1024 * 1024;

/** The feed does not exist (a missing file, an unknown channel's URL): retrying will not help. */
export class FeedNotFoundError extends Error {
  override readonly name = 'FeedNotFoundError';
}

/** Reads up to `limit` NDJSON records of a file from a byte offset (the cursor). */
export async function readFilePage(path: string, cursor: string | null, limit: number): Promise<FeedPage> {
  const fh = await open(path, 'r').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') throw new FeedNotFoundError(`feed file ${path} does not exist`);
    throw e;
  });
  try {
    let offset = cursor ? Number(cursor) : 0;
    const records: unknown[] = [];
    let carry = Buffer.alloc(0);
    const chunk = Buffer.alloc(1 << 20);
    let consumed = offset;
    while (records.length < limit) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, offset);
      if (bytesRead === 0) {
        if (carry.length > 0) {
          records.push(parseLine(carry.toString('utf8')));
          consumed += carry.length;
          carry = Buffer.alloc(0);
        }
        break;
      }
      offset += bytesRead;
      let buf = Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
      let nl: number;
      while (records.length < limit && (nl = buf.indexOf(10)) !== -1) {
        const line = buf.subarray(0, nl).toString('utf8');
        consumed += nl + 1;
        buf = buf.subarray(nl + 1);
        if (line.trim()) records.push(parseLine(line));
      }
      carry = Buffer.from(buf);
      if (carry.length > MAX_LINE) throw new Error(`feed ${path}: a line at byte ${consumed} exceeds ${MAX_LINE} bytes`);
    }
    const size = (await fh.stat()).size;
    return { records, next: consumed < size ? String(consumed) : null };
  } finally {
    await fh.close();
  }
}

/** Reads one page from an HTTP feed: `GET <url>?after=<cursor>&limit=<n>` answering NDJSON. */
export async function readHttpPage(url: string, cursor: string | null, limit: number): Promise<FeedPage> {
  const u = new URL(url);
  u.searchParams.set('limit', String(limit));
  if (cursor) u.searchParams.set('after', cursor);
  const res = await fetch(u, { signal: AbortSignal.timeout(15_000) });
  if (res.status === 404 || res.status === 410) throw new FeedNotFoundError(`feed ${u.origin}${u.pathname} answered ${res.status}: unknown channel or feed`);
  if (!res.ok) throw new Error(`feed ${u.origin}${u.pathname} answered ${res.status}`);
  const records = (await res.text())
    .split('\n')
    .filter((l) => l.trim())
    .map(parseLine);
  const last = records.at(-1) as { id?: unknown } | undefined;
  return { records, next: records.length === limit && typeof last?.id === 'string' ? last.id : null };
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return { __unparsed: line.slice(0, 500) };
  }
}
