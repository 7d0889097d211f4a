import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildBlueprint } from '../../../lib/blueprint';
import { BlueprintConfigInput, parseConfig } from '../../../lib/config';
import { ComplianceResult, formatFindings, newTemplateApp, newTestApp, synthWithCompliance } from '../../helpers/compliance';
import { recordStagedCodeAsSigned } from '../../helpers/signed-code';

const ROOT = path.join(__dirname, '..', '..', '..');

/** The three ways a platform team deploys: no environment, a region, an account and a region. */
export type EnvironmentMode = 'agnostic' | 'region' | 'account+region';

/** One configuration the repository ships, synthesized in one environment mode. */
export interface EnvironmentCase {
  /** `cdk.json` (its blueprint object) or `config/<file>`. */
  readonly source: string;
  readonly mode: EnvironmentMode;
  /** The configuration as written, with `env` replaced for the mode. */
  readonly input: BlueprintConfigInput;
}

/** The committed configurations: cdk.json's blueprint object and every file in config/. */
function sources(): Array<{ source: string; input: BlueprintConfigInput }> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8'));
  const dir = path.join(ROOT, 'config');
  return [
    { source: 'cdk.json', input: cdkJson.context.blueprint ?? {} },
    ...fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => ({ source: `config/${f}`, input: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) })),
  ];
}

/**
 * The environment of a mode: a configuration's own region, account and zones where it pins them,
 * else eu-west-1 and a documentation account id (and no zones: the deploy-time default).
 */
function envFor(mode: EnvironmentMode, own: BlueprintConfigInput['env']): BlueprintConfigInput['env'] {
  const region = own?.region ?? 'eu-west-1';
  if (mode === 'agnostic') {
    return undefined;
  }
  if (mode === 'region') {
    return { region, availabilityZones: own?.availabilityZones };
  }
  return { account: own?.account ?? '123456789012', region, availabilityZones: own?.availabilityZones };
}

/**
 * With the account pinned, a configuration must name where alerts go (synth fails otherwise: test/lib/config.test.ts).
 * A source that names none (cdk.json's defaults ask for an address at deploy time instead) gets one baseline address here,
 * as the team pinning its account would add; the gateway's alarms then go to the baseline's topic, as they do in every
 * source that gives the gateway no destination of its own.
 */
function withAlertRecipients(mode: EnvironmentMode, input: BlueprintConfigInput): BlueprintConfigInput {
  if (mode !== 'account+region') {
    return input;
  }
  return { ...input, baseline: { ...input.baseline, alertEmails: input.baseline?.alertEmails ?? ['secops@example.com'] } };
}

/**
 * The modes a configuration can be deployed in: one that pins its account is deployed only that way (any other mode
 * would replace what its author wrote), one that pins only its region is deployed region- or account+region-pinned,
 * and one that pins nothing as written (environment-agnostic); cdk.json's default app is synthesized in all three.
 */
function modesFor(source: string, env: BlueprintConfigInput['env']): EnvironmentMode[] {
  if (env?.account !== undefined) return ['account+region'];
  if (env?.region !== undefined) return ['region', 'account+region'];
  // The default app is where the three modes are proved; a config file that pins nothing is synthesized as written.
  return source === 'cdk.json' ? ['agnostic', 'region', 'account+region'] : ['agnostic'];
}

/**
 * The default app as written (cdk.json, environment-agnostic) is exactly the app test/lib/app-compliance.test.ts
 * synthesizes with every compliance check; that file asserts {@link expectDeployableAsConfigured} on its assembly, so
 * the environment shards leave this one case out instead of synthesizing the same app again.
 */
const SYNTHESIZED_BY_APP_COMPLIANCE = (c: EnvironmentCase) => c.source === 'cdk.json' && c.mode === 'agnostic';

/**
 * Each committed configuration passes every check once, and each mode passes every check with some configuration: cdk.json
 * as written (test/lib/app-compliance.test.ts) and region-pinned, org-managed.json as written, and retrieval.json, strict.json
 * and team-account.json account+region-pinned. cdk.json account+region-pinned adds nothing those checks have not seen (the
 * default app, with the account of the other account+region cases and the alert address every other configuration names),
 * so that case proves what only it can, deploying the default app account+region-pinned with no lookup in the configured
 * environment and zones, on a synthesis without the compliance checks (about a sixth of the suite's environment CPU).
 */
export const CHECKED_BY_OTHER_CASES = (c: EnvironmentCase): boolean => c.source === 'cdk.json' && c.mode === 'account+region';

/** Every committed configuration in every mode it can be deployed in. */
export function allEnvironmentCases(): EnvironmentCase[] {
  return sources().flatMap(({ source, input }) =>
    modesFor(source, input.env).map((mode) => ({ source, mode, input: { ...withAlertRecipients(mode, input), env: envFor(mode, input.env) } })),
  );
}

/** The size of a case's configuration as written (its JSON, env included). */
const configurationSize = (c: EnvironmentCase): number => JSON.stringify(c.input).length;

/**
 * The cases the environment shards synthesize (all but the one app-compliance synthesizes), dealt round-robin into
 * `shards` parts, those with every check first; returns part `shard`, its cases with every check largest configuration
 * first. aws-cdk-lib builds the CloudFormation validator's engine for the resource types of the app it checks and keeps
 * it for the next app of the test file whose resource types are among them (else it builds it again, about two seconds
 * of CPU); a larger configuration deploys the resource types of the smaller ones (retrieval.json those of
 * team-account.json and cdk.json's), so it goes first. The order changes nothing the cases check.
 */
