// Rapport's customer-intelligence models: pure functions, plain data in and out (see each file for its source).

export * from './special-functions';
export * from './random';
export * from './optimize';
export * from './purchase-summary';
export * from './bgnbd';
export * from './pareto-nbd';
export * from './mbgnbd';
export * from './gamma-gamma';
export * from './clv';
export * from './rfm';
export * from './value-tier';
export * from './churn';
export * from './lifecycle-rules';
export * from './next-best-actions';
export * from './cross-sell';
export * from './holidays';
export * from './back-test';
export * from './customer-base-models';
export * from './model-selection';
