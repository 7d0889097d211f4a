import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { lambdaBundleDir, latestNodeRuntime } from '../../../constructs/shared/lambda-bundle';

describe('lambda bundles', () => {
  describe('defaults', () => {
    test('every function has its pre-built bundle, listed with its SHA-256 in the manifest', () => {
      const manifest = JSON.parse(fs.readFileSync(path.join(lambdaBundleDir('gateway'), '..', 'manifest.json'), 'utf8')) as {
        functions: Record<string, { sha256: string; bytes: number }>;
      };
      const names = [
        'authorizer',
        'chunk-screen',
        'customization-evaluate',
        'customization-verify',
        'gateway',
        'ingest-screen',
        'invocation-logging',
        'network-guard',
      ] as const;
      expect(Object.keys(manifest.functions).sort()).toEqual([...names]);
      for (const name of names) {
        const bytes = fs.readFileSync(path.join(lambdaBundleDir(name), 'index.js'));
        expect(bytes.length).toBe(manifest.functions[name]!.bytes);
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(manifest.functions[name]!.sha256);
      }
    });
  });

  describe('runtime', () => {
    test('latestNodeRuntime is the newest Node.js runtime the installed aws-cdk-lib knows, at least Node.js 24', () => {
      const majors = lambda.Runtime.ALL.map((r) => /^nodejs(\d+)\.x$/.exec(r.name)?.[1]).filter((m): m is string => m !== undefined).map(Number);
      expect(latestNodeRuntime().name).toBe(`nodejs${Math.max(24, ...majors)}.x`);
    });

    test('latestNodeRuntime follows a newer aws-cdk-lib that adds a runtime (cdk-nag judges by the same list)', () => {
      // GIVEN a runtime newer than any released one, registered as a newer aws-cdk-lib would
      const future = new lambda.Runtime('nodejs98.x', lambda.RuntimeFamily.NODEJS);
      // THEN
      expect(latestNodeRuntime()).toBe(future);
    });
  });
});
