import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * One resource as it appears in the synthesized template: logical id, type and resolved
 * `Properties` (property overrides and tags included; tokens resolved to their CloudFormation
 * form, e.g. `{ Ref: 'Role1234' }` or `{ 'Fn::GetAtt': ['Key1234', 'Arn'] }`).
 */
export interface TemplateResource {
  /** The construct the resource comes from. */
  readonly node: CfnResource;
  /** Its logical id in the template. */
  readonly logicalId: string;
  /** Its CloudFormation type, e.g. `AWS::IAM::Role`. */
  readonly type: string;
  /** Its resolved `Properties` (`{}` when it has none). */
  readonly properties: Record<string, unknown>;
}

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

/** Whether the value is a JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value as an array: `undefined` gives `[]`, a scalar gives `[value]`. */
export function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

/**
 * The resource as it will appear in the template, or `undefined` when it is not synthesized
 * (e.g. `shouldSynthesize()` is false). Works for every `CfnResource`: generated L1 classes,
 * `new CfnResource(...)` with a raw type (custom-resource providers) and included templates.
 */
export function templateResource(node: CfnResource): TemplateResource | undefined {
  const stack = Stack.of(node);
  const fragment = stack.resolve(node._toCloudFormation()) as { Resources?: Record<string, { Type: string; Properties?: unknown }> };
  const entry = Object.entries(fragment.Resources ?? {})[0];
  if (!entry) {
    return undefined;
  }
  const [logicalId, definition] = entry;
  return { node, logicalId, type: definition.Type, properties: isObject(definition.Properties) ? definition.Properties : {} };
}

/**
 * The resources of `node`'s stack (nested stacks excluded) whose type is one of `types`,
 * resolved. Only resources of the wanted types are resolved, so looking up a few related
 * resources stays cheap in a large stack.
 */
export function stackResources(node: IConstruct, types: readonly string[]): TemplateResource[] {
  const stack = Stack.of(node);
  const wanted = new Set(types);
  return stack.node
    .findAll()
    .filter((c): c is CfnResource => CfnResource.isCfnResource(c) && wanted.has(c.cfnResourceType) && Stack.of(c) === stack)
    .map(templateResource)
    .filter((r): r is TemplateResource => r !== undefined);
}

/** The resources of `node`'s stack (nested stacks excluded) whose type matches `pattern`, resolved. */
export function stackResourcesMatching(node: IConstruct, pattern: RegExp): TemplateResource[] {
  const stack = Stack.of(node);
  return stack.node
    .findAll()
    .filter((c): c is CfnResource => CfnResource.isCfnResource(c) && pattern.test(c.cfnResourceType) && Stack.of(c) === stack)
    .map(templateResource)
    .filter((r): r is TemplateResource => r !== undefined);
}

/**
 * The logical id a `Ref` or `Fn::GetAtt` points to (`{ Ref: 'X' }`, `{ 'Fn::GetAtt': ['X', 'Arn'] }`,
 * `{ 'Fn::GetAtt': 'X.Arn' }`), or `undefined` for anything else (literals, joins, pseudo parameters).
 */
export function referencedLogicalId(value: unknown): string | undefined {
  if (!isObject(value)) {
    return undefined;
  }
  if (typeof value.Ref === 'string' && !value.Ref.startsWith('AWS::')) {
    return value.Ref;
  }
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') {
    return getAtt[0];
  }
  if (typeof getAtt === 'string') {
    return getAtt.split('.')[0];
  }
  return undefined;
}

/**
 * Whether `value` refers to the resource `logicalId` anywhere inside it: through `Ref`,
 * `Fn::GetAtt` or a `${logicalId}` / `${logicalId.Attr}` placeholder of `Fn::Sub`.
 */
export function referencesLogicalId(value: unknown, logicalId: string): boolean {
  if (Array.isArray(value)) {
    return value.some((v) => referencesLogicalId(v, logicalId));
  }
  if (!isObject(value)) {
    return false;
  }
  if (referencedLogicalId(value) === logicalId) {
    return true;
  }
  const sub = value['Fn::Sub'];
  const subText = Array.isArray(sub) ? sub[0] : sub;
  if (typeof subText === 'string' && (subText.includes(`\${${logicalId}}`) || subText.includes(`\${${logicalId}.`))) {
    return true;
  }
  return Object.values(value).some((v) => referencesLogicalId(v, logicalId));
}

/**
 * A CloudFormation value as one readable string, in cdk-nag's notation: `Ref` becomes
 * `<LogicalId>`, `Fn::GetAtt` becomes `<LogicalId.Attr>`, `Fn::Join` is joined and `Fn::Sub`
 * placeholders `${X}` become `<X>`. Other intrinsics are written as JSON. Finding ids use this form,
 * e.g. `Resource::arn:<AWS::Partition>:bedrock:<AWS::Region>::foundation-model/*`.
 */
export function flatten(value: unknown): string {
  if (value === undefined || value === null) {
    return '';
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (isObject(value)) {
    if (typeof value.Ref === 'string') {
      return `<${value.Ref}>`;
    }
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt)) {
      return `<${getAtt.map(flatten).join('.')}>`;
    }
    if (typeof getAtt === 'string') {
      return `<${getAtt}>`;
    }
    const join = value['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      return join[1].map(flatten).join(join[0]);
    }
    const sub = value['Fn::Sub'];
    const subText = Array.isArray(sub) ? sub[0] : sub;
    if (typeof subText === 'string') {
      return subText.replace(/\$\{([^}]*)\}/g, '<$1>');
    }
    if (value['Fn::ImportValue'] !== undefined) {
      return `<ImportValue:${flatten(value['Fn::ImportValue'])}>`;
    }
  }
  return JSON.stringify(value);
}

/**
 * Whether `text` matches the IAM-style wildcard `pattern` (`*` any run of characters, `?` one
 * character), over the whole string.
 */
export function wildcardMatch(pattern: string, text: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const t = ignoreCase ? text.toLowerCase() : text;
  // Iterative glob matching with backtracking to the last '*': linear in practice, no regex.
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === t[ti])) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = ti;
    } else if (star !== -1) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') {
    pi++;
  }
  return pi === p.length;
}

/** Whether a string (flattened value) contains an IAM wildcard character. */
export function hasWildcard(text: string): boolean {
  return text.includes('*') || text.includes('?');
}

/**
 * The resource part of a flattened ARN: everything after `arn:partition:service:region:account:`
 * (resource ids may contain colons, e.g. `foundation-model/amazon.nova-lite-v1:0`). Colons inside
 * flattened references (`<AWS::Region>`) do not separate fields. `undefined` when the value has
 * fewer than six fields.
 */
export function arnResourcePart(arn: string): string | undefined {
  let depth = 0;
  let fields = 0;
  for (let i = 0; i < arn.length; i++) {
    const c = arn[i];
    if (c === '<') {
      depth++;
    } else if (c === '>' && depth > 0) {
      depth--;
    } else if (c === ':' && depth === 0 && ++fields === 5) {
      return arn.slice(i + 1);
    }
  }
  return undefined;
}
