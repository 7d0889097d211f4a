import { App, SecretValue, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { InferenceGateway, InferenceGatewayProps, ModelGuardrail, PrivateNetwork } from '../../../constructs';
import { validateFederation } from '../../../constructs/inference-gateway/federation';
import { formatFindings, newConstructTestApp, synthWithCompliance } from '../../helpers/compliance';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:okta-gateway-AbCdEf';
const OKTA = { name: 'Okta', issuerUrl: 'https://acme.okta.com', clientId: '0oa1b2c3', clientSecret: SecretValue.secretsManager(SECRET_ARN) };
const ENTRA = { name: 'EntraID', metadataUrl: 'https://login.microsoftonline.com/tenant/federationmetadata/2007-06/federationmetadata.xml' };

function newStack(overrides: Partial<InferenceGatewayProps>): Stack {
  const stack = new Stack(newConstructTestApp({ 'aws:cdk:bundling-stacks': [] }), 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
  new InferenceGateway(stack, 'Gateway', {
    network: new PrivateNetwork(stack, 'Network'),
    guardrail: new ModelGuardrail(stack, 'Guardrail'),
    models: [{ alias: 'nova-lite', modelId: 'amazon.nova-lite-v1:0', maxOutputTokens: 4096 }],
    groups: [{ name: 'users', models: ['nova-lite'], dailyTokenQuota: 200_000, maxOutputTokens: 2048 }],
    systemPrompt: 'You are a helpful assistant.',
    ...overrides,
  });
  return stack;
}

function build(overrides: Partial<InferenceGatewayProps>): Template {
  return Template.fromStack(newStack(overrides));
}

/** The people's app client (the one with the authorization-code flow). */
function peopleClient(template: Template): Record<string, unknown> {
  const clients = Object.values(template.findResources('AWS::Cognito::UserPoolClient', { Properties: { AllowedOAuthFlows: ['code'] } }));
  expect(clients).toHaveLength(1);
  return (clients[0] as { Properties: Record<string, unknown> }).Properties;
}

describe('federation', () => {
  describe('defaults', () => {
    test('without providers, people sign in as users of the pool only, and no identity provider exists', () => {
      const template = build({});
      template.resourceCountIs('AWS::Cognito::UserPoolIdentityProvider', 0);
      expect(peopleClient(template).SupportedIdentityProviders).toEqual(['COGNITO']);
    });

    test('an OIDC and a SAML provider: e-mail mapped, the secret a dynamic reference, both offered next to the pool', () => {
      // GIVEN / WHEN synthesized with every compliance pack
      const stack = newStack({ oidcProviders: [OKTA], samlProviders: [ENTRA] });
      const { assembly, findings } = synthWithCompliance(stack.node.root as App);
      // THEN
      expect(formatFindings(findings)).toBe('');
      const template = Template.fromJSON(assembly.getStackByName('Test').template);
      template.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
        ProviderName: 'Okta',
        ProviderType: 'OIDC',
        ProviderDetails: Match.objectLike({
          client_id: '0oa1b2c3',
          client_secret: `{{resolve:secretsmanager:${SECRET_ARN}:SecretString:::}}`,
          oidc_issuer: 'https://acme.okta.com',
          authorize_scopes: 'openid email',
          attributes_request_method: 'GET',
        }),
        AttributeMapping: { email: 'email' },
      });
      template.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
        ProviderName: 'EntraID',
        ProviderType: 'SAML',
        ProviderDetails: Match.objectLike({ MetadataURL: ENTRA.metadataUrl }),
        AttributeMapping: { email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress' },
      });
      const providers = peopleClient(template).SupportedIdentityProviders as unknown[];
      expect(providers[0]).toBe('COGNITO');
      // References to the providers, so the client is created after them.
      expect(providers.slice(1)).toEqual([{ Ref: expect.stringMatching(/^GatewayFederationOidcOkta/) }, { Ref: expect.stringMatching(/^GatewayFederationSamlEntraID/) }]);
    });

    test('cognitoSignIn false: only the organization\'s providers are offered', () => {
      const template = build({ oidcProviders: [{ ...OKTA, emailClaim: 'upn', scopes: ['openid', 'profile'] }], cognitoSignIn: false });
      template.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
        ProviderDetails: Match.objectLike({ authorize_scopes: 'openid profile' }),
        AttributeMapping: { email: 'upn' },
      });
      expect(peopleClient(template).SupportedIdentityProviders).toEqual([{ Ref: expect.stringMatching(/^GatewayFederationOidcOkta/) }]);
    });
  });

  describe('validation', () => {
    test.each([
      ['a name Cognito reserves', [{ ...OKTA, name: 'Google' }], [], true, /oidcProviders\[0\]\.name must be 3-32 letters.*got "Google"; e\.g\. "Okta"/],
      ['a name with an underscore', [], [{ ...ENTRA, name: 'Entra_ID' }], true, /samlProviders\[0\]\.name must be .*got "Entra_ID"/],
      ['two providers with one name', [OKTA], [{ ...ENTRA, name: 'okta' }], true, /samlProviders\[0\]\.name "okta" names two identity providers/],
      ['an issuer over http', [{ ...OKTA, issuerUrl: 'http://acme.okta.com' }], [], true, /oidcProviders\[0\]\.issuerUrl must be an https:\/\/ URL, got "http:\/\/acme\.okta\.com"/],
      ['OIDC scopes without openid', [{ ...OKTA, scopes: ['email'] }], [], true, /oidcProviders\[0\]\.scopes must include "openid", got \["email"\]/],
      ['SAML with both metadata kinds', [], [{ ...ENTRA, metadataXml: '<EntityDescriptor/>' }], true, /samlProviders\[0\] must set exactly one of metadataUrl and metadataXml, got both/],
      ['SAML with no metadata', [], [{ name: 'EntraID' }], true, /samlProviders\[0\] must set exactly one of metadataUrl and metadataXml, got neither/],
      ['nobody able to sign in', [], [], false, /cognitoSignIn is false but no oidcProviders or samlProviders are given/],
    ])('fails if given %s', (_name, oidc, saml, cognitoSignIn, message) => {
      expect(() => validateFederation(oidc, saml, cognitoSignIn)).toThrow(message);
    });

    test('fails at construction, naming the prop', () => {
      expect(() => build({ samlProviders: [{ name: 'EntraID' }] })).toThrow(/samlProviders\[0\] must set exactly one/);
    });
  });
});
