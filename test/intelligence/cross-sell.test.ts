import { associationRules, recommendCategories } from '../../src/intelligence/cross-sell';

// Five baskets: A in 4, B in 4, C in 2; A&B in 3, A&C in 2, B&C in 1.
const baskets = [['A', 'B'], ['A', 'B', 'C'], ['A', 'C'], ['B'], ['A', 'A', 'B']];

describe('cross-sell association rules', () => {
  it('compute support, confidence and lift by hand-checkable counts, best lift first', () => {
    const rules = associationRules(baskets, { minSupport: 0.3 });
    const pretty = rules.map((r) => [`${r.antecedent}→${r.consequent}`, r.support, r.confidence, r.lift, r.count]);
    expect(pretty).toEqual([
      ['C→A', 0.4, 1, 1.25, 2],
      ['A→C', 0.4, 0.5, 1.25, 2],
      ['A→B', 0.6, 0.75, 0.9375, 3],
      ['B→A', 0.6, 0.75, 0.9375, 3],
    ]);
  });

  it('drop pairs below the minimum support or confidence', () => {
    expect(associationRules(baskets, { minSupport: 0 }).map((r) => `${r.antecedent}→${r.consequent}`)).toContain('B→C');
    expect(associationRules(baskets, { minSupport: 0.5 }).map((r) => `${r.antecedent}→${r.consequent}`)).toEqual(['A→B', 'B→A']);
    expect(associationRules(baskets, { minSupport: 0, minConfidence: 0.8 }).map((r) => `${r.antecedent}→${r.consequent}`)).toEqual(['C→A']);
    expect(associationRules([])).toEqual([]);
  });

  it('recommend only categories not yet bought, with lift above 1, by their best rule', () => {
    const rules = associationRules(baskets, { minSupport: 0 });
    expect(recommendCategories(['A'], rules)).toEqual([{ category: 'C', lift: 1.25, confidence: 0.5, because: 'A' }]);
    expect(recommendCategories(['B'], rules)).toEqual([]);
    expect(recommendCategories(['A', 'C'], rules)).toEqual([]);
    expect(recommendCategories(['C'], rules, { minLift: 0 })).toEqual([
      { category: 'A', lift: 1.25, confidence: 1, because: 'C' },
      { category: 'B', lift: 0.625, confidence: 0.5, because: 'C' },
    ]);
    expect(recommendCategories(['C'], rules, { minLift: 0, limit: 1 })).toHaveLength(1);
  });
});
