// Fitting the customer models on the whole customer base, storing fits, and keeping one fresh: the worker fits the
// first one once there are purchases and refits a stale one (the job fit_customer_model).

import type { DataSource, EntityManager } from 'typeorm';
import { SYSTEM } from '../../core/actor';
import { recordAudit, type AuditSubject } from '../../core/audit';
import { addJob } from '../../core/jobs';
import { FIT_REQUESTED_JOB, RESCORE_STALE_JOB } from '../../scoring/jobs';
import { storedBaskets, storedPurchaseSummaries } from '../../scoring/score-store';
import {
  associationRules,
  CUSTOMER_BASE_MODELS,
  CUSTOMER_MODEL_CHOICES,
  DAYS_PER_UNIT,
  fitCustomerBaseModel,
  fitGammaGamma,
  judgeCustomerBaseModels,
  rfmBreakpoints,
  utcDay,
  valueTierThresholds,
  TIME_UNITS,
  type CustomerBaseModelKind,
  type CustomerModelChoice,
  type FittedCustomerBaseModel,
  type HoldoutCustomer,
  type PurchaseSummary,
  type TimeUnit,
} from '../../intelligence';
import { log } from '../../core/logger';
import { CustomerModel, customerModelFromRow, GammaGammaFitRecord, ValueBasis } from './customer-model-fit.entity';
import { modelFitDuration, timed } from '../../core/metrics';
import { populationBaskets, populationSummaries, streamPopulationDays } from '../insight.loaders';
import { modelValue, predictedClv, rfmInputFromSummary, summarizeOccasions } from '../occasions';

/** Gamma-Gamma is not fitted on fewer repeat buyers than this: the estimate would be noise. */
export const MIN_REPEAT_BUYERS = 10;
/** Association rules kept with a fit: the strongest this many (by lift, then confidence). */
const MAX_STORED_RULES = 500;
/** Rules need a pair bought by at least this share of buyers. */
const RULE_MIN_SUPPORT = 0.01;

export interface PopulationMember {
  customerId: string;
  summary: PurchaseSummary;
  margin: { total: number; mx: number };
  revenue: { total: number; mx: number };
}

/** The data cannot support a fit (no buyers, or an estimate that ran off to a boundary); nothing is stored. */
export class CannotFitError extends Error {
  /** The input field the problem is about (fitCustomerModel's userError path). */
  constructor(message: string, readonly field: 'asOf' | 'model' | 'holdoutDays' = 'asOf') {
    super(message);
  }
}

const NO_PURCHASES = 'No customer has a purchase by this date: there is nothing to fit.';
const positive = (...xs: number[]): boolean => xs.every((x) => Number.isFinite(x) && x > 0);

/**
 * The population's summaries as of `asOf` in one unit, with both value bases (purchase-summary's convention). As of
 * now (`fromScores`), from the stored scores (one row per buyer, the orders only for customers a row cannot tell);
 * otherwise from the orders up to `asOf`.
 */
export async function loadPopulation(db: DataSource, asOf: Date, unit: TimeUnit, fromScores = false): Promise<PopulationMember[]> {
  const perUnit = DAYS_PER_UNIT[unit];
  const today = utcDay(asOf);
  const rows = fromScores ? await storedPurchaseSummaries(db) : await populationSummaries(db, asOf);
  return rows.map((r) => {
    const x = r.occasions - 1;
    const summary: PurchaseSummary = {
      x,
      tx: (r.lastDay - r.firstDay) / perUnit,
      T: (today - r.firstDay) / perUnit,
      unit,
      monetaryValue: x > 0 ? (r.margin - r.firstMargin) / x : 0,
      occasions: r.occasions,
      firstPurchaseAt: new Date(r.firstAt),
      lastPurchaseAt: new Date(r.lastAt),
      totalValue: r.margin,
    };
    return {
      customerId: r.customerId,
      summary,
      margin: { total: r.margin, mx: summary.monetaryValue },
      revenue: { total: r.revenue, mx: x > 0 ? (r.revenue - r.firstRevenue) / x : 0 },
    };
  });
}

function fitGammaGammaOn(members: readonly PopulationMember[], basis: ValueBasis): GammaGammaFitRecord | null {
  const key = basis === ValueBasis.MARGIN ? 'margin' : 'revenue';
  const observations = members.map((m) => ({ x: m.summary.x, monetaryValue: m[key].mx }));
  if (observations.filter((o) => o.x > 0 && o.monetaryValue > 0).length < MIN_REPEAT_BUYERS) return null;
  const fit = fitGammaGamma(observations);
  if (!positive(fit.p, fit.q, fit.gamma) || !Number.isFinite(fit.logLikelihood)) return null;
  return { p: fit.p, q: fit.q, gamma: fit.gamma, logLikelihood: fit.logLikelihood, customers: fit.customers };
}

