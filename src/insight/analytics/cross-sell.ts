import { badInput, UserErrorCode } from '../../common/errors';
import { PURCHASE_STATUSES } from '../../order/order.entity';
import { CrossSellRule } from '../analytics.types';
import { AnalystReports, checkFirst } from './book';

/** Association rules between product categories (crossSellRules). */
export class CrossSellReport extends AnalystReports {
  async crossSellRules(minSupport: number, minConfidence: number, first: number): Promise<CrossSellRule[]> {
    this.scope.guard();
    if (!Number.isFinite(minSupport) || minSupport < 0 || minSupport > 1) {
      throw badInput('`minSupport` must be from 0 to 1.', { field: 'minSupport', reason: UserErrorCode.OUT_OF_RANGE });
    }
    if (!Number.isFinite(minConfidence) || minConfidence < 0 || minConfidence > 1) {
      throw badInput('`minConfidence` must be from 0 to 1.', { field: 'minConfidence', reason: UserErrorCode.OUT_OF_RANGE });
    }
    checkFirst(first);
    // cross-sell.ts's associationRules, counted in SQL over (order, category) pairs so that the order table never
    // travels to the process; a basket is a purchase order with at least one categorised product.
    const rows: Array<CrossSellRule> = await this.deps.db.query(
      `WITH oc AS (
         SELECT DISTINCT l.order_id, p.category
           FROM order_lines l
           JOIN orders o ON o.id = l.order_id AND o.status = ANY($1::text[]) AND o.deleted_at IS NULL AND o.placed_at <= $2
           JOIN customers c ON c.id = o.customer_id AND c.deleted_at IS NULL AND ${this.scope.inBook('c')}
           JOIN products p ON p.id = l.product_id
          WHERE p.category IS NOT NULL),
       n AS (SELECT count(DISTINCT order_id)::float8 AS n FROM oc),
       single AS (SELECT category, count(*)::float8 AS k FROM oc GROUP BY 1),
       pair AS (
         SELECT a.category AS antecedent, b.category AS consequent, count(*)::int AS orders
           FROM oc a JOIN oc b ON b.order_id = a.order_id AND b.category <> a.category
          GROUP BY 1, 2),
       rules AS (
         SELECT pair.antecedent, pair.consequent, pair.orders, pair.orders / n.n AS support, pair.orders / sa.k AS confidence,
                (pair.orders / sa.k) / (sb.k / n.n) AS lift
           FROM pair CROSS JOIN n
           JOIN single sa ON sa.category = pair.antecedent
           JOIN single sb ON sb.category = pair.consequent)
       SELECT antecedent, consequent, orders, support, confidence, lift FROM rules
        WHERE support >= $3 AND confidence >= $4
        ORDER BY lift DESC, confidence DESC, support DESC, antecedent, consequent
        LIMIT $5`,
      [PURCHASE_STATUSES, this.insight.now, minSupport, minConfidence, first],
    );
    return rows.map((r) => Object.assign(new CrossSellRule(), r));
  }
}
