import type { DataSource } from 'typeorm';
import { AccessPolicy } from '../core/access';
import { ANONYMOUS, Actor } from '../core/actor';
import type { Config } from '../core/config';
import { Loaders } from '../core/loaders';
import type { Context } from '../core/request-scope';
import { createServices } from './services';

export type { Context };

/** One context per request: a fresh DataLoader registry and services bound to the actor. */
export function createContext(db: DataSource, config: Config, actor: Actor = ANONYMOUS, requestId: string | null = null): Context {
  const access = new AccessPolicy(actor);
  const loaders = new Loaders(db, access);
  return { actor, access, loaders, requestId, services: createServices({ db, actor, access, loaders, config, requestId }), config };
}
