/**
 * Custom-resource handler for `Custom::NetworkGuard`, one per VPC that PrivateNetwork creates.
 *
 * - Create and Update read the VPC's default security group (`DescribeSecurityGroups`) and revoke every ingress and
 *   egress rule it has (`RevokeSecurityGroupIngress`/`Egress` with exactly the permissions described), so nothing
 *   placed in it by mistake can talk to anything. A group without rules needs no call: the request is idempotent,
 *   and a rule that disappears between describe and revoke (`InvalidPermission.NotFound`) counts as revoked.
 *   They then look up the region's AWS-managed prefix lists the stack asked for (`DescribePrefixLists`, filtered by
 *   the exact name `com.amazonaws.<region>.s3` / `.dynamodb`; that API lists AWS-owned lists only, so a customer
 *   list with the same name cannot be picked) and return their ids as the attributes `S3PrefixListId` and
 *   `DynamoDbPrefixListId`, which the functions' egress rules reference. A list that is missing fails the request
 *   with a reason naming it and the setting that names it instead.
 * - Delete changes nothing: the default security group is deleted with its VPC, and when only the guard goes,
 *   putting back AWS's allow-all rules would reopen a group the stack closed.
 *
 * There is no provider framework in front of this function: it answers CloudFormation itself by PUTting to the
 * pre-signed `ResponseURL` — always, including on errors and when its own time runs out. The `ResponseURL` is a
 * bearer capability and is never logged.
 */
import {
  DescribePrefixListsCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  type PrefixList,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { Logger } from '@aws-lambda-powertools/logger';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { DEFAULT_SEND_OPTIONS, type Outcome, reportOutcome, type SendOptions } from '../shared/cfn-response';
import { type NetworkGuardService, prefixListName } from '../shared/network-guard-contract';
import { parseGuardProperties, prefixListAttributes, ruleCount } from './guard';

const logger = new Logger({ serviceName: 'network-guard' });

/** Bounded per call, so a slow EC2 API ends in a FAILED answer rather than a stack waiting for an hour. */
const ec2 = new EC2Client({
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 5_000, requestTimeout: 20_000 },
});

/** Everything the handler needs from outside; injectable so tests can shorten the waits. */
export interface HandlerDependencies {
  readonly ec2: EC2Client;
  /** The region the stack (and this function) runs in: custom-resource service tokens are regional. */
  readonly region: string;
  /** Time kept back from the Lambda deadline for delivering the response. */
  readonly responseReserveMs: number;
  /** Bounds on delivering the response. */
  readonly send: SendOptions;
}

/** The Lambda entry point's type. */
export type CustomResourceHandler = (
  event: CloudFormationCustomResourceEvent,
  context: Pick<Context, 'getRemainingTimeInMillis' | 'logStreamName'>,
) => Promise<void>;

class DeadlineError extends Error {
  public override readonly name = 'DeadlineError';
}

/** The default security group named in the properties does not exist. */
class SecurityGroupNotFoundError extends Error {
  public override readonly name = 'SecurityGroupNotFoundError';
}

/** Builds a handler around the given dependencies. */
export function createHandler(deps: HandlerDependencies): CustomResourceHandler {
  return async (event, context) => {
    const budgetMs = Math.max(1_000, context.getRemainingTimeInMillis() - deps.responseReserveMs);
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DeadlineError(`no answer from the EC2 API within ${Math.round(budgetMs / 1000)} s`)),
      budgetMs,
    );

    let outcome: Outcome;
    try {
      outcome = await apply(event, deps, controller.signal);
    } catch (err) {
      const cause = controller.signal.aborted && controller.signal.reason instanceof DeadlineError ? controller.signal.reason : err;
      outcome = {
        status: 'FAILED',
        // A failed Create gets an id of its own, so the Delete of its rollback is recognisably a no-op.
        physicalResourceId: event.RequestType === 'Create' ? `${event.LogicalResourceId}-failed-create` : event.PhysicalResourceId,
        reason: `${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)} (log stream ${context.logStreamName})`,
      };
    } finally {
      clearTimeout(timer);
    }

    await reportOutcome(event, outcome, logger, deps.send);
  };
}

async function apply(event: CloudFormationCustomResourceEvent, deps: HandlerDependencies, signal: AbortSignal): Promise<Outcome> {
  if (event.RequestType === 'Delete') {
    return {
      status: 'SUCCESS',
      physicalResourceId: event.PhysicalResourceId,
      reason: 'Delete: default security group left without rules (it is deleted with its VPC; allow-all rules are not put back)',
    };
  }
  const request = parseGuardProperties(event.ResourceProperties);
  const groupId = request.defaultSecurityGroupId;
  const revoked = await revokeAllRules(groupId, deps, signal);
  const data = prefixListAttributes(deps.region, request.prefixListServices, await describePrefixLists(request.prefixListServices, deps, signal));
  return {
    // The group's id: a new VPC (a new group) is a new physical resource, and the old one's Delete is a no-op.
    status: 'SUCCESS',
    physicalResourceId: groupId,
    reason: `${event.RequestType}: revoked ${revoked.ingress} ingress and ${revoked.egress} egress rule(s) of ${groupId}`,
    data,
  };
}

/** Revokes every rule of the group; returns how many there were. */
async function revokeAllRules(
  groupId: string,
  deps: HandlerDependencies,
  signal: AbortSignal,
): Promise<{ ingress: number; egress: number }> {
  let groups;
  try {
    groups = (await deps.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }), { abortSignal: signal })).SecurityGroups;
  } catch (err) {
    if (err instanceof Error && err.name === 'InvalidGroup.NotFound') {
      throw new SecurityGroupNotFoundError(`the default security group ${groupId} does not exist in ${deps.region}`, { cause: err });
    }
    throw err;
  }
  const group = groups?.find((g) => g.GroupId === groupId);
  if (!group) {
    throw new SecurityGroupNotFoundError(`the default security group ${groupId} does not exist in ${deps.region}`);
  }
  const ingress = group.IpPermissions ?? [];
  const egress = group.IpPermissionsEgress ?? [];
  if (ingress.length > 0) {
    await alreadyRevokedIsFine(
      deps.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: ingress }), { abortSignal: signal }),
    );
  }
  if (egress.length > 0) {
    await alreadyRevokedIsFine(
      deps.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: egress }), { abortSignal: signal }),
    );
  }
  return { ingress: ruleCount(ingress), egress: ruleCount(egress) };
}

/** A rule revoked between the describe and the revoke (a concurrent retry) gives the result wanted. */
async function alreadyRevokedIsFine(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (err) {
    if (!(err instanceof Error && err.name === 'InvalidPermission.NotFound')) {
      throw err;
    }
  }
}

/** The AWS-managed prefix lists of the given services in this region (every page). */
async function describePrefixLists(
  services: readonly NetworkGuardService[],
  deps: HandlerDependencies,
  signal: AbortSignal,
): Promise<PrefixList[]> {
  if (services.length === 0) {
    return [];
  }
  const names = services.map((s) => prefixListName(deps.region, s));
  const lists: PrefixList[] = [];
  let nextToken: string | undefined;
  do {
    const page = await deps.ec2.send(
      new DescribePrefixListsCommand({ Filters: [{ Name: 'prefix-list-name', Values: names }], NextToken: nextToken }),
      { abortSignal: signal },
    );
    lists.push(...(page.PrefixLists ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return lists;
}

/** The Lambda entry point. */
export const handler: CustomResourceHandler = createHandler({
  ec2,
  region: process.env.AWS_REGION ?? 'unknown-region',
  responseReserveMs: 20_000,
  send: DEFAULT_SEND_OPTIONS,
});
