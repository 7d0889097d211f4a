import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Annotations, AssetHashType, CfnResource, DockerImage, ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { LambdaCodeSigning } from '../code-signing/lambda-code-signing';
import { contentSha256 } from './signed-artifacts';

/**
 * The Lambda functions whose handlers ship pre-built in this package (`dist/bundles/<name>/index.js`, and for the
 * gateway the modules it loads on first use, each a `.js` file beside it).
 */
export type LambdaBundleName =
  | 'authorizer'
  | 'chunk-screen'
  | 'customization-evaluate'
  | 'customization-verify'
  | 'gateway'
  | 'ingest-screen'
  | 'invocation-logging'
  | 'network-guard';

/** The bundle directory, relative to the package root. `scripts/bundle-lambdas.mjs` writes it. */
const BUNDLES_DIR = path.join('dist', 'bundles');

/**
 * The root of this package: the nearest directory above this file that holds a `package.json`.
 * From the sources (`constructs/shared/`) and from the compiled package (`dist/constructs/shared/`,
 * which has no `package.json` of its own) this is the same directory, so both find the bundles at
 * `<root>/dist/bundles`.
 */
function packageRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`secure-llm-blueprint: no package.json above ${__dirname}; the package is incomplete, reinstall it`);
    }
    dir = parent;
  }
  return dir;
}

/**
 * The directory holding the pre-built bundle of a function (its `index.js` exports `handler`).
 * Fails with what to do when the bundle is missing: in a clone of the repository it is built by
 * `npm run build:bundles` (tests and `cdk synth` run it first); an installed package always has it.
 */
export function lambdaBundleDir(name: LambdaBundleName): string {
  const dir = path.join(packageRoot(), BUNDLES_DIR, name);
  if (!fs.existsSync(path.join(dir, 'index.js'))) {
    throw new Error(
      `The pre-built Lambda bundle of "${name}" is missing (${path.join(dir, 'index.js')}). ` +
        'In a clone of secure-llm-blueprint run "npm run build:bundles"; an installed package ships it, so reinstall the package.',
    );
  }
  return dir;
}

/**
 * Every file of a bundle directory, in name order: `index.js` and the modules it loads on first use
 * (`scripts/bundle-deferred.json`). What the function deploys, so what the code-signing digest covers.
 */
function bundleFiles(dir: string): Array<{ readonly name: string; readonly contents: Buffer }> {
  return fs
    .readdirSync(dir)
    .sort()
    .map((name) => ({ name, contents: fs.readFileSync(path.join(dir, name)) }));
}

/**
 * The code of a function from its pre-built bundle, signed when the function is covered by code signing.
 *
 * When the function binds it, the code looks for the {@link LambdaCodeSigning} of the function's scope. Without one it is
 * the asset it wraps. With one, the function takes the code-signing configuration (`CodeSigningConfigArn`) and deploys
 * the signed S3 object that the signed-artifacts file records for exactly these files (same content digest); when
 * there is none, the function gets a validation error (synthesis fails) and keeps the asset, so the unsigned code is
 * staged in the cloud assembly for `secure-llm-sign` to sign. This is how every function of the package gets code
 * signing without wiring: it only has to take its code from {@link prebuiltCode} or {@link prebuiltCodeWithFile}.
 */
class PrebuiltBundleCode extends lambda.Code {
  private asset?: lambda.Code;
  private signing?: LambdaCodeSigning;

  constructor(
    private readonly name: LambdaBundleName,
    private readonly files: ReadonlyArray<{ readonly name: string; readonly contents: Buffer | string }>,
    private readonly makeAsset: () => lambda.Code,
  ) {
    super();
  }

  public bind(scope: Construct): lambda.CodeConfig {
    this.signing = LambdaCodeSigning.of(scope);
    if (this.signing !== undefined) {
      const lookup = this.signing.lookUp(this.name, contentSha256(this.files));
      if ('found' in lookup) {
        const { bucket, key, objectVersion } = lookup.found;
        return { s3Location: { bucketName: bucket, objectKey: key, objectVersion } };
      }
      // A validation error, not a throw: synthesis fails after every function has staged its unsigned code, so one
      // run of secure-llm-sign signs them all.
      const problem = lookup.problem;
      if (this.signing.requireSignedCode) {
        scope.node.addValidation({ validate: () => [problem] });
      } else {
        Annotations.of(scope).addWarningV2('secure-llm:unsignedCode', `${problem} (allowed only because requireSignedCode is false: this template cannot deploy)`);
      }
    }
    this.asset ??= this.makeAsset();
    return this.asset.bind(scope);
  }

