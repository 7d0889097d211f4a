import * as fc from 'fast-check';
import { TokenPrice, affordableOutputTokens, costMicroUsd, formatMicroUsd, usdToMicroUsd } from '../../../lambda/shared/money';

const NOVA_LITE: TokenPrice = { inputMicroUsdPerMillionTokens: 60_000, outputMicroUsdPerMillionTokens: 240_000 };

const price = fc.record({
  inputMicroUsdPerMillionTokens: fc.integer({ min: 0, max: 200_000_000 }),
  outputMicroUsdPerMillionTokens: fc.integer({ min: 0, max: 200_000_000 }),
});
const tokens = fc.integer({ min: 0, max: 10_000_000 });

describe('usdToMicroUsd', () => {
  test('reads decimal text exactly, without float rounding', () => {
    expect(usdToMicroUsd('12.5')).toBe(12_500_000);
    expect(usdToMicroUsd(0.1)).toBe(100_000);
    expect(usdToMicroUsd(0.29)).toBe(290_000); // 0.29 * 1e6 is 289999.99999999994 as a float
    expect(usdToMicroUsd('0.000001')).toBe(1);
    expect(usdToMicroUsd(' 3 ')).toBe(3_000_000);
  });

  test('fails if the text is not a plain non-negative decimal of at most 6 decimals', () => {
    for (const bad of ['', '-1', '1e3', '0.0000001', '1,5', 'NaN', '1.', '.5', '+1', '1234567890123']) {
      expect(usdToMicroUsd(bad)).toBeUndefined();
    }
    expect(usdToMicroUsd(Number.NaN)).toBeUndefined();
    expect(usdToMicroUsd(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(usdToMicroUsd(1e-7)).toBeUndefined();
    expect(usdToMicroUsd(-2)).toBeUndefined();
  });

  test('round-trips with formatMicroUsd (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999_999_999 }), (micro) => {
        expect(usdToMicroUsd(formatMicroUsd(micro))).toBe(micro);
      }),
    );
  });
});

describe('formatMicroUsd', () => {
  test('keeps at least two decimals and drops trailing zeros beyond them', () => {
    expect(formatMicroUsd(1_500_000)).toBe('1.50');
    expect(formatMicroUsd(0)).toBe('0.00');
    expect(formatMicroUsd(1)).toBe('0.000001');
    expect(formatMicroUsd(123_450)).toBe('0.12345');
  });
});

describe('costMicroUsd', () => {
  test('is the list price, rounded up to a whole micro-dollar', () => {
    // 1,000 input tokens at $0.06/M = 60 µUSD; 500 output at $0.24/M = 120 µUSD.
    expect(costMicroUsd(NOVA_LITE, 1000, 500)).toBe(180);
    // 1 input token costs 0.06 µUSD: rounded up to 1.
    expect(costMicroUsd(NOVA_LITE, 1, 0)).toBe(1);
    expect(costMicroUsd(NOVA_LITE, 0, 0)).toBe(0);
  });

  test('never charges less than the exact price, and less than one micro-dollar more (property)', () => {
    fc.assert(
      fc.property(price, tokens, tokens, (p, i, o) => {
        const exactPico = BigInt(i) * BigInt(p.inputMicroUsdPerMillionTokens) + BigInt(o) * BigInt(p.outputMicroUsdPerMillionTokens);
        const charged = BigInt(costMicroUsd(p, i, o)) * 1_000_000n;
        expect(charged >= exactPico).toBe(true);
        expect(charged - exactPico < 1_000_000n).toBe(true);
      }),
    );
  });

  test('is monotonic in both token counts (property)', () => {
    fc.assert(
      fc.property(price, tokens, tokens, fc.nat(1000), (p, i, o, more) => {
        expect(costMicroUsd(p, i + more, o)).toBeGreaterThanOrEqual(costMicroUsd(p, i, o));
        expect(costMicroUsd(p, i, o + more)).toBeGreaterThanOrEqual(costMicroUsd(p, i, o));
      }),
    );
  });

  test('fails if a count is negative or not an integer', () => {
    expect(() => costMicroUsd(NOVA_LITE, -1, 0)).toThrow('inputTokens must be a non-negative safe integer, got -1');
    expect(() => costMicroUsd(NOVA_LITE, 0, 1.5)).toThrow('outputTokens must be a non-negative safe integer, got 1.5');
    expect(() => costMicroUsd({ ...NOVA_LITE, outputMicroUsdPerMillionTokens: Number.NaN }, 0, 1)).toThrow('outputMicroUsdPerMillionTokens');
  });
});

describe('affordableOutputTokens', () => {
  test('is the largest output count whose cost fits the remainder', () => {
    // 1,000 input tokens = 60 µUSD; 100 µUSD left → 40 µUSD for output at 0.24 µUSD per token → 166 tokens.
    expect(affordableOutputTokens(NOVA_LITE, 1000, 100, 4096)).toBe(166);
    expect(costMicroUsd(NOVA_LITE, 1000, 166)).toBeLessThanOrEqual(100);
    expect(costMicroUsd(NOVA_LITE, 1000, 167)).toBeGreaterThan(100);
  });

  test('is capped by maxOutputTokens, and -1 when not even the input fits', () => {
    expect(affordableOutputTokens(NOVA_LITE, 1000, 1_000_000, 4096)).toBe(4096);
    expect(affordableOutputTokens(NOVA_LITE, 1000, 59, 4096)).toBe(-1);
    expect(affordableOutputTokens(NOVA_LITE, 1000, -5, 4096)).toBe(-1);
    expect(affordableOutputTokens({ inputMicroUsdPerMillionTokens: 1, outputMicroUsdPerMillionTokens: 0 }, 10, 1, 77)).toBe(77);
  });

  test('the count it grants always fits and one more never does (property)', () => {
    fc.assert(
      fc.property(price, tokens, fc.integer({ min: 0, max: 1_000_000_000_000 }), fc.integer({ min: 1, max: 64_000 }), (p, i, remaining, max) => {
        const o = affordableOutputTokens(p, i, remaining, max);
        if (o < 0) {
          expect(costMicroUsd(p, i, 0)).toBeGreaterThan(remaining);
          return;
        }
        expect(o).toBeLessThanOrEqual(max);
        expect(costMicroUsd(p, i, o)).toBeLessThanOrEqual(remaining);
        if (o < max) expect(costMicroUsd(p, i, o + 1)).toBeGreaterThan(remaining);
      }),
    );
  });
});
