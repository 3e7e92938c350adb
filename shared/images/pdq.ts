import { emptyHash256, setHashBit, type Hash256 } from './hash256.js';

/**
 * PDQ, Meta's 256-bit perceptual image hash, written from the published algorithm
 * (facebook/ThreatExchange, pdq/: the 2017 hashing paper and its C++/Python references).
 *
 *   RGB -> luminance -> tent blur (two X,Y passes of a Jarosz box filter) -> 64x64 decimation
 *   -> the 16x16 lowest non-DC DCT coefficients -> one bit per coefficient: above the median?
 *
 * Arithmetic is float64, as in the Python reference that produced our conformance data (the C++
 * one uses float32; the two differ by a bit now and then, within the tolerance Meta publishes).
 * This module is pure: pixels in, hash out. Decoding and the pre-shrink live in pdq-image.ts.
 */

/** Rec. 601 luma weights, the reference's "standard RGB to luminance". */
const LUMA_R = 0.299;
const LUMA_G = 0.587;
const LUMA_B = 0.114;

/** Below this the reference refuses to hash and returns the zero hash with quality 0. */
export const PDQ_MIN_DIMENSION = 5;
const DOWNSAMPLE = 64;
const DCT_SIZE = 16;
const JAROSZ_PASSES = 2;

export interface PdqResult {
  hash: Hash256;
  /** 0..100; Meta's advice: do not match on hashes below 50. */
  quality: number;
  /** The 16x16 DCT block the bits were cut from (row-major), kept for the dihedral variants. */
  dct: Float64Array;
}

/** 16x64 DCT-II basis for frequencies 1..16 (DC left out: it only carries mean brightness). */
const DCT_MATRIX: Float64Array = (() => {
  const m = new Float64Array(DCT_SIZE * DOWNSAMPLE);
  const scale = Math.sqrt(2 / DOWNSAMPLE);
  for (let i = 0; i < DCT_SIZE; i++) {
    for (let j = 0; j < DOWNSAMPLE; j++) {
      m[i * DOWNSAMPLE + j] = scale * Math.cos((Math.PI / 2 / DOWNSAMPLE) * (i + 1) * (2 * j + 1));
    }
  }
  return m;
})();

/**
 * Two full-size float planes per image (1.3 MB each at 512x321) are the main allocation; hashing
 * is synchronous, so one pair is reused across calls instead of being zeroed and collected each time.
 */
const scratchPlanes: Float64Array[] = [new Float64Array(0), new Float64Array(0)];
function scratch(which: 0 | 1, length: number): Float64Array {
  let plane = scratchPlanes[which] ?? new Float64Array(0);
  if (plane.length < length) {
    plane = new Float64Array(length);
    scratchPlanes[which] = plane;
  }
  return plane.subarray(0, length);
}

/**
 * Pixels as sharp's `.raw()` hands them over: interleaved, `channels` bytes per pixel. 1 or 2
 * channels are grey (+alpha), 3 or 4 are RGB (+alpha); alpha is ignored here, the decoder decides
 * what transparent pixels look like before we see them.
 */
export function pdqFromPixels(pixels: Uint8Array, width: number, height: number, channels: number): PdqResult {
  if (!Number.isInteger(channels) || channels < 1 || channels > 4) throw new RangeError(`PDQ reads 1 to 4 channels, got ${channels}`);
  if (pixels.length < width * height * channels) throw new RangeError(`pixel buffer holds ${pixels.length} bytes, ${width}x${height}x${channels} needs ${width * height * channels}`);
  const luma = scratch(0, width * height);
  if (channels >= 3) {
    for (let p = 0, o = 0; p < luma.length; p++, o += channels) {
      luma[p] = LUMA_R * (pixels[o] ?? 0) + LUMA_G * (pixels[o + 1] ?? 0) + LUMA_B * (pixels[o + 2] ?? 0);
    }
  } else {
    for (let p = 0, o = 0; p < luma.length; p++, o += channels) luma[p] = pixels[o] ?? 0;
  }
  return pdqFromLuma(luma, height, width);
}

