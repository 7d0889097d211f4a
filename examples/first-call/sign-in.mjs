#!/usr/bin/env node
// Signs a person in to the gateway's Cognito user pool with the authorization-code flow and PKCE (S256), and prints
// the access token (and nothing else) on standard output, so that:
//
//   export OPENAI_API_KEY="$(node sign-in.mjs)"
//
// Node 20 or later, no dependencies (node:http, node:crypto and fetch). Configuration from the environment, with the
// gateway stack's outputs:
//   SIGN_IN_DOMAIN_URL    the SignInDomainUrl output, e.g. https://<prefix>.auth.eu-west-1.amazoncognito.com
//   USER_POOL_CLIENT_ID   the UserPoolClientId output
//   SCOPES                the Scopes output, e.g. "llm-gateway/chat llm-gateway/models.read"
//   CALLBACK_URL          one of gateway.access.signInCallbackUrls (default http://localhost:8400/callback)
//
// It prints a sign-in URL on standard error and waits (5 minutes at most) for the browser to come back to the callback
// URL, which it serves on this machine; then it exchanges the code and the PKCE verifier for tokens at the domain's
// /oauth2/token. The app client is public (no secret): PKCE is what binds the code to this process.
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (!value) {
    console.error(`sign-in: set ${name} (see the comment at the top of this file)`);
    process.exit(2);
  }
  return value;
};
const domain = env('SIGN_IN_DOMAIN_URL').replace(/\/+$/, '');
const clientId = env('USER_POOL_CLIENT_ID');
const scopes = env('SCOPES');
const callback = new URL(env('CALLBACK_URL', 'http://localhost:8400/callback'));

const verifier = randomBytes(32).toString('base64url');
const challenge = createHash('sha256').update(verifier).digest('base64url');
const state = randomBytes(16).toString('base64url');
const authorize = new URL(`${domain}/oauth2/authorize`);
authorize.search = new URLSearchParams({
  response_type: 'code',
  client_id: clientId,
  redirect_uri: callback.href,
  scope: `openid ${scopes}`,
  state,
  code_challenge: challenge,
  code_challenge_method: 'S256',
}).toString();

/** Waits for the browser's redirect to the callback URL; resolves with the authorization code. */
function waitForCode() {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error('no sign-in within 5 minutes')), 300_000);
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', callback);
      if (url.pathname !== callback.pathname) {
        res.writeHead(404).end();
        return;
      }
      const error = url.searchParams.get('error');
      const code = url.searchParams.get('code');
      const ok = error === null && code !== null && url.searchParams.get('state') === state;
      res.writeHead(ok ? 200 : 400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(ok ? 'Signed in. You can close this tab.' : 'Sign-in failed. See the terminal.');
      if (error !== null) finish(new Error(`the sign-in page answered ${error}: ${url.searchParams.get('error_description') ?? ''}`));
      else if (!ok) finish(new Error('the callback carried no code or a different state'));
      else finish(undefined, code);
    });
    function finish(err, code) {
      clearTimeout(timer);
      server.close();
      server.closeAllConnections();
      if (err) reject(err);
      else resolve(code);
    }
    server.once('error', reject);
    server.listen(Number(callback.port || 80), callback.hostname.replace(/^\[|\]$/g, ''), () => {
      console.error(`Open this URL in a browser and sign in:\n${authorize.href}`);
    });
  });
}

const code = await waitForCode();
const response = await fetch(`${domain}/oauth2/token`, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: callback.href, code_verifier: verifier }),
});
const tokens = await response.json().catch(() => ({}));
if (!response.ok || typeof tokens.access_token !== 'string') {
  console.error(`sign-in: /oauth2/token answered ${response.status} ${tokens.error ?? ''}`);
  process.exit(1);
}
console.error(`Signed in; the access token is valid for ${tokens.expires_in} s.`);
process.stdout.write(`${tokens.access_token}\n`);