export interface FitOptions {
  asOf: Date;
  /** The fit is as of now: the population's summaries and baskets may come from the stored scores (see loadPopulation, storedBaskets). */
  fromScores?: boolean;
  timeUnit: TimeUnit;
  basis: ValueBasis;
  activate: boolean;
  baseCurrency: string;
  /** Which customer-base model the predictions use; AUTO chooses by holdout error. Default BG_NBD. */
  choice?: CustomerModelChoice;
  /** For AUTO: days before asOf held out to judge the candidates. Default a third of the purchase history. */
  holdoutDays?: number | null;
  /** Who asked for the fit, for its audit entry and event; default the system (the worker's own refits). */
  requestedBy?: AuditSubject | null;
}

/** What a fit with model AUTO stores about its choice (customer_model_fits.model_selection; CustomerModelSelection). */
interface StoredSelection {
  calibrationEnd: string;
  holdoutDays: number;
  customers: number;
  actualPurchases: number;
  chosen: CustomerBaseModelKind;
  candidates: Array<Omit<ReturnType<typeof judgeCustomerBaseModels>[number], 'fitted'>>;
}

/**
 * AUTO: each candidate fitted on the purchases up to asOf − holdoutDays and judged on the days after it (model-
 * selection.ts); the one with the lowest holdout error is the choice. The purchase days load through a cursor in one
 * snapshot.
 */
async function chooseByHoldout(db: DataSource, members: readonly PopulationMember[], o: FitOptions): Promise<StoredSelection> {
  const asOfDay = utcDay(o.asOf);
  const historyDays = asOfDay - Math.min(...members.map((m) => utcDay(m.summary.firstPurchaseAt)));
  const holdoutDays = o.holdoutDays ?? Math.floor(historyDays / 3);
  if (!(Number.isInteger(holdoutDays) && holdoutDays >= 1 && holdoutDays < historyDays)) {
    throw new CannotFitError(
      o.holdoutDays == null
        ? `The purchase history is ${historyDays} days long: too short to hold out a period and judge the models on it. Choose a model instead of AUTO.`
        : `holdoutDays must be from 1 to ${historyDays - 1}: the purchase history before asOf is ${historyDays} days long, and the calibration period needs purchases.`,
      o.holdoutDays == null ? 'model' : 'holdoutDays',
    );
  }
  const calibrationEnd = new Date(o.asOf.getTime() - holdoutDays * 86_400_000);
  const calibrationDay = utcDay(calibrationEnd);
  const customers: HoldoutCustomer[] = [];
  await db.transaction('REPEATABLE READ', (m) =>
    streamPopulationDays(m, o.asOf, (_customerId, days) => {
      const s = summarizeOccasions(days.map((d) => ({ firstAt: d.firstAt, lastAt: d.lastAt, value: d.margin })), calibrationEnd, o.timeUnit);
      if (s) customers.push({ x: s.x, tx: s.tx, T: s.T, actual: days.filter((d) => d.day > calibrationDay).length });
    }),
  );
  if (customers.length === 0) throw new CannotFitError(`No customer has a purchase before the ${holdoutDays}-day holdout; choose fewer holdoutDays.`, 'holdoutDays');
  const judged = judgeCustomerBaseModels(customers, holdoutDays / DAYS_PER_UNIT[o.timeUnit]);
  const best = judged.find((c) => c.lowestError);
  if (!best) {
    throw new CannotFitError(`No candidate could be judged on the holdout: ${judged.map((c) => `${c.model}: ${c.problem}`).join('; ')}`, 'model');
  }
  return {
    calibrationEnd: calibrationEnd.toISOString(),
    holdoutDays,
    customers: customers.length,
    actualPurchases: customers.reduce((n, c) => n + c.actual, 0),
    chosen: best.model,
    candidates: judged.map(({ fitted: _fitted, ...candidate }) => candidate),
  };
}

const MODEL_NAMES: Record<CustomerBaseModelKind, string> = { BG_NBD: 'BG/NBD', PARETO_NBD: 'Pareto/NBD', MBG_NBD: 'MBG/NBD' };

