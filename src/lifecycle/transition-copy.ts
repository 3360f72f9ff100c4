import type { PoolClient } from 'pg';
import { COPY_NULL, CopyChunk, CopyTable, plain, text, time } from '../db/copy';
import { newId } from '../db/ids';
import type { TransitionSource } from './lifecycle-transition.entity';

/** A transition a bulk load records: the stage the customer was created in or moved to, and who did it. */
export interface BulkTransition {
  /** Made here when not given (the seed makes its own, in generation order). */
  id?: string;
  customerId: string;
  fromStageId: string | null;
  toStageId: string;
  at: Date;
  reason: string | null;
  source: TransitionSource | `${TransitionSource}`;
  /** The staff user behind it, when there is one (the seed's sales reps); imports have none. */
  actorUserId?: string | null;
  actor: string;
}

/**
 * The lifecycle history written by COPY, for bulk loads (the seed and the importers), which insert customers by COPY
 * in the same transaction. With `insertTransition` and `recordTransitions`, this is the one place that knows the
 * table's columns: every transition in the database is written by lifecycle/.
 */
export class TransitionCopy {
  private readonly table = new CopyTable('lifecycle_transitions', [
    'id', 'customer_id', 'from_stage_id', 'to_stage_id', 'at', 'reason', 'source', 'actor_user_id', 'actor', 'created_at', 'updated_at',
  ]);

  /** Queues a transition, recorded as created when it happened. */
  add(t: BulkTransition): void {
    const at = time(t.at);
    this.table.addLine(
      `${t.id ?? newId()}\t${t.customerId}\t${t.fromStageId ?? COPY_NULL}\t${t.toStageId}\t${at}\t${text(t.reason)}\t${t.source}\t${plain(t.actorUserId)}\t${text(t.actor)}\t${at}\t${at}`,
    );
  }

  /** Transitions handed out by take() or written by flush() so far. */
  get written(): number {
    return this.table.written;
  }

  /** The queued transitions as one COPY, for a writer that sends its tables in foreign-key order; null when none. */
  take(): CopyChunk | null {
    return this.table.take();
  }

  /** Writes the queued transitions on the caller's connection (and transaction). */
  flush(client: PoolClient): Promise<void> {
    return this.table.flush(client);
  }
}
