/**
 * Money arithmetic of spend budgets, in integers only.
 *
 * - Amounts are **micro-dollars** (µUSD, 1 USD = 1,000,000 µUSD): the unit of every budget counter in DynamoDB.
 * - Prices are **micro-dollars per million tokens** (µUSD/M): a list price of $0.035 per million tokens is 35,000.
 *   Every published Bedrock on-demand price has at most 6 decimals in USD per million tokens, so none is rounded.
 * - The cost of a request is `ceil((inputTokens × inputPrice + outputTokens × outputPrice) / 1,000,000)` µUSD:
 *   rounded up, so the gateway never charges less than the list price. The products are computed in BigInt, so no
 *   token count or price loses precision.
 *
 * USD amounts from configuration or the authorizer context are parsed from their decimal text
 * ({@link usdToMicroUsd}, in the construct-function contract, which the construct library uses at synthesis), never
 * multiplied as floats. Pure.
 *
 * @module
 */
import { type TokenPrice, usdToMicroUsd } from './gateway-contract';

/** Micro-dollars per dollar. */
export const MICRO_USD_PER_USD = 1_000_000;

/** The price type and the USD parser live in the construct-function contract (they cross that boundary). */
export { type TokenPrice, usdToMicroUsd };

const MILLION = 1_000_000n;

/** Micro-dollars as USD text with 6 decimals, trailing zeros dropped (at least 2 decimals): 1,500,000 → `"1.50"`. */
export function formatMicroUsd(microUsd: number): string {
  checkCount('microUsd', microUsd);
  const whole = Math.floor(microUsd / MICRO_USD_PER_USD);
  const fraction = String(microUsd % MICRO_USD_PER_USD).padStart(6, '0').replace(/0{1,4}$/, '');
  return `${whole}.${fraction.padEnd(2, '0')}`;
}

/**
 * The cost of `inputTokens` and `outputTokens` at `price`, in µUSD, rounded up.
 *
 * @throws Error when a count or price is not a non-negative safe integer (a programming error)
 */
export function costMicroUsd(price: TokenPrice, inputTokens: number, outputTokens: number): number {
  checkPrice(price);
  checkCount('inputTokens', inputTokens);
  checkCount('outputTokens', outputTokens);
  const pico = BigInt(inputTokens) * BigInt(price.inputMicroUsdPerMillionTokens) + BigInt(outputTokens) * BigInt(price.outputMicroUsdPerMillionTokens);
  return toSafe((pico + MILLION - 1n) / MILLION, 'cost');
}

/**
 * The most output tokens a request with `inputTokens` may ask for so that its cost stays within `remainingMicroUsd`:
 * the largest `o` with `costMicroUsd(price, inputTokens, o) <= remainingMicroUsd`, at most `maxOutputTokens`.
 * A free output side (price 0) allows `maxOutputTokens` as long as the input fits.
 *
 * @returns that count, or -1 when not even the input alone fits
 */
export function affordableOutputTokens(price: TokenPrice, inputTokens: number, remainingMicroUsd: number, maxOutputTokens: number): number {
  checkPrice(price);
  checkCount('inputTokens', inputTokens);
  checkCount('maxOutputTokens', maxOutputTokens);
  if (!Number.isSafeInteger(remainingMicroUsd)) throw new Error(`remainingMicroUsd must be a safe integer, got ${remainingMicroUsd}`);
  // ceil(x / M) <= R  ⟺  x <= R × M  (integers).
  const budget = BigInt(remainingMicroUsd) * MILLION - BigInt(inputTokens) * BigInt(price.inputMicroUsdPerMillionTokens);
  if (budget < 0n) return -1;
  const outPrice = BigInt(price.outputMicroUsdPerMillionTokens);
  if (outPrice === 0n) return maxOutputTokens;
  const fits = budget / outPrice;
  return fits >= BigInt(maxOutputTokens) ? maxOutputTokens : Number(fits);
}

function checkPrice(price: TokenPrice): void {
  checkCount('inputMicroUsdPerMillionTokens', price.inputMicroUsdPerMillionTokens);
  checkCount('outputMicroUsdPerMillionTokens', price.outputMicroUsdPerMillionTokens);
}

function checkCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative safe integer, got ${value}`);
}

function toSafe(value: bigint, name: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${name} ${value} µUSD exceeds the largest safe integer`);
  return Number(value);
}
