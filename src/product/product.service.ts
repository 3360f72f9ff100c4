import type { Connection } from '../common/connection.types';
import { badInput, pgCode, pgConstraint, PG_UNIQUE_VIOLATION, UserErrorCode, UserErrors } from '../common/errors';
import { decodeIdOf } from '../common/ids';
import type { ListArgs } from '../common/list-query';
import { formatAmount } from '../common/money';
import { setDeleted } from '../common/soft-delete';
import { defined, nonNegativeAmount, optionalText, requiredText } from '../common/validate';
import { recordAudit } from '../core/audit';
import type { ServiceDeps } from '../core/request-scope';
import { Product } from './product.entity';
import { productList } from './product.loaders';
import type { CreateProductInput, ProductPayload, UpdateProductInput } from './product.types';

const payload = (product: Product | null, errors: UserErrors): ProductPayload => ({ product: errors.any ? null : product, userErrors: errors.list });

const SKU_MAX = 100;

export class ProductService {
  constructor(private readonly deps: ServiceDeps) {}

  async findOne(where: { id?: string | null; sku?: string | null }): Promise<Product | null> {
    if ((where.id == null) === (where.sku == null)) throw badInput('Pass exactly one of `id` or `sku`.');
    if (where.id != null) {
      const id = decodeIdOf('Product', where.id);
      if (!id) throw badInput('`id` is not a valid Product ID.', { field: 'id' });
      const product = await this.deps.loaders.byId(Product).load(id);
      return product && !product.deletedAt ? product : null;
    }
    return this.deps.loaders.findByUnique(Product, 'sku', where.sku!.trim());
  }

  list(args: ListArgs): Promise<Connection<Product>> {
    return this.deps.loaders.list(productList, args);
  }

  async create(input: CreateProductInput): Promise<ProductPayload> {
    this.deps.access.require('products:write');
    const errors = new UserErrors();
    const currency = this.deps.config.baseCurrency;
    const sku = requiredText(errors, ['input', 'sku'], input.sku, SKU_MAX);
    const name = requiredText(errors, ['input', 'name'], input.name);
    const category = optionalText(errors, ['input', 'category'], input.category, 100) ?? null;
    const unitPrice = nonNegativeAmount(errors, ['input', 'unitPrice'], input.unitPrice, currency);
    const unitCost = nonNegativeAmount(errors, ['input', 'unitCost'], input.unitCost ?? '0', currency);
    if (errors.any || unitPrice === undefined || unitCost === undefined) return payload(null, errors);
    try {
      return await this.deps.db.transaction(async (m) => {
        const repo = m.getRepository(Product);
        const product = repo.create({ sku, name, category, unitPrice: formatAmount(unitPrice), unitCost: formatAmount(unitCost), currency, active: input.active });
        await repo.insert(product);
        const created = await repo.findOneByOrFail({ id: product.id });
        await recordAudit(m, this.deps, { action: 'product.create', objectType: 'Product', objectId: created.id, after: created });
        return payload(created, errors);
      });
    } catch (e) {
      return this.uniqueViolation(e, errors);
    }
  }

  async update(input: UpdateProductInput): Promise<ProductPayload> {
    this.deps.access.require('products:write');
    const errors = new UserErrors();
    const id = decodeIdOf('Product', input.id);
    if (!id) {
      errors.add(['input', 'id'], UserErrorCode.INVALID_ID, 'Not a valid Product ID.');
      return payload(null, errors);
    }
    const at = (f: string) => ['input', f];
    const sku = input.sku === undefined ? undefined : requiredText(errors, at('sku'), input.sku, SKU_MAX);
    const name = input.name === undefined ? undefined : requiredText(errors, at('name'), input.name);
    const category = optionalText(errors, at('category'), input.category, 100);
    for (const f of ['unitPrice', 'unitCost', 'active'] as const) {
      if (input[f] === null) errors.add(at(f), UserErrorCode.REQUIRED, `${f} cannot be cleared.`);
    }
    try {
      return await this.deps.db.transaction(async (m) => {
        const repo = m.getRepository(Product);
        const current = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
        if (!current) {
          errors.add(at('id'), UserErrorCode.NOT_FOUND, 'No product with this ID.');
          return payload(null, errors);
        }
        if (input.expectedVersion != null && input.expectedVersion !== current.version) {
          errors.add(at('expectedVersion'), UserErrorCode.CONFLICT, `The product changed since you read it (version ${current.version}, you sent ${input.expectedVersion}).`);
          return payload(null, errors);
        }
        const price = input.unitPrice == null ? undefined : nonNegativeAmount(errors, at('unitPrice'), input.unitPrice, current.currency);
        const cost = input.unitCost == null ? undefined : nonNegativeAmount(errors, at('unitCost'), input.unitCost, current.currency);
        if (errors.any) return payload(null, errors);
        await repo.update(
          { id },
          {
            ...defined({
              sku,
              name,
              category,
              unitPrice: price === undefined ? undefined : formatAmount(price),
              unitCost: cost === undefined ? undefined : formatAmount(cost),
              active: input.active ?? undefined,
            }),
            version: current.version + 1,
          },
        );
        const updated = await repo.findOneByOrFail({ id });
        await recordAudit(m, this.deps, { action: 'product.update', objectType: 'Product', objectId: id, before: current, after: updated });
        return payload(updated, errors);
      });
    } catch (e) {
      return this.uniqueViolation(e, errors);
    }
  }

  delete(globalId: string): Promise<ProductPayload> {
    return this.setDeleted(globalId, true);
  }

  restore(globalId: string): Promise<ProductPayload> {
    return this.setDeleted(globalId, false);
  }

  /** Soft delete keeps the order lines that reference the product intact; restore brings it back. */
  private async setDeleted(globalId: string, deleted: boolean): Promise<ProductPayload> {
    this.deps.access.require('products:write');
    const errors = new UserErrors();
    const id = decodeIdOf('Product', globalId);
    if (!id) {
      errors.add(['input', 'id'], UserErrorCode.INVALID_ID, 'Not a valid Product ID.');
      return payload(null, errors);
    }
    return this.deps.db.transaction(async (m) => {
      const product = await setDeleted(m, errors, Product, 'product', id, deleted, this.deps);
      return payload(product, errors);
    });
  }

  private uniqueViolation(e: unknown, errors: UserErrors): ProductPayload {
    if (pgCode(e) === PG_UNIQUE_VIOLATION && pgConstraint(e) === 'products_sku_key') {
      errors.add(['input', 'sku'], UserErrorCode.TAKEN, 'Another product already has this SKU.');
      return payload(null, errors);
    }
    throw e;
  }
}
