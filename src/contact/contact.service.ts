import type { ServiceDeps } from '../server/services';

export class ContactService {
  constructor(private readonly deps: ServiceDeps) {}
}
