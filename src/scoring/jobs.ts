// The jobs of the scoring engine, by name: the names are stored in graphile_worker's tables and in a trigger
// (migrations/1733200000000-customer-scores.ts queues RESCORE_JOB), so they never change.

/** Drains customer_score_requests: rescoring the customers writes touched. */
export const RESCORE_JOB = 'rescore_customers';
/** Requests every customer whose scores are from an earlier UTC day or another model, then drains. */
export const RESCORE_STALE_JOB = 'rescore_stale_customers';
/** Fits the first customer model once there are purchases; refits a stale one. */
export const FIT_MODEL_JOB = 'fit_customer_model';
/** Runs a fit an analyst asked for with fitCustomerModel (payload: the request's id). */
export const FIT_REQUESTED_JOB = 'fit_requested_customer_model';
