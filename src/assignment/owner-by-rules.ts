import type { EntityManager } from 'typeorm';
import { AssignmentRule } from './assignment-rule.entity';
import { firstMatchingRule, type CustomerFacts } from './matching';

/**
 * The owner the rules give a customer that is being created (or an opportunity on a customer without an owner), in
 * the caller's transaction: the first matching active rule, its turn taken atomically so that concurrent creations
 * share a team out evenly. Null when no rule matches.
 */
export async function ownerByRules(m: EntityManager, facts: CustomerFacts): Promise<{ ownerId: string; ruleId: string } | null> {
  const rules = await m.getRepository(AssignmentRule).find({ where: { active: true }, order: { position: 'ASC' } });
  const rule = firstMatchingRule(rules, facts);
  if (!rule) return null;
  // As a SELECT (through a CTE): TypeORM answers a bare UPDATE … RETURNING as [rows, count].
  const [taken]: Array<{ ownerId: string }> = await m.query(
    `WITH turn AS (
       UPDATE assignment_rules r SET next_turn = (old.next_turn + 1) % cardinality(r.owner_ids)
         FROM (SELECT id, next_turn FROM assignment_rules WHERE id = $1 FOR UPDATE) old
        WHERE r.id = old.id
        RETURNING r.owner_ids[old.next_turn % cardinality(r.owner_ids) + 1] AS "ownerId")
     SELECT "ownerId" FROM turn`,
    [rule.id],
  );
  return { ownerId: taken.ownerId, ruleId: rule.id };
}

/** What the rules look at about stored customers (segment and tier from the stored scores), with their owner. */
export async function storedCustomerFacts(m: EntityManager, ids: string[], lock = false): Promise<Array<CustomerFacts & { id: string; ownerId: string | null }>> {
  return m.query(
    `SELECT c.id, c.owner_id AS "ownerId", c.region, c.kind, c.personality, ls.key AS "lifecycleStage", s.segment, s.value_tier AS "valueTier"
       FROM customers c
       LEFT JOIN lifecycle_stages ls ON ls.id = c.lifecycle_stage_id
       LEFT JOIN customer_scores s ON s.customer_id = c.id
      WHERE c.id = ANY($1::uuid[]) ORDER BY c.id${lock ? ' FOR UPDATE OF c' : ''}`,
    [ids],
  );
}
