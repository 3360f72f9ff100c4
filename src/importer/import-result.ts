/** A problem with one line of the file; the header is line 1. */
export interface RowError {
  line: number;
  message: string;
}

/** Nothing was imported: every problem found, by line (at most MAX_REPORTED_ERRORS of them). */
export interface ImportFailure {
  ok: false;
  errors: RowError[];
  /** All problems found, including any beyond the reported ones. */
  errorCount: number;
}

export const MAX_REPORTED_ERRORS = 1000;

/** Collects row errors; keeps the first MAX_REPORTED_ERRORS so a wholly wrong file cannot exhaust memory. */
export class ImportErrors {
  readonly list: RowError[] = [];
  count = 0;

  add(line: number, message: string): void {
    this.count++;
    if (this.list.length < MAX_REPORTED_ERRORS) this.list.push({ line, message });
  }

  /** Problems found beyond the ones listed (a query counted them without fetching them all). */
  addUnlisted(count: number): void {
    this.count += count;
  }

  /** How many more problems would be listed. */
  get room(): number {
    return MAX_REPORTED_ERRORS - this.list.length;
  }

  get any(): boolean {
    return this.count > 0;
  }

  failure(): ImportFailure {
    return { ok: false, errors: [...this.list].sort((a, b) => a.line - b.line), errorCount: this.count };
  }
}
