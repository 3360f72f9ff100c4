// A rep's book at a glance (User.book): the customers they own, their open deals and what those are worth, their
// open and overdue tasks, and their customers' open complaints; one statement for a page of users.

import DataLoader from 'dataloader';
import { Field, Int, ObjectType } from 'type-graphql';
import { Money, moneyOfUnits } from '../common/money.types';
import type { Loaders } from '../core/loaders';
import { weightedUnits } from '../opportunity/figures';
import { parseAmount } from '../common/money';

@ObjectType({ description: 'A user’s book of business as of an instant: customers, pipeline, tasks and complaints.' })
export class RepBook {
  @Field(() => Int, { description: 'Customers they own (not deleted).' })
  customers: number;

  @Field(() => Int, { description: 'Open opportunities they own.' })
  openOpportunities: number;

  @Field(() => [Money], { description: 'Sum of their open opportunities’ amounts, one entry per currency (a pipeline counts in one currency), exact; empty without open deals.' })
  pipelineValue: Money[];

  @Field(() => [Money], { description: 'Sum of their open opportunities’ weighted amounts (amount × stage probability, each rounded once, as Opportunity.weightedAmount), per currency.' })
  weightedPipelineValue: Money[];

  @Field(() => Int, { description: 'Open tasks they own.' })
  openTasks: number;

  @Field(() => Int, { description: 'Open tasks on their agenda before asOf (due, or snoozed until, earlier).' })
  overdueTasks: number;

  @Field(() => Int, { description: 'Unresolved complaints of the customers they own.' })
  openComplaints: number;

  @Field(() => Int, { description: 'Of those, the ones past a service level as of asOf (no first response by its due time, or unresolved past the resolution due time).' })
  overdueComplaints: number;
}

interface BookRow {
  id: string;
  customers: number;
  openTasks: number;
  overdueTasks: number;
  openComplaints: number;
  overdueComplaints: number;
  deals: Array<{ currency: string; amount: string; probability: string }>;
}

/** The books of a page of users as of `asOf`, in one statement (counts by index; open deals listed to weigh them exactly). */
export function repBooks(loaders: Loaders, asOf: Date | null): DataLoader<string, RepBook> {
  // "Now" is one key, and one instant, for the whole request: keyed by the clock, the books of a page of users fell
  // into as many statements as milliseconds passed while they were resolved.
  return loaders.memo(`user:book:${asOf?.toISOString() ?? 'now'}`, () => {
    const at = asOf ?? new Date();
    return new DataLoader<string, RepBook>(async (ids) => {
      const rows: BookRow[] = await loaders.db.query(
        `SELECT u.id,
                (SELECT count(*) FROM customers c WHERE c.owner_id = u.id AND c.deleted_at IS NULL)::int AS customers,
                (SELECT count(*) FROM tasks t WHERE t.owner_id = u.id AND t.status = 'OPEN')::int AS "openTasks",
                (SELECT count(*) FROM tasks t WHERE t.owner_id = u.id AND t.status = 'OPEN' AND t.follow_up_at < $2)::int AS "overdueTasks",
                (SELECT count(*) FROM complaints k JOIN customers c ON c.id = k.customer_id AND c.owner_id = u.id AND c.deleted_at IS NULL
                  WHERE k.resolved_at IS NULL AND NOT EXISTS (SELECT 1 FROM touchpoints w WHERE w.id = k.touchpoint_id AND w.deleted_at IS NOT NULL))::int AS "openComplaints",
                (SELECT count(*) FROM complaints k JOIN customers c ON c.id = k.customer_id AND c.owner_id = u.id AND c.deleted_at IS NULL
                  WHERE k.resolved_at IS NULL AND NOT EXISTS (SELECT 1 FROM touchpoints w WHERE w.id = k.touchpoint_id AND w.deleted_at IS NOT NULL)
                    AND (k.resolution_due_at < $2 OR (k.first_response_at IS NULL AND k.first_response_due_at < $2)))::int AS "overdueComplaints",
                (SELECT coalesce(json_agg(json_build_object('currency', o.currency, 'amount', o.amount::text, 'probability', s.probability::text)), '[]')
                   FROM opportunities o JOIN pipeline_stages s ON s.id = o.stage_id
                  WHERE o.owner_id = u.id AND o.status = 'OPEN' AND o.deleted_at IS NULL) AS deals
           FROM unnest($1::uuid[]) AS u(id)`,
        [[...ids], at],
      );
      const byId = new Map(rows.map((r) => [r.id, bookOf(r)]));
      return ids.map((id) => byId.get(id)!);
    });
  });
}

function bookOf(r: BookRow): RepBook {
  const amount = new Map<string, bigint>();
  const weighted = new Map<string, bigint>();
  for (const d of r.deals) {
    const currency = d.currency.trim();
    amount.set(currency, (amount.get(currency) ?? 0n) + parseAmount(d.amount));
    weighted.set(currency, (weighted.get(currency) ?? 0n) + weightedUnits(d.amount, d.probability, currency));
  }
  const list = (sums: Map<string, bigint>) => [...sums].sort(([a], [b]) => a.localeCompare(b)).map(([currency, units]) => moneyOfUnits(units, currency));
  return Object.assign(new RepBook(), {
    customers: r.customers,
    openOpportunities: r.deals.length,
    pipelineValue: list(amount),
    weightedPipelineValue: list(weighted),
    openTasks: r.openTasks,
    overdueTasks: r.overdueTasks,
    openComplaints: r.openComplaints,
    overdueComplaints: r.overdueComplaints,
  });
}
