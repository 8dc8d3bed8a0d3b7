import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageHistory } from '../../src/images/history.js';
import type { ImageRecord } from '../../src/images/types.js';

const image = (config: ImageRecord['config'], repoTags: string[] = ['web:1']): ImageRecord => ({
  id: `sha256:${'c'.repeat(64)}`, repoTags, repoDigests: [], config, sizeBytes: 0, rootfsDir: '/x', lastTagTime: '',
});

test('history lists entries newest first; empty-layer entries have no size and take no layer', () => {
  const rows = imageHistory(
    image({
      rootfs: { type: 'layers', diff_ids: ['sha256:a', 'sha256:b'] },
      history: [
        { created: '2026-01-01T00:00:00Z', created_by: 'ADD rootfs' },
        { created: '2026-01-02T00:00:00Z', created_by: 'ENV A=1', empty_layer: true },
        { created: '2026-01-03T00:00:00Z', created_by: 'RUN make', comment: 'built' },
      ],
    }),
    (d) => ({ 'sha256:a': 100, 'sha256:b': 7 })[d] ?? -1,
  );
  assert.deepEqual(rows.map((r) => [r.Id.slice(0, 9), r.CreatedBy, r.Size, r.Tags]), [
    ['sha256:cc', 'RUN make', 7, ['web:1']],
    ['<missing>', 'ENV A=1', 0, null],
    ['<missing>', 'ADD rootfs', 100, null],
  ]);
  assert.equal(rows[0]!.Created, Date.parse('2026-01-03T00:00:00Z') / 1000);
  assert.equal(rows[0]!.Comment, 'built');
});

test('a config without history gets one entry per layer, untagged images none', () => {
  const rows = imageHistory(image({ created: '2026-01-01T00:00:00Z', rootfs: { type: 'layers', diff_ids: ['sha256:a'] } }, []), () => 5);
  assert.deepEqual(rows.map((r) => [r.Size, r.Tags, r.Created]), [[5, null, Date.parse('2026-01-01T00:00:00Z') / 1000]]);
});
