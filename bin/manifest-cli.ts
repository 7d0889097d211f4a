/**
 * `secure-llm-manifest`: writes the manifest of a dataset version of the training-data vault from a local directory,
 * for the data owner to upload with the files. The directory's files (recursively, symbolic links refused) become the
 * objects `datasets/<dataset>/<version>/<relative path>`; the manifest lists each with its SHA-256 and size
 * (lib: lambda/shared/customization-contract.ts). Upload the files first, then the manifest to
 * `manifests/<dataset>/<version>.json`; the customization workflow refuses any version whose objects differ from it.
 *
 *   secure-llm-manifest --dataset <name> --version <version> --dir <directory> [--out <file>]
 *
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildManifest, DATASET_SEGMENT, manifestKey, serializeManifest } from '../lambda/shared/customization-contract';

/** The command's usage text. */
export const MANIFEST_USAGE = 'usage: secure-llm-manifest --dataset <name> --version <version> --dir <directory> [--out <file>]';

/** What `--help` prints: what the command does, then its usage. */
export const MANIFEST_HELP = [
  'secure-llm-manifest: writes the manifest of a dataset version of the training-data vault from a local directory.',
  'Each file under --dir (recursively; symbolic links refused) becomes datasets/<dataset>/<version>/<relative path>,',
  'listed with its SHA-256 and size. Upload the files first, then the manifest to manifests/<dataset>/<version>.json:',
  'the customization workflow refuses any version whose objects differ from it.',
  '',
  MANIFEST_USAGE,
  '  --out <file>  write the manifest to this file (default: standard output)',
].join('\n');

/** Every regular file under `dir`, as paths relative to it with "/" separators. */
function filesUnder(dir: string, rel = ''): string[] {
  return fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap((entry) => {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isSymbolicLink()) throw new Error(`${child} is a symbolic link; copy the file itself into the directory`);
      if (entry.isDirectory()) return filesUnder(dir, child);
      return entry.isFile() ? [child] : [];
    })
    .sort();
}

/** Runs the command; returns the exit code (0 written or help printed, 2 usage or input error). */
export function runManifestCli(argv: string[], io: { out: (text: string) => void; err: (line: string) => void }): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(`${MANIFEST_HELP}\n`);
    return 0;
  }
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const dataset = flag('dataset');
  const version = flag('version');
  const dir = flag('dir');
  if (dataset === undefined || version === undefined || dir === undefined) {
    io.err(MANIFEST_USAGE);
    return 2;
  }
  for (const [name, value] of [['dataset', dataset], ['version', version]] as const) {
    if (!DATASET_SEGMENT.test(value)) {
      io.err(`--${name} must be 1-64 letters, digits, ".", "_" or "-" starting with a letter or digit, got ${JSON.stringify(value)}`);
      return 2;
    }
  }
  let files: string[];
  try {
    files = filesUnder(dir);
  } catch (e) {
    io.err(`cannot read --dir ${dir}: ${(e as Error).message}`);
    return 2;
  }
  if (files.length === 0) {
    io.err(`--dir ${dir} holds no files; put the dataset's JSONL files (at least train.jsonl) in it`);
    return 2;
  }
  const manifest = buildManifest(dataset, version, files.map((f) => ({ path: f, bytes: fs.readFileSync(path.join(dir, f)) })));
  const text = serializeManifest(manifest);
  const out = flag('out');
  if (out !== undefined) {
    fs.writeFileSync(out, text);
    io.err(`wrote ${out}: ${manifest.objects.length} objects; upload it to ${manifestKey(dataset, version)}`);
  } else {
    io.out(text);
  }
  return 0;
}
