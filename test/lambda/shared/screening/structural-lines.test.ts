import * as fc from 'fast-check';
import { setLineStartsCheck, structural } from '../../../../lambda/shared/screening/structural';

/** The signals structural() adds for a text, in order. */
function signals(text: string, untrusted: boolean): Array<[string, number]> {
  const added: Array<[string, number]> = [];
  structural(text, untrusted, (id, w) => added.push([id, w]));
  return added;
}

describe('structural', () => {
  describe('role- and turn-line pre-check', () => {
    afterEach(() => setLineStartsCheck(true));

    test('finds the same role and turn lines as trying both patterns on every line', () => {
      // GIVEN lines of indentation, markup, role and turn words (any case) and other text
      const pieces = [
        'system', 'System', 'SYS', 'sys', 'admin', 'Admin prompt', 'developer', 'new instructions', 'New instruction',
        'system prompt', 'system override', 'note', 'update', 'human', 'Human', 'assistant', 'USER', 'user', 'ai', 'AI',
        'instruction', 'response', 'input', '\n### Instruction:', '\n# response ##', '\n  ## input', ':', ']', '#', '##', '###', '=', '@', '-', '*', '>', '[', ' ', '  ', '\t',
        '\n', '\u00a0', '\u3000', '\u2028', '\ufeff', 'x', 'the', '{', '"role": "system"', 'ſystem', 'ı',
      ];
      const text = fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 4 })), { maxLength: 40 }).map((parts) => parts.join(''));
      fc.assert(fc.property(text, fc.boolean(), (t, untrusted) => {
        // WHEN both searches read it
        setLineStartsCheck(false);
        const every = signals(t, untrusted);
        setLineStartsCheck(true);
        // THEN they agree
        expect(signals(t, untrusted)).toEqual(every);
      }), { numRuns: 5000 });
    });
  });
});
