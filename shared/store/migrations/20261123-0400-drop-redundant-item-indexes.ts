export const id = '20261123-0400-drop-redundant-item-indexes';
// The rescans migration added (channel_id, id) and (first_seen, id) for keyset pagination; they
// serve every query the single-column indexes did, which only cost writes on every ingest.
export const sql = `
DROP INDEX IF EXISTS items_channel_idx;
DROP INDEX IF EXISTS items_first_seen_idx;
`;
