import type { ServiceDeps } from '../server/services';

export class OrderService {
  constructor(private readonly deps: ServiceDeps) {}
}
