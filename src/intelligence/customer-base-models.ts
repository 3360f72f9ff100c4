// The three customer-base models side by side, so that a holdout can choose between them: BG/NBD (Fader, Hardie & Lee
// 2005), Pareto/NBD (Schmittlein, Morrison & Colombo 1987) and MBG/NBD (Batislam, Denizel & Filiztekin 2007). Each
// model's own file holds its maths; this one only gives them one shape.

import { expectedPurchases, fitBgnbd, probabilityAlive, probabilityNoPurchase, type WeightedFrequencyRecency } from './bgnbd';
import { fitMbgnbd, mbgnbdExpectedPurchases, mbgnbdProbabilityAlive, mbgnbdProbabilityNoPurchase } from './mbgnbd';
import { fitParetoNbd, paretoNbdExpectedPurchases, paretoNbdProbabilityAlive, paretoNbdProbabilityNoPurchase } from './pareto-nbd';
import type { FrequencyRecency } from './purchase-summary';

/** The customer-base models Rapport fits; the GraphQL enum `CustomerBaseModel` is registered from this object. */
export const CUSTOMER_BASE_MODELS = {
  BG_NBD: 'BG_NBD',
  PARETO_NBD: 'PARETO_NBD',
  MBG_NBD: 'MBG_NBD',
} as const;
export type CustomerBaseModelKind = (typeof CUSTOMER_BASE_MODELS)[keyof typeof CUSTOMER_BASE_MODELS];

/** A fitted model of any kind, with the questions every kind answers. */
export interface FittedCustomerBaseModel {
  kind: CustomerBaseModelKind;
  /** The estimates under the paper's names (r, alpha, a, b or r, alpha, s, beta). */
  params: Readonly<Record<string, number>>;
  logLikelihood: number;
  converged: boolean;
  probabilityAlive(c: FrequencyRecency): number;
  /** E[purchases in (T, T+t] | x, tx, T]. */
  expectedPurchases(t: number, c: FrequencyRecency): number;
  /** P(no purchase in (T, T+τ] | x, tx, T). */
  probabilityNoPurchase(tau: number, c: FrequencyRecency): number;
}

/** Fits `kind` on the customers; throws RangeError on data the model cannot take (as each fit does). */
export function fitCustomerBaseModel(kind: CustomerBaseModelKind, customers: readonly WeightedFrequencyRecency[]): FittedCustomerBaseModel {
  switch (kind) {
    case 'BG_NBD': {
      const { r, alpha, a, b, logLikelihood, converged } = fitBgnbd(customers);
      const p = { r, alpha, a, b };
      return { kind, params: p, logLikelihood, converged, probabilityAlive: (c) => probabilityAlive(p, c), expectedPurchases: (t, c) => expectedPurchases(p, t, c), probabilityNoPurchase: (tau, c) => probabilityNoPurchase(p, tau, c) };
    }
    case 'PARETO_NBD': {
      const { r, alpha, s, beta, logLikelihood, converged } = fitParetoNbd(customers);
      const p = { r, alpha, s, beta };
      return { kind, params: p, logLikelihood, converged, probabilityAlive: (c) => paretoNbdProbabilityAlive(p, c), expectedPurchases: (t, c) => paretoNbdExpectedPurchases(p, t, c), probabilityNoPurchase: (tau, c) => paretoNbdProbabilityNoPurchase(p, tau, c) };
    }
    case 'MBG_NBD': {
      const { r, alpha, a, b, logLikelihood, converged } = fitMbgnbd(customers);
      const p = { r, alpha, a, b };
      return { kind, params: p, logLikelihood, converged, probabilityAlive: (c) => mbgnbdProbabilityAlive(p, c), expectedPurchases: (t, c) => mbgnbdExpectedPurchases(p, t, c), probabilityNoPurchase: (tau, c) => mbgnbdProbabilityNoPurchase(p, tau, c) };
    }
  }
}
