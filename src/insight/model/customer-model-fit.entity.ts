import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../../common/ids';
import {
  customerBaseModel,
  CUSTOMER_BASE_MODELS,
  CUSTOMER_MODEL_CHOICES,
  TIME_UNITS,
  type AssociationRule,
  type BgnbdParams,
  type CustomerBaseModel,
  type CustomerBaseModelKind,
  type CustomerModelChoice,
  type GammaGammaParams,
  type RfmBreakpoints,
  type TimeUnit,
  type ValueTierThresholds,
} from '../../intelligence';
import { CustomerModelSelection, ModelCandidate, ModelParameter } from './model-selection.types';

registerEnumType(TIME_UNITS, {
  name: 'TimeUnit',
  description: 'A unit of time for model parameters and forecast horizons.',
  valuesConfig: {
    DAY: { description: 'One day.' },
    WEEK: { description: 'Seven days.' },
  },
});

export enum ValueBasis {
  MARGIN = 'MARGIN',
  REVENUE = 'REVENUE',
}
registerEnumType(ValueBasis, {
  name: 'ValueBasis',
  description: 'What a purchase is worth to the models: its gross margin (what CRM values customers by) or its revenue.',
  valuesConfig: {
    MARGIN: { description: 'Gross margin in the base currency (total − cost).' },
    REVENUE: { description: 'Order total in the base currency.' },
  },
});

@ObjectType({ description: 'BG/NBD parameters (Fader, Hardie & Lee 2005): purchase rate λ ~ Gamma(r, α), dropout probability after each purchase p ~ Beta(a, b), in the model’s time unit.' })
export class BgnbdParameters {
  @Field(() => Float, { description: 'Shape r of the Gamma distribution of purchase rates.' })
  r: number;

  @Field(() => Float, { description: 'Rate α of the Gamma distribution of purchase rates (in the model’s time unit).' })
  alpha: number;

  @Field(() => Float, { description: 'Parameter a of the Beta distribution of dropout probabilities.' })
  a: number;

  @Field(() => Float, { description: 'Parameter b of the Beta distribution of dropout probabilities.' })
  b: number;

  @Field(() => Float, { description: 'Total log-likelihood at the estimate (eq. 6).' })
  logLikelihood: number;
}

@ObjectType({ description: 'Gamma-Gamma spend parameters (Fader, Hardie & Lee 2005; Fader & Hardie 2013): value per purchase z ~ Gamma(p, ν), ν ~ Gamma(q, γ) across customers.' })
export class GammaGammaParameters {
  @Field(() => Float, { description: 'Shape p of the value per purchase.' })
  p: number;

  @Field(() => Float, { description: 'Shape q of the distribution of ν across customers.' })
  q: number;

  @Field(() => Float, { description: 'Rate γ of the distribution of ν across customers.' })
  gamma: number;

  @Field(() => Float, { description: 'Total log-likelihood at the estimate.' })
  logLikelihood: number;

  @Field(() => Int, { description: 'Repeat buyers with a positive mean repeat value the fit used.' })
  customers: number;
}

@ObjectType({ description: 'Quintile cut points (20th, 40th, 60th, 80th percentiles) of the buyers’ RFM values.' })
export class RfmBreakpointSet {
  @Field(() => [Float], { description: 'Days since the latest purchase.' })
  recencyDays: number[];

  @Field(() => [Float], { description: 'Purchase occasions.' })
  frequency: number[];

  @Field(() => [Float], { description: 'Realised value on the model’s basis, major units of the base currency.' })
  monetary: number[];

  @Field(() => Int, { description: 'Buyers the cut points were computed from.' })
  population: number;
}

@ObjectType({ description: 'Population medians that split the value tiers.' })
export class ValueTierMedians {
  @Field(() => Float, { description: 'Median realised value on the model’s basis (major units of the base currency).' })
  currentValueMedian: number;

  @Field(() => Float, { description: 'Median predicted 12-month CLV on the model’s basis (major units of the base currency).' })
  potentialValueMedian: number;
}

export type GammaGammaFitRecord = GammaGammaParams & { logLikelihood: number; customers: number };

/**
 * A stored fit of the customer models (table customer_model_fits). Read and written with plain SQL by
 * InsightService, so it needs no TypeORM registration; the GraphQL type is `CustomerModel`.
 */
@ObjectType('CustomerModel', {
  description:
    'A fit of the customer models on the whole customer base as of one instant: a customer-base model for purchase counts and dropout (baseModel: BG/NBD, Pareto/NBD or MBG/NBD, chosen by the analyst or by holdout error), Gamma-Gamma for value per purchase, and the RFM and value-tier cut points of the same population. One fit is active; per-customer predictions use it.',
})
export class CustomerModel {
  uuid: string;

  @Field(() => ID, { description: 'Opaque ID of the fit.' })
  get id(): string {
    return toGlobalId('CustomerModel', this.uuid);
  }

  @Field({ description: 'When the fit was computed.' })
  fittedAt: Date;

  @Field({ description: 'Purchases up to this instant were used; T is measured to its UTC day.' })
  asOf: Date;

  @Field(() => TIME_UNITS, { description: 'Time unit of the model parameters.' })
  timeUnit: TimeUnit;

  @Field(() => ValueBasis, { description: 'Value basis of Gamma-Gamma, RFM monetary and value tiers.' })
  basis: ValueBasis;

  baseCurrency: string;

  @Field(() => Int, { description: 'Customers with at least one purchase by asOf: the population fitted.' })
  customers: number;

