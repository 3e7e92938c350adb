import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrincipalService } from '../../shared/auth/principal-service.js';
import { resolveSessionSecret } from '../../shared/auth/session-secret.js';
import { SessionService } from '../../shared/auth/sessions.js';
import { backends, openTestDb, type TestDb } from '../support/test-db.js';
import { createUser } from './review-fixture.js';

describe('the session secret', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'modpipe-secret-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is SESSION_SECRET when set, else generated once into the data directory and reused', async () => {
    expect(await resolveSessionSecret({ SESSION_SECRET: 'x'.repeat(40), DATA_DIR: dir })).toBe('x'.repeat(40));
    const first = await resolveSessionSecret({ DATA_DIR: dir });
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(await resolveSessionSecret({ DATA_DIR: dir })).toBe(first);
    expect((await readFile(path.join(dir, 'session-secret'), 'utf8')).trim()).toBe(first);
    expect((await stat(path.join(dir, 'session-secret'))).mode & 0o777).toBe(0o600);
  });
});

describe.each(backends())('console sessions on %s', (backend) => {
  let t: TestDb;
  let sessions: SessionService;
  beforeAll(async () => {
    t = await openTestDb(backend);
    sessions = new SessionService(t.db, 60_000);
    await createUser(t.db, 'ana', ['moderator']);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('resolve to the user with current roles until they expire', async () => {
    const s = (await sessions.issue('ana'))!;
    expect(await sessions.resolve(s.value)).toEqual({ id: 'ana', kind: 'user', roles: ['moderator'] });
    await new PrincipalService(t.db).ensurePrincipal('ana', 'user', ['triage']);
    expect((await sessions.resolve(s.value))?.roles).toEqual(['triage']);
    expect(await sessions.resolve(s.value, Date.now() + 61_000)).toBeNull();
  });

  it('end when the password changes or the user is disabled', async () => {
    const s = (await sessions.issue('ana'))!;
    await new PrincipalService(t.db).setPassword('ana', 'another long password');
    expect(await sessions.resolve(s.value)).toBeNull();
    const fresh = (await sessions.issue('ana'))!;
    await t.db.query('UPDATE principals SET disabled = true WHERE id = $1', ['ana']);
    expect(await sessions.resolve(fresh.value)).toBeNull();
  });
});