/** Hash a row-major luminance plane. `luma` is used as scratch space and overwritten. */
export function pdqFromLuma(luma: Float64Array, rows: number, cols: number): PdqResult {
  if (rows < PDQ_MIN_DIMENSION || cols < PDQ_MIN_DIMENSION) {
    return { hash: emptyHash256(), quality: 0, dct: new Float64Array(DCT_SIZE * DCT_SIZE) };
  }
  const small = new Float64Array(DOWNSAMPLE * DOWNSAMPLE);
  if (rows === DOWNSAMPLE && cols === DOWNSAMPLE) {
    // Already the working size (e.g. frames downsampled elsewhere): the reference skips the blur.
    small.set(luma.subarray(0, small.length));
  } else {
    jaroszFilter(luma, scratch(1, rows * cols), rows, cols, jaroszWindowSize(cols), jaroszWindowSize(rows));
    decimate(luma, rows, cols, small);
  }
  const quality = qualityMetric(small);
  const dct = dct64To16(small);
  return { hash: hashFromDct(dct), quality, dct };
}

/**
 * Each box pass covers half a 64th of the dimension (two passes make the full tent), rounded
 * up: 1024 pixels -> window 8. Below 128 pixels the window is 1, i.e. no blur.
 */
export function jaroszWindowSize(dimension: number): number {
  return Math.floor((dimension + 2 * DOWNSAMPLE - 1) / (2 * DOWNSAMPLE));
}

function jaroszFilter(buf: Float64Array, tmp: Float64Array, rows: number, cols: number, windowAlongRows: number, windowAlongCols: number): void {
  for (let pass = 0; pass < JAROSZ_PASSES; pass++) {
    for (let i = 0; i < rows; i++) box1d(buf, tmp, i * cols, cols, 1, windowAlongRows);
    boxDown(tmp, buf, rows, cols, windowAlongCols);
  }
}

/**
 * Running-sum box filter whose window is centred (for even sizes, one more sample ahead) and
 * shrinks at both ends instead of padding, so edges are averaged over real pixels only. The
 * window arithmetic follows the reference exactly: hashes depend on it bit for bit.
 */
function box1d(input: Float64Array, output: Float64Array, start: number, length: number, stride: number, window: number): void {
  const half = Math.floor((window + 2) / 2);
  const warmup = half - 1;
  const growing = window - half + 1;
  const steady = length - window;
  const shrinking = half - 1;
  let left = start;
  let right = start;
  let out = start;
  let sum = 0;
  let count = 0;
  for (let n = 0; n < warmup; n++) {
    sum += input[right] ?? 0;
    count++;
    right += stride;
  }
  for (let n = 0; n < growing; n++) {
    sum += input[right] ?? 0;
    count++;
    output[out] = sum / count;
    right += stride;
    out += stride;
  }
  for (let n = 0; n < steady; n++) {
    sum += input[right] ?? 0;
    sum -= input[left] ?? 0;
    output[out] = sum / count;
    left += stride;
    right += stride;
    out += stride;
  }
  for (let n = 0; n < shrinking; n++) {
    sum -= input[left] ?? 0;
    count--;
    output[out] = sum / count;
    left += stride;
    out += stride;
  }
}

/**
 * box1d down every column at once, sweeping rows in memory order: one running sum per column.
 * Walking each column on its own strides through memory a row at a time and was 3x slower. Each
 * column still sees the same additions, subtractions and divisions in the same order as box1d,
 * so the result is bit-for-bit the same.
 */