/** `kind` fitted on the population, or CannotFitError when its estimate runs off to a boundary. */
function fitOnPopulation(kind: CustomerBaseModelKind, members: readonly PopulationMember[], field: 'asOf' | 'model'): FittedCustomerBaseModel {
  let fit: FittedCustomerBaseModel;
  try {
    fit = fitCustomerBaseModel(kind, members.map((m) => m.summary));
  } catch (e) {
    if (e instanceof RangeError) throw new CannotFitError(`${MODEL_NAMES[kind]} cannot be fitted on this data: ${e.message}`, field);
    throw e;
  }
  if (!positive(...Object.values(fit.params)) || !Number.isFinite(fit.logLikelihood)) {
    throw new CannotFitError(`The ${MODEL_NAMES[kind]} estimate did not converge to finite parameters on ${members.length} customers; more purchase history is needed.`, field);
  }
  return fit;
}

/**
 * Fits the customer-base model (asked for, or chosen by holdout error with AUTO; BG/NBD always, for comparison) and
 * Gamma-Gamma (both value bases) on every customer with a purchase by asOf, computes the RFM
 * breakpoints and value-tier medians of the same population, and stores the fit — activating it, in one
 * transaction, when asked. Concurrent fits are serialised by an advisory lock, so one fit stays active.
 */
export function fitAndStore(db: DataSource, o: FitOptions): Promise<CustomerModel> {
  return timed(modelFitDuration, {}, () => fitAndStoreUntimed(db, o));
}

