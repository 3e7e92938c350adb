import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import { hammingDistance } from '../../shared/images/hash256.js';
import { DIHEDRAL_VARIANTS, type DihedralVariant } from '../../shared/images/pdq.js';
import { pdqHashImage, pdqHashImageDihedral } from '../../shared/images/pdq-image.js';
import { loadPdqReferenceData } from './pdq-reference-data.js';

const data = loadPdqReferenceData();

type Step = (s: Sharp) => Sharp;
/** One sharp pass per step, PNG in between, so sharp's fixed flip-before-rotate order cannot confuse us. */
async function transform(bytes: Buffer, steps: Step[]): Promise<Buffer> {
  let out = await sharp(bytes).flatten({ background: '#ffffff' }).png().toBuffer();
  for (const step of steps) out = await step(sharp(out)).png().toBuffer();
  return out;
}

const rotateCw: Step = (s) => s.rotate(90);
const rotateCcw: Step = (s) => s.rotate(270);
const upsideDown: Step = (s) => s.flip();
const mirror: Step = (s) => s.flop();

/** What each reference-named variant predicts, as pixel operations. */
const COPIES: Record<Exclude<DihedralVariant, 'original'>, Step[]> = {
  rotate90: [rotateCcw],
  rotate180: [(s) => s.rotate(180)],
  rotate270: [rotateCw],
  flipX: [upsideDown],
  flipY: [mirror],
  flipPlus1: [upsideDown, rotateCw], // transpose about the main diagonal
  flipMinus1: [mirror, rotateCw], // transpose about the anti-diagonal
};

// Measured on these images: 0..26 bits. The variants are exact in DCT space, but the reference's
// box filter (even windows lean one pixel forward) and centre sampling are not mirror-symmetric,
// so a mirrored copy is sampled half a pixel off; the reference's own rotated test images show
// the same pattern
// (checked by hand against the hashes of pdq/data/reg-test-input/dih: 2..18 bits). What matters is staying inside the match threshold of 31.
const MATCH_THRESHOLD = 31;

describe('PDQ dihedral variants (computed from the DCT, not by re-hashing pixels)', () => {
  it.each(['aaa-orig.jpg', 'c.png', 'wee.jpg', 'square-128x128.jpg'])('%s: each variant matches the hash of the correspondingly transformed copy', async (file) => {
    const bytes = data.read(file);
    const { variants } = await pdqHashImageDihedral(bytes);
    for (const [variant, steps] of Object.entries(COPIES) as [DihedralVariant, Step[]][]) {
      const copy = await pdqHashImage(await transform(bytes, steps));
      const distances = DIHEDRAL_VARIANTS.map((v) => hammingDistance(copy.hash, variants[v]));
      const own = hammingDistance(copy.hash, variants[variant]);
      expect(own, `${file} ${variant}: distances to all variants ${distances.join(',')}`).toBeLessThanOrEqual(MATCH_THRESHOLD);
      // ...and it is that variant, clearly, not another one that happens to be near.
      const others = DIHEDRAL_VARIANTS.filter((v) => v !== variant).map((v) => hammingDistance(copy.hash, variants[v]));
      expect(Math.min(...others)).toBeGreaterThan(64);
    }
  });

  it('the original variant is the plain hash', async () => {
    const result = await pdqHashImageDihedral(data.read('wee.jpg'));
    expect(hammingDistance(result.variants.original, result.hash)).toBe(0);
  });
});
