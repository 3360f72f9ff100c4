import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { isDecimal } from './money';

function parseDecimal(value: unknown): string {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !isDecimal(text.trim())) {
    throw new GraphQLError(`Decimal must be a decimal number as a string, such as "19.99" (at most 4 decimals), got ${JSON.stringify(value)}`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return text.trim();
}

/**
 * Exact decimal numbers (money, rates) as strings, like Shopify's Decimal:
 * a JSON number would pass through a binary float in most clients.
 */
export const DecimalScalar = new GraphQLScalarType({
  name: 'Decimal',
  description: 'An exact decimal number, serialized as a string such as "1234.50". Used for money amounts so that no value passes through a binary float. Inputs accept a string (preferred) or a number literal.',
  serialize: (value) => (typeof value === 'bigint' ? value.toString() : String(value)),
  parseValue: parseDecimal,
  parseLiteral: (ast) => {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return parseDecimal(ast.value);
    throw new GraphQLError('Decimal must be a string such as "19.99"', { extensions: { code: 'BAD_USER_INPUT' } });
  },
});