function boxDown(input: Float64Array, output: Float64Array, rows: number, cols: number, window: number): void {
  const half = Math.floor((window + 2) / 2);
  const warmup = half - 1;
  const growing = window - half + 1;
  const steady = rows - window;
  const shrinking = half - 1;
  const sums = new Float64Array(cols);
  let left = 0;
  let right = 0;
  let out = 0;
  let count = 0;
  for (let n = 0; n < warmup; n++, right += cols) {
    for (let j = 0; j < cols; j++) sums[j] = (sums[j] ?? 0) + (input[right + j] ?? 0);
    count++;
  }
  for (let n = 0; n < growing; n++, right += cols, out += cols) {
    count++;
    for (let j = 0; j < cols; j++) {
      const s = (sums[j] ?? 0) + (input[right + j] ?? 0);
      sums[j] = s;
      output[out + j] = s / count;
    }
  }
  for (let n = 0; n < steady; n++, left += cols, right += cols, out += cols) {
    for (let j = 0; j < cols; j++) {
      const s = (sums[j] ?? 0) + (input[right + j] ?? 0) - (input[left + j] ?? 0);
      sums[j] = s;
      output[out + j] = s / count;
    }
  }
  for (let n = 0; n < shrinking; n++, left += cols, out += cols) {
    count--;
    for (let j = 0; j < cols; j++) {
      const s = (sums[j] ?? 0) - (input[left + j] ?? 0);
      sums[j] = s;
      output[out + j] = s / count;
    }
  }
}

/** Sample the blurred plane at the centres of a 64x64 grid. */
function decimate(input: Float64Array, rows: number, cols: number, out: Float64Array): void {
  for (let i = 0; i < DOWNSAMPLE; i++) {
    const ini = Math.floor(((i + 0.5) * rows) / DOWNSAMPLE);
    for (let j = 0; j < DOWNSAMPLE; j++) {
      const inj = Math.floor(((j + 0.5) * cols) / DOWNSAMPLE);
      out[i * DOWNSAMPLE + j] = input[ini * cols + inj] ?? 0;
    }
  }
}

/**
 * Counts significant neighbour gradients in the 64x64 image: each difference is quantised to
 * whole percent of full scale (truncated toward zero, as the reference's int cast does) so many
 * tiny gradients from noise do not add up to "detail". Flat images score low and hash badly.
 */
export function qualityMetric(small: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < DOWNSAMPLE - 1; i++) {
    for (let j = 0; j < DOWNSAMPLE; j++) {
      const d = Math.trunc((((small[i * DOWNSAMPLE + j] ?? 0) - (small[(i + 1) * DOWNSAMPLE + j] ?? 0)) * 100) / 255);
      sum += Math.abs(d);
    }
  }
  for (let i = 0; i < DOWNSAMPLE; i++) {
    for (let j = 0; j < DOWNSAMPLE - 1; j++) {
      const d = Math.trunc((((small[i * DOWNSAMPLE + j] ?? 0) - (small[i * DOWNSAMPLE + j + 1] ?? 0)) * 100) / 255);
      sum += Math.abs(d);
    }
  }
  return Math.min(100, Math.trunc(sum / 90));
}

/** B = D A D^T, computing only the 16x16 block we keep (cheaper than a fast full 64x64 DCT). */
function dct64To16(a: Float64Array): Float64Array {
  const t = new Float64Array(DCT_SIZE * DOWNSAMPLE);
  for (let i = 0; i < DCT_SIZE; i++) {
    const di = i * DOWNSAMPLE;
    for (let j = 0; j < DOWNSAMPLE; j++) {
      let s = 0;
      for (let k = 0; k < DOWNSAMPLE; k++) s += (DCT_MATRIX[di + k] ?? 0) * (a[k * DOWNSAMPLE + j] ?? 0);
      t[i * DOWNSAMPLE + j] = s;
    }
  }
  const b = new Float64Array(DCT_SIZE * DCT_SIZE);
  for (let i = 0; i < DCT_SIZE; i++) {
    const ti = i * DOWNSAMPLE;
    for (let j = 0; j < DCT_SIZE; j++) {
      const dj = j * DOWNSAMPLE;
      let s = 0;
      for (let k = 0; k < DOWNSAMPLE; k++) s += (t[ti + k] ?? 0) * (DCT_MATRIX[dj + k] ?? 0);
      b[i * DCT_SIZE + j] = s;
    }
  }
  return b;
}

