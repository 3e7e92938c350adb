import * as items from './20261123-0001-items.js';
import * as events from './20261123-0002-events.js';
import * as subjectStatus from './20261123-0003-subject-status.js';
import * as outbox from './20261123-0004-outbox.js';
import * as searchIndex from './20261123-0005-search-index.js';
import * as principals from './20261123-0006-principals.js';
import * as rescans from './20261123-0200-rescans.js';
import * as hashBanks from './20261123-0300-hash-banks.js';
import * as reviewOpenedAt from './20261123-0100-review-opened-at.js';
import * as dropRedundantItemIndexes from './20261123-0400-drop-redundant-item-indexes.js';

export interface Migration {
  id: string;
  sql: string;
}

/** Applied in this order, each once; a new change is a new file appended here. */
export const migrations: readonly Migration[] = [items, events, subjectStatus, outbox, searchIndex, principals, hashBanks, rescans, reviewOpenedAt, dropRedundantItemIndexes];
