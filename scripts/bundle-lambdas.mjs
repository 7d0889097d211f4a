#!/usr/bin/env node
/**
 * Bundles every Lambda handler once, with this repository's esbuild and locked dependency versions,
 * into `dist/bundles/<function>/index.js` (plus, for a function that defers modules to their first use, one
 * `<module>.js` each beside it: `scripts/bundle-deferred.json`), and writes `dist/bundles/manifest.json` (SHA-256
 * and size of each file, the npm packages esbuild put into it with their versions, the esbuild version;
 * scripts/sbom.mjs turns it into the package's CycloneDX SBOM). The constructs deploy these files with `Code.fromAsset`: the
 * package ships them, so a consumer never runs esbuild or Docker and deploys exactly the bytes this
 * repository tested. Tests (jest global setup), `cdk synth` (cdk.json) and `npm run build` call it.
 *
 *   node scripts/bundle-lambdas.mjs           bundle every function
 *   node scripts/bundle-lambdas.mjs --check   exit 1 if a bundle is missing or differs from a fresh build
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outRoot = path.join(root, 'dist', 'bundles');

/** Every function the constructs deploy: bundle directory name → handler source. */
export const FUNCTIONS = {
  authorizer: 'lambda/authorizer/index.ts',
  gateway: 'lambda/gateway/index.ts',
  'customization-evaluate': 'lambda/customization-evaluate/index.ts',
  'customization-verify': 'lambda/customization-verify/index.ts',
  'invocation-logging': 'lambda/invocation-logging/index.ts',
  'network-guard': 'lambda/network-guard/index.ts',
  'chunk-screen': 'lambda/chunk-screen/index.ts',
  'ingest-screen': 'lambda/ingest-screen/index.ts',
};

/**
 * Command-line tools the package ships (package.json `bin`): name → source. Bundled like the functions, AWS SDK
 * included, into `dist/cli/<name>.js`, so the package needs no runtime dependency on the SDK.
 */
export const CLIS = {
  'secure-llm-keys': 'bin/secure-llm-keys.ts',
  'secure-llm-docs': 'bin/secure-llm-docs.ts',
  'secure-llm-manifest': 'bin/secure-llm-manifest.ts',
  'secure-llm-sign': 'bin/secure-llm-sign.ts',
};
const cliRoot = path.join(root, 'dist', 'cli');

/**
 * The esbuild options of every bundle (what NodejsFunction used before, minus Docker), shared with the gateway benchmark
 * (`scripts/bundle-options.json`): platform node, target node24 (the constructs set Runtime.NODEJS_24_X), cjs, minified,
 * no source map; nothing external, so the deployed code runs the AWS SDK it was tested with; ES-module builds first
 * (`mainFields` module, main), so esbuild can drop what a function never uses from the SDK.
 *
 * `alias` replaces the AWS SDK's default credential chain (`@aws-sdk/credential-provider-node`: environment, SSO, ini
 * files, credential_process, web identity, container and instance metadata, with the STS/SSO/sign-in clients they
 * need) with `lambda/shared/lambda-credentials.ts`, which reads only what Lambda provides: the execution role's keys
 * in `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, or, where Lambda sets it instead (SnapStart),
 * the container endpoint `AWS_CONTAINER_CREDENTIALS_FULL_URI` with `AWS_CONTAINER_AUTHORIZATION_TOKEN`. That is about
 * 100 KB of minified code less for every cold start to parse (an eighth of the gateway bundle). The alias path is
 * resolved from the repository root (`absWorkingDir`). The command-line tools keep the SDK's chain: an administrator's
 * profiles and SSO sessions are what they sign in with.
 */
const BUNDLE_OPTIONS = JSON.parse(fs.readFileSync(path.join(root, 'scripts', 'bundle-options.json'), 'utf8'));

/**
 * Modules a function loads only on first use, with `require('./<module>')` from its handler's directory
 * (`lambda/gateway/deferred-sdk.ts`): function → module names. Each is bundled into a file of its own,
 * `<module>.js` beside `index.js`, and left external in `index.js`, so a cold start does not parse code that most
 * configurations never run (the gateway's DynamoDB and Agent Runtime clients and its document screen: a third of
 * its code). A deferred file carries its own copy of what it shares with `index.js` (the SDK core, the screening
 * engine); the two never exchange objects whose class identity matters.
 */
export const DEFERRED = JSON.parse(fs.readFileSync(path.join(root, 'scripts', 'bundle-deferred.json'), 'utf8'));

function options(entry, external = []) {
  return { ...BUNDLE_OPTIONS, external: [...BUNDLE_OPTIONS.external, ...external], absWorkingDir: root, entryPoints: [path.join(root, entry)], logLevel: 'warning', write: false, metafile: true };
}

/**
 * The files of one function's bundle directory: `index.js` from its handler, with its deferred modules external,
 * then one file per deferred module, each `{ file, entry, bytes, packages }` (`file` relative to the directory).
 */
