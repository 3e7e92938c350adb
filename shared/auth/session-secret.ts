import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The key that signs console session cookies: SESSION_SECRET when set; otherwise one generated
 * into the data directory on first use and reused, so sessions survive a restart and every
 * process sharing the data directory agrees on it.
 */
export async function resolveSessionSecret(config: { SESSION_SECRET?: string; DATA_DIR: string }): Promise<string> {
  if (config.SESSION_SECRET) return config.SESSION_SECRET;
  const file = path.join(config.DATA_DIR, 'session-secret');
  const existing = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw e;
  });
  if (existing && existing.trim().length >= 32) return existing.trim();
  await mkdir(config.DATA_DIR, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    // 'wx': if another process won the race, read its secret instead of overwriting it.
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return (await readFile(file, 'utf8')).trim();
  }
}
