import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  GATEWAY_CONFIG_FILE_NAME,
  STATIC_CONFIG_ENV,
  STATIC_CONFIG_FILE_ENV,
  loadRuntimeConfig,
  staticConfigSchema,
} from '../../../lambda/gateway/runtime-config';
import { GATEWAY_ENV } from '../../../lambda/shared/gateway-contract';
import { TEST_CONFIG, staticConfigJson } from './gateway-fixtures';

function env(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    [STATIC_CONFIG_ENV]: staticConfigJson(),
    GUARDRAIL_ID: TEST_CONFIG.guardrailId,
    GUARDRAIL_VERSION: TEST_CONFIG.guardrailVersion,
    QUOTA_TABLE_NAME: 'usage',
    ...overrides,
  };
}

function withStatic(patch: (config: Record<string, unknown>) => void): Record<string, string | undefined> {
  const config = JSON.parse(staticConfigJson()) as Record<string, unknown>;
  patch(config);
  return env({ [STATIC_CONFIG_ENV]: JSON.stringify(config) });
}

describe('loadRuntimeConfig', () => {
  describe('defaults', () => {
    test('combines the static configuration with the deployment values from the environment', () => {
      // GIVEN
      const vars = env();
      // WHEN
      const config = loadRuntimeConfig(vars);
      // THEN
      expect(config).toEqual(TEST_CONFIG);
    });

    test('reads the static configuration from the file beside the code, as deployed', () => {
      // GIVEN a code directory with the configuration file the construct writes, and no inline JSON
      const codeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slb-config-'));
      try {
        fs.writeFileSync(path.join(codeDir, GATEWAY_CONFIG_FILE_NAME), staticConfigJson());
        // WHEN
        const config = loadRuntimeConfig(env({ [STATIC_CONFIG_ENV]: undefined, [STATIC_CONFIG_FILE_ENV]: GATEWAY_CONFIG_FILE_NAME }), codeDir);
        // THEN
        expect(config).toEqual(TEST_CONFIG);
      } finally {
        fs.rmSync(codeDir, { recursive: true, force: true });
      }
    });
  });

  describe('the digest of the file the construct validated', () => {
    /** A code directory holding `text` as the configuration file, and the environment that names it with `digest`. */
    function deployed(text: string, digest: string | undefined): { codeDir: string; vars: Record<string, string | undefined> } {
      const codeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slb-config-'));
      fs.writeFileSync(path.join(codeDir, GATEWAY_CONFIG_FILE_NAME), text);
      return { codeDir, vars: env({ [STATIC_CONFIG_ENV]: undefined, [STATIC_CONFIG_FILE_ENV]: GATEWAY_CONFIG_FILE_NAME, [GATEWAY_ENV.staticConfigSha256]: digest }) };
    }
    const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

    test('loads a file whose SHA-256 is the digest in the environment', () => {
      // GIVEN the file as the construct writes it and its digest
      const text = staticConfigJson();
      const { codeDir, vars } = deployed(text, sha256(text));
      try {
        // WHEN
        const config = loadRuntimeConfig(vars, codeDir);
        // THEN
        expect(config).toEqual(TEST_CONFIG);
      } finally {
        fs.rmSync(codeDir, { recursive: true, force: true });
      }
    });

    test('fails the cold start if the file was changed after synthesis, naming both digests', () => {
      // GIVEN a file edited after the digest was taken (a larger output cap)
      const text = staticConfigJson();
      const edited = text.replace('"maxOutputTokens":', '"maxOutputTokens":9');
      expect(edited).not.toBe(text);
      const { codeDir, vars } = deployed(edited, sha256(text));
      try {
        // THEN
        expect(() => loadRuntimeConfig(vars, codeDir)).toThrow(
          `the static configuration does not match GATEWAY_CONFIG_SHA256 (SHA-256 ${sha256(edited)}, expected ${sha256(text)}): it was changed after the construct validated it; deploy it through the construct again`,
        );
      } finally {
        fs.rmSync(codeDir, { recursive: true, force: true });
      }
    });

    test('validates the file with the schema when the environment carries no digest', () => {
      // GIVEN a file that breaks the schema, and no digest
      const text = JSON.stringify({ ...JSON.parse(staticConfigJson()), bedrockMaxAttempts: 9 });
      const { codeDir, vars } = deployed(text, undefined);
      try {
        // THEN
        expect(() => loadRuntimeConfig(vars, codeDir)).toThrow('bedrockMaxAttempts');
      } finally {
        fs.rmSync(codeDir, { recursive: true, force: true });
      }
    });
  });

  describe('validation', () => {
    test('fails if GATEWAY_CONFIG is not set', () => {
      expect(() => loadRuntimeConfig(env({ [STATIC_CONFIG_ENV]: undefined }))).toThrow('GATEWAY_CONFIG is not set (nor GATEWAY_CONFIG_FILE)');
    });

    test('fails if GATEWAY_CONFIG_FILE points outside the code directory', () => {
      const vars = env({ [STATIC_CONFIG_ENV]: undefined, [STATIC_CONFIG_FILE_ENV]: '../../etc/passwd' });
      expect(() => loadRuntimeConfig(vars)).toThrow('GATEWAY_CONFIG_FILE must be a plain file name in the function\'s code directory, got "../../etc/passwd"');
    });

    test('fails if GUARDRAIL_ID is not set', () => {
      expect(() => loadRuntimeConfig(env({ GUARDRAIL_ID: '' }))).toThrow('GUARDRAIL_ID is not set');
    });

    test('fails if GUARDRAIL_VERSION is DRAFT', () => {
      expect(() => loadRuntimeConfig(env({ GUARDRAIL_VERSION: 'DRAFT' }))).toThrow('GUARDRAIL_VERSION must be a numeric published version, got "DRAFT"');
    });

    test('fails if quotas are enabled without QUOTA_TABLE_NAME', () => {
      expect(() => loadRuntimeConfig(env({ QUOTA_TABLE_NAME: undefined }))).toThrow('QUOTA_TABLE_NAME is not set while quotas are enabled');
    });

    describe('knowledge bases', () => {
      const bound = withStatic((c) => {
        (c.models as Record<string, unknown>).handbook = { modelId: 'amazon.nova-lite-v1:0', maxOutputTokens: 100, retrieval: { numberOfResults: 5 } };
      });
      test('reads the bound aliases\' knowledge-base ids from KNOWLEDGE_BASE_IDS', () => {
        expect(loadRuntimeConfig({ ...bound, KNOWLEDGE_BASE_IDS: '{"handbook":"ABCDE12345"}' }).knowledgeBases).toEqual({ handbook: 'ABCDE12345' });
      });
      test('fails if a bound alias has no id', () => {
        expect(() => loadRuntimeConfig(bound)).toThrow('KNOWLEDGE_BASE_IDS is not set while handbook retrieve from a knowledge base');
        expect(() => loadRuntimeConfig({ ...bound, KNOWLEDGE_BASE_IDS: '{}' })).toThrow('KNOWLEDGE_BASE_IDS must give handbook a knowledge-base id of 10 uppercase letters or digits, got undefined');
      });
      test('fails if an id is malformed or names an unbound alias', () => {
        expect(() => loadRuntimeConfig({ ...bound, KNOWLEDGE_BASE_IDS: '{"handbook":"kb-1"}' })).toThrow('got "kb-1"');
        expect(() => loadRuntimeConfig({ ...bound, KNOWLEDGE_BASE_IDS: '{"handbook":"ABCDE12345","nova-lite":"ABCDE12345"}' })).toThrow(
          'KNOWLEDGE_BASE_IDS names nova-lite, which has no retrieval settings',
        );
        expect(() => loadRuntimeConfig({ ...bound, KNOWLEDGE_BASE_IDS: '["ABCDE12345"]' })).toThrow('must be a JSON object of alias to knowledge-base id');
      });
    });

    test('fails if a group names an unknown model alias', () => {
      const vars = withStatic((c) => {
        (c.groups as Record<string, { models: string[] }>).users!.models = ['nova-max'];
      });
      expect(() => loadRuntimeConfig(vars)).toThrow('group users names unknown model alias nova-max');
    });

    test('fails if the static configuration breaks the schema, with English messages (zod/mini + English locale)', () => {
      // GIVEN
      const vars = withStatic((c) => {
        c.systemPrompt = '';
        c.bedrockMaxAttempts = 6;
      });
      // WHEN / THEN
      expect(() => loadRuntimeConfig(vars)).toThrow(/Too small: expected string to have >=1 characters/);
      expect(() => loadRuntimeConfig(vars)).toThrow(/Too big: expected number to be <=5/);
    });

    test('fails if the static configuration holds an unknown key (strict objects)', () => {
      // GIVEN
      const result = staticConfigSchema().safeParse({ ...JSON.parse(staticConfigJson()), systemPromptOverride: 'x' });
      // THEN
      expect(result.success).toBe(false);
      expect(result.error?.issues.map((i) => i.message)).toEqual(['Unrecognized key: "systemPromptOverride"']);
    });

    test('fails if a count is not a positive whole number', () => {
      // GIVEN
      const result = staticConfigSchema().safeParse({ ...JSON.parse(staticConfigJson()), bedrockTimeoutMs: 1.5 });
      // THEN
      expect(result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['bedrockTimeoutMs: Invalid input: expected int, received number']);
    });
  });
});
