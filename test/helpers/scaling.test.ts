import { countWork, measureWork } from '../../lambda/shared/screening/work';
import { MAX_GROWTH, SCALE, workGrowth } from './scaling';

/** Visits every character once and reports the visits at the loop exit, as the screening code does. */
const linear = (text: string): number => {
  let h = 0;
  let i = 0;
  for (; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) | 0;
  countWork(i);
  return h;
};

/** Re-scans the rest of the text from every position: quadratic, and its count says so. */
const quadratic = (text: string): number => {
  let h = 0;
  let visits = 0;
  for (let i = 0; i < text.length; i++) {
    for (let j = i; j < text.length; j++) h = (h + text.charCodeAt(j)) | 0;
    visits += text.length - i;
  }
  countWork(visits);
  return h;
};

/** A forward scan that restarts its native search from the start after every hit (a classic regression). */
const rescanning = (text: string): number => {
  let hits = 0;
  for (let i = text.indexOf('a'); i >= 0; i = text.indexOf('a', i + 1)) {
    const restart = text.indexOf('b'); // from 0 every time: reads the text up to its first 'b' again
    countWork((restart < 0 ? text.length : restart) + 1);
    hits++;
  }
  countWork(text.length);
  return hits;
};

describe('workGrowth', () => {
  test('passes linear work with a growth of the size ratio', () => {
    const growth = workGrowth(linear, (n) => 'a'.repeat(n));
    expect(growth).toBe(SCALE);
    expect(growth).toBeLessThanOrEqual(MAX_GROWTH);
  });

  test('fails quadratic work', () => {
    // GIVEN work that visits the rest of the text from every position
    // WHEN its growth is counted from 1 Ki to 8 Ki characters
    const growth = workGrowth(quadratic, (n) => 'a'.repeat(n), 8192);
    // THEN it grows about SCALE² times, far over the limit
    expect(growth).toBeGreaterThan(SCALE * SCALE * 0.9);
    expect(growth).toBeGreaterThan(MAX_GROWTH);
  });

  test('fails a scan that restarts a native search from the start after each hit', () => {
    expect(workGrowth(rescanning, (n) => 'a'.repeat(n - 1) + 'b', 1 << 16)).toBeGreaterThan(MAX_GROWTH);
  });

  test('fails if the code under test reports no work', () => {
    expect(() => workGrowth((text: string) => text.length, (n) => 'a'.repeat(n))).toThrow(/does not report its work/);
  });
});

describe('measureWork', () => {
  test('counts only inside the measurement, and nested measurements add to the outer one', () => {
    countWork(5); // no counter active: ignored
    let inner = 0;
    const outer = measureWork(() => {
      countWork(2);
      inner = measureWork(() => countWork(3));
    });
    expect(inner).toBe(3);
    expect(outer).toBe(5);
  });

  test('ends the measurement when the work throws', () => {
    expect(() => measureWork(() => {
      throw new Error('boom');
    })).toThrow('boom');
    expect(measureWork(() => undefined)).toBe(0);
  });
});
