// `docker image history`: the image config's history entries, newest first, each with the size of the
// layer it made (entries marked empty_layer made none), as dockerd's ImageHistory answers. Pure.
import type { ImageRecord } from './types.js';

export interface HistoryEntry {
  readonly Comment: string;
  /** Unix seconds. */
  readonly Created: number;
  readonly CreatedBy: string;
  /** The image ID on the newest entry; "<missing>" below it (shoal keeps no parent images). */
  readonly Id: string;
  readonly Size: number;
  readonly Tags: readonly string[] | null;
}

interface ConfigHistory {
  readonly created?: string;
  readonly created_by?: string;
  readonly comment?: string;
  readonly empty_layer?: boolean;
}

/** `layerBytes(diffId)`: the size of that layer's content (0 when unknown). */
export function imageHistory(image: ImageRecord, layerBytes: (diffId: string) => number): HistoryEntry[] {
  const diffIds = image.config.rootfs?.diff_ids ?? [];
  const recorded = (image.config.history ?? []) as readonly ConfigHistory[];
  // Without history (hand-made configs), one entry per layer, as the image's creation.
  const history: readonly ConfigHistory[] = recorded.length > 0 ? recorded : diffIds.map(() => ({ created: image.config.created ?? '' }));
  let layer = 0;
  const rows = history.map((h) => ({
    Comment: h.comment ?? '',
    Created: Math.floor((Date.parse(h.created ?? '') || 0) / 1000),
    CreatedBy: h.created_by ?? '',
    Id: '<missing>',
    Size: h.empty_layer === true ? 0 : layerBytes(diffIds[layer++] ?? ''),
    Tags: null as readonly string[] | null,
  }));
  rows.reverse();
  if (rows[0] !== undefined) rows[0] = { ...rows[0], Id: image.id, Tags: image.repoTags.length > 0 ? image.repoTags : null };
  return rows;
}
