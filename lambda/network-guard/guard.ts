import type { IpPermission, PrefixList } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import {
  NETWORK_GUARD_ATTRIBUTES,
  NETWORK_GUARD_PROPS,
  NETWORK_GUARD_SERVICES,
  type NetworkGuardService,
  prefixListName,
} from '../shared/network-guard-contract';

/** A security group id: `sg-` and 8 or 17 hexadecimal digits. */
const SECURITY_GROUP_ID = /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/;

/** The construct prop (and blueprint config key) that names each prefix list instead of looking it up. */
const CONFIGURED_BY: Readonly<Record<NetworkGuardService, string>> = {
  s3: 's3PrefixListId (config: baseline.invocationLogging.s3PrefixListId)',
  dynamodb: 'dynamoDbPrefixListId (config: gateway.dynamoDbPrefixListId)',
};

/**
 * The custom resource's `ResourceProperties`, as PrivateNetwork writes them. Unknown keys are rejected so that a
 * construct/handler mismatch fails loudly instead of being ignored.
 */
export const GuardProperties = z.strictObject({
  ServiceToken: z.string().optional(),
  ServiceTimeout: z.union([z.string(), z.number()]).optional(),
  [NETWORK_GUARD_PROPS.defaultSecurityGroupId]: z.string().regex(SECURITY_GROUP_ID, 'must be a security group id (sg-…)'),
  [NETWORK_GUARD_PROPS.prefixListServices]: z.array(z.enum(NETWORK_GUARD_SERVICES)).optional(),
});

/** Parsed, validated resource properties. */
export interface GuardRequest {
  readonly defaultSecurityGroupId: string;
  /** Without duplicates, in the order given. */
  readonly prefixListServices: readonly NetworkGuardService[];
}

/** The resource properties are not what the handler expects; the request fails without calling EC2. */
export class InvalidPropertiesError extends Error {
  public override readonly name = 'InvalidPropertiesError';
}

/** A prefix list the stack needs does not exist in the region. */
export class PrefixListNotFoundError extends Error {
  public override readonly name = 'PrefixListNotFoundError';
}

/** Validates the resource properties. */
export function parseGuardProperties(properties: unknown): GuardRequest {
  const parsed = GuardProperties.safeParse(properties);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(properties)'}: ${i.message}`).join('; ');
    throw new InvalidPropertiesError(`invalid resource properties: ${problems}`);
  }
  const p = parsed.data;
  return {
    defaultSecurityGroupId: p[NETWORK_GUARD_PROPS.defaultSecurityGroupId],
    prefixListServices: [...new Set(p[NETWORK_GUARD_PROPS.prefixListServices] ?? [])],
  };
}

/**
 * The `Fn::GetAtt` attributes: the id of each requested service's prefix list, found by its exact name among the
 * AWS-managed prefix lists EC2 described. Fails naming every list it could not find, and how to name it instead.
 */
export function prefixListAttributes(
  region: string,
  services: readonly NetworkGuardService[],
  described: readonly PrefixList[],
): Record<string, string> {
  const data: Record<string, string> = {};
  const missing: string[] = [];
  for (const service of services) {
    const name = prefixListName(region, service);
    const found = described.filter((p) => p.PrefixListName === name && p.PrefixListId !== undefined);
    if (found.length !== 1) {
      missing.push(`${name} (${found.length === 0 ? 'not found' : `${found.length} lists of that name`}; set ${CONFIGURED_BY[service]})`);
      continue;
    }
    data[NETWORK_GUARD_ATTRIBUTES[service]] = found[0]!.PrefixListId!;
  }
  if (missing.length > 0) {
    throw new PrefixListNotFoundError(`EC2 has no unique AWS-managed prefix list named ${missing.join(', ')} in ${region}`);
  }
  return data;
}

/** How many rules a set of permissions holds: one per address range, prefix list or group pair. */
export function ruleCount(permissions: readonly IpPermission[]): number {
  return permissions.reduce(
    (n, p) =>
      n + (p.IpRanges?.length ?? 0) + (p.Ipv6Ranges?.length ?? 0) + (p.PrefixListIds?.length ?? 0) + (p.UserIdGroupPairs?.length ?? 0),
    0,
  );
}
