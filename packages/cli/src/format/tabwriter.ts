// Column alignment like Go's text/tabwriter as the docker CLI configures it
// (minwidth 10, tabwidth 1, padding 3, padchar ' ', no flags): every tab-terminated
// cell is padded to max(10, widest cell in its column + 3); the text after the last tab
// of a line is printed as is.

export interface TabwriterOptions {
  minWidth: number;
  padding: number;
}

export const DOCKER_TABWRITER: TabwriterOptions = { minWidth: 10, padding: 3 };

function width(cell: string): number {
  return [...cell].length;
}

/** Aligns `text` (lines separated by \n, cells by \t) the way docker's table output does. */
export function alignColumns(text: string, options: TabwriterOptions = DOCKER_TABWRITER): string {
  const lines = text.split('\n').map((line) => line.split('\t'));
  // Go's tabwriter sizes a column over a contiguous block of lines that have a terminated
  // cell in it; a line without that cell ends the block.
  const widths: number[][] = lines.map(() => []);
  const columns = Math.max(0, ...lines.map((cells) => cells.length - 1));
  for (let column = 0; column < columns; column++) {
    let start = 0;
    while (start < lines.length) {
      if ((lines[start]?.length ?? 0) - 1 <= column) {
        start++;
        continue;
      }
      let end = start;
      let blockWidth = options.minWidth;
      while (end < lines.length && (lines[end]?.length ?? 0) - 1 > column) {
        blockWidth = Math.max(blockWidth, width(lines[end]?.[column] ?? '') + options.padding);
        end++;
      }
      for (let line = start; line < end; line++) (widths[line] as number[])[column] = blockWidth;
      start = end;
    }
  }
  return lines
    .map((cells, line) =>
      cells
        .map((cell, column) => {
          const target = widths[line]?.[column];
          return target === undefined ? cell : cell + ' '.repeat(Math.max(0, target - width(cell)));
        })
        .join(''),
    )
    .join('\n');
}
