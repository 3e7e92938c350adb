/**
 * Raw RFC 822 e-mail → the text a reader sees: the Subject line and the body, with transport
 * headers dropped, MIME parts walked (text/plain preferred, text/html stripped of markup),
 * quoted-printable and base64 decoded, quoted replies and signatures removed. Small on purpose:
 * it only has to read the SpamAssassin corpus well, not every mail ever sent.
 */

interface Part {
  headers: Map<string, string>;
  body: string;
}

function parsePart(raw: string): Part {
  const text = raw.replace(/\r\n/g, '\n');
  const split = text.indexOf('\n\n');
  const head = split >= 0 ? text.slice(0, split) : text;
  const body = split >= 0 ? text.slice(split + 2) : '';
  const headers = new Map<string, string>();
  let last = '';
  for (const line of head.split('\n')) {
    if (/^\s/.test(line) && last) {
      headers.set(last, `${headers.get(last) ?? ''} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(last)) headers.set(last, line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function param(header: string, name: string): string | undefined {
  const m = new RegExp(`${name}\\s*=\\s*"?([^";]+)"?`, 'i').exec(header);
  return m?.[1]?.trim();
}

function decodeBody(part: Part): string {
  const encoding = (part.headers.get('content-transfer-encoding') ?? '').toLowerCase();
  const charset = (param(part.headers.get('content-type') ?? '', 'charset') ?? '').toLowerCase();
  let bytes: Buffer;
  if (encoding.includes('base64')) {
    bytes = Buffer.from(part.body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  } else if (encoding.includes('quoted-printable')) {
    const soft = part.body.replace(/=\n/g, '');
    bytes = Buffer.from(soft.replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
  } else {
    return part.body;
  }
  if (/8859|1252|ascii|latin/.test(charset)) return bytes.toString('latin1');
  // UTF-8 when declared, or when undeclared and the bytes are valid UTF-8; Latin-1 otherwise.
  const utf8 = bytes.toString('utf8');
  return charset.includes('utf') || !utf8.includes('\ufffd') ? utf8 : bytes.toString('latin1');
}

const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", copy: '©', reg: '®' };

export function htmlToText(html: string): string {
  return html
    .replace(/<(style|script|head)[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<br\s*\/?>|<\/p>|<\/div>|<\/tr>|<\/h\d>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    });
}

/** The readable text parts of a (possibly multipart) message, plain text preferred. */
function readableBody(part: Part, depth = 0): string {
  const type = (part.headers.get('content-type') ?? 'text/plain').toLowerCase();
  if (type.startsWith('multipart/') && depth < 5) {
    const boundary = param(part.headers.get('content-type') ?? '', 'boundary');
    if (!boundary) return '';
    const children = part.body
      .split(`--${boundary}`)
      .slice(1)
      .filter((c) => !c.startsWith('--'))
      .map((c) => parsePart(c.replace(/^\n/, '')));
    const plain = children.filter((c) => (c.headers.get('content-type') ?? 'text/plain').toLowerCase().startsWith('text/plain'));
    const chosen = plain.length ? plain : children;
    return chosen.map((c) => readableBody(c, depth + 1)).join('\n');
  }
  if (type.startsWith('text/html')) return htmlToText(decodeBody(part));
  if (type.startsWith('text/') || !part.headers.has('content-type')) return decodeBody(part);
  return ''; // attachments, images
}

function decodeHeaderWords(s: string): string {
  // RFC 2047 encoded words: =?charset?B|Q?...?=
  return s.replace(/=\?([^?]+)\?([bqBQ])\?([^?]*)\?=/g, (_, charset: string, enc: string, data: string) => {
    const utf8 = /utf-?8/i.test(charset);
    const bytes =
      enc.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64')
        : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (__, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
    return bytes.toString(utf8 ? 'utf8' : 'latin1');
  });
}

/** Subject and readable body, quoted replies and signature dropped, whitespace collapsed, clipped. */
export function emailToText(raw: string, maxChars = 1200): string {
  const msg = parsePart(raw);
  const subject = decodeHeaderWords(msg.headers.get('subject') ?? '').trim();
  const lines = readableBody(msg).split('\n');
  const kept: string[] = [];
  for (const line of lines) {
    if (/^-- ?$/.test(line)) break; // signature separator
    if (/^\s*>/.test(line)) continue; // quoted reply
    if (/^[-=_*~#]{6,}\s*$/.test(line.trim())) continue; // rulers
    kept.push(line);
  }
  const body = kept.join(' ').replace(/\s+/g, ' ').trim();
  const text = subject ? `${subject}\n${body}` : body;
  return text.length > maxChars ? text.slice(0, maxChars).replace(/\s+\S*$/, '') : text;
}