async function bundleFunction(name, entry) {
  const deferred = DEFERRED[name] ?? [];
  const build = async (file, source, external) => {
    const result = await esbuild.build(options(source, external));
    return { file, entry: source, bytes: result.outputFiles[0].contents, packages: packagesOf(result.metafile) };
  };
  const dir = path.dirname(entry);
  return Promise.all([
    build('index.js', entry, deferred.map((m) => `./${m}`)),
    ...deferred.map((m) => {
      const source = `${dir}/${m}.ts`;
      if (!fs.existsSync(path.join(root, source))) throw new Error(`scripts/bundle-deferred.json: ${name} defers ${m}, but ${source} does not exist`);
      return build(`${m}.js`, source, []);
    }),
  ]);
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

async function bundleClis() {
  return Promise.all(
    Object.entries(CLIS).map(async ([name, entry]) => {
      // Run by the administrator's Node.js (package.json engines: >= 20), not by Lambda: with the SDK's own credential
      // chain (profiles, SSO), not the Lambda one.
      const { alias: _lambdaCredentials, ...cliOptions } = options(entry);
      const result = await esbuild.build({ ...cliOptions, target: 'node20', banner: { js: '#!/usr/bin/env node' } });
      return { name, bytes: result.outputFiles[0].contents };
    }),
  );
}

async function bundleAll() {
  return Promise.all(Object.entries(FUNCTIONS).map(async ([name, entry]) => ({ name, entry, files: await bundleFunction(name, entry) })));
}

/**
 * The npm packages whose files esbuild put into a bundle (from its metafile), as `{ name, version }` sorted by name.
 * A file under `node_modules/a/node_modules/b/` belongs to `b`, at the version of that copy.
 */
function packagesOf(metafile) {
  const found = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const parts = input.split('/');
    const at = parts.lastIndexOf('node_modules');
    if (at < 0) continue;
    const nameParts = parts[at + 1]?.startsWith('@') ? parts.slice(at + 1, at + 3) : parts.slice(at + 1, at + 2);
    const dir = path.join(root, ...parts.slice(0, at + 1), ...nameParts);
    if (found.has(dir)) continue;
    const { name, version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    found.set(dir, { name, version });
  }
  return distinctPackages([...found.values()]);
}

/** `{ name, version }` entries, each once, sorted by name then version. */
function distinctPackages(packages) {
  const unique = new Map(packages.map((p) => [`${p.name}@${p.version}`, p]));
  return [...unique.values()].sort((a, b) => (a.name === b.name ? a.version.localeCompare(b.version) : a.name.localeCompare(b.name)));
}

/**
 * The manifest: per function, its `index.js` (`file`, `bytes`, `sha256`: what code signing records as the bundle's
 * digest), every file of its directory (`files`, `index.js` first, each with its own digest and packages), and the
 * npm packages of all of them together (`packages`).
 */
function manifestOf(results) {
  return {
    esbuild: esbuild.version,
    functions: Object.fromEntries(
      results.map((r) => {
        const [index] = r.files;
        const files = r.files.map((f) => ({ file: `${r.name}/${f.file}`, entry: f.entry, bytes: f.bytes.length, sha256: sha256(f.bytes), packages: f.packages }));
        const packages = distinctPackages(r.files.flatMap((f) => f.packages));
        return [r.name, { entry: r.entry, file: `${r.name}/index.js`, bytes: index.bytes.length, sha256: sha256(index.bytes), packages, files }];
      }),
    ),
  };
}

async function main() {
  const check = process.argv.includes('--check');
  const [results, clis] = await Promise.all([bundleAll(), bundleClis()]);
  if (check) {
    const stale = [
      ...results.filter((r) =>
        r.files.some((f) => {
          const file = path.join(outRoot, r.name, f.file);
          return !fs.existsSync(file) || sha256(fs.readFileSync(file)) !== sha256(f.bytes);
        }),
      ),
      ...clis.filter((c) => {
        const file = path.join(cliRoot, `${c.name}.js`);
        return !fs.existsSync(file) || sha256(fs.readFileSync(file)) !== sha256(c.bytes);
      }),
    ];
    if (stale.length > 0) {
      console.error(`Stale or missing Lambda bundles: ${stale.map((r) => r.name).join(', ')}; run npm run build:bundles`);
      process.exit(1);
    }
    return;
  }
  for (const r of results) {
    const dir = path.join(outRoot, r.name);
    fs.mkdirSync(dir, { recursive: true });
    // Write only when the bytes changed, so an unchanged bundle keeps its timestamp; remove what is no longer built
    // (a module no longer deferred), since the constructs deploy the whole directory.
    const keep = new Set(r.files.map((f) => f.file));
    for (const old of fs.readdirSync(dir)) if (!keep.has(old)) fs.rmSync(path.join(dir, old), { recursive: true, force: true });
    for (const f of r.files) {
      const file = path.join(dir, f.file);
      if (!fs.existsSync(file) || sha256(fs.readFileSync(file)) !== sha256(f.bytes)) {
        fs.writeFileSync(file, f.bytes);
      }
    }
  }
  fs.mkdirSync(cliRoot, { recursive: true });
  for (const c of clis) {
    const file = path.join(cliRoot, `${c.name}.js`);
    if (!fs.existsSync(file) || sha256(fs.readFileSync(file)) !== sha256(c.bytes)) {
      fs.writeFileSync(file, c.bytes, { mode: 0o755 });
    }
  }
  fs.writeFileSync(path.join(outRoot, 'manifest.json'), `${JSON.stringify(manifestOf(results), null, 2)}\n`);
}

await main();
