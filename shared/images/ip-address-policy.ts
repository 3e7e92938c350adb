import { isIPv4, isIPv6 } from 'node:net';

/**
 * Which addresses an outbound fetch of a user-supplied URL may connect to. A URL in an item is
 * attacker-controlled: without this, "fetch this image" becomes "make a request from inside our
 * network" (cloud metadata at 169.254.169.254, Redis on localhost, the admin API on 10.x).
 *
 * IPv4 is public unless it falls in a special-purpose range (IANA registry, RFC 6890 and later).
 * IPv6 is public only inside global unicast 2000::/3, minus its special-purpose ranges; the
 * forms that embed an IPv4 address (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16)
 * are judged by the IPv4 address inside, so ::ffff:127.0.0.1 is loopback like 127.0.0.1.
 */

export type AddressVerdict = { public: true } | { public: false; range: string };

interface V4Rule {
  net: number;
  bits: number;
  range: string;
}

const V4_BLOCKED: V4Rule[] = [
  ['0.0.0.0', 8, 'unspecified/"this network" 0.0.0.0/8'],
  ['10.0.0.0', 8, 'private 10.0.0.0/8'],
  ['100.64.0.0', 10, 'carrier-grade NAT 100.64.0.0/10'],
  ['127.0.0.0', 8, 'loopback 127.0.0.0/8'],
  ['169.254.0.0', 16, 'link-local 169.254.0.0/16'],
  ['172.16.0.0', 12, 'private 172.16.0.0/12'],
  ['192.0.0.0', 24, 'IETF protocol assignments 192.0.0.0/24'],
  ['192.0.2.0', 24, 'documentation 192.0.2.0/24'],
  ['192.88.99.0', 24, '6to4 relay anycast 192.88.99.0/24'],
  ['192.168.0.0', 16, 'private 192.168.0.0/16'],
  ['198.18.0.0', 15, 'benchmarking 198.18.0.0/15'],
  ['198.51.100.0', 24, 'documentation 198.51.100.0/24'],
  ['203.0.113.0', 24, 'documentation 203.0.113.0/24'],
  ['224.0.0.0', 4, 'multicast 224.0.0.0/4'],
  ['240.0.0.0', 4, 'reserved 240.0.0.0/4 (and broadcast)'],
].map(([net, bits, range]) => ({ net: parseIPv4(net as string) ?? 0, bits: bits as number, range: range as string }));

interface V6Rule {
  prefix: number[];
  bits: number;
  range: string;
}

const V6_BLOCKED_IN_GLOBAL: V6Rule[] = [
  ['2001::', 23, 'IETF protocol assignments 2001::/23 (Teredo, ORCHID, ...)'],
  ['2001:db8::', 32, 'documentation 2001:db8::/32'],
  ['3fff::', 20, 'documentation 3fff::/20'],
].map(([p, bits, range]) => ({ prefix: parseIPv6(p as string) ?? [], bits: bits as number, range: range as string }));

export function parseIPv4(text: string): number | undefined {
  if (!isIPv4(text)) return undefined;
  const parts = text.split('.').map(Number);
  return (((parts[0] ?? 0) << 24) | ((parts[1] ?? 0) << 16) | ((parts[2] ?? 0) << 8) | (parts[3] ?? 0)) >>> 0;
}

/** Eight 16-bit words; handles `::` and a trailing dotted quad. Zone ids (`%eth0`) are refused. */
export function parseIPv6(text: string): number[] | undefined {
  if (!isIPv6(text) || text.includes('%')) return undefined;
  let s = text.toLowerCase();
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseIPv4(tail);
    if (v4 === undefined) return undefined;
    s = `${s.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head = '', rest] = s.split('::');
  const headWords = head === '' ? [] : head.split(':');
  const restWords = rest === undefined || rest === '' ? [] : rest.split(':');
  const zeros = rest === undefined ? 0 : 8 - headWords.length - restWords.length;
  const words = [...headWords, ...Array<string>(zeros).fill('0'), ...restWords].map((w) => Number.parseInt(w, 16));
  return words.length === 8 && words.every((w) => w >= 0 && w <= 0xffff) ? words : undefined;
}

function v4InRule(addr: number, rule: V4Rule): boolean {
  const mask = rule.bits === 0 ? 0 : (0xffffffff << (32 - rule.bits)) >>> 0;
  return ((addr & mask) >>> 0) === ((rule.net & mask) >>> 0);
}

function v6HasPrefix(words: number[], prefix: number[], bits: number): boolean {
  for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
    const take = Math.min(16, bits);
    const mask = (0xffff << (16 - take)) & 0xffff;
    if (((words[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

function classifyV4(addr: number): AddressVerdict {
  const rule = V4_BLOCKED.find((r) => v4InRule(addr, r));
  return rule ? { public: false, range: rule.range } : { public: true };
}

function formatV4(addr: number): string {
  return [addr >>> 24, (addr >>> 16) & 255, (addr >>> 8) & 255, addr & 255].join('.');
}

function embedded(words: number[], hi: number): number {
  return (((words[hi] ?? 0) << 16) | (words[hi + 1] ?? 0)) >>> 0;
}

function classifyV6(w: number[]): AddressVerdict {
  const firstSix = w.slice(0, 6);
  if (w.every((x) => x === 0)) return { public: false, range: 'unspecified ::' };
  if (firstSix.every((x) => x === 0) && w[6] === 0 && w[7] === 1) return { public: false, range: 'loopback ::1' };
  const judgeEmbedded = (v4: number, form: string): AddressVerdict => {
    const verdict = classifyV4(v4);
    return verdict.public ? verdict : { public: false, range: `${form} of ${formatV4(v4)}: ${verdict.range}` };
  };
  if (w.slice(0, 5).every((x) => x === 0) && w[5] === 0xffff) return judgeEmbedded(embedded(w, 6), 'IPv4-mapped IPv6');
  if (w[0] === 0x64 && w[1] === 0xff9b && w.slice(2, 6).every((x) => x === 0)) return judgeEmbedded(embedded(w, 6), 'NAT64');
  if (w[0] === 0x2002) return judgeEmbedded(embedded(w, 1), '6to4');
  if (firstSix.every((x) => x === 0)) return { public: false, range: 'IPv4-compatible IPv6 ::/96 (deprecated)' };
  if (((w[0] ?? 0) & 0xe000) !== 0x2000) {
    const w0 = w[0] ?? 0;
    if ((w0 & 0xfe00) === 0xfc00) return { public: false, range: 'unique local fc00::/7' };
    if ((w0 & 0xffc0) === 0xfe80) return { public: false, range: 'link-local fe80::/10' };
    if ((w0 & 0xffc0) === 0xfec0) return { public: false, range: 'site-local fec0::/10 (deprecated)' };
    if ((w0 & 0xff00) === 0xff00) return { public: false, range: 'multicast ff00::/8' };
    return { public: false, range: 'outside global unicast 2000::/3' };
  }
  const rule = V6_BLOCKED_IN_GLOBAL.find((r) => v6HasPrefix(w, r.prefix, r.bits));
  return rule ? { public: false, range: rule.range } : { public: true };
}

/** Judge one literal address (IPv4 dotted quad or IPv6, without brackets). Anything unparsable is refused. */
export function classifyAddress(address: string): AddressVerdict {
  const v4 = parseIPv4(address);
  if (v4 !== undefined) return classifyV4(v4);
  const v6 = parseIPv6(address);
  if (v6 !== undefined) return classifyV6(v6);
  return { public: false, range: 'not an IP address' };
}

export function isPublicAddress(address: string): boolean {
  return classifyAddress(address).public;
}
