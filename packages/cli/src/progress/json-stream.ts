// Docker's progress stream, rendered the way the docker CLI's jsonmessage display does: on a
// terminal each ID keeps its own line (cursor up/down, line cleared, bar drawn); on anything else
// a message that carries a bar is dropped and every other one becomes one "ID: status" line.

/** One streamformatter message. `progress` messages carry a (possibly empty) bar; `status` ones do not. */
export type ProgressMessage =
  | { readonly kind: 'progress'; readonly id: string; readonly action: string; readonly current?: number; readonly total?: number; readonly hideCounts?: boolean }
  | { readonly kind: 'status'; readonly id: string; readonly message: string }
  | { readonly kind: 'stream'; readonly text: string };

export interface DisplayOptions {
  /** Whether stdout is a terminal: docker draws bars in place only then. */
  readonly terminal: boolean;
  /** The terminal's width; bars are drawn only above 110 columns. Default 200, docker's value without a size. */
  readonly columns?: number;
}

/** jsonmessage.JSONProgress.String() for the unit-less, count-hiding bars the service progress uses. */
export function progressBar(message: ProgressMessage, columns: number): string {
  if (message.kind !== 'progress') return '';
  const current = message.current ?? 0;
  const total = message.total ?? 0;
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return `${String(current).padStart(8)}`;
  const percentage = Math.min(50, Math.trunc(Math.trunc((current / total) * 100) / 2));
  const box = columns > 110 ? `[${'='.repeat(percentage)}>${' '.repeat(Math.max(0, 50 - percentage))}] ` : '';
  const numbers = message.hideCounts ? '' : current > total ? String(current).padStart(8) : `${String(current).padStart(8)}/${total}`;
  return box + numbers;
}

const CLEAR_LINE = '\x1b[1K\x1b[K';
const cursorUp = (lines: number): string => (lines === 0 ? '' : `\x1b[${lines}A`);
const cursorDown = (lines: number): string => (lines === 0 ? '' : `\x1b[${lines}B`);

/** DisplayJSONMessagesStream as a writer: feed it messages in order, it writes docker's bytes. */
export class ProgressDisplay {
  private lines = new Map<string, number>();
  private readonly columns: number;

  constructor(
    private readonly write: (text: string) => void,
    private readonly options: DisplayOptions,
  ) {
    this.columns = options.columns ?? 200;
  }

  show(message: ProgressMessage): void {
    const terminal = this.options.terminal;
    let diff = 0;
    let text = '';
    const id = message.kind === 'stream' ? '' : message.id;
    if (id !== '' && message.kind === 'progress') {
      let line = this.lines.get(id);
      if (line === undefined) {
        line = this.lines.size;
        this.lines.set(id, line);
        if (terminal) text += '\n';
      }
      diff = this.lines.size - line;
      if (terminal) text += cursorUp(diff);
    } else {
      // Anything that is not a progress line ends the block of lines being redrawn.
      this.lines = new Map();
    }
    text += this.render(message);
    if (id !== '' && terminal) text += cursorDown(diff);
    this.write(text);
  }

  private render(message: ProgressMessage): string {
    if (message.kind === 'stream') return message.text;
    const bar = progressBar(message, this.columns);
    const id = message.id === '' ? '' : `${message.id}: `;
    if (message.kind === 'status') return `${id}${message.message}\n`;
    if (!this.options.terminal) return bar === '' ? `${id}${message.action}\n` : '';
    return `${CLEAR_LINE}\r${id}${message.action} ${bar}\r`;
  }
}
