/**
 * The package as consumers get it. The full proof is in `.ci/run` (pack, install into examples/team-gateway with the
 * newest aws-cdk-lib, type check, synth, test); these checks fail fast on the usual ways a construct library breaks
 * for its consumers: a runtime import of a package they do not get, a second copy of aws-cdk-lib, a test or a
 * handler's source shipped in the tarball.
 */
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  main: string;
  types: string;
  exports: Record<string, string | { types: string; default: string }>;
  files: string[];
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const build = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as { files: string[]; compilerOptions: { outDir: string } };

/** Every source file the build compiles (reachable from the entry points), with the bare modules each imports at run time. */
function importGraph(entries: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const queue = entries.map((e) => path.join(ROOT, e));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (graph.has(file)) continue;
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    const bare: string[] = [];
    for (const { fileName } of info.importedFiles) {
      if (fileName.startsWith('.')) {
        const base = path.resolve(path.dirname(file), fileName);
        const resolved = [`${base}.ts`, path.join(base, 'index.ts'), base].find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
        if (!resolved) throw new Error(`${path.relative(ROOT, file)} imports ${fileName}, which does not resolve`);
        if (resolved.endsWith('.ts')) queue.push(resolved);
      } else {
        bare.push(fileName);
      }
    }
    graph.set(file, bare);
  }
  return graph;
}

function packageName(specifier: string): string {
  const parts = specifier.replace(/^node:/, '').split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

describe('package', () => {
  const graph = importGraph(build.files);

  describe('defaults', () => {
    test('the build compiles the root entry and ./testing, and package.json points at their output', () => {
      expect(build.files).toEqual(['lib/index.ts', 'lib/testing/index.ts']);
      const out = (src: string, ext: string) => `./${path.posix.join(build.compilerOptions.outDir, src.replace(/\.ts$/, ext))}`;
      expect(pkg.exports['.']).toEqual({ types: out('lib/index.ts', '.d.ts'), default: out('lib/index.ts', '.js') });
      expect(pkg.exports['./testing']).toEqual({ types: out('lib/testing/index.ts', '.d.ts'), default: out('lib/testing/index.ts', '.js') });
      expect(`./${pkg.main}`).toBe(out('lib/index.ts', '.js'));
      expect(`./${pkg.types}`).toBe(out('lib/index.ts', '.d.ts'));
    });

    test('the tarball allow-list holds only build output: no sources, tests, benchmarks or CI files', () => {
      expect(pkg.files.every((f) => f.startsWith('dist/'))).toBe(true);
      expect(pkg.files).toContain('dist/bundles/');
    });
  });

  describe('dependencies', () => {
    test('aws-cdk-lib and constructs are peer dependencies with a minimum version, pinned only for this repository', () => {
      expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['aws-cdk-lib', 'constructs']);
      for (const name of ['aws-cdk-lib', 'constructs']) {
        expect(pkg.peerDependencies[name]).toMatch(/^\^\d+\.\d+\.\d+$/);
        expect(pkg.dependencies[name]).toBeUndefined();
        expect(pkg.devDependencies[name]).toMatch(/^\d+\.\d+\.\d+$/);
      }
    });

    test('everything the compiled package imports at run time is a dependency, a peer dependency or a Node.js built-in', () => {
      const allowed = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies), ...builtinModules]);
      const missing = [...graph].flatMap(([file, bare]) =>
        bare.filter((s) => !allowed.has(packageName(s))).map((s) => `${path.relative(ROOT, file)} imports ${s}`),
      );
      expect(missing).toEqual([]);
    });

    test('fails if the check missed a handler dependency: the gateway handler itself imports the AWS SDK and Powertools', () => {
      // The same walk from the handler finds what the construct library must never import.
      const handler = [...importGraph(['lambda/gateway/index.ts']).values()].flat().map(packageName);
      expect(handler).toEqual(expect.arrayContaining(['@aws-sdk/client-bedrock-runtime', '@aws-lambda-powertools/logger']));
    });

    test('no handler code is compiled into the library: of lambda/ only the construct-function contracts', () => {
      const fromLambda = [...graph.keys()].map((f) => path.relative(ROOT, f)).filter((f) => f.startsWith('lambda/'));
      expect(fromLambda.sort()).toEqual([
        'lambda/shared/chunk-screen-contract.ts',
        'lambda/shared/customization-contract.ts',
        'lambda/shared/gateway-contract.ts',
        'lambda/shared/ingest-contract.ts',
        'lambda/shared/network-guard-contract.ts',
      ]);
    });
  });
});
