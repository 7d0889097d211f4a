/**
 * The supply-chain scripts CI runs: scripts/sbom.mjs (CycloneDX SBOM of the package and of the Lambda bundles) and
 * scripts/supply-chain-check.mjs (registry signatures, advisories). The check is run against a fake `npm` on PATH
 * that answers as the registry would, so every outcome is exercised without network.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const BUNDLES = path.join(ROOT, 'dist', 'bundles');
const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

interface Component {
  readonly type: string;
  readonly 'bom-ref': string;
  readonly name: string;
  readonly version?: string;
  readonly hashes?: Array<{ alg: string; content: string }>;
  readonly properties?: Array<{ name: string; value: string }>;
}
interface Sbom {
  readonly bomFormat: string;
  readonly specVersion: string;
  readonly components: Component[];
  readonly dependencies: Array<{ ref: string; dependsOn?: string[] }>;
}

function sbom(bundles: string, out: string): { status: number; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'sbom.mjs'), '--bundles', bundles, '--out', out], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status ?? 1, stderr: r.stderr };
}

describe('SBOM', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sbom-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const out = path.join(dir, 'sbom.cdx.json');
  const manifest = JSON.parse(fs.readFileSync(path.join(BUNDLES, 'manifest.json'), 'utf8')) as {
    functions: Record<string, { file: string; packages: Array<{ name: string; version: string }>; files: Array<{ file: string }> }>;
  };
  let doc: Sbom;
  beforeAll(() => {
    const r = sbom(BUNDLES, out);
    expect(r).toEqual(expect.objectContaining({ status: 0 }));
    doc = JSON.parse(fs.readFileSync(out, 'utf8')) as Sbom;
  });

  test('is a CycloneDX 1.5 document listing the runtime dependencies', () => {
    expect(doc.bomFormat).toBe('CycloneDX');
    expect(doc.specVersion).toBe('1.5');
    const names = doc.components.filter((c) => c.type === 'library').map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['cdk-nag', 'zod']));
  });

  test('lists every file of every Lambda bundle with the SHA-256 of the file deployed', () => {
    const files = doc.components.filter((c) => c.type === 'file');
    const deployed = Object.values(manifest.functions).flatMap((f) => f.files.map((g) => `dist/bundles/${g.file}`));
    expect(deployed).toEqual(expect.arrayContaining(['dist/bundles/gateway/index.js', 'dist/bundles/gateway/dynamodb-sdk.js']));
    expect(files.map((f) => f.name).sort()).toEqual(deployed.sort());
    for (const f of files) {
      expect(f.hashes).toEqual([{ alg: 'SHA-256', content: sha256(path.join(ROOT, f.name)) }]);
    }
  });

  test('each bundle depends on the packages esbuild put into it', () => {
    const gateway = doc.dependencies.find((d) => d.ref === 'bundle:gateway')!;
    const runtime = manifest.functions.gateway!.packages.find((p) => p.name === '@aws-sdk/client-bedrock-runtime')!;
    expect(gateway.dependsOn).toContain(`bundled:@aws-sdk/client-bedrock-runtime@${runtime.version}`);
    const component = doc.components.find((c) => c['bom-ref'] === `bundled:@aws-sdk/client-bedrock-runtime@${runtime.version}`)!;
    expect(component.properties).toContainEqual({ name: 'secure-llm-blueprint:bundled-in', value: 'gateway' });
  });

  test('a module the gateway loads on first use depends on the packages esbuild put into it', () => {
    const dynamo = doc.dependencies.find((d) => d.ref === 'bundle:gateway/dynamodb-sdk')!;
    expect(dynamo.dependsOn!.some((p) => p.startsWith('bundled:@aws-sdk/client-dynamodb@'))).toBe(true);
    expect(doc.dependencies.find((d) => d.ref === 'bundle:gateway')!.dependsOn!.some((p) => p.startsWith('bundled:@aws-sdk/client-dynamodb@'))).toBe(false);
  });

  test('fails if a deferred module of a bundle differs from the manifest', () => {
    // GIVEN a copy of the bundles with one byte changed in the gateway's DynamoDB module
    const copy = path.join(dir, 'bundles-deferred');
    fs.cpSync(BUNDLES, copy, { recursive: true });
    fs.appendFileSync(path.join(copy, 'gateway', 'dynamodb-sdk.js'), ';');
    // WHEN
    const r = sbom(copy, path.join(dir, 'tampered-deferred.json'));
    // THEN
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/gateway\/dynamodb-sdk\.js has SHA-256 [0-9a-f]{64} but the manifest records/);
  });

  test('fails if a bundle differs from the manifest', () => {
    // GIVEN a copy of the bundles with one byte changed in the gateway's
    const copy = path.join(dir, 'bundles');
    fs.cpSync(BUNDLES, copy, { recursive: true });
    fs.appendFileSync(path.join(copy, 'gateway', 'index.js'), ';');
    // WHEN
    const r = sbom(copy, path.join(dir, 'tampered.json'));
    // THEN
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/gateway\/index\.js has SHA-256 [0-9a-f]{64} but the manifest records/);
    expect(fs.existsSync(path.join(dir, 'tampered.json'))).toBe(false);
  });
});

describe('supply-chain check', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-npm-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Runs the check with a fake npm that prints `signatures` / `audit` answers (JSON) and exits with the given codes. */
  function check(answers: { signatures: [number, string, string?]; audit: [number, string, string?] }, env: Record<string, string> = {}) {
    const bin = path.join(dir, `bin-${Math.random().toString(36).slice(2)}`);
    fs.mkdirSync(bin);
    for (const [kind, [code, stdout, stderr]] of Object.entries(answers)) {
      fs.writeFileSync(path.join(bin, `${kind}.out`), stdout);
      fs.writeFileSync(path.join(bin, `${kind}.err`), stderr ?? '');
      fs.writeFileSync(path.join(bin, `${kind}.code`), String(code));
    }
    fs.writeFileSync(
      path.join(bin, 'npm'),
      [
        '#!/bin/sh',
        'd="$(dirname "$0")"',
        'case "$*" in',
        '  "audit signatures"*) k=signatures ;;',
        '  audit*) k=audit ;;',
        '  install*) exit 0 ;;',
        '  *) exit 9 ;;',
        'esac',
        'cat "$d/$k.out"; cat "$d/$k.err" >&2; exit "$(cat "$d/$k.code")"',
      ].join('\n'),
      { mode: 0o755 },
    );
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'supply-chain-check.mjs')], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}`, SUPPLY_CHAIN_CHECKS: '', ...env },
    });
    return { status: r.status, stdout: r.stdout };
  }

  const CLEAN_AUDIT = JSON.stringify({ vulnerabilities: {}, metadata: { vulnerabilities: { low: 1, moderate: 0, high: 0, critical: 0, total: 1 } } });
  const HIGH_AUDIT = JSON.stringify({
    vulnerabilities: { 'left-pad': { name: 'left-pad', severity: 'high' } },
    metadata: { vulnerabilities: { low: 0, moderate: 0, high: 1, critical: 0, total: 1 } },
  });
  const VALID_SIGNATURES = JSON.stringify({ invalid: [], missing: [] });

  test('passes when signatures verify and no high advisory exists, in production or in the bundles', () => {
    const r = check({ signatures: [0, VALID_SIGNATURES], audit: [0, CLEAN_AUDIT] });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ok {3}registry signatures/m);
    expect(r.stdout).toMatch(/^ok {3}advisories: packages in the Lambda bundles/m);
  });

  test('fails if a signature is invalid', () => {
    const r = check({ signatures: [1, JSON.stringify({ invalid: [{ name: 'evil', version: '1.0.0' }], missing: [] })], audit: [0, CLEAN_AUDIT] });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL registry signatures: invalid registry signatures: evil@1\.0\.0/m);
  });

  test('fails if a production or bundled package has a high advisory', () => {
    const r = check({ signatures: [0, VALID_SIGNATURES], audit: [1, HIGH_AUDIT] });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^FAIL advisories: production dependencies: 1 high or critical advisories: left-pad \(high\)/m);
  });

  test('a registry that cannot answer is a warning, and a failure when the checks are required', () => {
    const unavailable = { signatures: [1, '', 'npm error code ENOTFOUND\n'] as [number, string, string], audit: [1, JSON.stringify({ message: '405 Method Not Allowed' }), ''] as [number, string, string] };
    const relaxed = check(unavailable);
    expect(relaxed.status).toBe(0);
    expect(relaxed.stdout).toMatch(/^WARN registry signatures: could not run here: code ENOTFOUND/m);
    expect(relaxed.stdout).toMatch(/^WARN advisories: production dependencies: could not run here: 405 Method Not Allowed/m);
    const required = check(unavailable, { SUPPLY_CHAIN_CHECKS: 'required' });
    expect(required.status).toBe(1);
    expect(required.stdout).toMatch(/^FAIL registry signatures/m);
  });
});