/**
 * One bit per coefficient: set when strictly above the median. The median is the lower one of
 * the 256 values (rank 128), which is what the reference's Torben selection returns.
 */
export function hashFromDct(dct: Float64Array): Hash256 {
  const sorted = Float64Array.from(dct).sort();
  const median = sorted[(sorted.length >> 1) - 1] ?? 0;
  const hash = new Uint16Array(DCT_SIZE);
  for (let k = 0; k < DCT_SIZE * DCT_SIZE; k++) if ((dct[k] ?? 0) > median) setHashBit(hash, k);
  return hash;
}

/**
 * The eight symmetries of the square, named as the reference names them. What each one matches,
 * measured against the reference's own rotated test images and against sharp (see
 * test/images/pdq-dihedral.test.ts): rotate90 is a quarter turn counter-clockwise (sharp
 * `rotate(270)`), rotate270 clockwise (sharp `rotate(90)`), flipX turns the image upside down
 * (sharp `flip()`), flipY mirrors it left-right (sharp `flop()`), flipPlus1 transposes it about
 * the main diagonal, flipMinus1 about the anti-diagonal.
 */
export const DIHEDRAL_VARIANTS = ['original', 'rotate90', 'rotate180', 'rotate270', 'flipX', 'flipY', 'flipPlus1', 'flipMinus1'] as const;
export type DihedralVariant = (typeof DIHEDRAL_VARIANTS)[number];

/**
 * Mirroring an image negates the odd-index DCT basis functions along that axis (row i of our
 * block is frequency i + 1, so frequencies 1, 3, 5... sit at even i); rotating by 90 degrees
 * swaps the axes, i.e. transposes the block. So every variant is a transpose-or-not plus a sign
 * pattern, and no re-hashing of pixels is needed.
 */
const VARIANT_RULES: Record<DihedralVariant, { transpose: boolean; negate: (i: number, j: number) => boolean }> = {
  original: { transpose: false, negate: () => false },
  rotate90: { transpose: true, negate: (_i, j) => (j & 1) === 0 },
  rotate180: { transpose: false, negate: (i, j) => ((i + j) & 1) === 1 },
  rotate270: { transpose: true, negate: (i) => (i & 1) === 0 },
  flipX: { transpose: false, negate: (i) => (i & 1) === 0 },
  flipY: { transpose: false, negate: (_i, j) => (j & 1) === 0 },
  flipPlus1: { transpose: true, negate: () => false },
  flipMinus1: { transpose: true, negate: (i, j) => ((i + j) & 1) === 1 },
};

export function dihedralDct(dct: Float64Array, variant: DihedralVariant): Float64Array {
  const rule = VARIANT_RULES[variant];
  const out = new Float64Array(DCT_SIZE * DCT_SIZE);
  for (let i = 0; i < DCT_SIZE; i++) {
    for (let j = 0; j < DCT_SIZE; j++) {
      const v = dct[i * DCT_SIZE + j] ?? 0;
      out[rule.transpose ? j * DCT_SIZE + i : i * DCT_SIZE + j] = rule.negate(i, j) ? -v : v;
    }
  }
  return out;
}

/** All eight variant hashes; a zero DCT (image too small) gives eight zero hashes. */
export function dihedralHashes(dct: Float64Array): Record<DihedralVariant, Hash256> {
  const out = {} as Record<DihedralVariant, Hash256>;
  for (const v of DIHEDRAL_VARIANTS) out[v] = v === 'original' ? hashFromDct(dct) : hashFromDct(dihedralDct(dct, v));
  return out;
}
