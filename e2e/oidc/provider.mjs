// A real OpenID Provider (panva's certified `oidc-provider`) configured like the SPID/CIE
// OIDC profile, for Nuvola's tests and `scripts/run.sh --oidc`. Not for production.
//
//   node provider.mjs            (settings from the environment, see below)
//
// Environment:
//   OIDC_PORT           port on 127.0.0.1 (default 9090); the issuer is http://127.0.0.1:PORT
//   OIDC_CLIENT_ID      the relying party's client id (default "nuvola")
//   OIDC_REDIRECT_URIS  comma-separated redirect URIs of the relying party
//   OIDC_CLIENT_JWKS_URI  where the relying party publishes its keys (its JWKS URL), or
//   OIDC_CLIENT_JWKS    the relying party's public JWKS as JSON
//   OIDC_TAMPER         test only: "signature" flips a byte of every ID token's signature;
//                       "nonce" re-signs every ID token with another nonce (valid signature);
//                       "none" and "hs256" replace it with an unsigned or HMAC-signed copy;
//                       "acr-low" asserts SPID level 1 whatever the login asked for
//
// The profile's requirements: authorization code only, PKCE (S256) required, signed
// request objects required, client authentication `private_key_jwt` only, ID tokens and
// UserInfo signed with RS256, UserInfo encrypted to the client (RSA-OAEP-256, A256GCM is
// not in the profile: A128CBC-HS256), acr values of SPID, and a fiscal-number claim.
// Any login works in the development login form; a login that looks like a fiscal code
// is that person's, anything else is Mario Rossi.

import Provider from 'oidc-provider';
import * as jose from 'jose';

const port = Number(process.env.OIDC_PORT || 9090);
const issuer = `http://127.0.0.1:${port}`;
const clientId = process.env.OIDC_CLIENT_ID || 'nuvola';
const redirectUris = (process.env.OIDC_REDIRECT_URIS || 'http://127.0.0.1:8080/auth/oidc/callback')
  .split(',').map((s) => s.trim()).filter(Boolean);
const tamper = process.env.OIDC_TAMPER || '';

const FISCAL_NUMBER = 'https://attributes.eid.gov.it/fiscal_number';
const ACR = [
  'https://www.spid.gov.it/SpidL1',
  'https://www.spid.gov.it/SpidL2',
  'https://www.spid.gov.it/SpidL3',
];

// A fresh signing key on every start: a restarted provider signs with another key.
const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
const signingJwk = { ...(await jose.exportJWK(privateKey)), kid: `test-${Date.now()}`, alg: 'RS256', use: 'sig' };

const client = {
  client_id: clientId,
  client_name: 'Nuvola',
  application_type: 'web',
  redirect_uris: redirectUris,
  response_types: ['code'],
  grant_types: ['authorization_code'],
  token_endpoint_auth_method: 'private_key_jwt',
  token_endpoint_auth_signing_alg: 'RS256',
  request_object_signing_alg: 'RS256',
  id_token_signed_response_alg: 'RS256',
  userinfo_signed_response_alg: 'RS256',
  userinfo_encrypted_response_alg: 'RSA-OAEP-256',
  userinfo_encrypted_response_enc: 'A128CBC-HS256',
};
if (process.env.OIDC_CLIENT_JWKS) {
  client.jwks = JSON.parse(process.env.OIDC_CLIENT_JWKS);
} else {
  client.jwks_uri = process.env.OIDC_CLIENT_JWKS_URI || 'http://127.0.0.1:8080/.well-known/jwks.json';
}

const people = {
  RSSMRA80A01H501U: { given_name: 'Mario', family_name: 'Rossi', email: 'mario.rossi@example.it' },
};

