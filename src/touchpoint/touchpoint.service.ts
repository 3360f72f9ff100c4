import type { ServiceDeps } from '../server/services';

export class TouchpointService {
  constructor(private readonly deps: ServiceDeps) {}
}
