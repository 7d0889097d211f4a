import { countPersonalData } from '../../../../lambda/shared/screening/personal-data';
import { measureWork } from '../../../../lambda/shared/screening/work';

describe('defaults', () => {
  test('checked identifiers are counted by kind', () => {
    const text = 'Mail jane.doe@example.com, card 4111-1111-1111-1111, IBAN GB82 WEST 1234 5698 7654 32, SSN 123-45-6789, call +44 20 7946 0958.';
    expect(countPersonalData(text)).toEqual({ email: 1, 'payment-card': 1, iban: 1, 'us-ssn': 1, phone: 1 });
  });

  test('shapes that fail their check are not counted', () => {
    // Luhn fails, mod-97 fails, never-issued SSN area.
    expect(countPersonalData('order 4111 1111 1111 1112, GB82 WEST 1234 5698 7654 33, ref 666-12-3456')).toEqual({});
  });

  test('ordinary text has none', () => {
    expect(countPersonalData('Receipts go to finance within 30 days; version 1.2.3 ships on 2024-05-01.')).toEqual({});
  });
});

describe('cost', () => {
  test('work grows linearly with the input', () => {
    const unit = 'call +1 555 0100 or 4111 1111 1111 1111 x@y.io ';
    const small = measureWork(() => countPersonalData(unit.repeat(100)));
    const large = measureWork(() => countPersonalData(unit.repeat(1000)));
    expect(small).toBeGreaterThan(0);
    expect(large).toBeLessThanOrEqual(small * 10 * 1.1);
  });
});
