/**
 * The AWS SDK clients only some gateways use, and the document screen, loaded on first use instead of at cold start.
 *
 * DynamoDB serves quotas and budgets (off by default) and Bedrock Agent Runtime serves knowledge-base retrieval
 * (only when an alias is bound to a knowledge base). A static `import` would make every container evaluate both
 * clients' modules at cold start whether or not its configuration ever calls them. A `require` inside a function
 * runs the module's top-level code on the first call only, in ts-node/jest (CommonJS) and in the deployed esbuild
 * bundle alike (esbuild wraps a module reached through `require` in a lazy initializer), so a gateway without
 * quotas or knowledge bases never pays for them. The module cache keeps one instance, so `instanceof` checks and
 * test mocks see the same classes as a static import would.
 *
 * The document screen (`screenDocument`, which retrieval applies to every retrieved chunk) is deferred the same way:
 * its cue lists, word tables and discussion pattern are about a fifth of the gateway's module-load work, and only a
 * gateway with an alias bound to a knowledge base ever screens a document. Such a gateway loads it on its first
 * retrieval.
 *
 * In the deployed bundle each of these modules is a file of its own beside `index.js` (`<module>.js`, listed in
 * `scripts/bundle-deferred.json`; `scripts/bundle-lambdas.mjs` builds it and leaves `require('./<module>')` in
 * `index.js`), so a cold start does not even parse them: about a third of what the gateway's `index.js` would
 * otherwise hold. The code-signing digest, the bundle manifest and the SBOM cover every file of the directory.
 */
import type * as DynamoDbModule from './dynamodb-sdk';
import type * as AgentRuntimeModule from './agent-runtime-sdk';
import type * as DocumentScreenModule from './document-screen';

/** The DynamoDB client and commands (`@aws-sdk/client-dynamodb`), evaluated on the first call. */
export function dynamoDbSdk(): typeof DynamoDbModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose, see the module comment
  return require('./dynamodb-sdk') as typeof DynamoDbModule;
}

/** The Bedrock Agent Runtime client and Retrieve command (`@aws-sdk/client-bedrock-agent-runtime`), evaluated on the first call. */
export function agentRuntimeSdk(): typeof AgentRuntimeModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose, see the module comment
  return require('./agent-runtime-sdk') as typeof AgentRuntimeModule;
}

/** The untrusted-document screen (`lambda/shared/screening/document`), evaluated on the first retrieval. */
export function documentScreen(): typeof DocumentScreenModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose, see the module comment
  return require('./document-screen') as typeof DocumentScreenModule;
}
