import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openDb, type Db } from '../../shared/store/db.js';
import { migrate } from '../../shared/store/migrate.js';

export type Backend = 'pglite' | 'postgres';

/** The Postgres server tests may create databases on: TEST_DATABASE_URL, else DATABASE_URL. */
export function postgresUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
}

/** Store tests run on PGlite always and on a real Postgres when one is configured. */
export function backends(): Backend[] {
  return postgresUrl() ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestDb {
  db: Db;
  /** Set for postgres: other processes (workers under test) connect with it. */
  url?: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database: PGlite in memory, or a new database on the Postgres server. */
export async function openTestDb(backend: Backend): Promise<TestDb> {
  if (backend === 'pglite') {
    const db = await openDb({ dataDir: 'memory://' });
    await migrate(db);
    return { db, drop: () => db.close() };
  }
  const base = postgresUrl();
  if (!base) throw new Error('postgres backend requested but neither TEST_DATABASE_URL nor DATABASE_URL is set');
  const name = `modpipe_t_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const db = await openDb({ databaseUrl: url.toString() });
  await migrate(db);
  return {
    db,
    url: url.toString(),
    drop: async () => {
      await db.close();
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
