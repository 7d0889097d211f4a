import * as fc from 'fast-check';
import { PROMPT_CUES_JSON } from '../../../../lambda/shared/screening/lexicon/compiled';
import { promptCues, setCjkSinglePass } from '../../../../lambda/shared/screening/prompt-score';

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
