import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MANIFEST_USAGE, runManifestCli } from '../../bin/manifest-cli';
import { datasetManifestSchema, sha256Of } from '../../lambda/shared/customization-contract';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-cli-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function run(argv: string[]): { code: number; out: string; err: string[] } {
  let out = '';
  const err: string[] = [];
  const code = runManifestCli(argv, { out: (t) => (out += t), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('defaults', () => {
  test('lists every file of the directory with its digest and size, sorted by key', () => {
    // GIVEN
    fs.writeFileSync(path.join(dir, 'train.jsonl'), '{"prompt":"a","completion":"b"}\n');
    fs.mkdirSync(path.join(dir, 'extra'));
    fs.writeFileSync(path.join(dir, 'extra', 'more.jsonl'), 'x');
    // WHEN
    const { code, out } = run(['--dataset', 'support', '--version', 'v1', '--dir', dir]);
    // THEN
    expect(code).toBe(0);
    const manifest = datasetManifestSchema.parse(JSON.parse(out));
    expect(manifest.objects).toEqual([
      { key: 'datasets/support/v1/extra/more.jsonl', sha256: sha256Of('x'), size: 1 },
      { key: 'datasets/support/v1/train.jsonl', sha256: sha256Of('{"prompt":"a","completion":"b"}\n'), size: 32 },
    ]);
  });
});

describe('help', () => {
  test('--help prints what the command does and its usage, and exits 0', () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(runManifestCli(['--help'], { out: (t) => out.push(t), err: (l) => err.push(l) })).toBe(0);
    expect(out.join('')).toContain('writes the manifest of a dataset version');
    expect(out.join('')).toContain(MANIFEST_USAGE);
    expect(err).toEqual([]);
  });
});

describe('validation', () => {
  test('fails if the dataset name is not a single safe path segment', () => {
    fs.writeFileSync(path.join(dir, 'train.jsonl'), 'x');
    const { code, err } = run(['--dataset', '../other', '--version', 'v1', '--dir', dir]);
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('--dataset must be');
  });

  test('fails if the directory is empty', () => {
    expect(run(['--dataset', 'support', '--version', 'v1', '--dir', dir]).code).toBe(2);
  });
});
