import { Template } from 'aws-cdk-lib/assertions';

/** A policy statement as it appears in a synthesized template. */
export interface TemplateStatement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Principal?: unknown;
  readonly Action?: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
  readonly Resource?: unknown;
}

function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** True when a statement's principal is this account's root (`arn:<partition>:iam::<account>:root`). */
export function isAccountRoot(principal: unknown): boolean {
  const aws = (principal as { AWS?: unknown } | undefined)?.AWS;
  return asArray(aws).some((p) => JSON.stringify(p).endsWith(':root"]]}') || (typeof p === 'string' && p.endsWith(':root')));
}

/** Every key-policy statement of every KMS key in the template, with the key's logical id. */
export function keyPolicyStatements(template: Template): Array<{ key: string; statement: TemplateStatement }> {
  return Object.entries(template.findResources('AWS::KMS::Key')).flatMap(([key, r]) =>
    asArray(r.Properties.KeyPolicy.Statement as TemplateStatement[]).map((statement) => ({ key, statement })),
  );
}

/**
 * Every statement of every identity policy in the template (policies, managed policies and roles'
 * inline policies), with where it is.
 */
export function identityStatements(template: Template): Array<{ where: string; statement: TemplateStatement }> {
  const out: Array<{ where: string; statement: TemplateStatement }> = [];
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const [id, r] of Object.entries(template.findResources(type))) {
      for (const statement of asArray(r.Properties.PolicyDocument.Statement as TemplateStatement[])) {
        out.push({ where: id, statement });
      }
    }
  }
  for (const [id, r] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    for (const policy of asArray(r.Properties.Policies as Array<{ PolicyDocument: { Statement: TemplateStatement[] } }>)) {
      for (const statement of asArray(policy.PolicyDocument.Statement)) {
        out.push({ where: id, statement });
      }
    }
  }
  return out;
}

/** Identity-policy statements allowing a KMS action without a `kms:ViaService` condition, as "<where>: <actions>". */
export function kmsGrantsWithoutViaService(template: Template): string[] {
  return identityStatements(template)
    .filter(({ statement }) => statement.Effect === 'Allow' && asArray(statement.Action).some((a) => a.startsWith('kms:') || a === '*'))
    // MAC operations on an HMAC key are made by the caller itself, never through a service: they must pin the algorithm instead.
    .filter(({ statement }) => !(asArray(statement.Action).every((a) => a === 'kms:GenerateMac' || a === 'kms:VerifyMac')
      && Object.values(statement.Condition ?? {}).some((c) => 'kms:MacAlgorithm' in c)))
    .filter(({ statement }) => !Object.values(statement.Condition ?? {}).some((c) => 'kms:ViaService' in c))
    .map(({ where, statement }) => `${where}: ${asArray(statement.Action).join(', ')}`);
}

/** The key-policy statements that grant the account root anything without a condition, as "<key>: <actions>". */
export function unconditionedRootGrants(template: Template): string[] {
  return keyPolicyStatements(template)
    .filter(({ statement }) => statement.Effect === 'Allow' && isAccountRoot(statement.Principal) && statement.Condition === undefined)
    .map(({ key, statement }) => `${key}: ${asArray(statement.Action).join(', ')}`);
}

/** The `aws:PrincipalArn` values each key admits to `kms:PutKeyPolicy`, by key logical id. */
export function keyAdministrators(template: Template): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const { key, statement } of keyPolicyStatements(template)) {
    const actions = asArray(statement.Action);
    if (statement.Effect !== 'Allow' || !actions.some((a) => a === 'kms:PutKeyPolicy' || a === 'kms:Put*' || a === 'kms:*')) {
      continue;
    }
    out[key] = [...(out[key] ?? []), ...asArray(statement.Condition?.ArnLike?.['aws:PrincipalArn'] as unknown)];
  }
  return out;
}

/** The CDK bootstrap CloudFormation execution role of the default synthesizer, as the key policy names it. */
export const DEFAULT_CFN_EXEC_ROLE = {
  'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/cdk-hnb659fds-cfn-exec-role-${AWS::AccountId}-${AWS::Region}',
};

const ENCRYPTED_TYPES = ['AWS::Logs::LogGroup', 'AWS::S3::Bucket', 'AWS::SNS::Topic', 'AWS::SQS::Queue', 'AWS::CloudTrail::Trail', 'AWS::DynamoDB::Table', 'AWS::Bedrock::Guardrail'];

/**
 * The KMS key (logical id without its hash) each encrypted resource of the template refers to, by
 * resource logical id without its hash; resources encrypted without a key of the template are left out.
 */
export function keyOfEachEncryptedResource(template: Template): Record<string, string> {
  const keys = Object.keys(template.findResources('AWS::KMS::Key'));
  const out: Record<string, string> = {};
  for (const type of ENCRYPTED_TYPES) {
    for (const [id, r] of Object.entries(template.findResources(type))) {
      const text = JSON.stringify(r.Properties ?? {});
      const used = keys.filter((k) => text.includes(`"${k}"`));
      if (used.length > 0) {
        out[id.replace(/[0-9A-F]{8}$/, '')] = used.map((k) => k.replace(/[0-9A-F]{8}$/, '')).join('+');
      }
    }
  }
  return out;
}

/** The `kms:ViaService` prefixes (`s3.`, `sqs.` …) each key admits its account's principals through, by key id without its hash. */
export function viaServicesByKey(template: Template): Record<string, string[]> {
  return Object.fromEntries(
    keyPolicyStatements(template)
      .filter(({ statement }) => statement.Sid === 'UseThroughAwsServicesOfThisAccount')
      .map(({ key, statement }) => [
        key.replace(/[0-9A-F]{8}$/, ''),
        asArray(statement.Condition!.StringEquals!['kms:ViaService'] as unknown).map((v) =>
          typeof v === 'string' ? v.split('.')[0]! : String((v as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1][0]).replace(/\.$/, ''),
        ),
      ]),
  );
}
