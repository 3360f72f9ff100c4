// Which rep a customer goes to: the sales director's assignment rules, ordered, first match wins (plain data in and
// out). A condition left empty matches anything; a rule names one rep or a team served in turn (round robin).

/** What the rules look at about a customer. */
export interface CustomerFacts {
  region: string | null;
  kind: string;
  personality: string | null;
  /** Lifecycle stage key, e.g. ONBOARDING. */
  lifecycleStage: string | null;
  /** RFM segment and value tier of the stored scores (a new customer: PROSPECT, MONITOR). */
  segment: string | null;
  valueTier: string | null;
}

export interface RuleConditions {
  regions: readonly string[];
  kinds: readonly string[];
  personalities: readonly string[];
  lifecycleStages: readonly string[];
  segments: readonly string[];
  valueTiers: readonly string[];
}

/** Regions compare without case or surrounding space ("emea-north" is "EMEA-North"); the rest are enum keys. */
const sameRegion = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

/** Whether every non-empty condition of the rule holds for the customer (an unknown fact matches no listed value). */
export function ruleMatches(rule: RuleConditions, c: CustomerFacts): boolean {
  const among = (values: readonly string[], fact: string | null, same = (a: string, b: string) => a === b): boolean =>
    values.length === 0 || (fact !== null && values.some((v) => same(v, fact)));
  return (
    among(rule.regions, c.region, sameRegion) &&
    among(rule.kinds, c.kind) &&
    among(rule.personalities, c.personality) &&
    among(rule.lifecycleStages, c.lifecycleStage) &&
    among(rule.segments, c.segment) &&
    among(rule.valueTiers, c.valueTier)
  );
}

/** The first rule (in the given order) that matches, or null. */
export function firstMatchingRule<R extends RuleConditions>(rules: readonly R[], c: CustomerFacts): R | null {
  return rules.find((r) => ruleMatches(r, c)) ?? null;
}

/**
 * Round robin over a rule's owners: the owner for the turn `turn` and the turn after it. One owner is every turn's.
 * Turns count assignments, so a team of three serves customers 1, 2, 3, 1, 2, 3, … whatever the order they come in.
 */
export function ownerForTurn(ownerIds: readonly string[], turn: number): { ownerId: string; nextTurn: number } {
  if (ownerIds.length === 0) throw new RangeError('a rule names at least one owner');
  return { ownerId: ownerIds[turn % ownerIds.length], nextTurn: (turn + 1) % ownerIds.length };
}
