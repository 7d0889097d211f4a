/**
 * Rewrites the reviewed acknowledgment baseline (test/compliance/acknowledgments.json) from a
 * fresh synthesis of the app, as `cdk synth` builds it from cdk.json, and prints what changed.
 * Review the diff before committing it.
 *
 *   npm run compliance:baseline
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ACKNOWLEDGMENT_BASELINE,
  PROJECT_ROOT,
  compareAcknowledgments,
  findAcknowledgments,
  formatAcknowledgmentChanges,
  readAcknowledgmentBaseline,
  serializeAcknowledgmentBaseline,
  toRecords,
} from '../lib/compliance/report';
import { newAcknowledgmentBaselineApp } from '../lib/compliance/report/baseline-app';

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'slb-baseline-'));
const app = newAcknowledgmentBaselineApp(outdir);
try {
  app.synth();
} catch (e) {
  // Acknowledgments are complete once synthesis reached validation; anything earlier is fatal.
  if (!/ValidationFailed|Validation failed/.test(String(e))) {
    throw e;
  }
  console.warn('warning: the app has unacknowledged findings (see `npx cdk synth`); the baseline records the acknowledgments as they are.');
} finally {
  fs.rmSync(outdir, { recursive: true, force: true });
}

const file = path.join(PROJECT_ROOT, ACKNOWLEDGMENT_BASELINE);
const current = toRecords(findAcknowledgments(app));
const changes = compareAcknowledgments(fs.existsSync(file) ? readAcknowledgmentBaseline(file) : [], current);
fs.writeFileSync(file, serializeAcknowledgmentBaseline(current));
console.log(
  changes.length === 0
    ? `${ACKNOWLEDGMENT_BASELINE}: unchanged (${current.length} acknowledgments).`
    : `${formatAcknowledgmentChanges(changes, ACKNOWLEDGMENT_BASELINE).split('\n\n')[0]}\n\nWrote ${current.length} acknowledgments to ${ACKNOWLEDGMENT_BASELINE}; review the diff and commit it.`,
);
