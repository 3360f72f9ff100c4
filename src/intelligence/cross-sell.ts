// Association rules between categories: support and confidence (Agrawal, Imieliński & Swami 1993), lift (Brin, Motwani, Ullman & Tsur 1997).

export interface AssociationRule {
  antecedent: string;
  consequent: string;
  /** Share of baskets with both categories. */
  support: number;
  /** P(consequent | antecedent). */
  confidence: number;
  /** confidence / P(consequent): above 1, buying the antecedent makes the consequent more likely. */
  lift: number;
  /** Baskets with both categories. */
  count: number;
}

export interface AssociationRuleOptions {
  /** Minimum support of the pair. Default 0.01. */
  minSupport?: number;
  /** Minimum confidence. Default 0. */
  minConfidence?: number;
}

/**
 * Rules A → B for every ordered pair of categories bought together, from baskets of categories (a category counts
 * once per basket). Sorted by lift, then confidence, then support, then names, so the order is deterministic.
 */
export function associationRules(baskets: readonly (readonly string[])[], options: AssociationRuleOptions = {}): AssociationRule[] {
  const minSupport = options.minSupport ?? 0.01;
  const minConfidence = options.minConfidence ?? 0;
  const n = baskets.length;
  if (n === 0) return [];
  // Items are numbered and pairs counted in a k×k array: a population's baskets are ~100k sets over a few dozen
  // categories, where string keys per pair made this the slowest step of a model fit.
  const number = new Map<string, number>();
  const names: string[] = [];
  const numbered = baskets.map((basket) => {
    const items = new Set<number>();
    for (const item of basket) {
      let i = number.get(item);
      if (i === undefined) number.set(item, (i = names.push(item) - 1));
      items.add(i);
    }
    return Int32Array.from(items).sort();
  });
  const k = names.length;
  const single = new Float64Array(k);
  const pair = new Float64Array(k * k);
  for (const items of numbered) {
    for (let i = 0; i < items.length; i++) {
      single[items[i]]++;
      for (let j = i + 1; j < items.length; j++) pair[items[i] * k + items[j]]++;
    }
  }
  const rules: AssociationRule[] = [];
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      const count = pair[a * k + b];
      const support = count / n;
      if (count === 0 || support < minSupport) continue;
      for (const [x, y] of [
        [a, b],
        [b, a],
      ] as const) {
        const confidence = count / single[x];
        if (confidence < minConfidence) continue;
        const lift = confidence / (single[y] / n);
        rules.push({ antecedent: names[x], consequent: names[y], support, confidence, lift, count });
      }
    }
  }
  return rules.sort(
    (x, y) =>
      y.lift - x.lift ||
      y.confidence - x.confidence ||
      y.support - x.support ||
      x.antecedent.localeCompare(y.antecedent) ||
      x.consequent.localeCompare(y.consequent),
  );
}

export interface CategoryRecommendation {
  category: string;
  lift: number;
  confidence: number;
  /** The purchased category behind the best rule. */
  because: string;
}

export interface RecommendOptions {
  /** Maximum recommendations. Default 3. */
  limit?: number;
  /** Only rules with lift above this. Default 1 (positive association). */
  minLift?: number;
}

/** Categories the customer has not bought yet, each scored by its best rule from a bought category, highest lift first. */
export function recommendCategories(
  purchasedCategories: readonly string[],
  rules: readonly AssociationRule[],
  options: RecommendOptions = {},
): CategoryRecommendation[] {
  const limit = options.limit ?? 3;
  const minLift = options.minLift ?? 1;
  const bought = new Set(purchasedCategories);
  const best = new Map<string, CategoryRecommendation>();
  for (const rule of rules) {
    if (!bought.has(rule.antecedent) || bought.has(rule.consequent) || !(rule.lift > minLift)) continue;
    const current = best.get(rule.consequent);
    if (!current || rule.lift > current.lift || (rule.lift === current.lift && rule.confidence > current.confidence)) {
      best.set(rule.consequent, { category: rule.consequent, lift: rule.lift, confidence: rule.confidence, because: rule.antecedent });
    }
  }
  return [...best.values()]
    .sort((x, y) => y.lift - x.lift || y.confidence - x.confidence || x.category.localeCompare(y.category))
    .slice(0, limit);
}
