import * as path from 'node:path';
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * One acknowledgment as the reviewed baseline records it: a finding id acknowledged on a
 * construct, with the reason given for it.
 */
export interface AcknowledgmentRecord {
  /** Construct path of the stack that holds the construct (empty when it is outside any stack). */
  readonly stack: string;
  /** Construct path of the construct the acknowledgment is recorded on. */
  readonly path: string;
  /**
   * The acknowledged id as CDK stores it: `Annotation::<cdk-nag finding id>` for cdk-nag and
   * construct warnings, `<plugin namespace>::<rule>` for the other checks
   * (`cdk-validator-cfnguard::lambda_inside_vpc_check`, `CloudFormation-Validate::W3010`).
   */
  readonly id: string;
  /** The reason given with the acknowledgment. */
  readonly reason: string;
}

/** Who made an acknowledgment, read from the stack trace CDK records with it. */
export type AcknowledgmentSource = 'project' | 'aws-cdk-lib' | 'unknown';

/** An acknowledgment found in the construct tree, with where it was made. */
export interface FoundAcknowledgment extends AcknowledgmentRecord {
  /**
   * `aws-cdk-lib` when an aws-cdk-lib construct recorded it by itself (for example the
   * CloudFormation validator acknowledgments a `Vpc` or `FlowLog` adds), `project` when code
   * called `Validations.acknowledge`, `unknown` when no stack trace was recorded.
   */
  readonly source: AcknowledgmentSource;
  /** The first call site in this project that led to it (`file:line`), when known. */
  readonly location?: string;
}

const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');
const LIBRARY_FRAME = /^\s*\.\.\.(.+) in aws-cdk-lib\.\.\.\s*$/;
const FILE_FRAME = /\(?((?:\/|[A-Za-z]:\\)[^():]+):(\d+):\d+\)?\s*$/;

/** Orders acknowledgments by stack, path, id and reason (code-unit order, independent of locale). */
export function compareRecords(a: AcknowledgmentRecord, b: AcknowledgmentRecord): number {
  for (const key of ['stack', 'path', 'id', 'reason'] as const) {
    if (a[key] !== b[key]) {
      return a[key] < b[key] ? -1 : 1;
    }
  }
  return 0;
}

function stackPathOf(construct: IConstruct): string {
  for (let c: IConstruct | undefined = construct; c; c = c.node.scope) {
    if (Stack.isStack(c)) {
      return c.node.path;
    }
  }
  return '';
}

function sourceOf(trace: readonly string[] | undefined): { source: AcknowledgmentSource; location?: string } {
  if (!trace || trace.length === 0) {
    return { source: 'unknown' };
  }
  const library = LIBRARY_FRAME.exec(trace[0] ?? '');
  const source: AcknowledgmentSource = library && library[1] !== 'Validations.acknowledge' ? 'aws-cdk-lib' : 'project';
  for (const frame of trace) {
    const file = FILE_FRAME.exec(frame);
    if (file && !file[1]!.includes(`${path.sep}node_modules${path.sep}`)) {
      return { source, location: `${path.relative(PROJECT_ROOT, file[1]!)}:${file[2]}` };
    }
  }
  return { source };
}

/**
 * Every acknowledgment recorded in the construct tree under `root` (construct metadata of type
 * `Validations.ACKNOWLEDGED_RULES_METADATA_KEY`), sorted by stack, path and id.
 */
export function findAcknowledgments(root: IConstruct): FoundAcknowledgment[] {
  const found: FoundAcknowledgment[] = [];
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) {
        continue;
      }
      for (const [id, reason] of Object.entries(entry.data as Record<string, unknown>)) {
        found.push({
          stack: stackPathOf(construct),
          path: construct.node.path,
          id,
          reason: String(reason),
          ...sourceOf(entry.trace),
        });
      }
    }
  }
  return found.sort(compareRecords);
}

