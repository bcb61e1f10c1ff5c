// A real OpenID Connect provider for the single sign-on tests: the certified `oidc-provider` package, one
// instance per behaviour, each mounted under its own path on one port (its issuer is
// http://127.0.0.1:<port>/<name>). Started once per test session by tests/sso/conftest.py:
//
//   node tests/oidc/provider.mjs --port 4455     prints "ready" when it listens
//
// Every instance registers the client `taf` (secret `taf-test-secret`, code flow, PKCE required) and accepts
// any redirect URI on 127.0.0.1 (the tests serve TAF on free ports). Signing in is a tiny form: the account
// (the subject), and optionally an e-mail address and whether the provider vouches for it.
//
// Instances:
//   good            behaves
//   trusts-email    behaves too (TAF is configured to link accounts by its verified e-mail addresses)
//   wrong-issuer    ID tokens name another issuer (validly signed by its own key)
//   other-keys      ID tokens signed by a key it never published (same key id: a bad signature)
//   expired         ID tokens that expired half an hour ago (validly signed)
//   wrong-audience  ID tokens for another client (validly signed)
//   token-down      its discovery document names a token endpoint where nothing listens

import http from 'node:http';
import { parseArgs } from 'node:util';

import * as jose from 'jose';
import Provider from 'oidc-provider';

const { values } = parseArgs({ options: { port: { type: 'string' } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node provider.mjs --port <port>');
  process.exit(2);
}
const origin = `http://127.0.0.1:${port}`;
const CLIENT = {
  client_id: 'taf',
  client_secret: 'taf-test-secret',
  redirect_uris: ['http://127.0.0.1/auth/oidc/test/callback'],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
};
const accounts = new Map(); // subject -> claims given on the sign-in form

const now = () => Math.floor(Date.now() / 1000);
const MISBEHAVIOUR = {
  'wrong-issuer': (claims) => ({ ...claims, iss: `${origin}/impostor` }),
  'other-keys': (claims) => claims,
  expired: (claims) => ({ ...claims, iat: now() - 3600, exp: now() - 1800 }),
  'wrong-audience': (claims) => ({ ...claims, aud: 'another-service' }),
};
const NAMES = ['good', 'trusts-email', ...Object.keys(MISBEHAVIOUR), 'token-down'];

async function privateJwk(kid) {
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  return { ...(await jose.exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
}

function configuration(name, jwk) {
  const second = 1;
  return {
    clients: [CLIENT],
    jwks: { keys: [jwk] },
    findAccount: async (ctx, id) => ({ accountId: id, claims: async () => ({ sub: id, ...accounts.get(id) }) }),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: false, // e-mail claims in the ID token, as most providers put them
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/${name}/interaction/${interaction.uid}` },
    cookies: { keys: ['taf-test-provider-cookies'] },
    pkce: { required: () => true },
    ttl: {
      AccessToken: 600 * second,
      AuthorizationCode: 60 * second,
      IdToken: 600 * second,
      Interaction: 600 * second,
      Session: 600 * second,
      Grant: 600 * second,
    },
  };
}

async function instance(name) {
  const kid = `${name}-key`;
  const jwk = await privateJwk(kid);
  const provider = new Provider(`${origin}/${name}`, configuration(name, jwk));
  provider.Client.prototype.redirectUriAllowed = (uri) => uri.startsWith('http://127.0.0.1:');
  const mutate = MISBEHAVIOUR[name];
  if (mutate) {
    // Sign its ID tokens again, altered: with its own key, or (other-keys) a forged key under the same id.
    const key = await jose.importJWK(name === 'other-keys' ? await privateJwk(kid) : jwk, 'RS256');
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token) {
        const claims = mutate(jose.decodeJwt(ctx.body.id_token));
        ctx.body.id_token = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(key);
      }
    });
  }
  if (name === 'token-down') {
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.path === '/.well-known/openid-configuration' && ctx.status === 200) {
        ctx.body = { ...ctx.body, token_endpoint: 'http://127.0.0.1:9/token' }; // the discard port: refused
      }
    });
  }
  return provider;
}

const page = (uid, name) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to ${name}</title><link rel="icon" href="data:,"></head>
<body><main><h1>Sign in to ${name}</h1>
<form method="post" action="/${name}/interaction/${uid}">
<p><label for="account">Account</label> <input id="account" name="account" autocomplete="off"></p>
<p><label for="email">Email address</label> <input id="email" name="email" autocomplete="off"></p>
<p><input type="checkbox" id="email_verified" name="email_verified" value="true">
<label for="email_verified">The email address is verified</label></p>
<p><button type="submit">Sign in</button></p>
</form></main></body></html>`;

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

async function interact(provider, name, uid, req, res) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(page(uid, name));
    return;
  }
  const form = await readForm(req);
  const accountId = (form.get('account') || '').trim();
  if (!accountId) {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end('account is required');
    return;
  }
  const email = (form.get('email') || '').trim();
  accounts.set(accountId, email ? { email, email_verified: form.get('email_verified') === 'true' } : {});
  const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

const providers = new Map();
for (const name of NAMES) providers.set(name, await instance(name));

const server = http.createServer(async (req, res) => {
  try {
    const [, name, ...rest] = new URL(req.url, origin).pathname.split('/');
    const provider = providers.get(name);
    if (!provider) {
      res.writeHead(404).end();
      return;
    }
    if (rest[0] === 'interaction' && rest.length === 2) {
      await interact(provider, name, rest[1], req, res);
      return;
    }
    req.originalUrl = req.url; // mounted under /<name>: the provider builds its URLs from the mount path
    req.url = req.url.slice(name.length + 1) || '/';
    provider.callback()(req, res);
  } catch (error) {
    console.error(error);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('provider error');
  }
});
server.listen(port, '127.0.0.1', () => console.log('ready'));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
