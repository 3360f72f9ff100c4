import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { CUSTOMER_BASE_MODELS, CUSTOMER_MODEL_CHOICES, type CustomerBaseModelKind } from '../../intelligence';

// GraphQL types of choosing a customer-base model by its holdout error: the candidates modelDiagnostics reports, and the
// selection a fit with model AUTO records (CustomerModel.selection).

@ObjectType({ description: 'Calibration against holdout for one group of customers.' })
export class DiagnosticsBucket {
  @Field({ description: 'Repeat purchases in the calibration period, e.g. "0", "3" or "7+".' })
  repeatPurchases: string;

  @Field(() => Int, { description: 'Customers in the group.' })
  customers: number;

  @Field(() => Float, { description: 'Mean predicted purchases per customer in the holdout period.' })
  predictedMean: number;

  @Field(() => Float, { description: 'Mean actual purchase occasions per customer in the holdout period.' })
  actualMean: number;

  @Field(() => Float, { nullable: true, description: 'Predicted against actual in % of actual ((predicted − actual) / actual × 100); null when nobody in the group bought.' })
  errorPercent: number | null;
}

registerEnumType(CUSTOMER_BASE_MODELS, {
  name: 'CustomerBaseModel',
  description: 'A model of how many times customers buy and when they leave, fitted on (x, tx, T) per customer.',
  valuesConfig: {
    BG_NBD: { description: 'BG/NBD (Fader, Hardie & Lee 2005): customers may leave right after a purchase.' },
    PARETO_NBD: { description: 'Pareto/NBD (Schmittlein, Morrison & Colombo 1987): customers may leave at any time.' },
    MBG_NBD: { description: 'MBG/NBD (Batislam, Denizel & Filiztekin 2007): like BG/NBD, but a customer may also leave right after the first purchase.' },
  },
});

@ObjectType({ description: 'One customer-base model fitted on the calibration period and judged on the holdout.' })
export class ModelCandidate {
  @Field(() => CUSTOMER_BASE_MODELS, { description: 'The model.' })
  model: CustomerBaseModelKind;

  @Field({ description: 'Whether its fit converged.' })
  converged: boolean;

  @Field(() => Float, { nullable: true, description: 'Log-likelihood of the calibration data at the estimate; null when the fit failed.' })
  logLikelihood: number | null;

  @Field(() => Float, { nullable: true, description: 'Expected holdout purchases summed over customers.' })
  predictedPurchases: number | null;

  @Field(() => Float, { nullable: true, description: 'Total error in % of the actual holdout purchases.' })
  errorPercent: number | null;

  @Field(() => Float, { nullable: true, description: 'Mean absolute error per customer, in purchases: the holdout error that ranks the candidates.' })
  meanAbsoluteError: number | null;

  @Field(() => Float, { nullable: true, description: 'ROC AUC of its P(no purchase in the holdout) for who bought nothing.' })
  churnAuc: number | null;

  @Field({ description: 'True for the candidate with the lowest meanAbsoluteError: the one the holdout chooses.' })
  lowestError: boolean;

  @Field(() => [DiagnosticsBucket], { description: 'Predicted against actual by calibration repeat purchases.' })
  byRepeatPurchases: DiagnosticsBucket[];

  @Field(() => String, { nullable: true, description: 'Why the model could not be judged (its fit failed on this data); null when it was.' })
  problem: string | null;
}

registerEnumType(CUSTOMER_MODEL_CHOICES, {
  name: 'CustomerModelChoice',
  description: 'Which customer-base model fitCustomerModel fits for the per-customer predictions.',
  valuesConfig: {
    AUTO: { description: 'Each model fitted on a calibration period and judged on the holdout after it; the one with the lowest mean absolute error is fitted on all the data. The fit records each candidate’s holdout error (CustomerModel.selection).' },
    BG_NBD: { description: 'BG/NBD (Fader, Hardie & Lee 2005).' },
    PARETO_NBD: { description: 'Pareto/NBD (Schmittlein, Morrison & Colombo 1987).' },
    MBG_NBD: { description: 'MBG/NBD (Batislam, Denizel & Filiztekin 2007).' },
  },
});

@ObjectType({ description: 'One parameter of a fitted model, under the paper’s name.' })
export class ModelParameter {
  @Field({ description: 'The paper’s name: r, alpha, a, b (BG/NBD, MBG/NBD) or r, alpha, s, beta (Pareto/NBD).' })
  name: string;

  @Field(() => Float, { description: 'The estimate, in the fit’s time unit where it is a rate.' })
  value: number;
}

@ObjectType({ description: 'How a fit with model AUTO chose its customer-base model: each candidate fitted on the purchases up to calibrationEnd and judged on the holdout days after it.' })
export class CustomerModelSelection {
  @Field({ description: 'End of the calibration period (the fit’s asOf minus holdoutDays).' })
  calibrationEnd: Date;

  @Field(() => Int, { description: 'Length of the holdout period in days, up to the fit’s asOf.' })
  holdoutDays: number;

  @Field(() => Int, { description: 'Customers with a purchase by calibrationEnd: the customers the candidates were judged on.' })
  customers: number;

  @Field(() => Int, { description: 'Their purchase occasions in the holdout period.' })
  actualPurchases: number;

  @Field(() => CUSTOMER_BASE_MODELS, { description: 'The candidate with the lowest holdout error, which the fit then estimated on all the data.' })
  chosen: CustomerBaseModelKind;

  @Field(() => [ModelCandidate], { description: 'Each candidate’s holdout error (the criterion is meanAbsoluteError).' })
  candidates: ModelCandidate[];
}
