/**
 * Resolvers of the remaining domains. Each domain adds its classes here; kept apart
 * from schema.ts so that domains can be added without touching the wiring.
 */
export const domainResolvers: Function[] = [];
