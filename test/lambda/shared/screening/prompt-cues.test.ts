import * as fc from 'fast-check';
import { PROMPT_CUES_JSON } from '../../../../lambda/shared/screening/lexicon/compiled';
import { blankQuotations, promptCues, setCjkSinglePass } from '../../../../lambda/shared/screening/prompt-score';
import { CLOSER, MAX_QUOTE } from '../../../../lambda/shared/screening/quotation';

const CJK_PHRASES = (JSON.parse(PROMPT_CUES_JSON) as { cjk: Array<{ text: string }> }).cjk.map((p) => p.text);

describe('promptCues', () => {
  describe('one-pass CJK phrase search', () => {
    afterEach(() => setCjkSinglePass(true));

    test('finds the same cues and frame position as one search per phrase', () => {
      // GIVEN texts of CJK cue phrases, their prefixes, other CJK characters, English cue words and separators
      const pieces = [
        ...CJK_PHRASES, ...CJK_PHRASES.map((p) => p.slice(0, -1)), '写', '故事', '的', '。', '，', ' ', '\n',
        'write a story', 'pretend you are', 'ignore', 'from now on', '「', '」', 'の', 'ア',
      ];
      const text = fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 6 })), { maxLength: 40 }).map((parts) => parts.join(''));
      fc.assert(fc.property(text, (t) => {
        // WHEN both searches read them
        setCjkSinglePass(false);
        const reference = promptCues(t);
        setCjkSinglePass(true);
        // THEN they agree
        expect(promptCues(t)).toEqual(reference);
      }), { numRuns: 3000 });
    });
  });
});

/** blankQuotations as first written: a map lookup per character. */
function blankQuotationsByMap(text: string): string {
  const isWordChar = (ch: string): boolean => /[\p{L}\p{N}]/u.test(ch);
  let out = '';
  let from = 0;
  let open = -1;
  let closer = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (open >= 0) {
      if (i - open > MAX_QUOTE || c === 0x0a) {
        open = -1;
      } else if (c === closer && (c !== 0x27 || i + 1 >= text.length || !isWordChar(text[i + 1]!))) {
        out += text.slice(from, open + 1) + ' '.repeat(i - open - 1);
        from = i;
        open = -1;
        continue;
      } else {
        continue;
      }
    }
    const close = CLOSER.get(c);
    if (close === undefined) continue;
    if (c === 0x27 && i > 0 && isWordChar(text[i - 1]!)) continue;
    open = i;
    closer = close;
  }
  return from === 0 ? text : out + text.slice(from);
}

describe('blankQuotations', () => {
  test('blanks the same quotations as a map lookup per character', () => {
    // GIVEN texts of every quotation mark, apostrophes inside and around words, newlines and other characters
    const marks = [...CLOSER].flatMap(([open, close]) => [String.fromCharCode(open), String.fromCharCode(close)]);
    const pieces = [...marks, "don't", "'", 'word', ' ', '\n', 'ä', '写', 'x'.repeat(300)];
    const text = fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ unit: 'binary', maxLength: 6 })), { maxLength: 40 }).map((parts) => parts.join(''));
    // WHEN / THEN
    fc.assert(fc.property(text, (t) => blankQuotations(t) === blankQuotationsByMap(t)), { numRuns: 3000 });
  });
});
