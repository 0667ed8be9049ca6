// A real OpenID Connect provider for the portal's tests: panva's oidc-provider (OpenID
// Certified), configured from the environment by tests/servers/oidc_provider.py.
//
//   OIDC_PORT            port on 127.0.0.1 (the issuer is http://127.0.0.1:PORT)
//   OIDC_JWKS_FILE       the signing key, a private JWK set the test also holds
//   OIDC_USERS_FILE      the test users, re-read at every sign-in, so that a test changes a
//                        person's groups by rewriting it:
//                        {"alice": {"sub": "...", "password": "...", "email": "...",
//                                   "given_name": "...", "family_name": "...",
//                                   "groups": ["..."] | null}}
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URIS, OIDC_POST_LOGOUT_URIS
//
// The login page is the provider's own (a username and password form); consent is implied,
// as for a company's own application.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const env = process.env;
const port = Number(env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const users = () => JSON.parse(readFileSync(env.OIDC_USERS_FILE, 'utf8'));
const bySub = (sub) => Object.entries(users()).find(([, u]) => u.sub === sub);

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, message = '') {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Test identity provider: sign in</title></head>
<body><h1>Test identity provider</h1>
${message ? `<p id="error" role="alert">${escape(message)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}">
<label>Username <input name="username" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form></body></html>`;
}

async function formBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

const configuration = {
  clients: [{
    client_id: env.OIDC_CLIENT_ID,
    client_secret: env.OIDC_CLIENT_SECRET,
    redirect_uris: env.OIDC_REDIRECT_URIS.split(','),
    post_logout_redirect_uris: (env.OIDC_POST_LOGOUT_URIS || '').split(',').filter(Boolean),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  jwks: JSON.parse(readFileSync(env.OIDC_JWKS_FILE, 'utf8')),
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    groups: ['groups'],
  },
  // The claims of the granted scopes go into the ID token too, as Okta, Entra ID and
  // Keycloak put the groups claim there.
  conformIdTokenClaims: false,
  pkce: { required: () => true, methods: ['S256'] },
  features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['test-only-cookie-key'] },
  async findAccount(ctx, sub) {
    const found = bySub(sub);
    if (!found) return undefined;
    return {
      accountId: sub,
      async claims() {
        const [username, user] = bySub(sub) || found;
        const claims = {
          sub, email: user.email, email_verified: true, preferred_username: username,
          given_name: user.given_name, family_name: user.family_name,
          name: `${user.given_name} ${user.family_name}`,
        };
        if (user.groups !== null) claims.groups = user.groups;
        return claims;
      },
    };
  },
};

const provider = new Provider(issuer, configuration);
// Errors go to the log the test keeps (provider.log in the test's temporary folder).
for (const event of ['authorization.error', 'grant.error', 'end_session.error', 'server_error']) {
  provider.on(event, (ctx, err) => console.error(event, err.message, err.error_detail || ''));
}

// The interactions: the login form, then consent granted for the client's request.
provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([^/]+)$/);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const { prompt, params, session } = details;
  if (prompt.name === 'login') {
    if (ctx.method === 'GET') {
      ctx.type = 'html';
      ctx.body = loginPage(match[1]);
      return undefined;
    }
    const form = await formBody(ctx.req);
    const user = users()[form.get('username')];
    if (!user || user.password !== form.get('password')) {
      ctx.type = 'html';
      ctx.status = 401;
      ctx.body = loginPage(match[1], 'Wrong username or password.');
      return undefined;
    }
    return provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: user.sub } },
      { mergeWithLastSubmission: false });
  }
  if (prompt.name === 'consent') {
    const grant = details.grantId ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    const grantId = await grant.save();
    return provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId } },
      { mergeWithLastSubmission: true });
  }
  ctx.throw(501, `prompt ${prompt.name} is not implemented`);
  return undefined;
});

createServer(provider.callback()).listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
