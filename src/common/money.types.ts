import { CurrencyResolver } from 'graphql-scalars';
import { Field, ObjectType } from 'type-graphql';
import { normaliseAmount } from './money';
import { DecimalScalar } from './scalars';

@ObjectType({ description: 'An exact amount of money in a currency.' })
export class Money {
  @Field(() => DecimalScalar, { description: 'The amount as an exact decimal string, e.g. "149.90".' })
  amount: string;

  @Field(() => CurrencyResolver, { description: 'ISO 4217 currency code, e.g. EUR.' })
  currencyCode: string;

  static of(amount: string | number, currency: string): Money {
    return Object.assign(new Money(), { amount: normaliseAmount(String(amount), currency), currencyCode: currency });
  }
}
