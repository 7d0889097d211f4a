#!/usr/bin/env node
/**
 * Writes the package's CycloneDX SBOM (spec 1.5, JSON) to `dist/sbom.cdx.json`, for two kinds of consumer:
 * - the npm package's own runtime dependencies (and the peer dependencies it runs with), from the installed tree, by
 *   CycloneDX's own generator (`@cyclonedx/cyclonedx-npm`, `--omit dev`);
 * - what is deployed to AWS: each file of each pre-built Lambda bundle in `dist/bundles` (its `index.js` and the
 *   modules it loads on first use) as a `file` component with its SHA-256, depending on the npm packages esbuild put
 *   into it (read from `dist/bundles/manifest.json`, which
 *   scripts/bundle-lambdas.mjs writes). Those packages are development dependencies of the package (the bundles carry
 *   them), so no npm-level SBOM lists them.
 *
 *   node scripts/sbom.mjs            (run by `npm run build`, after the bundles)
 *   node scripts/sbom.mjs --bundles <dir> --out <file>
 *
 * Fails when the bundles are missing, when a bundle's bytes differ from the manifest, or when the generator fails.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const option = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 && process.argv[at + 1] ? path.resolve(process.argv[at + 1]) : fallback;
};
const bundles = option('--bundles', path.join(root, 'dist', 'bundles'));
const out = option('--out', path.join(root, 'dist', 'sbom.cdx.json'));

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const purlOf = (name, version) => `pkg:npm/${name.startsWith('@') ? `%40${name.slice(1)}` : name}@${version}`;

/**
 * The SBOM: the generator's document plus the bundles and their packages.
 * @param {object} base - the CycloneDX document of the npm dependencies.
 * @param {object} manifest - dist/bundles/manifest.json.
 * @param {(file: string) => Buffer} read - reads a bundle file (relative to dist/bundles).
 */
export function withBundles(base, manifest, read) {
  const doc = JSON.parse(JSON.stringify(base));
  doc.components ??= [];
  doc.dependencies ??= [];
  const rootRef = doc.metadata.component['bom-ref'];
  const packageRefs = new Map();
  const bundleRefs = [];
  for (const [name, fn] of Object.entries(manifest.functions)) {
    // Every file of the function's directory: index.js, then the modules it loads on first use.
    for (const file of fn.files) {
      const digest = sha256(read(file.file));
      if (digest !== file.sha256) {
        throw new Error(`${file.file} has SHA-256 ${digest} but the manifest records ${file.sha256}; run npm run build:bundles`);
      }
      const ref = file.file === fn.file ? `bundle:${name}` : `bundle:${file.file.replace(/\.js$/, '')}`;
      bundleRefs.push(ref);
      doc.components.push({
        type: 'file',
        'bom-ref': ref,
        name: `dist/bundles/${file.file}`,
        description:
          file.file === fn.file
            ? `Pre-built Lambda bundle of ${fn.entry} (esbuild ${manifest.esbuild}), deployed as is by the constructs`
            : `Module of the ${name} bundle loaded on first use, built from ${file.entry} (esbuild ${manifest.esbuild}), deployed beside its index.js`,
        hashes: [{ alg: 'SHA-256', content: file.sha256 }],
        properties: [{ name: 'secure-llm-blueprint:bytes', value: String(file.bytes) }],
      });
      const dependsOn = [];
      for (const p of file.packages) {
        const pref = `bundled:${p.name}@${p.version}`;
        if (!packageRefs.has(pref)) {
          const component = { type: 'library', 'bom-ref': pref, name: p.name, version: p.version, purl: purlOf(p.name, p.version), properties: [] };
          packageRefs.set(pref, component);
          doc.components.push(component);
        }
        const inBundle = { name: 'secure-llm-blueprint:bundled-in', value: name };
        const props = packageRefs.get(pref).properties;
        if (!props.some((q) => q.name === inBundle.name && q.value === name)) props.push(inBundle);
        dependsOn.push(pref);
      }
      doc.dependencies.push({ ref, dependsOn });
    }
  }
  const rootDeps = doc.dependencies.find((d) => d.ref === rootRef);
  if (rootDeps) rootDeps.dependsOn = [...(rootDeps.dependsOn ?? []), ...bundleRefs];
  else doc.dependencies.push({ ref: rootRef, dependsOn: bundleRefs });
  return doc;
}

function main() {
  const manifestFile = path.join(bundles, 'manifest.json');
  if (!fs.existsSync(manifestFile)) throw new Error(`${manifestFile} is missing; run npm run build:bundles first`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  const read = (file) => fs.readFileSync(path.join(bundles, file));
  // Check the bundles before the (slower) generator runs; withBundles checks them again as it lists them.
  for (const file of Object.values(manifest.functions).flatMap((fn) => fn.files)) {
    if (sha256(read(file.file)) !== file.sha256) throw new Error(`${file.file} has SHA-256 ${sha256(read(file.file))} but the manifest records ${file.sha256}; run npm run build:bundles`);
  }
  const cli = path.join(root, 'node_modules', '@cyclonedx', 'cyclonedx-npm', 'bin', 'cyclonedx-npm-cli.js');
  const base = JSON.parse(
    execFileSync(process.execPath, [cli, '--omit', 'dev', '--output-format', 'JSON', '--spec-version', '1.5', '--output-reproducible', '--output-file', '-'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const doc = withBundles(base, manifest, read);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
  const bundled = doc.components.filter((c) => c['bom-ref'].startsWith('bundled:')).length;
  console.log(`${path.relative(root, out)}: ${doc.components.length} components (${Object.keys(manifest.functions).length} bundles, ${bundled} bundled packages)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (e) {
    console.error(`sbom: ${e.message}`);
    process.exit(1);
  }
}
