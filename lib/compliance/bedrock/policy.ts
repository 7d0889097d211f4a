import { IConstruct } from 'constructs';
import {
  JsonObject,
  TemplateResource,
  arnResourcePart,
  asArray,
  flatten,
  hasWildcard,
  isObject,
  referencedLogicalId,
  referencesLogicalId,
  stackResources,
  wildcardMatch,
} from './template';

/**
 * The IAM actions that run inference on a Bedrock model or inference profile. `Converse` and
 * `ConverseStream` are not IAM actions: they are authorized by `bedrock:InvokeModel` and
 * `bedrock:InvokeModelWithResponseStream` (Amazon Bedrock User Guide, "Prerequisites for running
 * model inference"); `InvokeModelWithBidirectionalStream` is authorized by `bedrock:InvokeModel`.
 */
export const BEDROCK_INVOKE_ACTIONS: readonly string[] = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'];

/** The condition key that names the guardrail a model call carries (`<guardrail ARN>:<version>`). */
export const GUARDRAIL_CONDITION_KEY = 'bedrock:GuardrailIdentifier';

/** CloudFormation types whose properties hold identity-based policy documents. */
export const IDENTITY_POLICY_TYPES: readonly string[] = [
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::IAM::Role',
  'AWS::IAM::User',
  'AWS::IAM::Group',
  'AWS::IAM::RolePolicy',
  'AWS::IAM::UserPolicy',
  'AWS::IAM::GroupPolicy',
];

/** The CloudFormation type of a VPC endpoint, whose `PolicyDocument` is a resource policy. */
export const VPC_ENDPOINT_TYPE = 'AWS::EC2::VPCEndpoint';

/**
 * Model-id prefixes of Amazon Bedrock's text-embedding models. They produce vectors, not text, and Bedrock does not
 * apply guardrails to them, so invoking them cannot carry `bedrock:GuardrailIdentifier`.
 */
export const EMBEDDING_MODEL_ID_PREFIXES: readonly string[] = ['amazon.titan-embed-', 'cohere.embed-'];

/**
 * Whether a flattened ARN names exactly one embedding foundation model (`…::foundation-model/<embedding model id>`,
 * no wildcard). Inference profiles and text models are never embedding ARNs.
 */
export function isEmbeddingModelArn(arn: string): boolean {
  if (!arn.startsWith('arn:') || hasWildcard(arn)) return false;
  const resource = arnResourcePart(arn);
  if (resource === undefined || !arn.includes(':bedrock:') || !resource.startsWith('foundation-model/')) return false;
  const modelId = resource.slice('foundation-model/'.length);
  return !modelId.includes('/') && EMBEDDING_MODEL_ID_PREFIXES.some((p) => modelId.startsWith(p));
}

/** One statement of a resolved policy document. */
export interface PolicyStatement {
  /** Its position in the document. */
  readonly index: number;
  /** `Sid`, when set. */
  readonly sid?: string;
  /** `Effect`. */
  readonly effect: string;
  /** `Action` (flattened, `[]` when absent). */
  readonly actions: string[];
  /** `NotAction` (flattened), or `undefined` when absent. */
  readonly notActions?: string[];
  /** `Resource` (resolved, not flattened), `[]` when absent. */
  readonly resources: unknown[];
  /** `NotResource` (resolved), or `undefined` when absent. */
  readonly notResources?: unknown[];
  /** `Principal`, when set (resource policies). */
  readonly principal?: unknown;
  /** `Condition`, `{}` when absent. */
  readonly condition: JsonObject;
}

/** A policy document of a resource, with the name of the inline policy that holds it, if any. */
export interface PolicyDocumentOf {
  /** The resource. */
  readonly resource: TemplateResource;
  /** `PolicyName` of an inline policy of a role, user or group; `undefined` for a standalone policy. */
  readonly policyName?: string;
  /** The statements. */
  readonly statements: PolicyStatement[];
}

/** The statements of a resolved policy document (`Statement` may be one object or a list). */
export function statementsOf(document: unknown): PolicyStatement[] {
  if (!isObject(document)) {
    return [];
  }
  return asArray(document.Statement)
    .filter(isObject)
    .map((s, index) => ({
      index,
      sid: typeof s.Sid === 'string' ? s.Sid : undefined,
      effect: String(s.Effect ?? ''),
      actions: asArray(s.Action).map(flatten),
      notActions: s.NotAction === undefined ? undefined : asArray(s.NotAction).map(flatten),
      resources: asArray(s.Resource),
      notResources: s.NotResource === undefined ? undefined : asArray(s.NotResource),
      principal: s.Principal,
      condition: isObject(s.Condition) ? s.Condition : {},
    }));
}

/**
 * The identity-based policy documents a resource carries: the `PolicyDocument` of a policy,
 * managed policy or role/user/group policy, or each inline `Policies[]` entry of a role, user or group.
 * `[]` for any other resource type.
 */
export function identityPolicyDocuments(resource: TemplateResource): PolicyDocumentOf[] {
  switch (resource.type) {
    case 'AWS::IAM::Role':
    case 'AWS::IAM::User':
    case 'AWS::IAM::Group':
      return asArray(resource.properties.Policies)
        .filter(isObject)
        .map((p) => ({
          resource,
          policyName: typeof p.PolicyName === 'string' ? p.PolicyName : flatten(p.PolicyName),
          statements: statementsOf(p.PolicyDocument),
        }));
    default:
      return IDENTITY_POLICY_TYPES.includes(resource.type)
        ? [{ resource, statements: statementsOf(resource.properties.PolicyDocument) }]
        : [];
  }
}

