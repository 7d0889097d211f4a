/**
 * Writes `lambda/shared/screening/lexicon/compiled.ts`: the pre-screen's lookup tables (the lexicon's tries and class
 * lists, the rules' matcher tables, the prompt score's cue index) compiled from lexicon/words.ts, lexicon/rules.ts and
 * lexicon/prompt-cues.ts (`compileTables` and `compilePromptCues` in lambda/shared/screening/lexicon-compile.ts), which
 * the engine and the prompt score read at load instead of building them on every cold start. Run it after changing
 * any of those files.
 *
 *   npx ts-node --transpile-only scripts/compile-lexicon.ts [--check]      (npm run compile:lexicon)
 *
 * `--check` writes nothing and fails if the committed file differs from a fresh compilation.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileLexicon, renderCompiledLexicon } from '../lambda/shared/screening/lexicon-compile';

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, 'lambda', 'shared', 'screening', 'lexicon', 'compiled.ts');

function main(): void {
  const text = renderCompiledLexicon(compileLexicon());
  const rel = path.relative(ROOT, OUT);
  if (process.argv.includes('--check')) {
    if (!fs.existsSync(OUT) || fs.readFileSync(OUT, 'utf8') !== text) throw new Error(`${rel} is stale: run npm run compile:lexicon`);
    console.log(`${rel} is up to date`);
    return;
  }
  fs.writeFileSync(OUT, text);
  console.log(`wrote ${rel}`);
}

main();
