import path from 'node:path';
import { UsageError } from '../command.js';
import { loadConfig } from '../../shared/config.js';
import { openDb } from '../../shared/store/db.js';
import { migrate } from '../../shared/store/migrate.js';
import { verifyRecord, writeCheckpoint } from '../../shared/store/checkpoints.js';

/** `modpipe record verify | checkpoint`: prove the event log was not altered. Exit 1 on any break. */
export async function run(args: string[]): Promise<number> {
  const [action] = args;
  if (action !== 'verify' && action !== 'checkpoint') throw new UsageError('usage: modpipe record verify | checkpoint');
  const config = loadConfig();
  const db = await openDb({ databaseUrl: config.DATABASE_URL, dataDir: path.join(config.DATA_DIR, 'pglite') });
  try {
    await migrate(db);
    if (action === 'checkpoint') {
      const cp = await writeCheckpoint(db);
      process.stdout.write(cp ? `checkpoint ${cp.id}: ${cp.subjects} subjects up to event ${cp.max_event_id}, root ${cp.root_hash}\n` : 'no new events since the last checkpoint\n');
      return 0;
    }
    const check = await verifyRecord(db);
    process.stdout.write(`${check.subjects} subjects, ${check.events} events verified; ${check.broken.length} broken chains; ${check.checkpoints.filter((c) => c.ok).length}/${check.checkpoints.length} checkpoints hold\n`);
    for (const b of check.broken) process.stdout.write(`BROKEN ${b.subject_id}: seq ${b.check.brokenAt?.seq}: ${b.check.brokenAt?.reason}\n`);
    for (const c of check.checkpoints.filter((x) => !x.ok)) process.stdout.write(`CHECKPOINT ${c.id} does not hold: events were removed or altered\n`);
    return check.broken.length === 0 && check.checkpoints.every((c) => c.ok) ? 0 : 1;
  } finally {
    await db.close();
  }
}
