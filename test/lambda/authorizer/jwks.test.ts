import { jwksCacheFor, parseJwksOverride } from '../../../lambda/authorizer/jwks';
import { newTestIssuer, startJwksServer } from '../../helpers/test-issuer';

describe('JWKS override', () => {
  describe('defaults', () => {
    test('unset or empty: no override, aws-jwt-verify fetches from Cognito', () => {
      expect(parseJwksOverride(undefined)).toBeUndefined();
      expect(parseJwksOverride('')).toBeUndefined();
      expect(jwksCacheFor(undefined)).toBeUndefined();
    });

    test('a loopback override serves the JWKS of any pool URI the verifier asks for', async () => {
      // GIVEN
      const issuer = newTestIssuer('kid-a');
      const server = await startJwksServer(issuer.jwks);
      try {
        const { jwksCache } = jwksCacheFor(parseJwksOverride(server.url))!;
        // WHEN
        const jwks = await jwksCache.getJwks('https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1/.well-known/jwks.json');
        // THEN
        expect(jwks.keys.map((k) => k.kid)).toEqual(['kid-a']);
        expect(server.requests()).toBe(1);
      } finally {
        await server.close();
      }
    });
  });

  describe('validation', () => {
    test.each([
      ['an https URL', 'https://keys.example.com/jwks.json'],
      ['an http URL off loopback', 'http://10.0.0.5/jwks.json'],
      ['a look-alike host', 'http://127.0.0.1.example.com/jwks.json'],
    ])('fails if given %s', (_name, value) => {
      expect(() => parseJwksOverride(value)).toThrow(`JWKS_URI is for tests only and must be http://127.0.0.1, localhost or [::1], got "${value}"`);
    });

    test('fails if given something that is not a URL', () => {
      expect(() => parseJwksOverride('jwks.json')).toThrow('JWKS_URI must be a URL, got "jwks.json"');
    });
  });
});
