import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';
import { type CapturedRequest, LoopbackServer, type LoopbackReply } from '../../helpers/loopback-http';

type HandlerModule = typeof import('../../../lambda/network-guard');

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Gateway/0f6f5a70-0000-11ef-8000-000000000000`;
const GROUP_ID = 'sg-0123456789abcdef0';
const S3_LIST = 'pl-6da54004';
const DYNAMODB_LIST = 'pl-6fa54006';
/** Stands in for the pre-signed query string: a bearer capability that must never reach the logs. */
const SECRET = 'X-Amz-Signature=feedfacecafebeef';
const PROPERTIES = {
  ServiceToken: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:Gateway-NetworkGuardHandler`,
  ServiceTimeout: '300',
  DefaultSecurityGroupId: GROUP_ID,
  PrefixListServices: ['s3', 'dynamodb'],
};
const CONTEXT = { getRemainingTimeInMillis: () => 120_000, logStreamName: '2026/01/01/[$LATEST]0123456789abcdef' };

/** One rule of the fake security group: protocol, ports and one target (address range, prefix list or group). */
interface Rule {
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly cidr?: string;
  readonly groupId?: string;
  readonly prefixListId?: string;
}
const key = (r: Rule) => [r.protocol, r.fromPort ?? '', r.toPort ?? '', r.cidr ?? '', r.groupId ?? '', r.prefixListId ?? ''].join('|');

