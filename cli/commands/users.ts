import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PrincipalService } from '../../shared/auth/principal-service.js';
import { roleSchema, type Role } from '../../shared/auth/roles.js';
import { loadConfig } from '../../shared/config.js';
import { openDb } from '../../shared/store/db.js';
import { migrate } from '../../shared/store/migrate.js';
import { UsageError } from '../command.js';

const USAGE = `usage: modpipe users create <id> --role <role> [--role <role>...] [--password-stdin]
       modpipe users password <id> [--password-stdin]
       modpipe users list
       modpipe users disable <id> | enable <id>
roles: ${roleSchema.options.join(', ')}   (senior = senior moderator: also the escalated queue)
Without --password-stdin a random password is generated and printed once.
With PGlite (no DATABASE_URL), stop 'modpipe up' first: one process owns the data directory.`;

// Ids become actor strings (`moderator:<id>`): keep them to what the actor pattern accepts.
const USER_ID = /^[\w.@-]{1,64}$/;

async function readPassword(fromStdin: boolean): Promise<{ password: string; generated: boolean }> {
  if (!fromStdin) return { password: randomBytes(12).toString('base64url'), generated: true };
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (password.length < 10) throw new UsageError('passwords need at least 10 characters');
  return { password, generated: false };
}

/** Console users: people who sign in with a password (machines use `modpipe tokens`). */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { role: { type: 'string', multiple: true }, 'password-stdin': { type: 'boolean', default: false } },
  });
  const [action, id] = positionals;
  if (!action || !['create', 'password', 'list', 'disable', 'enable'].includes(action)) throw new UsageError(USAGE);
  if (action !== 'list' && (!id || !USER_ID.test(id))) throw new UsageError(`a user id is letters, digits and . @ _ - (at most 64)\n${USAGE}`);
  const roles = (values.role ?? []).flatMap((r) => r.split(',')).map((r) => {
    const parsed = roleSchema.safeParse(r.trim());
    if (!parsed.success) throw new UsageError(`unknown role '${r}'\n${USAGE}`);
    return parsed.data as Role;
  });
  if (action === 'create' && roles.length === 0) throw new UsageError(`--role is required\n${USAGE}`);
  const password = action === 'create' || action === 'password' ? await readPassword(values['password-stdin']) : null;

  const config = loadConfig();
  const db = await openDb({ databaseUrl: config.DATABASE_URL, dataDir: path.join(config.DATA_DIR, 'pglite') });
  try {
    await migrate(db);
    const principals = new PrincipalService(db);
    const existing = id ? (await db.query<{ kind: string }>('SELECT kind FROM principals WHERE id = $1', [id])).rows[0] : undefined;
    if (existing && existing.kind !== 'user') throw new UsageError(`${id} is a machine principal; use another id`);
    switch (action) {
      case 'create':
        await principals.ensurePrincipal(id!, 'user', roles);
        await principals.setPassword(id!, password!.password);
        process.stdout.write(`${existing ? 'updated' : 'created'} user ${id} (${roles.join(', ')})\n`);
        if (password!.generated) process.stdout.write(`password: ${password!.password}\n(shown once; change it with: modpipe users password ${id} --password-stdin)\n`);
        return 0;
      case 'password':
        if (!existing) throw new UsageError(`no user ${id}`);
        // A new password ends the user's console sessions: the session cookie carries its fingerprint.
        await principals.setPassword(id!, password!.password);
        process.stdout.write(`password of ${id} changed${password!.generated ? `: ${password!.password}` : ''}\n`);
        return 0;
      case 'disable':
      case 'enable': {
        const r = await db.query(`UPDATE principals SET disabled = $2 WHERE id = $1 AND kind = 'user'`, [id, action === 'disable']);
        process.stdout.write(r.affectedRows ? `${action}d ${id}\n` : `no user ${id}\n`);
        return r.affectedRows ? 0 : 1;
      }
      case 'list': {
        const r = await db.query<{ id: string; roles: string[]; disabled: boolean; has_password: boolean; created_at: Date }>(
          `SELECT id, roles, disabled, password_hash IS NOT NULL AS has_password, created_at FROM principals WHERE kind = 'user' ORDER BY id`,
        );
        if (r.rows.length === 0) process.stdout.write('no users\n');
        for (const u of r.rows) process.stdout.write(`${u.id}\t${u.roles.join(',')}\t${u.disabled ? 'disabled' : 'active'}${u.has_password ? '' : '\t(no password)'}\n`);
        return 0;
      }
    }
    return 2;
  } finally {
    await db.close();
  }
}