async function fitAndStoreUntimed(db: DataSource, o: FitOptions): Promise<CustomerModel> {
  const started = Date.now();
  // The baskets for the cross-sell rules load on a second connection while the summaries load and the models fit; as
  // of now from the stored scores, like the summaries.
  const baskets = o.fromScores ? storedBaskets(db) : populationBaskets(db, o.asOf);
  baskets.catch(() => undefined);
  const members = await loadPopulation(db, o.asOf, o.timeUnit, o.fromScores);
  if (members.length === 0) throw new CannotFitError(NO_PURCHASES);
  const choice = o.choice ?? CUSTOMER_MODEL_CHOICES.BG_NBD;
  // BG/NBD is estimated by every fit (CustomerModel.bgnbd, for comparison); with AUTO the holdout picks the model.
  const bg = fitOnPopulation(CUSTOMER_BASE_MODELS.BG_NBD, members, 'asOf');
  const selection = choice === CUSTOMER_MODEL_CHOICES.AUTO ? await chooseByHoldout(db, members, o) : null;
  const kind: CustomerBaseModelKind = selection?.chosen ?? (choice as CustomerBaseModelKind);
  const base = kind === CUSTOMER_BASE_MODELS.BG_NBD ? bg : fitOnPopulation(kind, members, 'model');
  const bgnbd = { r: bg.params.r, alpha: bg.params.alpha, a: bg.params.a, b: bg.params.b };
  const gammaGamma = fitGammaGammaOn(members, o.basis);
  const other = fitGammaGammaOn(members, o.basis === ValueBasis.MARGIN ? ValueBasis.REVENUE : ValueBasis.MARGIN);
  const key = o.basis === ValueBasis.MARGIN ? 'margin' : 'revenue';
  const breakpoints = rfmBreakpoints(members.map((m) => rfmInputFromSummary({ ...m.summary, totalValue: m[key].total }, o.baseCurrency)));
  const medians = valueTierThresholds(
    members.map((m) => ({
      currentValue: modelValue(m[key].total, o.baseCurrency),
      potentialValue: gammaGamma ? predictedClv(base, gammaGamma, { ...m.summary, monetaryValue: m[key].mx, totalValue: m[key].total }) ?? 0 : 0,
    })),
  );
  const rules = associationRules(await baskets, { minSupport: RULE_MIN_SUPPORT }).slice(0, MAX_STORED_RULES);
  const durationMs = Date.now() - started;
  const row = await db.transaction(async (m) => {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('customer_model_fits'))`);
    if (o.activate) {
      await m.query(`UPDATE customer_model_fits SET active = false, updated_at = now() WHERE active`);
      // Every score came from the previous model: the worker rescores everyone once this commits.
      await addJob(m, RESCORE_STALE_JOB, {}, { jobKey: RESCORE_STALE_JOB });
    }
    const [inserted] = await m.query(
      `INSERT INTO customer_model_fits (as_of, time_unit, basis, base_currency, customers,
         bgnbd_r, bgnbd_alpha, bgnbd_a, bgnbd_b, bgnbd_log_likelihood,
         gamma_gamma_p, gamma_gamma_q, gamma_gamma_gamma, gamma_gamma_log_likelihood, gamma_gamma_customers,
         other_basis_gamma_gamma, rfm_breakpoints, value_tier_medians, active, duration_ms, association_rules,
         base_model, base_model_params, base_model_log_likelihood, model_choice, model_selection)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26)
       RETURNING *`,
      [
        o.asOf, o.timeUnit, o.basis, o.baseCurrency, members.length,
        bgnbd.r, bgnbd.alpha, bgnbd.a, bgnbd.b, bg.logLikelihood,
        gammaGamma?.p ?? null, gammaGamma?.q ?? null, gammaGamma?.gamma ?? null, gammaGamma?.logLikelihood ?? null, gammaGamma?.customers ?? null,
        other ? JSON.stringify(other) : null, JSON.stringify(breakpoints), JSON.stringify(medians), o.activate, durationMs,
        JSON.stringify(rules),
        kind, JSON.stringify(base.params), base.logLikelihood, choice, selection ? JSON.stringify(selection) : null,
      ],
    );
    // With the fit, or not at all: a fit the requester stopped waiting for, and the worker's own refits, are events too.
    await recordAudit(m, o.requestedBy ?? { actor: SYSTEM }, {
      action: 'customerModel.fit',
      objectType: 'CustomerModel',
      objectId: inserted.id,
      after: { asOf: o.asOf, timeUnit: o.timeUnit, basis: o.basis, choice, baseModel: kind, active: o.activate },
    });
    return inserted;
  });
  return customerModelFromRow(row);
}

/** Fits this process has parsed, by id (a handful: the active one and its predecessors). */
const parsedFits = new Map<string, CustomerModel>();
function rememberFit(model: CustomerModel): CustomerModel {
  parsedFits.delete(model.uuid);
  parsedFits.set(model.uuid, model);
  while (parsedFits.size > 8) parsedFits.delete(parsedFits.keys().next().value!);
  return model;
}

/**
 * The active fit's check, as SQL with `param` the ids this process has parsed (pass parsedFitsForCheck().ids): the full row (rules
 * and breakpoints are sizeable JSON) only when this process has not parsed that fit yet; stored fits never change except
 * for the active flag. Columns `id` and `row`; no row until the first fit. A request reads it with the customer scores
 * (scoring/score-store.ts, activeFitWithScores), the worker on its own (activeModel).
 */
export function activeFitSql(param: string): string {
  return `SELECT f.id, CASE WHEN f.id = ANY(${param}::uuid[]) THEN NULL ELSE to_jsonb(f) END AS row FROM customer_model_fits f WHERE f.active`;
}

/**
 * The fits this process has parsed, for one activeFitSql statement: `ids` is its parameter and `resolve` reads its
 * answer. Both use the same snapshot, so a fit the statement was told is known cannot have left the cache (it keeps
 * the last 8) by the time the answer arrives.
 */
export function parsedFitsForCheck(): { ids: string[]; resolve(found: { id: string; row: Record<string, any> | null } | undefined): CustomerModel | null } {
  const known = new Map(parsedFits);
  return {
    ids: [...known.keys()],
    resolve: (found) => (!found ? null : found.row ? rememberFit(customerModelFromRow(found.row)) : known.get(found.id)!),
  };
}

/** The active fit, in one statement. Null until the first fit (a job). */
export async function activeModel(db: DataSource | EntityManager): Promise<CustomerModel | null> {
  const known = parsedFitsForCheck();
  const [found]: Array<{ id: string; row: Record<string, any> | null }> = await db.query(activeFitSql('$1'), [known.ids]);
  return known.resolve(found);
}

/**
 * The job `fit_customer_model`: the first fit (DAY, MARGIN) once there are purchases, and a refit with the active
 * fit's unit and basis once it is older than MODEL_MAX_AGE_HOURS and orders changed since. Data that cannot support a
 * fit is logged and the job ends; the next schedule tries again.
 */
export async function fitModelIfDue(db: DataSource, baseCurrency: string, maxAgeHours: number): Promise<CustomerModel | null> {
  const current = await activeModel(db);
  if (current && Date.now() - current.fittedAt.getTime() < maxAgeHours * 3_600_000) return null;
  const [{ changed }]: Array<{ changed: boolean }> = await db.query(
    current
      ? `SELECT EXISTS (SELECT 1 FROM orders WHERE created_at > $1 OR updated_at > $1 OR deleted_at > $1) AS changed`
      : `SELECT EXISTS (SELECT 1 FROM orders) AS changed`,
    current ? [current.fittedAt] : [],
  );
  if (!changed) return null;
  try {
    const fit = await fitAndStore(db, {
      asOf: new Date(),
      fromScores: true,
      timeUnit: current?.timeUnit ?? TIME_UNITS.DAY,
      basis: current?.basis ?? ValueBasis.MARGIN,
      // A refit asks what the active fit asked (AUTO chooses again on the newer data).
      choice: current?.choice ?? CUSTOMER_MODEL_CHOICES.BG_NBD,
      activate: true,
      baseCurrency,
    });
    log.info(`customer model ${current ? 'refitted' : 'fitted'} by the worker (${fit.customers} customers, ${fit.durationMs} ms)`);
    return fit;
  } catch (e) {
    if (!(e instanceof CannotFitError)) throw e;
    log.warn(`no customer model yet: ${e.message}`);
    return null;
  }
}

/** What became of a requested fit. */
export type FitOutcome = { fit: CustomerModel } | { cannotFit: string; field: CannotFitError['field'] } | { failed: true };

/** Records a fit an analyst asked for and queues the job that runs it, in one transaction; returns the request's id. */
export async function requestFit(db: DataSource, o: Omit<FitOptions, 'baseCurrency'>): Promise<string> {
  return db.transaction(async (m) => {
    const requestedBy = o.requestedBy ? { actor: o.requestedBy.actor, requestId: o.requestedBy.requestId ?? null } : null;
    const [{ id }]: Array<{ id: string }> = await m.query(
      `INSERT INTO customer_model_fit_requests (as_of, time_unit, basis, activate, as_of_now, model_choice, holdout_days, requested_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [o.asOf, o.timeUnit, o.basis, o.activate, o.fromScores ?? false, o.choice ?? CUSTOMER_MODEL_CHOICES.BG_NBD, o.holdoutDays ?? null, requestedBy && JSON.stringify(requestedBy)],
    );
    await addJob(m, FIT_REQUESTED_JOB, { requestId: id });
    return id;
  });
}