const configuration = {
  clients: [client],
  jwks: { keys: [signingJwk] },
  acrValues: ACR,
  scopes: ['openid', 'profile', 'email'],
  claims: {
    openid: ['sub'],
    profile: ['given_name', 'family_name', FISCAL_NUMBER],
    email: ['email'],
    acr: null,
  },
  clientAuthMethods: ['private_key_jwt'],
  enabledJWA: {
    idTokenSigningAlgValues: ['RS256', 'RS512', 'PS256', 'PS512'],
    userinfoSigningAlgValues: ['RS256', 'RS512', 'PS256', 'PS512'],
    requestObjectSigningAlgValues: ['RS256', 'RS512', 'PS256', 'PS512'],
    clientAuthSigningAlgValues: ['RS256', 'RS512', 'PS256', 'PS512'],
    userinfoEncryptionAlgValues: ['RSA-OAEP', 'RSA-OAEP-256'],
    userinfoEncryptionEncValues: ['A128CBC-HS256', 'A256CBC-HS512'],
  },
  features: {
    devInteractions: { enabled: true },
    encryption: { enabled: true },
    jwtUserinfo: { enabled: true },
    claimsParameter: { enabled: true },
    requestObjects: { enabled: true, requireSignedRequestObject: true },
    rpInitiatedLogout: { enabled: false },
  },
  pkce: { required: () => true },
  conformIdTokenClaims: true,
  ttl: { AuthorizationCode: 60, AccessToken: 600, IdToken: 600, Interaction: 600, Session: 600, Grant: 600 },
  async findAccount(ctx, id) {
    const fiscalCode = /^[A-Z0-9]{16}$/i.test(id) ? id.toUpperCase() : 'RSSMRA80A01H501U';
    const person = people[fiscalCode] || {
      given_name: 'Persona',
      family_name: `Di Prova ${fiscalCode.slice(0, 6)}`,
      email: `${fiscalCode.toLowerCase()}@example.it`,
    };
    return {
      accountId: id,
      async claims() {
        return { sub: id, [FISCAL_NUMBER]: `TINIT-${fiscalCode}`, ...person };
      },
    };
  },
  // oidc-provider refuses to fetch from loopback addresses (SSRF protection); this test
  // provider and Nuvola (whose JWKS URL it reads) both live on 127.0.0.1.
  fetch(url, options) {
    const { dispatcher, ...rest } = options;
    return globalThis.fetch(url, rest);
  },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = `<!doctype html><html lang="en"><head><title>Error</title></head><body><h1>${out.error}</h1><p>${out.error_description || ''}</p></body></html>`;
  },
};

const provider = new Provider(issuer, configuration);

// The development login form, finished with the level of assurance (acr) the login asked
// for, as a SPID/CIE provider asserts it; OIDC_TAMPER=acr-low asserts SPID level 1 instead.
provider.use(async (ctx, next) => {
  if (ctx.method !== 'POST' || !/^\/interaction\/[^/]+$/.test(ctx.path)) {
    await next();
    return;
  }
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (details.prompt.name !== 'login') {
    await next();
    return;
  }
  let raw = '';
  for await (const chunk of ctx.req) raw += chunk;
  const body = new URLSearchParams(raw);
  const asked = (details.params.acr_values || '').split(' ').find((v) => ACR.includes(v)) || ACR[1];
  const acr = tamper === 'acr-low' ? ACR[0] : asked;
  ctx.respond = false;
  await provider.interactionFinished(ctx.req, ctx.res, {
    login: { accountId: body.get('login') || 'anonymous', acr },
  }, { mergeWithLastSubmission: false });
});

// Test-only tampering of the token endpoint's answer.
if (tamper) {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== '/token' || ctx.status !== 200 || !ctx.body || !ctx.body.id_token) return;
    const token = ctx.body.id_token;
    if (tamper === 'signature') {
      const [h, p, s] = token.split('.');
      const flipped = (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
      ctx.body = { ...ctx.body, id_token: `${h}.${p}.${flipped}` };
    } else if (tamper === 'none' || tamper === 'hs256') {
      // The same claims, unsigned (alg "none") or signed with a shared secret (HS256):
      // algorithms the SPID/CIE profile forbids.
      const claims = jose.decodeJwt(token);
      const forged = tamper === 'none'
        ? `${jose.base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${jose.base64url.encode(JSON.stringify(claims))}.`
        : await new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('a-secret-anyone-could-know-000000'));
      ctx.body = { ...ctx.body, id_token: forged };
    } else if (tamper === 'nonce') {
      const claims = jose.decodeJwt(token);
      const header = jose.decodeProtectedHeader(token);
      claims.nonce = 'not-the-nonce-of-this-login';
      const resigned = await new jose.SignJWT(claims).setProtectedHeader(header).sign(privateKey);
      ctx.body = { ...ctx.body, id_token: resigned };
    }
  });
}

provider.on('server_error', (ctx, err) => console.error('server_error', err));
// Why a request was refused, for whoever reads the test's output.
for (const event of ['authorization.error', 'grant.error', 'userinfo.error']) {
  provider.on(event, (ctx, err) => console.error(`oidc-provider ${event}: ${err.message}${err.error_description ? ` (${err.error_description})` : ''}${err.cause ? `: ${err.cause.message || err.cause}` : ''}`));
}
provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer} (client ${clientId}${tamper ? `, tamper=${tamper}` : ''})`);
});