export function environmentCases(shard: number, shards: number): EnvironmentCase[] {
  const cases = allEnvironmentCases().filter((c) => !SYNTHESIZED_BY_APP_COMPLIANCE(c));
  const part = [...cases.filter((c) => !CHECKED_BY_OTHER_CASES(c)), ...cases.filter(CHECKED_BY_OTHER_CASES)].filter((_, i) => i % shards === shard);
  const checked = part.filter((c) => !CHECKED_BY_OTHER_CASES(c)).sort((a, b) => configurationSize(b) - configurationSize(a));
  return [...checked, ...part.filter(CHECKED_BY_OTHER_CASES)];
}

/**
 * A configuration with codeSigning synthesizes only once its code is signed: as an operator does (README, "Supply
 * chain"), the app is built once, which stages the code, the staged code is recorded as signed (a stand-in for
 * secure-llm-sign), and the configuration then names that file, in `dir`.
 */
function withSignedCode(input: BlueprintConfigInput, dir: string): BlueprintConfigInput {
  if (input.codeSigning === undefined) {
    return input;
  }
  const staging = newTestApp();
  try {
    const file = path.join(dir, 'signed-artifacts.json');
    const signed = { ...input, codeSigning: { ...input.codeSigning, signedArtifactsFile: file } };
    // Built, not synthesized: construction stages the code.
    buildBlueprint(staging, parseConfig(signed), { compliance: false });
    recordStagedCodeAsSigned(staging.outdir, file);
    return signed;
  } finally {
    fs.rmSync(staging.outdir, { recursive: true, force: true });
  }
}

/**
 * Builds the app from `c` exactly as `cdk synth` would, synthesizes it with every compliance
 * check, hands the result to `inspect` and removes the assembly directory.
 */
export function withSynthesizedCase(c: EnvironmentCase, inspect: (result: ComplianceResult) => void): void {
  const app = newTestApp();
  try {
    buildBlueprint(app, parseConfig(withSignedCode(c.input, app.outdir), c.source));
    inspect(synthWithCompliance(app, { packsAlreadyAdded: true }));
  } finally {
    fs.rmSync(app.outdir, { recursive: true, force: true });
  }
}

/**
 * Builds the app from `c` as `cdk synth` would but without the compliance gates, and without aws-cdk-lib's CloudFormation
 * validator ({@link CHECKED_BY_OTHER_CASES}), synthesizes it, hands the result (no findings: nothing was checked) to
 * `inspect` and removes the assembly directory.
 */
export function withSynthesizedCaseUnchecked(c: EnvironmentCase, inspect: (result: ComplianceResult) => void): void {
  const app = newTemplateApp();
  try {
    buildBlueprint(app, parseConfig(withSignedCode(c.input, app.outdir), c.source), { compliance: false });
    inspect({ assembly: app.synth(), findings: [] });
  } finally {
    fs.rmSync(app.outdir, { recursive: true, force: true });
  }
}

/**
 * Every committed configuration synthesizes with every compliance check in each mode it can be deployed in
 * ({@link modesFor}: environment-agnostic, region-pinned, account+region-pinned), without AWS credentials: no finding, and no context
 * lookup left for the CDK CLI to make; the one case whose checks other cases make ({@link CHECKED_BY_OTHER_CASES}) synthesizes
 * without them. Each of `shards` test files declares part `shard`, so jest runs them in parallel.
 */
export function describeEnvironmentCases(shard: number, shards: number): void {
  for (const c of environmentCases(shard, shards)) {
    describe(`${c.source}, ${c.mode}`, () => {
      if (CHECKED_BY_OTHER_CASES(c)) {
        test('synthesizes with no lookup and the configured environment (its checks: the other cases)', () => {
          withSynthesizedCaseUnchecked(c, (result) => expectDeployableAsConfigured(c, result));
        });
      } else {
        test('passes every check with no lookup and the configured environment', () => {
          withSynthesizedCase(c, (result) => expectDeployableAsConfigured(c, result));
        });
      }
    });
  }
}

/**
 * The assertions of an environment case on its synthesis with every compliance check: no finding, no context lookup
 * left for the CDK CLI, every stack in the configured environment, and subnets in the configured zones (else in the
 * zones CloudFormation resolves at deploy time).
 */
export function expectDeployableAsConfigured(c: EnvironmentCase, result: ComplianceResult): void {
  expect(formatFindings(result.findings)).toBe('');
  const assembly = result.assembly;
  expect(assembly.manifest.missing ?? []).toEqual([]);
  for (const stack of assembly.stacks) {
    expect(stack.environment.region).toBe(c.input.env?.region ?? 'unknown-region');
    expect(stack.environment.account).toBe(c.input.env?.account ?? 'unknown-account');
  }
  const listed = c.input.env?.availabilityZones;
  const zones = assembly.stacks.flatMap((s) =>
    Object.values(s.template.Resources as Record<string, { Type: string; Properties: { AvailabilityZone?: unknown } }>)
      .filter((r) => r.Type === 'AWS::EC2::Subnet')
      .map((r) => r.Properties.AvailabilityZone),
  );
  expect(zones.length).toBeGreaterThanOrEqual(2);
  for (const zone of zones) {
    if (listed) {
      expect(listed).toContain(zone);
    } else {
      expect(zone).toEqual({ 'Fn::Select': [expect.any(Number), { 'Fn::GetAZs': '' }] });
    }
  }
}
