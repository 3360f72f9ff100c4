import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { ImportErrors } from './import-result';

/** A file path, or a stream of CSV text (say, an upload). */
export type CsvSource = string | Readable;

export interface ColumnSpec {
  /** Columns that must be in the header. */
  required: readonly string[];
  /** Columns that may be in the header. */
  optional: readonly string[];
}

export interface CsvRow {
  /** Line of the file where the record starts; the header is line 1. */
  line: number;
  /** Trimmed value of a column, '' when the cell is empty or the column is absent from the file. */
  get(column: string): string;
  /** Whether the column is in the header at all (an absent column leaves existing data alone, an empty cell clears it). */
  has(column: string): boolean;
}

export function sourceName(source: CsvSource): string {
  return typeof source === 'string' ? path.basename(source) : 'stream';
}

/**
 * Streams the data rows of a CSV file with a header line. Header problems, rows with the wrong number of fields and
 * unparseable CSV are recorded in `errors`; such rows are not yielded, and a header problem or broken quoting ends the file.
 * Column names are matched case-insensitively.
 */
export async function* readCsv(source: CsvSource, spec: ColumnSpec, errors: ImportErrors): AsyncGenerator<CsvRow> {
  const input = typeof source === 'string' ? fs.createReadStream(source) : source;
  const parser = parse({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true });
  // pipe() does not forward errors: a missing file would leave the parser waiting forever.
  input.on('error', (e: Error) => parser.destroy(e));
  input.pipe(parser);
  let index: Map<string, number> | null = null;
  let width = 0;
  let previousEnd = 0;
  let previousEmpty = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number; empty_lines: number } }>) {
      // info.lines is where the record ends; it starts after the previous record and any blank lines between.
      const line = previousEnd + 1 + (info.empty_lines - previousEmpty);
      previousEnd = info.lines;
      previousEmpty = info.empty_lines;
      if (!index) {
        index = header(record, spec, line, errors);
        if (!index) return;
        width = record.length;
        continue;
      }
      if (record.length !== width) {
        errors.add(line, `has ${record.length} fields, but the header has ${width}`);
        continue;
      }
      const columns = index;
      yield {
        line,
        get: (column) => {
          const i = columns.get(column);
          return i === undefined ? '' : record[i];
        },
        has: (column) => columns.has(column),
      };
    }
    if (!index) errors.add(1, `the file is empty; it needs a header line with ${spec.required.join(', ')}`);
  } catch (e) {
    const err = e as { code?: string; lines?: number; message?: string };
    if (typeof err.code === 'string' && err.code.startsWith('CSV_')) {
      errors.add(err.lines ?? previousEnd + 1, `is not valid CSV: ${err.message}`);
      return;
    }
    if (err.code === 'ENOENT') throw new Error(`No such file: ${typeof source === 'string' ? source : 'stream'}`);
    throw e;
  } finally {
    if (typeof source === 'string') (input as fs.ReadStream).destroy();
  }
}

function header(record: string[], spec: ColumnSpec, line: number, errors: ImportErrors): Map<string, number> | null {
  const known = new Set([...spec.required, ...spec.optional]);
  const index = new Map<string, number>();
  const problems: string[] = [];
  record.forEach((raw, i) => {
    const name = raw.toLowerCase();
    if (!known.has(name)) problems.push(`unknown column "${raw}"`);
    else if (index.has(name)) problems.push(`column "${raw}" appears twice`);
    else index.set(name, i);
  });
  const missing = spec.required.filter((c) => !index.has(c));
  if (missing.length) problems.push(`missing required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  if (!problems.length) return index;
  errors.add(line, `header: ${problems.join('; ')} (expected ${spec.required.join(', ')}${spec.optional.length ? ` and optionally ${spec.optional.join(', ')}` : ''})`);
  return null;
}
