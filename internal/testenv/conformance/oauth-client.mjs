// A real OAuth 2.0 client (oauth4webapi) against the token endpoint at
// argv[2]: client_credentials with client_secret_basic and
// client_secret_post (argv[3] client id, argv[4] secret), the password
// grant (argv[5] username, argv[6] password) and its refresh token, and a
// wrong secret. Prints one JSON line per case: {case, ok, ...}.
import * as oauth from 'oauth4webapi';

const [tokenEndpoint, clientId, secret, username, password] = process.argv.slice(2);
const as = { issuer: new URL(tokenEndpoint).origin, token_endpoint: tokenEndpoint };
const client = { client_id: clientId };
const insecure = { [oauth.allowInsecureRequests]: true };
const print = (o) => console.log(JSON.stringify(o));

async function attempt(name, fn) {
  try {
    print({ case: name, ok: true, ...(await fn()) });
  } catch (err) {
    const out = { case: name, ok: false, error: err.error ?? err.code ?? err.name, status: err.status ?? err.response?.status, message: err.message };
    if (err instanceof oauth.WWWAuthenticateChallengeError) {
      // A 401 with a challenge: the RFC 6749 error is in the body.
      out.challenge = err.cause?.[0]?.scheme;
      out.body = await err.response.json();
    }
    print(out);
  }
}

for (const [name, auth] of [
  ['client_secret_basic', oauth.ClientSecretBasic(secret)],
  ['client_secret_post', oauth.ClientSecretPost(secret)],
]) {
  await attempt(name, async () => {
    const resp = await oauth.clientCredentialsGrantRequest(as, client, auth, new URLSearchParams(), insecure);
    const tokens = await oauth.processClientCredentialsResponse(as, client, resp);
    return { token_type: tokens.token_type, expires_in: tokens.expires_in, has_token: !!tokens.access_token };
  });
}

await attempt('wrong_secret', async () => {
  const resp = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic(secret + 'x'), new URLSearchParams(), insecure);
  await oauth.processClientCredentialsResponse(as, client, resp);
  return {};
});

const publicClient = { client_id: 'cienerp-cli' };
let refresh;
await attempt('password', async () => {
  const resp = await oauth.genericTokenEndpointRequest(as, publicClient, oauth.None(), 'password',
    new URLSearchParams({ username, password }), insecure);
  const tokens = await oauth.processGenericTokenEndpointResponse(as, publicClient, resp);
  refresh = tokens.refresh_token;
  return { token_type: tokens.token_type, has_refresh: !!refresh };
});
await attempt('refresh_token', async () => {
  const resp = await oauth.refreshTokenGrantRequest(as, publicClient, oauth.None(), refresh, insecure);
  const tokens = await oauth.processRefreshTokenResponse(as, publicClient, resp);
  return { token_type: tokens.token_type, has_token: !!tokens.access_token };
});