/** The baseline form of acknowledgments: `{ stack, path, id, reason }` only, sorted. */
export function toRecords(acknowledgments: readonly AcknowledgmentRecord[]): AcknowledgmentRecord[] {
  return acknowledgments
    .map(({ stack, path: p, id, reason }) => ({ stack, path: p, id, reason }))
    .sort(compareRecords);
}

/** A difference between the reviewed baseline and the acknowledgments of a synthesis. */
export interface AcknowledgmentChange {
  /** `added` (not in the baseline), `removed` (only in the baseline) or `changed` (another reason). */
  readonly kind: 'added' | 'removed' | 'changed';
  readonly stack: string;
  readonly path: string;
  readonly id: string;
  /** The baseline's reasons (empty when added). */
  readonly before: readonly string[];
  /** The synthesis's reasons (empty when removed). */
  readonly after: readonly string[];
}

function byKey(records: readonly AcknowledgmentRecord[]): Map<string, { record: AcknowledgmentRecord; reasons: string[] }> {
  const map = new Map<string, { record: AcknowledgmentRecord; reasons: string[] }>();
  for (const record of records) {
    const key = JSON.stringify([record.stack, record.path, record.id]);
    const entry = map.get(key) ?? { record, reasons: [] };
    entry.reasons.push(record.reason);
    map.set(key, entry);
  }
  for (const entry of map.values()) {
    entry.reasons.sort();
  }
  return map;
}

/**
 * What changed from the `baseline` acknowledgments to the `current` ones: each acknowledgment
 * (stack, path, id) that was added or removed, or whose reason changed. Empty when they match.
 */
export function compareAcknowledgments(
  baseline: readonly AcknowledgmentRecord[],
  current: readonly AcknowledgmentRecord[],
): AcknowledgmentChange[] {
  const before = byKey(baseline);
  const after = byKey(current);
  const changes: AcknowledgmentChange[] = [];
  for (const [key, b] of before) {
    const a = after.get(key);
    const { stack, path: p, id } = b.record;
    if (!a) {
      changes.push({ kind: 'removed', stack, path: p, id, before: b.reasons, after: [] });
    } else if (JSON.stringify(a.reasons) !== JSON.stringify(b.reasons)) {
      changes.push({ kind: 'changed', stack, path: p, id, before: b.reasons, after: a.reasons });
    }
  }
  for (const [key, a] of after) {
    if (!before.has(key)) {
      const { stack, path: p, id } = a.record;
      changes.push({ kind: 'added', stack, path: p, id, before: [], after: a.reasons });
    }
  }
  return changes.sort((x, y) => compareRecords({ ...x, reason: '' }, { ...y, reason: '' }));
}

/** The command that rewrites the reviewed baseline from a fresh synthesis. */
export const BASELINE_UPDATE_COMMAND = 'npm run compliance:baseline';

/**
 * A diff-like description of acknowledgment changes, one `+` / `-` / `~` block per change,
 * ending with how to accept them. Empty when there is no change.
 */
export function formatAcknowledgmentChanges(changes: readonly AcknowledgmentChange[], baselineFile: string): string {
  if (changes.length === 0) {
    return '';
  }
  const lines = [`The acknowledgments differ from the reviewed baseline ${baselineFile}:`];
  for (const change of changes) {
    const where = `${change.path} ${change.id}`;
    if (change.kind === 'added') {
      lines.push(`+ added    ${where}`, ...change.after.map((r) => `    + reason: ${JSON.stringify(r)}`));
    } else if (change.kind === 'removed') {
      lines.push(`- removed  ${where}`, ...change.before.map((r) => `    - reason: ${JSON.stringify(r)}`));
    } else {
      lines.push(
        `~ changed  ${where}`,
        ...change.before.map((r) => `    - reason: ${JSON.stringify(r)}`),
        ...change.after.map((r) => `    + reason: ${JSON.stringify(r)}`),
      );
    }
  }
  lines.push(
    '',
    `If the change is intended, have it reviewed, run \`${BASELINE_UPDATE_COMMAND}\` and commit ${baselineFile} with it.`,
  );
  return lines.join('\n');
}
