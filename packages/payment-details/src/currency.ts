import currencyCodes from 'currency-codes';

/*
 * ISO 4217 from the `currency-codes` package (its data follows the ISO list). Codes for precious
 * metals, bond units, testing and "no currency" (their countries are the ISO list's `ZZ` entries) are
 * not something a customer pays with, so they are refused.
 */

const MINOR_UNITS: ReadonlyMap<string, number> = new Map(
  currencyCodes.data
    .filter((currency) => !currency.countries.some((country) => country.startsWith('Zz')))
    .map((currency) => [currency.code, currency.digits]),
);

/** The number of minor-unit digits of an ISO 4217 currency, or undefined for a code that is not one. */
export function minorUnitsOf(currency: string): number | undefined {
  return MINOR_UNITS.get(currency);
}
