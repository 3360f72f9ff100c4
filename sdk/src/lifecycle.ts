/** The lifecycle stages every Rapport server has (migrations/1732300000000-core-schema.ts), in funnel order. */
export const BUILT_IN_LIFECYCLE_STAGE_KEYS = ['PROSPECT', 'ONBOARDING', 'GROWING', 'LOYAL', 'DECLINING', 'CHURNED'] as const;

export type BuiltInLifecycleStageKey = (typeof BUILT_IN_LIFECYCLE_STAGE_KEYS)[number];

/**
 * A lifecycle stage key: the built-in ones are offered by the editor, and a stage an admin added still fits
 * (the schema types keys as String because the stage catalogue is data). Annotate stage keys with it:
 *   const stage: LifecycleStageKey = 'LOYAL';
 */
export type LifecycleStageKey = BuiltInLifecycleStageKey | (string & {});
