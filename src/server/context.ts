import type { DataSource } from 'typeorm';
import { ANONYMOUS, Actor } from '../core/actor';
import type { Config } from '../core/config';
import { Loaders } from '../core/loaders';
import type { Context } from '../core/request-scope';
import { createServices } from './services';

export type { Context };

/** One context per request: a fresh DataLoader registry and services bound to the actor. */
export function createContext(db: DataSource, config: Config, actor: Actor = ANONYMOUS): Context {
  const loaders = new Loaders(db);
  return { actor, loaders, services: createServices({ db, actor, loaders, config }), config };
}
