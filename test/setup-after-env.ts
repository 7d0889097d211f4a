/**
 * Every test file gets its own temporary directory (TMPDIR), removed with everything in it after the file's
 * tests: cloud assemblies of test apps (lib/testing `newTestApp`, and CDK's own default outdirs), copied
 * bundles, configuration files. Nothing a test writes outlives it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { removeTestOutdirs } from '../lib/testing';

const previous = process.env.TMPDIR;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slb-jest-'));
process.env.TMPDIR = dir;

afterAll(() => {
  removeTestOutdirs();
  if (previous === undefined) {
    delete process.env.TMPDIR;
  } else {
    process.env.TMPDIR = previous;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