/** The endpoint policy of an `AWS::EC2::VPCEndpoint`; `[]` for other resources or when it has none. */
export function endpointPolicyDocuments(resource: TemplateResource): PolicyDocumentOf[] {
  if (resource.type !== VPC_ENDPOINT_TYPE || resource.properties.PolicyDocument === undefined) {
    return [];
  }
  return [{ resource, statements: statementsOf(resource.properties.PolicyDocument) }];
}

/**
 * A stable label for a statement in finding ids: its `Sid`, else `#<index>`, prefixed with the
 * inline policy name (`InlinePolicy/Sid`) for inline policies of roles, users and groups.
 */
export function statementLabel(document: PolicyDocumentOf, statement: PolicyStatement): string {
  const own = statement.sid ?? `#${statement.index}`;
  return document.policyName ? `${document.policyName}/${own}` : own;
}

/** Whether an action pattern of a policy matches `action` (IAM action names are case-insensitive). */
export function actionMatches(pattern: string, action: string): boolean {
  return wildcardMatch(pattern, action, true);
}

/**
 * The members of `actions` a statement applies to: those matched by an `Action` pattern, or, for
 * a `NotAction` statement, those no `NotAction` pattern matches.
 */
export function statementActions(statement: PolicyStatement, actions: readonly string[]): string[] {
  if (statement.notActions !== undefined) {
    return actions.filter((a) => !statement.notActions!.some((p) => actionMatches(p, a)));
  }
  return actions.filter((a) => statement.actions.some((p) => actionMatches(p, a)));
}

/**
 * Whether an action pattern matches every action of a service, present and future: `*`,
 * `bedrock:*`, `bedrock*`, `*:*`... It must match the service prefix with an empty action name
 * (so the part after the prefix is only `*`) and with an arbitrary one.
 */
export function coversWholeService(pattern: string, service: string): boolean {
  return actionMatches(pattern, `${service}:`) && actionMatches(pattern, `${service}:\u0001Any`);
}

/** Whether `Principal` is everyone: `*`, `{ AWS: '*' }` or `{ AWS: ['*'] }`. */
export function isAnyPrincipal(principal: unknown): boolean {
  if (principal === '*') {
    return true;
  }
  return isObject(principal) && asArray(principal.AWS).some((p) => p === '*');
}

/** One condition of a statement: an operator (`StringEquals`, …), a key and its values. */
export interface ConditionEntry {
  /** The operator, as written (`StringEquals`, `ForAnyValue:StringLike`, `StringNotEqualsIfExists`, …). */
  readonly operator: string;
  /** The condition key, as written. */
  readonly key: string;
  /** The values, flattened. */
  readonly values: string[];
}

/** Every (operator, key, values) condition of a statement. */
export function conditionEntries(statement: PolicyStatement): ConditionEntry[] {
  return Object.entries(statement.condition).flatMap(([operator, block]) =>
    isObject(block) ? Object.entries(block).map(([key, values]) => ({ operator, key, values: asArray(values).map(flatten) })) : [],
  );
}

/** The conditions of a statement on `key` (condition keys are case-insensitive). */
export function conditionsOn(statement: PolicyStatement, key: string): ConditionEntry[] {
  return conditionEntries(statement).filter((c) => c.key.toLowerCase() === key.toLowerCase());
}

/**
 * Which principals in the stack a policy resource applies to, as keys `Role:<logicalId>`
 * (or `Role:name:<literal name>` for principals named by a literal). A role, user or group
 * applies its inline policies to itself; a policy or managed policy to the principals it lists
 * (`Roles`, `Users`, `Groups`) and, for a managed policy, to those listing it in `ManagedPolicyArns`;
 * a role/user/group policy to its `RoleName`/`UserName`/`GroupName`.
 */
export function attachedPrincipals(resource: TemplateResource): string[] {
  const kindOf: Record<string, string> = { Roles: 'Role', Users: 'User', Groups: 'Group' };
  const keyOf = (kind: string, value: unknown): string => {
    const id = referencedLogicalId(value);
    return id ? `${kind}:${id}` : `${kind}:name:${flatten(value)}`;
  };
  switch (resource.type) {
    case 'AWS::IAM::Role':
      return [`Role:${resource.logicalId}`];
    case 'AWS::IAM::User':
      return [`User:${resource.logicalId}`];
    case 'AWS::IAM::Group':
      return [`Group:${resource.logicalId}`];
    case 'AWS::IAM::RolePolicy':
      return [keyOf('Role', resource.properties.RoleName)];
    case 'AWS::IAM::UserPolicy':
      return [keyOf('User', resource.properties.UserName)];
    case 'AWS::IAM::GroupPolicy':
      return [keyOf('Group', resource.properties.GroupName)];
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::ManagedPolicy': {
      const listed = Object.entries(kindOf).flatMap(([prop, kind]) => asArray(resource.properties[prop]).map((v) => keyOf(kind, v)));
      if (resource.type === 'AWS::IAM::ManagedPolicy') {
        for (const principal of stackResources(resource.node, ['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group'])) {
          if (referencesLogicalId(principal.properties.ManagedPolicyArns, resource.logicalId)) {
            listed.push(`${principal.type.split('::')[2]}:${principal.logicalId}`);
          }
        }
      }
      return [...new Set(listed)];
    }
    default:
      return [];
  }
}

/**
 * Every identity-based policy document in `scope`'s stack, with the principals it applies to.
 * Resolves each IAM resource of the stack: call it only when a rule needs to look beyond one resource.
 */
export function stackIdentityPolicies(scope: IConstruct): Array<{ document: PolicyDocumentOf; principals: string[] }> {
  return stackResources(scope, IDENTITY_POLICY_TYPES).flatMap((resource) => {
    const principals = attachedPrincipals(resource);
    return identityPolicyDocuments(resource).map((document) => ({ document, principals }));
  });
}
