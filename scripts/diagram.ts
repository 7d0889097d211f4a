/**
 * Regenerates the README's architecture diagram from the synthesized app:
 *
 *   npm run diagram
 *
 * writes docs/architecture.dot (always) and docs/architecture.svg (when Graphviz's `dot` is on the
 * PATH). test/lib/diagram.test.ts fails when the committed .dot no longer matches the app.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { architectureDot } from '../lib/diagram';

const docs = path.join(__dirname, '..', 'docs');
const dotFile = path.join(docs, 'architecture.dot');
const svgFile = path.join(docs, 'architecture.svg');

const dot = architectureDot();
fs.mkdirSync(docs, { recursive: true });
fs.writeFileSync(dotFile, dot);
console.log(`wrote ${path.relative(process.cwd(), dotFile)}`);

const rendered = spawnSync('dot', ['-Tsvg', dotFile], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
if (rendered.error && (rendered.error as NodeJS.ErrnoException).code === 'ENOENT') {
  console.log(
    [
      'Graphviz `dot` is not on the PATH, so docs/architecture.svg was not regenerated.',
      'Install it and run `npm run diagram` again:',
      '  Debian/Ubuntu: sudo apt-get install -y graphviz',
      '  macOS:         brew install graphviz',
    ].join('\n'),
  );
  process.exit(0);
}
if (rendered.status !== 0) {
  console.error(`dot -Tsvg failed (exit ${rendered.status}):\n${rendered.stderr}`);
  process.exit(1);
}
fs.writeFileSync(svgFile, rendered.stdout);
console.log(`wrote ${path.relative(process.cwd(), svgFile)}`);
