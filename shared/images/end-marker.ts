/**
 * Whether an encoded image stops before its format's end marker. libvips reports a failed decode
 * through one process-wide error buffer, so under concurrent decodes its message can be lost
 * ("Unknown error"); reading the file's own structure tells a cut-off upload apart from other
 * damage whatever libvips managed to say.
 *
 * Returns a sentence fragment naming what is missing, or null when the ending looks whole or the
 * format has no end marker we check.
 */
export function missingEndMarker(bytes: Uint8Array, format: string): string | null {
  switch (format) {
    case 'jpeg':
      // EOI (FF D9) closes the file. Encoders and phones may append padding or vendor trailers,
      // so look in the tail rather than at the last two bytes; entropy-coded data stuffs every
      // FF with 00, so FF D9 there is a real marker.
      return hasPair(bytes, 0xff, 0xd9, 4096) ? null : 'it ends before its JPEG end-of-image marker';
    case 'png':
      return hasAscii(bytes, 'IEND', 4096) ? null : 'it ends before its PNG IEND chunk';
    case 'gif':
      return bytes.subarray(Math.max(0, bytes.length - 64)).includes(0x3b) ? null : 'it ends before its GIF trailer';
    case 'webp': {
      // RIFF header: the little-endian length at offset 4 counts every byte after the first 8.
      if (bytes.length < 12) return 'it is shorter than a WebP header';
      const declared = (bytes[4] ?? 0) | ((bytes[5] ?? 0) << 8) | ((bytes[6] ?? 0) << 16) | ((bytes[7] ?? 0) * 2 ** 24);
      return declared + 8 > bytes.length ? `its RIFF header declares ${declared + 8} bytes but only ${bytes.length} arrived` : null;
    }
    default:
      return null;
  }
}

function hasPair(bytes: Uint8Array, first: number, second: number, window: number): boolean {
  for (let i = bytes.length - 2; i >= Math.max(0, bytes.length - window); i--) {
    if (bytes[i] === first && bytes[i + 1] === second) return true;
  }
  return false;
}

function hasAscii(bytes: Uint8Array, word: string, window: number): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).subarray(Math.max(0, bytes.length - window)).includes(word, 0, 'latin1');
}
