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

/** What an analyst may ask fitCustomerModel for: one model, or AUTO (the lowest holdout error; model-selection.ts). */
export const CUSTOMER_MODEL_CHOICES = { AUTO: 'AUTO', ...CUSTOMER_BASE_MODELS } as const;
export type CustomerModelChoice = (typeof CUSTOMER_MODEL_CHOICES)[keyof typeof CUSTOMER_MODEL_CHOICES];

/** A model of any kind with its parameters, and the questions every kind answers. */
export interface CustomerBaseModel {
  kind: CustomerBaseModelKind;
  /** The estimates under the paper's names (r, alpha, a, b or r, alpha, s, beta). */
  params: Readonly<Record<string, number>>;
  probabilityAlive(c: FrequencyRecency): number;
  /** E[purchases in (T, T+t] | x, tx, T]. */
  expectedPurchases(t: number, c: FrequencyRecency): number;
  /** P(no purchase in (T, T+τ] | x, tx, T). */
  probabilityNoPurchase(tau: number, c: FrequencyRecency): number;
}

/** A model fitted on data: its likelihood at the estimate, and whether the optimiser converged. */
export interface FittedCustomerBaseModel extends CustomerBaseModel {
  logLikelihood: number;
  converged: boolean;
}

const PARAMETER_NAMES: Record<CustomerBaseModelKind, readonly string[]> = {
  BG_NBD: ['r', 'alpha', 'a', 'b'],
  PARETO_NBD: ['r', 'alpha', 's', 'beta'],
  MBG_NBD: ['r', 'alpha', 'a', 'b'],
};

/**
 * The model `kind` with stored parameters (a fit read back from the database). Throws RangeError when a parameter
 * the model needs is missing or not a positive finite number.
 */
export function customerBaseModel(kind: CustomerBaseModelKind, stored: Readonly<Record<string, number>>): CustomerBaseModel {
  const names = PARAMETER_NAMES[kind];
  if (!names) throw new RangeError(`unknown customer-base model ${String(kind)}`);
  for (const name of names) {
    const v = stored[name];
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new RangeError(`${kind} parameter ${name} must be a positive number`);
  }
  switch (kind) {
    case 'BG_NBD': {
      const p = { r: stored.r, alpha: stored.alpha, a: stored.a, b: stored.b };
      return { kind, params: p, probabilityAlive: (c) => probabilityAlive(p, c), expectedPurchases: (t, c) => expectedPurchases(p, t, c), probabilityNoPurchase: (tau, c) => probabilityNoPurchase(p, tau, c) };
    }
    case 'PARETO_NBD': {
      const p = { r: stored.r, alpha: stored.alpha, s: stored.s, beta: stored.beta };
      return { kind, params: p, probabilityAlive: (c) => paretoNbdProbabilityAlive(p, c), expectedPurchases: (t, c) => paretoNbdExpectedPurchases(p, t, c), probabilityNoPurchase: (tau, c) => paretoNbdProbabilityNoPurchase(p, tau, c) };
    }
    case 'MBG_NBD': {
      const p = { r: stored.r, alpha: stored.alpha, a: stored.a, b: stored.b };
      return { kind, params: p, probabilityAlive: (c) => mbgnbdProbabilityAlive(p, c), expectedPurchases: (t, c) => mbgnbdExpectedPurchases(p, t, c), probabilityNoPurchase: (tau, c) => mbgnbdProbabilityNoPurchase(p, tau, c) };
    }
  }
}

/** Fits `kind` on the customers; throws RangeError on data the model cannot take (as each fit does). */
export function fitCustomerBaseModel(kind: CustomerBaseModelKind, customers: readonly WeightedFrequencyRecency[]): FittedCustomerBaseModel {
  const fit = kind === 'BG_NBD' ? fitBgnbd(customers) : kind === 'PARETO_NBD' ? fitParetoNbd(customers) : fitMbgnbd(customers);
  const params: Record<string, number> = {};
  for (const name of PARAMETER_NAMES[kind]) params[name] = (fit as unknown as Record<string, number>)[name];
  // An estimate that ran off to a boundary has no model to build; the caller judges it by its parameters.
  const finite = Object.values(params).every((v) => Number.isFinite(v) && v > 0);
  const model = finite ? customerBaseModel(kind, params) : { kind, params, probabilityAlive: () => NaN, expectedPurchases: () => NaN, probabilityNoPurchase: () => NaN };
  return { ...model, logLikelihood: fit.logLikelihood, converged: fit.converged };
}