  public bindToResource(resource: CfnResource, options?: lambda.ResourceBindOptions): void {
    if (this.signing !== undefined) {
      if (!(resource instanceof lambda.CfnFunction)) {
        throw new Error(`The pre-built code of "${this.name}" is signed for a Lambda function, but was bound to ${resource.cfnResourceType} ${resource.node.path}`);
      }
      resource.codeSigningConfigArn = this.signing.codeSigningConfigArn;
    }
    this.asset?.bindToResource(resource, options);
  }
}

/**
 * The pre-built code of a function, deployed as it is: no bundling, no esbuild, no Docker. Under a
 * {@link LambdaCodeSigning}, the signed copy of the same bytes (see `PrebuiltBundleCode`).
 */
export function prebuiltCode(name: LambdaBundleName): lambda.Code {
  const dir = lambdaBundleDir(name);
  return new PrebuiltBundleCode(name, bundleFiles(dir), () => lambda.Code.fromAsset(dir));
}

/**
 * CDK's local staging hook for {@link prebuiltCodeWithFile}: copies the bundle unchanged and writes one
 * file beside it. Its public fields are part of CDK's staging cache key (CDK serializes the bundling
 * options), so two functions with different files never share a staged asset; the contents themselves
 * stay in a private field.
 */
class BundleWithFile implements ILocalBundling {
  /** SHA-256 of the file name and contents. */
  public readonly fileSha256: string;
  readonly #contents: string;

  constructor(
    public readonly sourceDir: string,
    public readonly fileName: string,
    contents: string,
  ) {
    this.#contents = contents;
    this.fileSha256 = createHash('sha256').update(fileName).update('\0').update(contents).digest('hex');
  }

  public tryBundle(outputDir: string): boolean {
    for (const name of fs.readdirSync(this.sourceDir)) fs.copyFileSync(path.join(this.sourceDir, name), path.join(outputDir, name));
    fs.writeFileSync(path.join(outputDir, this.fileName), this.#contents);
    return true;
  }
}

/**
 * The pre-built code of a function with one data file added beside its bundle's files (the gateway's static
 * configuration, which can exceed Lambda's 4 KB environment limit). The code bytes are copied
 * unchanged by CDK's local staging hook, so nothing is bundled and Docker is never used (the image
 * below is only a required placeholder: `tryBundle` returning `true` keeps CDK from touching it).
 * The asset hash covers code and file; under a {@link LambdaCodeSigning}, the signed zip of both is deployed.
 */
export function prebuiltCodeWithFile(name: LambdaBundleName, fileName: string, contents: string): lambda.Code {
  const dir = lambdaBundleDir(name);
  const code = bundleFiles(dir);
  if (path.basename(fileName) !== fileName || code.some((f) => f.name === fileName)) {
    throw new Error(`fileName must be a plain file name other than those of the bundle (${code.map((f) => f.name).join(', ')}), got ${JSON.stringify(fileName)}`);
  }
  const files = [...code, { name: fileName, contents }];
  return new PrebuiltBundleCode(name, files, () =>
    lambda.Code.fromAsset(dir, {
      assetHashType: AssetHashType.OUTPUT,
      bundling: { image: DockerImage.fromRegistry('scratch'), local: new BundleWithFile(dir, fileName, contents) },
    }),
  );
}

/** The oldest Node.js runtime the bundles run on: `scripts/bundle-lambdas.mjs` compiles for `node24`. */
const BUNDLE_TARGET_NODE_MAJOR = 24;

/**
 * The newest Node.js Lambda runtime that the installed aws-cdk-lib knows (`Runtime.ALL`), and at least the
 * bundles' target (Node.js 24): what cdk-nag's latest-runtime rules (AwsSolutions-L1,
 * Serverless-LambdaLatestVersion) expect, on whatever aws-cdk-lib version the consumer runs. The bundles
 * use no newer syntax than their target, so a newer runtime runs them unchanged.
 */
export function latestNodeRuntime(): lambda.Runtime {
  let latest: lambda.Runtime = lambda.Runtime.NODEJS_24_X;
  let latestMajor = BUNDLE_TARGET_NODE_MAJOR;
  for (const runtime of lambda.Runtime.ALL) {
    const major = /^nodejs(\d+)\.x$/.exec(runtime.name)?.[1];
    if (major !== undefined && Number(major) > latestMajor) {
      latest = runtime;
      latestMajor = Number(major);
    }
  }
  return latest;
}
