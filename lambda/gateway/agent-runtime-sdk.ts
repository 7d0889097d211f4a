/**
 * The part of `@aws-sdk/client-bedrock-agent-runtime` knowledge-base retrieval uses. Loaded only through
 * `agentRuntimeSdk()` (deferred-sdk.ts); naming the exports here lets esbuild drop the rest of the client from the
 * bundle.
 */
export { BedrockAgentRuntimeClient, RetrieveCommand } from '@aws-sdk/client-bedrock-agent-runtime';
