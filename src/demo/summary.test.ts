import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatSummary } from './summary.js';

describe('formatSummary', () => {
  it('has a row per movement with the eligible nodes, the node used, throughput over the moving time and the ratios', () => {
    const text = formatSummary([
      { what: 'backup', eligible: ['node-1'], node: 'node-1', bytes: 200_000_000, totalMs: 12_000, movingMs: 4_000, dedupRatio: 1.2, compressionRatio: 1.5 },
      { what: 'restore', eligible: ['node-1', 'node-4'], node: 'node-4', bytes: 200_000_000, totalMs: 9_000, movingMs: 2_000 },
    ]);
    const [header, backup, restore] = text.trimEnd().split('\n');
    assert.match(header ?? '', /NODES ELIGIBLE\s+NODE USED\s+BYTES\s+TIME\s+MOVING\s+THROUGHPUT\s+DEDUP\s+COMPRESSION/);
    assert.match(backup ?? '', /^backup\s+node-1\s+node-1\s+200\.0 MB\s+12\.0 s\s+4\.0 s\s+50\.0 MB\/s\s+1\.20x\s+1\.50x$/);
    assert.match(restore ?? '', /^restore\s+node-1,node-4\s+node-4\s+200\.0 MB\s+9\.0 s\s+2\.0 s\s+100\.0 MB\/s\s+-\s+-$/);
  });
});
