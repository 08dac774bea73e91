import currencyCodes from 'currency-codes';

/*
 * ISO 4217 from the `currency-codes` package (its data follows the ISO list). Codes for precious
 * metals, bond units, testing and "no currency" (their countries are the ISO list's `ZZ` entries) are
 * not something a customer pays with, so they are refused, as are the units of account below.
 */

/**
 * Units of account whose ISO minor unit is "N.A." (the package records 0): the IMF's SDR, the SUCRE and
 * the ADB unit. Nobody's account is held in them, so a payment in one is refused like an unknown code.
 */
const UNITS_OF_ACCOUNT: ReadonlySet<string> = new Set(['XDR', 'XSU', 'XUA']);

const MINOR_UNITS: ReadonlyMap<string, number> = new Map(
  currencyCodes.data
    .filter((currency) => !currency.countries.some((country) => country.startsWith('Zz')))
    .filter((currency) => !UNITS_OF_ACCOUNT.has(currency.code))
    .map((currency) => [currency.code, currency.digits]),
);

/** The number of minor-unit digits of an ISO 4217 currency, or undefined for a code that is not one. */
export function minorUnitsOf(currency: string): number | undefined {
  return MINOR_UNITS.get(currency);
}
