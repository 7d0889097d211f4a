/**
 * The authorizer's per-decision user check: Cognito `AdminGetUser` for the username of a person's access token, so a
 * user an administrator disabled or deleted loses access at the next uncached decision (API Gateway caches decisions
 * for at most 60 s), not when the token expires. It also reads the user's team from {@link USER_TEAM_ATTRIBUTE},
 * which only administrators can set.
 *
 * @module
 */
import { AdminGetUserCommand, CognitoIdentityProviderClient, UserNotFoundException } from '@aws-sdk/client-cognito-identity-provider';
import { USER_TEAM_ATTRIBUTE } from '../shared/gateway-contract';

/** What the decision needs to know about a pool user. */
export interface PoolUser {
  /** False once an administrator disabled the user (`AdminDisableUser`). */
  readonly enabled: boolean;
  /** Cognito's `UserStatus` (CONFIRMED, EXTERNAL_PROVIDER, UNCONFIRMED, RESET_REQUIRED, FORCE_CHANGE_PASSWORD, ...). */
  readonly status: string;
  /** The `custom:team` attribute, or '' when the user has none. */
  readonly team: string;
}

/** Reads users of one user pool with the Lambda role's credentials (`cognito-idp:AdminGetUser` on the pool). */
export class PoolUsers {
  constructor(
    private readonly client: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
  ) {}

  /**
   * The user named `username`, or `undefined` when the pool has no such user.
   * @throws any other error of Cognito (throttling, access denied, network): the caller fails closed
   */
  async get(username: string): Promise<PoolUser | undefined> {
    try {
      const out = await this.client.send(new AdminGetUserCommand({ UserPoolId: this.userPoolId, Username: username }));
      const team = out.UserAttributes?.find((a) => a.Name === USER_TEAM_ATTRIBUTE)?.Value ?? '';
      return { enabled: out.Enabled === true, status: out.UserStatus ?? '', team };
    } catch (e) {
      if (e instanceof UserNotFoundException) return undefined;
      throw e;
    }
  }
}
