import * as fs from 'node:fs';
import * as path from 'node:path';
import { AcknowledgmentRecord, toRecords } from './acknowledgments';

/** The reviewed acknowledgment baseline, relative to the project root. */
export const ACKNOWLEDGMENT_BASELINE = 'test/compliance/acknowledgments.json';

/** The project root (where `cdk.json` is). */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');

const KEYS = ['stack', 'path', 'id', 'reason'] as const;

/** Reads a baseline file: a JSON array of `{ stack, path, id, reason }`. */
export function readAcknowledgmentBaseline(file: string = path.join(PROJECT_ROOT, ACKNOWLEDGMENT_BASELINE)): AcknowledgmentRecord[] {
  const data = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  if (!Array.isArray(data)) {
    throw new Error(`${file} must hold a JSON array of { stack, path, id, reason }`);
  }
  return data.map((entry: unknown, i) => {
    const record = entry as Record<string, unknown>;
    const keys = Object.keys(record ?? {}).sort();
    if (JSON.stringify(keys) !== JSON.stringify([...KEYS].sort()) || KEYS.some((k) => typeof record[k] !== 'string')) {
      throw new Error(`${file} entry ${i} must have exactly the string fields stack, path, id and reason, got ${JSON.stringify(entry)}`);
    }
    return { stack: record.stack as string, path: record.path as string, id: record.id as string, reason: record.reason as string };
  });
}

/** The baseline file's content for these acknowledgments: sorted, two-space indented, one trailing newline. */
export function serializeAcknowledgmentBaseline(records: readonly AcknowledgmentRecord[]): string {
  return `${JSON.stringify(toRecords(records), undefined, 2)}\n`;
}
