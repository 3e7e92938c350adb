import path from 'node:path';
import { parseArgs } from 'node:util';
import { PrincipalService } from '../../shared/auth/principal-service.js';
import { roleSchema, tokenScopeSchema, type Role, type TokenScope } from '../../shared/auth/roles.js';
import { listTokens } from '../../shared/auth/token-inventory.js';
import { loadConfig } from '../../shared/config.js';
import { openDb } from '../../shared/store/db.js';
import { migrate } from '../../shared/store/migrate.js';
import { UsageError } from '../command.js';

const USAGE = `usage: modpipe tokens create --principal <id> --role <role>[,<role>] --scopes <scope>[,<scope>] [--rate-limit <per-minute>]
       modpipe tokens list [--principal <id>]
       modpipe tokens revoke <token-id>
roles:  ${roleSchema.options.join(', ')}
scopes: ${tokenScopeSchema.options.join(', ')}`;

function parseList<T>(value: string | undefined, schema: { safeParse(v: unknown): { success: boolean; data?: T } }, what: string): T[] {
  const parts = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return parts.map((p) => {
    const r = schema.safeParse(p);
    if (!r.success) throw new UsageError(`unknown ${what} '${p}'\n${USAGE}`);
    return r.data as T;
  });
}

/** API tokens for machines: created once (the plaintext is shown once), listed, revoked. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { principal: { type: 'string' }, role: { type: 'string' }, scopes: { type: 'string' }, 'rate-limit': { type: 'string' } },
  });
  const [action, id] = positionals;
  if (!action || !['create', 'list', 'revoke'].includes(action)) throw new UsageError(USAGE);
  const config = loadConfig();
  const db = await openDb({ databaseUrl: config.DATABASE_URL, dataDir: path.join(config.DATA_DIR, 'pglite') });
  try {
    await migrate(db);
    const principals = new PrincipalService(db);
    switch (action) {
      case 'create': {
        if (!values.principal) throw new UsageError(`--principal is required\n${USAGE}`);
        const roles = parseList<Role>(values.role, roleSchema, 'role');
        const scopes = parseList<TokenScope>(values.scopes, tokenScopeSchema, 'scope');
        if (roles.length === 0) throw new UsageError(`--role is required\n${USAGE}`);
        const rate = values['rate-limit'] === undefined ? 600 : Number(values['rate-limit']);
        if (!Number.isInteger(rate) || rate < 1) throw new UsageError('--rate-limit is a positive whole number of requests per minute');
        await principals.ensurePrincipal(values.principal, 'machine', roles);
        const token = await principals.createToken(values.principal, scopes, rate);
        process.stdout.write(`token id   ${token.id}\nprincipal  ${values.principal} (${roles.join(', ')})\nscopes     ${scopes.join(', ') || '(none)'}\nrate limit ${rate}/min\n\n${token.token}\n\nThe token is shown once and stored only hashed: keep it now.\n`);
        return 0;
      }
      case 'list': {
        const rows = await listTokens(db, values.principal);
        if (rows.length === 0) process.stdout.write('no tokens\n');
        for (const t of rows) {
          process.stdout.write(`${t.id}\t${t.principal_id}\t${t.roles.join(',')}\t${t.scopes.join(',') || '-'}\t${t.rate_limit_per_min}/min\tcreated ${t.created_at}\t${t.revoked_at ? `revoked ${t.revoked_at}` : 'active'}\n`);
        }
        return 0;
      }
      case 'revoke': {
        if (!id) throw new UsageError(`which token? ${USAGE}`);
        const revoked = await principals.revokeToken(id);
        process.stdout.write(revoked ? `revoked ${id}\n` : `no active token ${id}\n`);
        return revoked ? 0 : 1;
      }
    }
    return 2;
  } finally {
    await db.close();
  }
}
