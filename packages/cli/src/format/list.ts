// Renders a list command's rows the way docker's formatter.Context does: the default
// table, `table <template>` with a header line, `json`, a plain per-row template, or -q.

import { alignColumns } from './tabwriter.js';
import { compileTemplate } from './template.js';

export type Row = Record<string, unknown>;

export interface ListFormatter {
  /** The default table template, including the "table " prefix. */
  defaultTable: string;
  /** Header text per row field, e.g. { Hostname: 'HOSTNAME' }. */
  headers: Record<string, string>;
}

export interface ListOptions {
  format?: string | undefined;
  quiet?: boolean | undefined;
}

function unescape(format: string): string {
  return format.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
}

/** Picks the effective template like docker: -q wins over the default table. */
export function effectiveFormat(formatter: ListFormatter, options: ListOptions): string {
  const format = options.format ?? '';
  if (options.quiet && (format === '' || format === 'table')) return '{{.ID}}';
  if (format === '' || format === 'table') return formatter.defaultTable;
  if (format === 'json') return '{{json .}}';
  return format;
}

/** Returns the full output text (ending in a newline when there is anything to print). */
export function renderList(formatter: ListFormatter, rows: Row[], options: ListOptions = {}): string {
  const format = effectiveFormat(formatter, options);
  const isTable = format.startsWith('table');
  const body = unescape(isTable ? format.slice('table'.length).trim() : format);
  const template = compileTemplate(body);
  if (!isTable) return rows.map((row) => template(row) + '\n').join('');
  const header: Row = {};
  for (const key of Object.keys(rows[0] ?? formatter.headers)) header[key] = formatter.headers[key] ?? '';
  for (const key of Object.keys(formatter.headers)) header[key] = formatter.headers[key];
  const lines = [template(header), ...rows.map((row) => template(row))];
  return alignColumns(lines.join('\n') + '\n');
}

/** Builds a row whose keys are sorted, as docker's JSON rendering of a row context is. */
export function sortedRow(fields: Row): Row {
  const row: Row = {};
  for (const key of Object.keys(fields).sort()) row[key] = fields[key];
  return row;
}
