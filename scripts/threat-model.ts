/**
 * Regenerates the threat model from its data (lib/compliance/threat-model.ts):
 *
 *   npm run threat-model
 *
 * writes docs/threat-model.md. test/lib/compliance/threat-model.test.ts fails when the committed
 * file differs from the rendering, or when a test it names no longer exists.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { THREAT_MODEL_DOCUMENT, renderThreatModel } from '../lib/compliance/threat-model';

const file = path.join(__dirname, '..', THREAT_MODEL_DOCUMENT);
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(file, renderThreatModel());
console.log(`wrote ${path.relative(process.cwd(), file)}`);
