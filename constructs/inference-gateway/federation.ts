import { SecretValue, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

/** The organization's OpenID Connect identity provider, offered on the sign-in domain. */
export interface GatewayOidcProvider {
  /**
   * The provider's name in the pool: shown on the sign-in page and the prefix of its people's user names
   * (`<name>_<subject>`). 3-32 letters, digits, `.` or `-`, starting and ending with a letter or digit; not a
   * name Cognito reserves (Cognito, Facebook, Google, LoginWithAmazon, SignInWithApple).
   */
  readonly name: string;
  /** The provider's issuer URL (`https://…`); Cognito reads its endpoints from `/.well-known/openid-configuration`. */
  readonly issuerUrl: string;
  /** The client id of the app registered for the pool at the provider. */
  readonly clientId: string;
  /**
   * That app's client secret. Pass a reference, never the text: `SecretValue.secretsManager(arn)` becomes a
   * CloudFormation dynamic reference, so the secret is not in the template.
   */
  readonly clientSecret: SecretValue;
  /**
   * Scopes Cognito requests from the provider.
   * @default ["openid", "email"]
   */
  readonly scopes?: string[];
  /**
   * The provider's claim mapped to the pool's `email` attribute.
   * @default "email"
   */
  readonly emailClaim?: string;
}

/** The organization's SAML 2.0 identity provider, offered on the sign-in domain. */
export interface GatewaySamlProvider {
  /** The provider's name in the pool, as for {@link GatewayOidcProvider.name}. */
  readonly name: string;
  /**
   * Where Cognito fetches the provider's SAML metadata (`https://…`). Exactly one of `metadataUrl` and `metadataXml`.
   * @default - none: `metadataXml` is used
   */
  readonly metadataUrl?: string;
  /**
   * The provider's SAML metadata document. Exactly one of `metadataUrl` and `metadataXml`.
   * @default - none: `metadataUrl` is used
   */
  readonly metadataXml?: string;
  /**
   * The SAML attribute mapped to the pool's `email` attribute.
   * @default "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress" (Entra ID, AD FS)
   */
  readonly emailAttribute?: string;
}

/** What the people's app client offers on the sign-in page. */
export interface FederationProps {
  readonly userPool: cognito.IUserPool;
  readonly oidcProviders: readonly GatewayOidcProvider[];
  readonly samlProviders: readonly GatewaySamlProvider[];
  /** Whether users of the pool itself (e-mail address, password and TOTP) may sign in too. */
  readonly cognitoSignIn: boolean;
}

const PROVIDER_NAME = /^[A-Za-z0-9][A-Za-z0-9.-]{1,30}[A-Za-z0-9]$/;
const RESERVED_NAMES = ['cognito', 'facebook', 'google', 'loginwithamazon', 'signinwithapple'];
const SAML_EMAIL_ATTRIBUTE = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';

function httpsUrl(text: string): boolean {
  if (Token.isUnresolved(text)) return true;
  try {
    return new URL(text).protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Checks the federation props; messages name the prop, the value and the fix.
 *
 * @throws when a provider is malformed, two share a name, or nobody could sign in
 */
export function validateFederation(oidc: readonly GatewayOidcProvider[], saml: readonly GatewaySamlProvider[], cognitoSignIn: boolean): void {
  const seen = new Set<string>();
  const checkName = (prop: string, name: string) => {
    if (Token.isUnresolved(name)) throw new Error(`${prop}.name must be a literal (it names the provider's construct), got a token`);
    if (!PROVIDER_NAME.test(name) || RESERVED_NAMES.includes(name.toLowerCase())) {
      throw new Error(
        `${prop}.name must be 3-32 letters, digits, "." or "-", starting and ending with a letter or digit, and not a name Cognito reserves, got ${JSON.stringify(name)}; e.g. "Okta" or "EntraID"`,
      );
    }
    if (seen.has(name.toLowerCase())) throw new Error(`${prop}.name ${JSON.stringify(name)} names two identity providers; give each its own name`);
    seen.add(name.toLowerCase());
  };
  oidc.forEach((p, i) => {
    checkName(`oidcProviders[${i}]`, p.name);
    if (!httpsUrl(p.issuerUrl)) throw new Error(`oidcProviders[${i}].issuerUrl must be an https:// URL, got ${JSON.stringify(p.issuerUrl)}`);
    if (!Token.isUnresolved(p.clientId) && p.clientId.trim().length === 0) throw new Error(`oidcProviders[${i}].clientId must not be empty; give the client id of the app registered at the provider`);
    const scopes = p.scopes ?? ['openid', 'email'];
    if (!scopes.includes('openid')) throw new Error(`oidcProviders[${i}].scopes must include "openid", got ${JSON.stringify(scopes)}`);
  });
  saml.forEach((p, i) => {
    checkName(`samlProviders[${i}]`, p.name);
    if ((p.metadataUrl === undefined) === (p.metadataXml === undefined)) {
      throw new Error(`samlProviders[${i}] must set exactly one of metadataUrl and metadataXml, got ${p.metadataUrl === undefined ? 'neither' : 'both'}`);
    }
    if (p.metadataUrl !== undefined && !httpsUrl(p.metadataUrl)) throw new Error(`samlProviders[${i}].metadataUrl must be an https:// URL, got ${JSON.stringify(p.metadataUrl)}`);
  });
  if (!cognitoSignIn && oidc.length + saml.length === 0) {
    throw new Error('cognitoSignIn is false but no oidcProviders or samlProviders are given, so no person could sign in; add a provider or leave cognitoSignIn at true');
  }
}

/**
 * The organization's identity providers in the user pool (OIDC and SAML), and the list the people's app client
 * offers. Internal to {@link InferenceGateway}. Each provider's people become pool users named
 * `<provider>_<subject>` on their first sign-in, with `email` mapped from the provider; their groups (and so their
 * models) are the pool groups an administrator puts them in.
 */
export class Federation extends Construct {
  /** The identity providers the people's app client offers. */
  public readonly supportedIdentityProviders: cognito.UserPoolClientIdentityProvider[];
  /** The provider constructs (the app client must depend on them). */
  public readonly providers: cognito.IUserPoolIdentityProvider[];

  constructor(scope: Construct, id: string, props: FederationProps) {
    super(scope, id);
    validateFederation(props.oidcProviders, props.samlProviders, props.cognitoSignIn);
    const oidc = props.oidcProviders.map(
      (p) =>
        new cognito.UserPoolIdentityProviderOidc(this, `Oidc${p.name}`, {
          userPool: props.userPool,
          name: p.name,
          issuerUrl: p.issuerUrl,
          clientId: p.clientId,
          // A dynamic reference when the value comes from Secrets Manager: resolved by CloudFormation, not in the template.
          clientSecret: p.clientSecret.unsafeUnwrap(),
          scopes: p.scopes ?? ['openid', 'email'],
          attributeRequestMethod: cognito.OidcAttributeRequestMethod.GET,
          attributeMapping: { email: cognito.ProviderAttribute.other(p.emailClaim ?? 'email') },
        }),
    );
    const saml = props.samlProviders.map(
      (p) =>
        new cognito.UserPoolIdentityProviderSaml(this, `Saml${p.name}`, {
          userPool: props.userPool,
          name: p.name,
          metadata:
            p.metadataUrl !== undefined
              ? cognito.UserPoolIdentityProviderSamlMetadata.url(p.metadataUrl)
              : cognito.UserPoolIdentityProviderSamlMetadata.file(p.metadataXml!),
          attributeMapping: { email: cognito.ProviderAttribute.other(p.emailAttribute ?? SAML_EMAIL_ATTRIBUTE) },
          idpSignout: false,
        }),
    );
    this.providers = [...oidc, ...saml];
    this.supportedIdentityProviders = [
      ...(props.cognitoSignIn ? [cognito.UserPoolClientIdentityProvider.COGNITO] : []),
      ...this.providers.map((p) => cognito.UserPoolClientIdentityProvider.custom(p.providerName)),
    ];
  }
}
