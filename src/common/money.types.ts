import { CurrencyResolver } from 'graphql-scalars';
import { Field, ObjectType } from 'type-graphql';
import { formatAmount, normaliseAmount, unitsOfFloat } from './money';
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

/** Exact units (ten-thousandths) as Money. */
export const moneyOfUnits = (units: bigint, currency: string): Money => Money.of(formatAmount(units), currency);

/** A model output (a float in major units) as Money rounded to the currency's minor unit; null when not finite. */
export const moneyOfFloat = (value: number, currency: string): Money | null => {
  const units = unitsOfFloat(value, currency);
  return units === null ? null : moneyOfUnits(units, currency);
};
