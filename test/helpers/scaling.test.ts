import { costGrowth, MAX_GROWTH } from './scaling';

describe('costGrowth', () => {
  test('passes linear work', () => {
    const linear = (text: string) => {
      let h = 0;
      for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) | 0;
      return h;
    };
    expect(costGrowth(linear, (n) => 'a'.repeat(n))).toBeLessThan(MAX_GROWTH);
  });

  test('fails quadratic work', () => {
    const quadratic = (text: string) => {
      let h = 0;
      for (let i = 0; i < text.length; i++) for (let j = i; j < text.length; j++) h = (h + text.charCodeAt(j)) | 0;
      return h;
    };
    expect(costGrowth(quadratic, (n) => 'a'.repeat(n), 8192)).toBeGreaterThan(MAX_GROWTH);
  });
});
