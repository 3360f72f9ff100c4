import { GraphQLError } from 'graphql';
import { Field, ObjectType, registerEnumType } from 'type-graphql';

/** Stable codes a client can branch on; the message is for people and may change. */
export enum UserErrorCode {
  REQUIRED = 'REQUIRED',
  INVALID = 'INVALID',
  INVALID_ID = 'INVALID_ID',
  NOT_FOUND = 'NOT_FOUND',
  TAKEN = 'TAKEN',
  TOO_LONG = 'TOO_LONG',
  OUT_OF_RANGE = 'OUT_OF_RANGE',
  TOO_MANY = 'TOO_MANY',
  CONFLICT = 'CONFLICT',
  ALREADY_DELETED = 'ALREADY_DELETED',
  NOT_DELETED = 'NOT_DELETED',
  INVALID_TRANSITION = 'INVALID_TRANSITION',
  CURRENCY_MISMATCH = 'CURRENCY_MISMATCH',
  POSSIBLE_DUPLICATE = 'POSSIBLE_DUPLICATE',
  NOT_ENROLLED = 'NOT_ENROLLED',
  INSUFFICIENT_POINTS = 'INSUFFICIENT_POINTS',
}
registerEnumType(UserErrorCode, {
  name: 'UserErrorCode',
  description: 'Why an input was rejected. Stable: branch on these, not on messages.',
  valuesConfig: {
    REQUIRED: { description: 'A required value is missing or blank.' },
    INVALID: { description: 'The value has the wrong format or is not allowed here.' },
    INVALID_ID: { description: 'The ID is not a valid ID of the expected type.' },
    NOT_FOUND: { description: 'No record exists with this ID (or it was deleted).' },
    TAKEN: { description: 'The value must be unique and another record already uses it.' },
    TOO_LONG: { description: 'The text is longer than allowed.' },
    OUT_OF_RANGE: { description: 'The number or date is outside the allowed range.' },
    TOO_MANY: { description: 'The list has more items than one call accepts.' },
    CONFLICT: { description: 'The record changed since you read it (its version differs); reload and retry.' },
    ALREADY_DELETED: { description: 'The record is already deleted.' },
    NOT_DELETED: { description: 'The record is not deleted, so it cannot be restored.' },
    INVALID_TRANSITION: { description: 'The status or stage change is not allowed from the current state.' },
    CURRENCY_MISMATCH: { description: 'The amounts use a currency that does not match the order.' },
    POSSIBLE_DUPLICATE: { description: 'The record looks like one that exists (see `possibleDuplicates`), and the input asked to refuse duplicates.' },
    NOT_ENROLLED: { description: 'The customer is not a member of the loyalty programme (`enrollInLoyalty` first).' },
    INSUFFICIENT_POINTS: { description: 'The member’s balance does not cover the points asked for.' },
  },
});

@ObjectType({ description: 'A problem with the input of a mutation. Nothing was written when a payload has userErrors.' })
export class UserError {
  @Field(() => [String], { description: 'Path to the input field at fault, e.g. ["input", "lines", "0", "quantity"].' })
  field: string[];

  @Field({ description: 'What is wrong, in words a person can act on.' })
  message: string;

  @Field(() => UserErrorCode, { description: 'Stable machine-readable reason.' })
  code: UserErrorCode;
}

export function userError(field: Array<string | number>, code: UserErrorCode, message: string): UserError {
  return Object.assign(new UserError(), { field: field.map(String), code, message });
}

/** Collects input problems; a service returns them instead of writing anything. */
export class UserErrors {
  readonly list: UserError[] = [];
  add(field: Array<string | number>, code: UserErrorCode, message: string): void {
    this.list.push(userError(field, code, message));
  }
  get any(): boolean {
    return this.list.length > 0;
  }
}

/** GraphQL errors with a stable extensions.code (Apollo's conventions where they exist). */
export function notFound(what: string): GraphQLError {
  return new GraphQLError(`${what} was not found`, { extensions: { code: 'NOT_FOUND' } });
}

export function badInput(message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...extra } });
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}

/** Postgres error codes worth translating to user errors. */
export const PG_UNIQUE_VIOLATION = '23505';
export const PG_FOREIGN_KEY_VIOLATION = '23503';
export const PG_CHECK_VIOLATION = '23514';

export function pgCode(error: unknown): string | undefined {
  const e = error as { code?: string; driverError?: { code?: string } };
  return e?.driverError?.code ?? e?.code;
}

export function pgConstraint(error: unknown): string | undefined {
  const e = error as { constraint?: string; driverError?: { constraint?: string } };
  return e?.driverError?.constraint ?? e?.constraint;
}
