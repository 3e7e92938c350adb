import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hammingDistanceHex } from '../../shared/images/hash256.js';
import { loadPdqReferenceData } from './pdq-reference-data.js';

const BIN = fileURLToPath(new URL('../../bin/modpipe.js', import.meta.url));
const data = loadPdqReferenceData();

function modpipe(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('modpipe hash', () => {
  it("prints '<hash>,<quality>,<source>' per image, close to the reference hash", async () => {
    const files = ['c.png', 'wee.jpg'];
    const { code, stdout, stderr } = await modpipe(['hash', ...files.map((f) => `${data.imagesDir}${f}`)]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    lines.forEach((line, i) => {
      const [hash = '', quality, source] = line.split(',');
      const expected = data.rows.find((r) => r.file === files[i]);
      expect(source).toBe(`${data.imagesDir}${files[i]}`);
      expect(quality).toBe('100');
      expect(hammingDistanceHex(hash, expected?.pdq_hex ?? '')).toBeLessThanOrEqual(10);
    });
  });

  it('reports what it could not hash on stderr with exit code 1, and refuses loopback URLs', async () => {
    const { code, stdout, stderr } = await modpipe(['hash', `${data.dir}README.md`, 'http://127.0.0.1:9/x.png', `${data.imagesDir}wee.jpg`]);
    expect(code).toBe(1);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/README\.md: not an image .*\[unsupported\]/);
    expect(stderr).toMatch(/127\.0\.0\.1:9\/x\.png: refusing to connect to 127\.0\.0\.1: loopback .*\[blocked_address\]/);
  });
});