/** The rules EC2 gives every new VPC's default security group, and one someone added. */
function awsDefaultRules(): { ingress: Rule[]; egress: Rule[] } {
  return {
    ingress: [{ protocol: '-1', groupId: GROUP_ID }, { protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0' }],
    egress: [{ protocol: '-1', cidr: '0.0.0.0/0' }],
  };
}

const SAVED_ENV = { ...process.env };
let ec2: LoopbackServer;
let cfn: LoopbackServer;
let mod: HandlerModule;
let stdout: jest.SpyInstance;
let stderr: jest.SpyInstance;
const logged: string[] = [];
let requestCounter = 0;

/** A fake EC2 query API holding one security group and the region's AWS-managed prefix lists. */
let group: { ingress: Rule[]; egress: Rule[] } | undefined;
let prefixLists: Array<{ id: string; name: string }>;
/** Answers the next revoke with this error instead of applying it (a concurrent revoke got there first). */
let revokeError: string | undefined;

function xml(action: string, inner: string): LoopbackReply {
  return {
    status: 200,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body: `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId>${inner}</${action}Response>`,
  };
}
function ec2Error(code: string): LoopbackReply {
  return {
    status: 400,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body: `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code><Message>${code} (test)</Message></Error></Errors><RequestID>r-1</RequestID></Response>`,
  };
}
function permissionsXml(rules: Rule[]): string {
  return rules
    .map(
      (r) =>
        `<item><ipProtocol>${r.protocol}</ipProtocol>${r.fromPort !== undefined ? `<fromPort>${r.fromPort}</fromPort><toPort>${r.toPort}</toPort>` : ''}` +
        `<groups>${r.groupId ? `<item><userId>${ACCOUNT}</userId><groupId>${r.groupId}</groupId></item>` : ''}</groups>` +
        `<ipRanges>${r.cidr ? `<item><cidrIp>${r.cidr}</cidrIp></item>` : ''}</ipRanges><ipv6Ranges/>` +
        `<prefixListIds>${r.prefixListId ? `<item><prefixListId>${r.prefixListId}</prefixListId></item>` : ''}</prefixListIds></item>`,
    )
    .join('');
}
/** The rules named in a revoke request's `IpPermissions.N.…` form fields. */
function rulesOf(form: URLSearchParams): Rule[] {
  const rules: Rule[] = [];
  for (let n = 1; form.has(`IpPermissions.${n}.IpProtocol`); n++) {
    const p = `IpPermissions.${n}`;
    const base = {
      protocol: form.get(`${p}.IpProtocol`)!,
      ...(form.has(`${p}.FromPort`) ? { fromPort: Number(form.get(`${p}.FromPort`)), toPort: Number(form.get(`${p}.ToPort`)) } : {}),
    };
    for (let m = 1; form.has(`${p}.IpRanges.${m}.CidrIp`); m++) rules.push({ ...base, cidr: form.get(`${p}.IpRanges.${m}.CidrIp`)! });
    for (let m = 1; form.has(`${p}.Groups.${m}.GroupId`); m++) rules.push({ ...base, groupId: form.get(`${p}.Groups.${m}.GroupId`)! });
    for (let m = 1; form.has(`${p}.PrefixListIds.${m}.PrefixListId`); m++) {
      rules.push({ ...base, prefixListId: form.get(`${p}.PrefixListIds.${m}.PrefixListId`)! });
    }
  }
  return rules;
}
function fakeEc2(req: CapturedRequest): LoopbackReply {
  const form = new URLSearchParams(req.body);
  const action = form.get('Action');
  switch (action) {
    case 'DescribeSecurityGroups': {
      if (!group || form.get('GroupId.1') !== GROUP_ID) {
        return ec2Error('InvalidGroup.NotFound');
      }
      return xml(
        action,
        `<securityGroupInfo><item><ownerId>${ACCOUNT}</ownerId><groupId>${GROUP_ID}</groupId><groupName>default</groupName>` +
          `<ipPermissions>${permissionsXml(group.ingress)}</ipPermissions><ipPermissionsEgress>${permissionsXml(group.egress)}</ipPermissionsEgress></item></securityGroupInfo>`,
      );
    }
    case 'RevokeSecurityGroupIngress':
    case 'RevokeSecurityGroupEgress': {
      if (revokeError) {
        const code = revokeError;
        revokeError = undefined;
        return ec2Error(code);
      }
      const side = action === 'RevokeSecurityGroupIngress' ? 'ingress' : 'egress';
      const revoked = new Set(rulesOf(form).map(key));
      const before = group![side].length;
      group![side] = group![side].filter((r) => !revoked.has(key(r)));
      return group![side].length + revoked.size === before ? xml(action, '<return>true</return>') : ec2Error('InvalidPermission.NotFound');
    }
    case 'DescribePrefixLists': {
      expect(form.get('Filter.1.Name')).toBe('prefix-list-name');
      const names = [...form.entries()].filter(([k]) => /^Filter\.1\.Value\.\d+$/.test(k)).map(([, v]) => v);
      const items = prefixLists
        .filter((l) => names.includes(l.name))
        .map((l) => `<item><prefixListId>${l.id}</prefixListId><prefixListName>${l.name}</prefixListName><cidrSet><item>52.218.0.0/17</item></cidrSet></item>`);
      return xml(action, `<prefixListSet>${items.join('')}</prefixListSet>`);
    }
    default:
      return ec2Error('InvalidAction');
  }
}

function event(
  requestType: 'Create' | 'Update' | 'Delete',
  overrides: { properties?: Record<string, unknown> } = {},
): CloudFormationCustomResourceEvent {
  const requestId = `request-${++requestCounter}`;
  const base = {
    ServiceToken: PROPERTIES.ServiceToken,
    ResponseURL: `${cfn.url}/responses/${requestId}?${SECRET}`,
    StackId: STACK_ID,
    RequestId: requestId,
    LogicalResourceId: 'NetworkGuard1A2B3C4D',
    ResourceType: 'Custom::NetworkGuard',
    ResourceProperties: (overrides.properties ?? PROPERTIES) as CloudFormationCustomResourceEvent['ResourceProperties'],
  };
  switch (requestType) {
    case 'Create':
      return { ...base, RequestType: 'Create' };
    case 'Update':
      return { ...base, RequestType: 'Update', PhysicalResourceId: GROUP_ID, OldResourceProperties: PROPERTIES };
    case 'Delete':
      return { ...base, RequestType: 'Delete', PhysicalResourceId: GROUP_ID };
  }
}

/** The single response CloudFormation received for the request. */
function responseFor(e: CloudFormationCustomResourceEvent): CloudFormationCustomResourceResponse {
  const requests = cfn.requestsTo('PUT', `/responses/${e.RequestId}`);
  expect(requests).toHaveLength(1);
  return JSON.parse(requests[0]!.body) as CloudFormationCustomResourceResponse;
}

function ec2Actions(): string[] {
  return ec2.requests.map((r) => new URLSearchParams(r.body).get('Action') ?? '?');
}

function capture(chunk: string | Uint8Array): boolean {
  logged.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
  return true;
}

beforeAll(async () => {
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  ec2 = await LoopbackServer.start(fakeEc2);
  cfn = await LoopbackServer.start(() => ({ status: 200 }));
  process.env.AWS_ENDPOINT_URL_EC2 = ec2.url;
  process.env.AWS_REGION = REGION;
  process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  mod = await import('../../../lambda/network-guard');
});

beforeEach(() => {
  ec2.reset();
  cfn.reset();
  group = awsDefaultRules();
  prefixLists = [
    { id: S3_LIST, name: `com.amazonaws.${REGION}.s3` },
    { id: DYNAMODB_LIST, name: `com.amazonaws.${REGION}.dynamodb` },
    { id: 'pl-0aaaaaaaaaaaaaaaa', name: `com.amazonaws.${REGION}.s3-express` },
  ];
  revokeError = undefined;
});

afterAll(async () => {
  await ec2.close();
  await cfn.close();
  stdout.mockRestore();
  stderr.mockRestore();
  process.env = SAVED_ENV;
});

describe('network-guard handler', () => {
  describe('create and update', () => {
    test('Create revokes every ingress and egress rule of the default security group with the real SDK', async () => {
      // GIVEN the rules EC2 puts in every default group, and an SSH rule someone added
      const e = event('Create');
      // WHEN
      await mod.handler(e, CONTEXT);
      // THEN
      expect(group).toEqual({ ingress: [], egress: [] });
      const revokes = ec2.requests.filter((r) => /^Action=Revoke/.test(r.body));
      expect(revokes).toHaveLength(2);
      expect(revokes[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/ec2\/aws4_request/);
      expect(responseFor(e)).toMatchObject({ Status: 'SUCCESS', Reason: `Create: revoked 2 ingress and 1 egress rule(s) of ${GROUP_ID}` });
    });

    test('Create answers CloudFormation with the group id and the prefix-list ids as attributes', async () => {
      // GIVEN
      const e = event('Create');
      // WHEN
      await mod.handler(e, CONTEXT);
      // THEN the exact document CloudFormation reads, s3-express not mistaken for s3
      expect(responseFor(e)).toEqual({
        Status: 'SUCCESS',
        PhysicalResourceId: GROUP_ID,
        StackId: STACK_ID,
        RequestId: e.RequestId,
        LogicalResourceId: e.LogicalResourceId,
        Reason: `Create: revoked 2 ingress and 1 egress rule(s) of ${GROUP_ID}`,
        Data: { S3PrefixListId: S3_LIST, DynamoDbPrefixListId: DYNAMODB_LIST },
      });
    });

    test('is idempotent: a group without rules gets no revoke call and the same answer', async () => {
      // GIVEN a first Create already ran
      await mod.handler(event('Create'), CONTEXT);
      ec2.reset();
      const e = event('Update');
      // WHEN
      await mod.handler(e, CONTEXT);
      // THEN
      expect(ec2Actions()).toEqual(['DescribeSecurityGroups', 'DescribePrefixLists']);
      expect(responseFor(e)).toMatchObject({
        Status: 'SUCCESS',
        PhysicalResourceId: GROUP_ID,
        Reason: `Update: revoked 0 ingress and 0 egress rule(s) of ${GROUP_ID}`,
        Data: { S3PrefixListId: S3_LIST, DynamoDbPrefixListId: DYNAMODB_LIST },
      });
    });

    test('a rule revoked concurrently (InvalidPermission.NotFound) still ends in SUCCESS', async () => {
      // GIVEN
      revokeError = 'InvalidPermission.NotFound';
      const e = event('Create');
      // WHEN
      await mod.handler(e, CONTEXT);
      // THEN
      expect(responseFor(e)).toMatchObject({ Status: 'SUCCESS' });
    });

    test('looks up only the prefix lists the stack asked for', async () => {
      // GIVEN a stack that names its DynamoDB list in its configuration
      const e = event('Create', { properties: { ...PROPERTIES, PrefixListServices: ['s3'] } });
      // WHEN
      await mod.handler(e, CONTEXT);
      // THEN
      const describe = ec2.requests.find((r) => /Action=DescribePrefixLists/.test(r.body))!;
      expect([...new URLSearchParams(describe.body).entries()].filter(([k]) => k.startsWith('Filter.1.Value'))).toEqual([
        ['Filter.1.Value.1', `com.amazonaws.${REGION}.s3`],
      ]);
      expect(responseFor(e).Data).toEqual({ S3PrefixListId: S3_LIST });
    });

    test('fails if a prefix list is missing, naming it and the setting that names it instead', async () => {
      // GIVEN
      prefixLists = prefixLists.filter((l) => !l.name.endsWith('.dynamodb'));
      const e = event('Create');
      // WHEN
      await mod.handler(e, CONTEXT);
      // THEN
      const body = responseFor(e);
      expect(body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'NetworkGuard1A2B3C4D-failed-create' });
      expect(body.Reason).toMatch(
        /^PrefixListNotFoundError: EC2 has no unique AWS-managed prefix list named com\.amazonaws\.eu-west-1\.dynamodb \(not found; set dynamoDbPrefixListId \(config: gateway\.dynamoDbPrefixListId\)\) in eu-west-1/,
      );
      expect(body).not.toHaveProperty('Data');
    });

    test('fails if the default security group does not exist', async () => {
      // GIVEN
      group = undefined;
      const e = event('Update');
      // WHEN
      await mod.handler(e, CONTEXT);
      // THEN the physical ID stays (a new one would make CloudFormation delete the old)
      expect(responseFor(e)).toMatchObject({ Status: 'FAILED', PhysicalResourceId: GROUP_ID });
      expect(responseFor(e).Reason).toMatch(/^SecurityGroupNotFoundError: the default security group sg-0123456789abcdef0 does not exist in eu-west-1/);
    });

    test('fails if the properties are invalid, without calling EC2', async () => {
      // GIVEN
      const e = event('Create', { properties: { ...PROPERTIES, DefaultSecurityGroupId: 'default', PrefixListServices: ['s3', 'ec2'] } });
      // WHEN
      await mod.handler(e, CONTEXT);
      // THEN
      expect(ec2.requests).toEqual([]);
      const body = responseFor(e);
      expect(body.Status).toBe('FAILED');
      expect(body.Reason).toMatch(/^InvalidPropertiesError: invalid resource properties: DefaultSecurityGroupId: must be a security group id/);
      expect(body.Reason).toMatch(/PrefixListServices\.1: /);
    });
  });

  describe('delete', () => {
    test('Delete leaves the default security group as it is and answers SUCCESS', async () => {
      // GIVEN a group with rules (Delete must not touch it either way)
      const e = event('Delete');
      // WHEN
      await mod.handler(e, CONTEXT);
      // THEN
      expect(ec2.requests).toEqual([]);
      expect(group).toEqual(awsDefaultRules());
      expect(responseFor(e)).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: GROUP_ID });
    });
  });

  describe('secrets', () => {
    test('never logs the pre-signed response URL', async () => {
      // GIVEN
      logged.length = 0;
      prefixLists = [];
      // WHEN a success and a failure
      await mod.handler(event('Delete'), CONTEXT);
      await mod.handler(event('Create'), CONTEXT);
      // THEN
      expect(logged.join('')).toContain('decision');
      expect(logged.join('')).not.toContain(SECRET);
    });
  });
});
