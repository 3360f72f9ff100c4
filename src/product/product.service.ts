import type { ServiceDeps } from '../server/services';

export class ProductService {
  constructor(private readonly deps: ServiceDeps) {}
}
