import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * A string as cdk-nag spells it inside a finding id such as `AwsSolutions-IAM5[Resource::…]`:
 * resolved in the scope's stack, then `Ref` written `<Name>`, `Fn::GetAtt` `<Resource.Attribute>`
 * and `Fn::Join` joined. A literal stays literal, so the same ARN reads
 * `arn:<AWS::Partition>:logs:<AWS::Region>:…` in an environment-agnostic stack and
 * `arn:aws:logs:eu-west-1:…` in a region-pinned one. Building an acknowledgment id with it makes
 * the id match exactly the finding of that resource in every environment, never a wider pattern.
 */
export function nagFindingText(scope: IConstruct, value: string): string {
  return flatten(Stack.of(scope).resolve(value));
}

function flatten(node: unknown): string {
  if (typeof node === 'string') {
    return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  }
  if (node !== null && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (Array.isArray(o['Fn::Join'])) {
      const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if (Array.isArray(o['Fn::GetAtt'])) {
      const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if ('Ref' in o) {
      return `<${flatten(o.Ref)}>`;
    }
  }
  throw new Error(`nagFindingText supports strings, Ref, Fn::GetAtt and Fn::Join, got ${JSON.stringify(node)}`);
}
