/**
 * The credential provider of the deployed Lambda bundles: stands in for `@aws-sdk/credential-provider-node` (the AWS
 * SDK's default chain), which `scripts/bundle-options.json` aliases to this module. Handlers and tests that run the
 * TypeScript sources keep the SDK's own chain.
 *
 * Every AWS SDK client statically imports the Node default chain from its runtime configuration, even when it is never
 * called: environment, SSO, shared ini files, `credential_process`, web-identity token file, container and instance
 * metadata, with the STS, SSO and sign-in clients those need (about 100 KB of minified code, an eighth of the gateway
 * bundle, parsed by every cold start). In a Lambda function only two of its sources can ever answer:
 *
 * - `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`: the execution role's credentials, which the
 *   Lambda runtime sets in every function's environment (reserved variables);
 * - `AWS_CONTAINER_CREDENTIALS_FULL_URI` with `AWS_CONTAINER_AUTHORIZATION_TOKEN` (or `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`):
 *   the container credential endpoint, which Lambda sets instead of the key variables for SnapStart functions.
 *
 * This chain asks exactly those, in the default chain's order (environment first), with the default chain's caching
 * (credentials with an expiration are fetched again 5 minutes before it). It differs from the default chain only
 * where Lambda cannot be: with `AWS_PROFILE` set (no shared config files exist in a function) the default chain
 * would skip the environment and look for a profile; this one reads the environment. Anything else fails with a
 * {@link CredentialsProviderError} naming the variables it reads.
 *
 * @module
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Logger } from '@aws-sdk/types';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { fromHttp } from '@aws-sdk/credential-provider-http';
import { CredentialsProviderError, chain, memoize } from '@smithy/core/config';

/** Environment variables of the container credential endpoint (see `@aws-sdk/credential-provider-http`). */
const CONTAINER_URI_VARIABLES = ['AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'] as const;

/** Credentials this long (ms) before their expiration are fetched again, as the SDK's default chain does. */
const REFRESH_BEFORE_EXPIRATION_MS = 300_000;

/** What the SDK passes to `credentialDefaultProvider` (the client configuration); only the logger is read here. */
export interface LambdaProviderInit {
  readonly logger?: Logger;
}

/**
 * The SDK's `defaultProvider` signature (`credentialDefaultProvider` of every client's runtime configuration): the
 * Lambda environment's credentials, then the container credential endpoint, memoized.
 */
export const defaultProvider = (init: LambdaProviderInit = {}): AwsCredentialIdentityProvider =>
  memoize(
    chain(
      fromEnv(init),
      // fromHttp throws at creation when no endpoint is set: create it only when the chain gets to it.
      async () => {
        if (CONTAINER_URI_VARIABLES.every((name) => !process.env[name])) {
          throw new CredentialsProviderError(
            'No credentials in the Lambda environment: neither AWS_ACCESS_KEY_ID with AWS_SECRET_ACCESS_KEY nor ' +
              `${CONTAINER_URI_VARIABLES.join(' or ')} is set (this bundle reads no profiles, files or instance metadata)`,
            { logger: init.logger, tryNextLink: false },
          );
        }
        return fromHttp(init)();
      },
    ),
    (credentials: AwsCredentialIdentity) =>
      credentials.expiration !== undefined && credentials.expiration.getTime() - Date.now() < REFRESH_BEFORE_EXPIRATION_MS,
    (credentials: AwsCredentialIdentity) => credentials.expiration !== undefined,
  );
