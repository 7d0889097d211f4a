/**
 * The contract between `PrivateNetwork` (constructs/private-network) and its `Custom::NetworkGuard` handler
 * (lambda/network-guard): the resource type, the resource properties the construct writes and the attributes the
 * handler returns for `Fn::GetAtt`. Neither side spells these names on its own.
 *
 * Dependency-free on purpose: the construct library loads (and ships) this file at synthesis.
 *
 * @module
 */

/** The CloudFormation resource type of the network guard. */
export const NETWORK_GUARD_RESOURCE_TYPE = 'Custom::NetworkGuard';

/** The services whose AWS-managed prefix list (`com.amazonaws.<region>.<service>`) the guard can look up. */
export const NETWORK_GUARD_SERVICES = ['s3', 'dynamodb'] as const;

/** One of {@link NETWORK_GUARD_SERVICES}. */
export type NetworkGuardService = (typeof NETWORK_GUARD_SERVICES)[number];

/** The resource properties the construct writes (besides CloudFormation's `ServiceToken` and `ServiceTimeout`). */
export const NETWORK_GUARD_PROPS = {
  /** The id of the VPC's default security group, whose every rule the guard revokes. */
  defaultSecurityGroupId: 'DefaultSecurityGroupId',
  /** The services (a subset of {@link NETWORK_GUARD_SERVICES}) whose prefix-list id the guard returns. */
  prefixListServices: 'PrefixListServices',
} as const;

/** The attribute that carries the prefix-list id of each service. */
export const NETWORK_GUARD_ATTRIBUTES: Readonly<Record<NetworkGuardService, string>> = {
  s3: 'S3PrefixListId',
  dynamodb: 'DynamoDbPrefixListId',
};

/** The name of the AWS-managed prefix list of a service in a region, e.g. `com.amazonaws.eu-west-1.s3`. */
export function prefixListName(region: string, service: NetworkGuardService): string {
  return `com.amazonaws.${region}.${service}`;
}
