import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnResource, Stack, Stage } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * The resource types whose coverage the report lists one by one: what runs code, what holds
 * permissions, and where they log. A generated one (e.g. the handler aws-cdk-lib adds for
 * `restrictDefaultSecurityGroup`) is as deployable as ours and must be as visible.
 */
export const COVERED_RESOURCE_TYPES = ['AWS::Lambda::Function', 'AWS::IAM::Role', 'AWS::Logs::LogGroup'] as const;

/** One resource of a synthesized template. */
export interface TemplateResource {
  /** The stack's name. */
  readonly stack: string;
  readonly logicalId: string;
  /** The CloudFormation type. */
  readonly type: string;
  /** The construct path of the `CfnResource` that wrote it; undefined when no construct did (raw template overrides). */
  readonly path?: string;
  /** The class of that construct (`CfnFunction`, or `CfnResource` for a raw resource cdk-nag's rules do not recognise). */
  readonly constructClass?: string;
  /** The template's properties, for what the report says about the resource. */
  readonly properties: Readonly<Record<string, unknown>>;
}

interface TemplateJson {
  readonly Resources?: Record<string, { readonly Type?: string; readonly Properties?: Record<string, unknown> }>;
}

function stacksOf(root: IConstruct): Stack[] {
  return root.node.findAll().filter(Stack.isStack);
}

/**
 * Every resource of every template synthesized from `root`, read from the assembly on disk and
 * matched to the construct that wrote it by logical ID. Stacks whose template was not written
 * (synthesis failed before) are skipped.
 */
export function readTemplateResources(root: IConstruct): TemplateResource[] {
  return stacksOf(root).flatMap((stack) => {
    const file = path.join(Stage.of(stack)?.outdir ?? '', stack.templateFile);
    if (!fs.existsSync(file)) {
      return [];
    }
    const template = JSON.parse(fs.readFileSync(file, 'utf8')) as TemplateJson;
    const constructs = new Map<string, CfnResource>();
    for (const c of stack.node.findAll()) {
      if (CfnResource.isCfnResource(c) && Stack.of(c) === stack) {
        constructs.set(stack.resolve(c.logicalId) as string, c);
      }
    }
    return Object.entries(template.Resources ?? {}).map(([logicalId, r]) => {
      const c = constructs.get(logicalId);
      return {
        stack: stack.stackName,
        logicalId,
        type: r.Type ?? '',
        path: c?.node.path,
        constructClass: c?.constructor.name,
        properties: r.Properties ?? {},
      };
    });
  });
}