  @Field(() => BgnbdParameters, { description: 'BG/NBD parameters (Fader, Hardie & Lee 2005), estimated by every fit for comparison; per-customer predictions use baseModel, which is BG/NBD unless another model was asked for or chosen.' })
  bgnbd: BgnbdParams & { logLikelihood: number };

  @Field(() => CUSTOMER_BASE_MODELS, { description: 'The customer-base model the per-customer predictions (expected purchases, P(alive), churn risk, CLV) use.' })
  baseModel: CustomerBaseModelKind;

  /** baseModel's estimates under the paper's names. */
  baseModelParams: Readonly<Record<string, number>>;

  @Field(() => [ModelParameter], { description: 'baseModel’s parameters under the paper’s names, in the fit’s time unit.' })
  get baseModelParameters(): ModelParameter[] {
    // In the paper’s order (jsonb keeps its own key order); purchaseModel lays them out so.
    return Object.entries(this.purchaseModel.params).map(([name, value]) => Object.assign(new ModelParameter(), { name, value }));
  }

  @Field(() => Float, { description: 'baseModel’s total log-likelihood at the estimate.' })
  baseModelLogLikelihood: number;

  @Field(() => CUSTOMER_MODEL_CHOICES, { description: 'What the fit was asked for: one model, or AUTO (the lowest holdout error).' })
  choice: CustomerModelChoice;

  @Field(() => CustomerModelSelection, { nullable: true, description: 'For choice AUTO, how baseModel was chosen: each candidate’s error on the holdout. Null when one model was asked for.' })
  selection: CustomerModelSelection | null;

  private predictor?: CustomerBaseModel;

  /** baseModel with its parameters: what every per-customer prediction asks. */
  get purchaseModel(): CustomerBaseModel {
    this.predictor ??= customerBaseModel(this.baseModel, this.baseModelParams);
    return this.predictor;
  }

  @Field(() => GammaGammaParameters, { nullable: true, description: 'Gamma-Gamma parameters on the model’s basis; null when fewer than 10 repeat buyers had a positive value.' })
  gammaGamma: GammaGammaFitRecord | null;

  /** Gamma-Gamma on the other basis, so that clv(basis:) can answer either way. */
  otherBasisGammaGamma: GammaGammaFitRecord | null;

  @Field(() => RfmBreakpointSet, { nullable: true, description: 'RFM quintile cut points of the same population (Hughes 1994).' })
  rfmBreakpoints: RfmBreakpoints | null;

  @Field(() => ValueTierMedians, { nullable: true, description: 'Medians of realised value and predicted 12-month CLV of the same population; null without a Gamma-Gamma fit.' })
  valueTierMedians: ValueTierThresholds | null;

  /** Category association rules of the population (customer baskets), strongest first; feeds cross-sell. */
  associationRules: AssociationRule[];

  @Field(() => Int, { description: 'Category association rules (support, confidence, lift; Agrawal et al. 1993, Brin et al. 1997) found in the population’s purchases, used for cross-sell suggestions.' })
  get associationRuleCount(): number {
    return this.associationRules.length;
  }

  @Field({ description: 'True for the fit per-customer predictions use.' })
  active: boolean;

  @Field(() => Int, { description: 'Milliseconds the fit took (loading data and estimating).' })
  durationMs: number;

  /** Gamma-Gamma for a value basis. */
  gammaGammaFor(basis: ValueBasis): GammaGammaFitRecord | null {
    return basis === this.basis ? this.gammaGamma : this.otherBasisGammaGamma;
  }
}

/** A row of customer_model_fits (SELECT *) as a CustomerModel. */
export function customerModelFromRow(row: Record<string, any>): CustomerModel {
  const gg =
    row.gamma_gamma_p === null
      ? null
      : {
          p: row.gamma_gamma_p,
          q: row.gamma_gamma_q,
          gamma: row.gamma_gamma_gamma,
          logLikelihood: row.gamma_gamma_log_likelihood,
          customers: row.gamma_gamma_customers,
        };
  return Object.assign(new CustomerModel(), {
    uuid: row.id,
    fittedAt: new Date(row.fitted_at),
    asOf: new Date(row.as_of),
    timeUnit: row.time_unit as TimeUnit,
    basis: row.basis as ValueBasis,
    baseCurrency: String(row.base_currency).trim(),
    customers: row.customers,
    bgnbd: { r: row.bgnbd_r, alpha: row.bgnbd_alpha, a: row.bgnbd_a, b: row.bgnbd_b, logLikelihood: row.bgnbd_log_likelihood },
    baseModel: row.base_model as CustomerBaseModelKind,
    baseModelParams: row.base_model_params,
    baseModelLogLikelihood: row.base_model_log_likelihood,
    choice: row.model_choice as CustomerModelChoice,
    selection: row.model_selection ? selectionFromJson(row.model_selection) : null,
    gammaGamma: gg,
    otherBasisGammaGamma: row.other_basis_gamma_gamma ?? null,
    rfmBreakpoints: row.rfm_breakpoints ?? null,
    valueTierMedians: row.value_tier_medians ?? null,
    associationRules: row.association_rules ?? [],
    active: row.active,
    durationMs: row.duration_ms,
  });
}

/** The stored selection (jsonb) as its GraphQL type. */
function selectionFromJson(json: Record<string, any>): CustomerModelSelection {
  return Object.assign(new CustomerModelSelection(), {
    ...json,
    calibrationEnd: new Date(json.calibrationEnd),
    candidates: (json.candidates as Array<Record<string, unknown>>).map((c) => Object.assign(new ModelCandidate(), c)),
  });
}
