import * as fc from 'fast-check';
import { STATIC_CONFIG_ENV, loadRuntimeConfig } from '../../../lambda/gateway/runtime-config';
import { GATEWAY_ENV, GATEWAY_ROUTES, describeRoutes, matchRoute, pathParameterNames } from '../../../lambda/shared/gateway-contract';
import { TEST_CONFIG, staticConfigJson } from '../gateway/gateway-fixtures';

describe('gateway contract', () => {
  describe('matchRoute', () => {
    test('every route of the table matches itself, parameters filled, and reports their values', () => {
      for (const route of GATEWAY_ROUTES) {
        // GIVEN a concrete path for the route
        const names = pathParameterNames(route.path);
        const path = names.reduce((p, name) => p.replace(`{${name}}`, `value-of-${name}`), route.path);
        // WHEN
        const match = matchRoute(route.method, path);
        // THEN
        expect(match?.route).toBe(route);
        expect(match?.params).toEqual(Object.fromEntries(names.map((n) => [n, `value-of-${n}`])));
      }
    });

    test('the method is case-insensitive and one trailing slash is ignored', () => {
      expect(matchRoute('get', '/v1/models/')?.route.name).toBe('models.list');
      expect(matchRoute('post', '/v1/chat/completions/')?.route.name).toBe('chat.completions');
    });

    test('fails if the method, a literal segment, the number of segments or a parameter value does not fit', () => {
      expect(matchRoute('DELETE', '/v1/models')).toBeUndefined();
      expect(matchRoute('GET', '/v1/chat/completions')).toBeUndefined();
      expect(matchRoute('GET', '/v1/model')).toBeUndefined();
      expect(matchRoute('GET', '/v1/models/nova-lite/versions')).toBeUndefined();
      expect(matchRoute('GET', '/v1/models//')).toBeUndefined();
      expect(matchRoute('GET', '')).toBeUndefined();
      expect(matchRoute('GET', '/')).toBeUndefined();
    });

    test('properties: any percent-encoded segment reaches models.retrieve decoded, exactly as sent', () => {
      fc.assert(
        fc.property(fc.string({ minLength: 1, maxLength: 80, unit: 'grapheme' }), (id) => {
          const match = matchRoute('GET', `/v1/models/${encodeURIComponent(id)}`);
          expect(match?.route.name).toBe('models.retrieve');
          expect(match?.params.id).toBe(id);
        }),
        { numRuns: 500 },
      );
    });

    test('agrees with splitting each route\'s path on every call (property)', () => {
      // The straightforward matcher: each route's template split and its parameters recognized per request.
      const reference = (method: string, path: string) => {
        const wanted = method.toUpperCase();
        const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
        const segments = trimmed.split('/');
        for (const route of GATEWAY_ROUTES) {
          if (route.method !== wanted) continue;
          const template = route.path.split('/');
          if (template.length !== segments.length) continue;
          const params: Record<string, string> = {};
          const matches = template.every((part, i) => {
            const segment = segments[i]!;
            const name = /^\{([A-Za-z][A-Za-z0-9_]*)\}$/.exec(part)?.[1];
            if (name === undefined) return part === segment;
            if (segment.length === 0) return false;
            try {
              params[name] = decodeURIComponent(segment);
            } catch {
              params[name] = segment;
            }
            return true;
          });
          if (matches) return { route, params };
        }
        return undefined;
      };
      const segment = fc.oneof(fc.constantFrom('', 'v1', 'models', 'chat', 'completions', 'embeddings', '%41', '%E0%A4%A'), fc.string({ maxLength: 6 }));
      const path = fc.tuple(fc.array(segment, { maxLength: 5 }), fc.boolean()).map(([parts, slash]) => `/${parts.join('/')}${slash ? '/' : ''}`);
      const method = fc.constantFrom('GET', 'get', 'POST', 'post', 'DELETE', '');
      fc.assert(fc.property(method, fc.oneof(path, fc.string({ maxLength: 30 })), (m, p) => {
        expect(matchRoute(m, p)).toEqual(reference(m, p));
      }), { numRuns: 1000 });
    });

    test('malformed percent-encoding is kept as sent instead of throwing', () => {
      expect(matchRoute('GET', '/v1/models/%E0%A4%A')?.params.id).toBe('%E0%A4%A');
    });
  });

  describe('defaults', () => {
    test('route names and method-path pairs are unique, paths absolute, parameters well-formed', () => {
      expect(new Set(GATEWAY_ROUTES.map((r) => r.name)).size).toBe(GATEWAY_ROUTES.length);
      expect(new Set(GATEWAY_ROUTES.map((r) => `${r.method} ${r.path}`)).size).toBe(GATEWAY_ROUTES.length);
      for (const route of GATEWAY_ROUTES) {
        expect(route.path).toMatch(/^(\/([a-z0-9._-]+|\{[A-Za-z][A-Za-z0-9_]*\}))+$/);
      }
    });

    test('describeRoutes names every route', () => {
      expect(describeRoutes()).toBe('POST /v1/chat/completions, GET /v1/models, GET /v1/models/{id} and POST /v1/embeddings');
    });

    test('the function reads its deployment values from the environment variables the contract names', () => {
      // GIVEN an environment keyed only by the contract's names
      const env = {
        [STATIC_CONFIG_ENV]: staticConfigJson(),
        [GATEWAY_ENV.guardrailId]: TEST_CONFIG.guardrailId,
        [GATEWAY_ENV.guardrailVersion]: TEST_CONFIG.guardrailVersion,
        [GATEWAY_ENV.quotaTableName]: TEST_CONFIG.quotaTableName,
      };
      // WHEN / THEN every value arrives, and without any one of them the function refuses to start
      expect(loadRuntimeConfig(env)).toEqual(TEST_CONFIG);
      for (const name of [GATEWAY_ENV.guardrailId, GATEWAY_ENV.guardrailVersion, GATEWAY_ENV.quotaTableName]) {
        expect(() => loadRuntimeConfig({ ...env, [name]: undefined })).toThrow(name);
      }
    });
  });
});
