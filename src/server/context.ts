import type { DataSource } from 'typeorm';
import { ANONYMOUS, Actor } from './actor';
import type { Config } from './config';
import { Loaders } from './loaders';
import { createServices, Services } from './services';

export interface Context {
  actor: Actor;
  loaders: Loaders;
  services: Services;
  config: Config;
}

/** One context per request: a fresh DataLoader registry and services bound to the actor. */
export function createContext(db: DataSource, config: Config, actor: Actor = ANONYMOUS): Context {
  const loaders = new Loaders(db);
  return { actor, loaders, services: createServices({ db, actor, loaders, config }), config };
}
