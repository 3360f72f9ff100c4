import { badInput, UserErrorCode } from '../../common/errors';
import type { ServiceDeps } from '../../core/request-scope';
import type { InsightService } from '../insight.service';

/**
 * The part of the customer base an analyst report covers, shared by every report of a request so that a sales rep's
 * book is read at most once.
 */
export class BookScope {
  private bookIds?: Promise<ReadonlySet<string> | null>;

  constructor(private readonly deps: ServiceDeps) {}

  /** Analyst queries are computed over what the caller may see: the whole base, or a sales rep's own book. */
  guard(): void {
    this.deps.access.require('analytics:read');
  }

  /** SQL condition on a customers alias confining a statement to the caller's customers. */
  inBook(alias: string): string {
    return this.deps.access.customerCondition(alias);
  }

  /**
   * FROM … WHERE over the stored scores (`s`) of the caller's customers that are not deleted. Every customer has a
   * scores row carrying its soft delete, so a caller who sees everyone needs no join with customers.
   */
  scoresInBook(): string {
    const scope = this.deps.access.rowCondition('customers', 'c');
    return scope
      ? `FROM customers c JOIN customer_scores s ON s.customer_id = c.id WHERE c.deleted_at IS NULL AND ${scope}`
      : `FROM customer_scores s WHERE NOT s.customer_deleted`;
  }

  /** The ids of the customers in the caller's book, or null when the caller sees every customer. */
  book(): Promise<ReadonlySet<string> | null> {
    this.bookIds ??= (async () => {
      if (!this.deps.access.bookOwnerId) return null;
      const rows: Array<{ id: string }> = await this.deps.db.query(`SELECT c.id FROM customers c WHERE ${this.inBook('c')}`);
      return new Set(rows.map((r) => r.id));
    })();
    return this.bookIds;
  }
}

/** A family of analyst reports: what InsightAnalytics hands each one (the insight service for now, currency and model). */
export abstract class AnalystReports {
  constructor(
    protected readonly deps: ServiceDeps,
    protected readonly insight: InsightService,
    protected readonly scope: BookScope,
  ) {}
}

/** Reports that list their top entries (churnWatchlist, crossSellRules, careAgenda) take `first` from 1 to 100. */
export function checkFirst(first: number): void {
  if (!Number.isInteger(first) || first < 1 || first > 100) {
    throw badInput('`first` must be from 1 to 100.', { field: 'first', reason: UserErrorCode.OUT_OF_RANGE });
  }
}
