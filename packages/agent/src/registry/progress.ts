// dockerd's JSON progress messages for pulls (jsonmessage.JSONMessage): what the docker CLI turns into
// per-layer progress bars. Pure.

export interface ProgressMessage {
  /** Absent only on a push's closing `aux` record. */
  readonly status?: string;
  readonly id?: string;
  readonly progressDetail?: { readonly current?: number; readonly total?: number };
  readonly progress?: string;
  /** A push's closing record: { Tag, Digest, Size }. */
  readonly aux?: Readonly<Record<string, unknown>>;
}

export type ProgressSink = (message: ProgressMessage) => void;

/** Bytes between two progress messages of one layer: enough for a smooth bar, few enough messages. */
export const PROGRESS_STEP_BYTES = 512 * 1024;

/** A layer's message: `{"status":"Pull complete","progressDetail":{},"id":"481f425b4bd6"}`. */
export function layerMessage(id: string, status: string): ProgressMessage {
  return { status, progressDetail: {}, id };
}

/** `Downloading` / `Extracting` with the bar string dockerd pre-renders beside the numbers. */
export function progressMessage(id: string, status: string, current: number, total: number): ProgressMessage {
  return { status, progressDetail: { current, total }, progress: progressBar(current, total), id };
}

/** jsonmessage.JSONProgress.String at width 50: `[==>    ]  14.35kB/1.031MB`. */
export function progressBar(current: number, total: number): string {
  const numbers = `${humanSize(current).padStart(8)}/${humanSize(total)}`;
  if (total <= 0) return numbers.trimStart();
  const filled = Math.min(50, Math.floor((50 * current) / total));
  return `[${'='.repeat(filled)}>${' '.repeat(50 - filled)}] ${numbers}`;
}

/** go-units HumanSize: decimal units, 4 significant digits ("1.031MB", "146B"). */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let size = bytes;
  let i = 0;
  while (size >= 1000 && i < units.length - 1) {
    size /= 1000;
    i++;
  }
  return `${Number(size.toPrecision(4))}${units[i]}`;
}

/** The 12-hex short form dockerd uses as a layer's progress id. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}
