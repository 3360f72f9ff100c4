import type { DataSource } from 'typeorm';
import type { AccessPolicy } from './access';
import type { Actor } from './actor';
import type { Config } from './config';
import type { Loaders } from './loaders';

/**
 * What one request works with: the database, who is asking, the request's loaders and the config.
 * Every service is built on it, so access rules reach every service without passing through resolvers.
 */
export interface RequestScope {
  db: DataSource;
  actor: Actor;
  /** The access policy for the actor: what exists for them and what they may change. */
  access: AccessPolicy;
  loaders: Loaders;
  config: Config;
  /** The request's id (X-Request-Id), kept in the audit log so an event can be matched with the server's log. */
  requestId: string | null;
}

/** What every service's constructor takes. */
export type ServiceDeps = RequestScope;

/**
 * The domain services of a request. Core cannot name them (the domains sit above it), so the wiring
 * (src/server/services.ts) fills this interface in by declaration merging.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface Services {}

/** The GraphQL context every resolver receives. */
export interface Context extends Omit<RequestScope, 'db'> {
  services: Services;
}
