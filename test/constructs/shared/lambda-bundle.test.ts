import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { lambdaBundleDir, latestNodeRuntime } from '../../../constructs/shared/lambda-bundle';

describe('lambda bundles', () => {
  describe('defaults', () => {
    test('every function has its pre-built bundle, each file listed with its SHA-256 in the manifest', () => {
      const manifest = JSON.parse(fs.readFileSync(path.join(lambdaBundleDir('gateway'), '..', 'manifest.json'), 'utf8')) as {
        functions: Record<string, { sha256: string; bytes: number; files: Array<{ file: string; sha256: string; bytes: number }> }>;
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
        const dir = lambdaBundleDir(name);
        const fn = manifest.functions[name]!;
        const index = fs.readFileSync(path.join(dir, 'index.js'));
        expect(index.length).toBe(fn.bytes);
        expect(createHash('sha256').update(index).digest('hex')).toBe(fn.sha256);
        // Every file the function deploys (its whole directory) is in the manifest, index.js first.
        expect(fn.files.map((f) => f.file)).toEqual(['index.js', ...fs.readdirSync(dir).filter((f) => f !== 'index.js').sort()].map((f) => `${name}/${f}`));
        for (const f of fn.files) {
          const bytes = fs.readFileSync(path.join(dir, '..', f.file));
          expect([bytes.length, createHash('sha256').update(bytes).digest('hex')]).toEqual([f.bytes, f.sha256]);
        }
      }
    });

    test('the gateway loads its DynamoDB and Agent Runtime clients and its document screen from files of their own, on first use', () => {
      const dir = lambdaBundleDir('gateway');
      const index = fs.readFileSync(path.join(dir, 'index.js'), 'utf8');
      const deferred = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'scripts', 'bundle-deferred.json'), 'utf8')) as Record<string, string[]>;
      // index.js requires exactly the deferred modules from its directory, and carries none of their code
      expect([...index.matchAll(/require\("(\.[^"]*)"\)/g)].map((m) => m[1]).sort()).toEqual(deferred.gateway!.map((m) => `./${m}`).sort());
      expect(index).not.toContain('DynamoDB_20120810');
      expect(index).not.toContain('AmazonBedrockAgentRuntime');
      // each deferred file loads alone and exports what deferred-sdk.ts takes from it
      const script = deferred.gateway!.map((m) => `const ${m.replace(/-/g, '_')}=require(${JSON.stringify(path.join(dir, `${m}.js`))});`).join('') +
        'process.stdout.write(JSON.stringify([Object.keys(agent_runtime_sdk).sort(),Object.keys(document_screen).sort(),Object.keys(dynamodb_sdk).sort()]))';
      const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, AWS_REGION: 'us-east-1', NODE_OPTIONS: '' }, timeout: 60_000 });
      expect(r.stderr).not.toMatch(/Error/);
      expect(JSON.parse(r.stdout)).toEqual([
        ['BedrockAgentRuntimeClient', 'RetrieveCommand'],
        ['screenDocument'],
        ['ConditionalCheckFailedException', 'DynamoDBClient', 'GetItemCommand', 'UpdateItemCommand'],
      ]);
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