/**
 * The job fit_requested_customer_model: runs the requested fit and writes its outcome on the request. Data that
 * cannot support a fit, and any other failure, are outcomes too, so the job ends and nobody waits on a retry; a job
 * run again after a crash finds the request finished, or runs it once more.
 */
export async function fitRequested(db: DataSource, baseCurrency: string, requestId: string): Promise<void> {
  const [request]: Array<{ asOf: Date; timeUnit: TimeUnit; basis: ValueBasis; activate: boolean; fromScores: boolean; choice: CustomerModelChoice; holdoutDays: number | null; requestedBy: AuditSubject | null }> = await db.query(
    `SELECT as_of AS "asOf", time_unit AS "timeUnit", basis, activate, as_of_now AS "fromScores", model_choice AS choice, holdout_days AS "holdoutDays",
            requested_by AS "requestedBy"
       FROM customer_model_fit_requests WHERE id = $1 AND finished_at IS NULL`,
    [requestId],
  );
  if (!request) return;
  let outcome: [fitId: string | null, outcome: 'FITTED' | 'CANNOT_FIT' | 'FAILED', message: string | null, field: string | null];
  try {
    const fit = await fitAndStore(db, { ...request, baseCurrency });
    outcome = [fit.uuid, 'FITTED', null, null];
  } catch (e) {
    if (e instanceof CannotFitError) outcome = [null, 'CANNOT_FIT', e.message, e.field];
    else {
      log.error(`requested customer model fit ${requestId} failed`, e);
      outcome = [null, 'FAILED', null, null];
    }
  }
  await db.query(`UPDATE customer_model_fit_requests SET finished_at = now(), fit_id = $2, outcome = $3, message = $4, message_field = $5 WHERE id = $1`, [requestId, ...outcome]);
}

/**
 * Waits for a requested fit's outcome, the row the worker writes, looking again at growing intervals (a fit takes
 * from a fraction of a second to minutes); null if it is not there by `deadline` (epoch ms).
 */
export async function fitOutcome(db: DataSource, requestId: string, deadline: number): Promise<FitOutcome | null> {
  for (let pause = 20; ; pause = Math.min(pause * 2, 500)) {
    const [row]: Array<{ outcome: string; message: string | null; field: CannotFitError['field'] | null; fit: Record<string, any> | null }> = await db.query(
      `SELECT r.outcome, r.message, r.message_field AS field, to_jsonb(f) AS fit
         FROM customer_model_fit_requests r LEFT JOIN customer_model_fits f ON f.id = r.fit_id
        WHERE r.id = $1 AND r.finished_at IS NOT NULL`,
      [requestId],
    );
    if (row) return row.fit ? { fit: customerModelFromRow(row.fit) } : row.outcome === 'CANNOT_FIT' ? { cannotFit: row.message ?? '', field: row.field ?? 'asOf' } : { failed: true };
    if (Date.now() + pause > deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}
