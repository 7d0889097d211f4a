/**
 * Regenerates the README's cost section from the synthesized app:
 *
 *   npm run cost
 *
 * synthesizes the default configuration and every file in config/ (without the compliance checks),
 * prices their cost-bearing resources with lib/cost/prices.json and rewrites the README between
 * `<!-- cost:start -->` and `<!-- cost:end -->`. test/lib/cost.test.ts fails when they differ.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { costSection, replaceCostSection } from '../lib/cost';

const readmeFile = path.join(__dirname, '..', 'README.md');
const readme = fs.readFileSync(readmeFile, 'utf8');
const updated = replaceCostSection(readme, costSection());
if (updated === readme) {
  console.log('README.md cost section is up to date');
} else {
  fs.writeFileSync(readmeFile, updated);
  console.log('rewrote the cost section of README.md');
}
