/**
 * The gateway evaluates the DynamoDB client (quotas, budgets) and the Bedrock Agent Runtime client (knowledge-base
 * retrieval) only when its configuration uses them: loading the handler module of a gateway without quotas or
 * knowledge bases must not run either client's module code, nor the document screen's (retrieval screens chunks with
 * it; a gateway loads it on its first retrieval). Each case loads `lambda/gateway/index` in a fresh
 * module registry with the SDK re-export modules replaced by recording wrappers around the real ones.
 */
import { TEST_CONFIG, staticConfigJson } from './gateway-fixtures';

const ENV_KEYS = ['GATEWAY_CONFIG', 'GUARDRAIL_ID', 'GUARDRAIL_VERSION', 'QUOTA_TABLE_NAME', 'KNOWLEDGE_BASE_IDS', 'AWS_REGION'] as const;
const KB_ID = 'KBTEST0001';

/** Loads the handler module with the given environment; returns which deferred modules it evaluated. */
function loadedAtColdStart(env: Partial<Record<(typeof ENV_KEYS)[number], string>>): string[] {
  const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  const loaded: string[] = [];
  try {
    for (const k of ENV_KEYS) delete process.env[k];
    Object.assign(process.env, { AWS_REGION: 'us-east-1', GUARDRAIL_ID: TEST_CONFIG.guardrailId, GUARDRAIL_VERSION: TEST_CONFIG.guardrailVersion }, env);
    jest.isolateModules(() => {
      jest.doMock('../../../lambda/gateway/dynamodb-sdk', () => {
        loaded.push('dynamodb');
        return jest.requireActual('../../../lambda/gateway/dynamodb-sdk');
      });
      jest.doMock('../../../lambda/gateway/agent-runtime-sdk', () => {
        loaded.push('agent-runtime');
        return jest.requireActual('../../../lambda/gateway/agent-runtime-sdk');
      });
      jest.doMock('../../../lambda/shared/screening/document', () => {
        loaded.push('document-screen');
        return jest.requireActual('../../../lambda/shared/screening/document');
      });
      const gateway = jest.requireActual<typeof import('../../../lambda/gateway/index')>('../../../lambda/gateway/index');
      expect(typeof gateway.handler).toBe('function');
    });
  } finally {
    for (const k of ENV_KEYS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    jest.dontMock('../../../lambda/gateway/dynamodb-sdk');
    jest.dontMock('../../../lambda/gateway/agent-runtime-sdk');
    jest.dontMock('../../../lambda/shared/screening/document');
  }
  return loaded;
}

describe('defaults', () => {
  test('fails if a gateway without quotas or knowledge bases evaluates the DynamoDB or Agent Runtime client or the document screen at cold start', () => {
    expect(loadedAtColdStart({ GATEWAY_CONFIG: staticConfigJson({ quotasEnabled: false }) })).toEqual([]);
  });

  test('fails if a gateway with quotas on does not create its DynamoDB client at cold start', () => {
    expect(loadedAtColdStart({ GATEWAY_CONFIG: staticConfigJson({ quotasEnabled: true }), QUOTA_TABLE_NAME: 'quotas' })).toEqual(['dynamodb']);
  });

  test('fails if a gateway bound to a knowledge base does not create its Agent Runtime client at cold start', () => {
    const config = staticConfigJson({
      models: { ...TEST_CONFIG.models, 'kb-chat': { modelId: 'amazon.nova-lite-v1:0', maxOutputTokens: 1000, retrieval: { numberOfResults: 10 } } },
      groups: { kb: { models: ['kb-chat'], dailyTokenQuota: 100_000, maxOutputTokens: 512 } },
      quotasEnabled: false,
    });
    expect(loadedAtColdStart({ GATEWAY_CONFIG: config, KNOWLEDGE_BASE_IDS: JSON.stringify({ 'kb-chat': KB_ID }) })).toEqual(['agent-runtime']);
  });
});
