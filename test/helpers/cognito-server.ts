/**
 * A loopback stand-in for Cognito's `AdminGetUser` (the awsJson1_1 protocol the real
 * `@aws-sdk/client-cognito-identity-provider` speaks), for tests of the authorizer's per-decision user check. It knows
 * the users the test puts in it, checks what the real service checks first (a SigV4 `Authorization` header for the
 * `cognito-idp` service, the target, the user pool id), answers `UserNotFoundException` for anyone else, can be told
 * to fail every call, and counts calls.
 *
 * @module
 */
import { createServer, type Server } from 'node:http';
import { listenOnLoopback } from './listen';

/** One user of the fake pool. */
export interface FakeCognitoUser {
  readonly enabled: boolean;
  /** `UserStatus`: CONFIRMED, UNCONFIRMED, FORCE_CHANGE_PASSWORD, RESET_REQUIRED, EXTERNAL_PROVIDER, ... */
  readonly status: string;
  /** Attributes by name (e.g. `custom:team`). */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** A running fake Cognito user pool. */
export interface FakeCognito {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Users by username; tests add, change and delete them. */
  readonly users: Map<string, FakeCognitoUser>;
  /** `AdminGetUser` requests received (answered or not). */
  readonly calls: () => number;
  /** The usernames asked for, in order. */
  readonly asked: () => readonly string[];
  /** When set, every request is answered with this error type and HTTP 500 (e.g. `InternalErrorException`). */
  failWith: string | undefined;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1 and a random port, for the user pool `userPoolId`. */
export async function startFakeCognito(userPoolId: string): Promise<FakeCognito> {
  const asked: string[] = [];
  let calls = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      const fail = (status: number, type: string, message: string) => answer(status, { __type: type, message });
      calls++;
      if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/cognito-idp\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/.test(req.headers.authorization ?? '')) {
        return fail(400, 'IncompleteSignatureException', 'not signed for cognito-idp');
      }
      if (req.headers['x-amz-target'] !== 'AWSCognitoIdentityProviderService.AdminGetUser') return fail(400, 'UnknownOperationException', 'unknown operation');
      if (fake.failWith !== undefined) return fail(500, fake.failWith, 'the fake was told to fail');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { UserPoolId?: string; Username?: string };
      if (body.UserPoolId !== userPoolId) return fail(400, 'ResourceNotFoundException', `User pool ${body.UserPoolId} does not exist.`);
      asked.push(body.Username ?? '');
      const user = fake.users.get(body.Username ?? '');
      if (user === undefined) return fail(400, 'UserNotFoundException', 'User does not exist.');
      return answer(200, {
        Username: body.Username,
        Enabled: user.enabled,
        UserStatus: user.status,
        UserAttributes: Object.entries(user.attributes ?? {}).map(([Name, Value]) => ({ Name, Value })),
        UserCreateDate: 1_700_000_000,
        UserLastModifiedDate: 1_700_000_000,
      });
    });
  });
  const port = await listenOnLoopback(server);
  const fake: FakeCognito = {
    endpoint: `http://127.0.0.1:${port}`,
    users: new Map(),
    calls: () => calls,
    asked: () => [...asked],
    failWith: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return fake;
}
