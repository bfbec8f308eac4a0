/** OpenAPI section: the web app's pages and what only a browser needs (sign-in, setup, passwords). */
import { APP_ROUTES } from './web.js';
import type { Operation, Section } from './openapi-model.js';
import { dateTime, ref } from './openapi-model.js';

const signedIn = {
  type: 'object',
  required: ['user', 'csrfToken', 'expiresAt'],
  properties: {
    user: {
      allOf: [
        ref('User'),
        {
          type: 'object',
          required: ['isAdmin', 'permissions'],
          properties: {
            isAdmin: { type: 'boolean' },
            permissions: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
          },
        },
      ],
    },
    csrfToken: {
      type: 'string',
      description: 'Send it as x-csrf-token on every POST, PUT, PATCH and DELETE made with the session cookie.',
    },
    expiresAt: { ...dateTime, description: 'When the session ends unless used (each use moves it on).' },
  },
};

const cookie = { 'set-cookie': 'flowbridge_session: HttpOnly, SameSite=Lax, Path=/ (Secure over HTTPS)' };

const pageName = (path: string): string =>
  path === '/'
    ? 'Home'
    : path
        .split('/')
        .filter(Boolean)
        .map((p) => (p.startsWith(':') ? 'Item' : p[0]!.toUpperCase() + p.slice(1)))
        .join('');

const pages: Operation[] = APP_ROUTES.map((path) => ({
  operationId: `webPage${pageName(path)}`,
  method: 'get',
  path: path.replace(/:(\w+)/g, '{$1}'),
  summary: `The web app (${path})`,
  description: 'Every app route answers the same page; the app shows the route in the browser.',
  tag: 'web',
  access: 'none',
  ...(path.includes(':id') ? { pathParams: { id: 'A flow or run id.' } } : {}),
  responses: {
    '200': { description: 'index.html', media: 'html' },
    '503': { description: 'The web app is not built: the API alone is served', media: 'text' },
  },
}));

export const webSection: Section = {
  tags: [
    {
      name: 'web',
      description:
        'The web app and its sign-in. A session cookie authenticates /api/v1 calls made by the browser; ' +
        'with it, state-changing calls need the x-csrf-token header.',
    },
  ],
  schemas: { SignedIn: signedIn },
  operations: [
    ...pages,
    {
      operationId: 'getWebAsset',
      method: 'get',
      path: '/assets/{relativePath}',
      summary: 'A file of the web app (hashed name, cached for a year)',
      tag: 'web',
      access: 'none',
      pathParams: { relativePath: 'The file name.' },
      responses: {
        '200': { description: 'The file', media: 'any' },
        '404': 'NotFound: no such file',
      },
    },
    {
      operationId: 'getWebIcon',
      method: 'get',
      path: '/favicon.svg',
      summary: "The web app's icon",
      tag: 'web',
      access: 'none',
      responses: { '200': { description: 'SVG', media: 'any' }, '404': 'NotFound: not built' },
    },
    {
      operationId: 'signIn',
      method: 'post',
      path: '/api/v1/session',
      summary: 'Sign in with email and password: a session cookie and its CSRF token',
      description:
        'Five failed sign-ins for one email within 15 minutes lock it for 30 s, doubling with each further failure (up to 15 min).',
      tag: 'web',
      access: 'none',
      body: {
        schema: {
          type: 'object',
          required: ['email', 'password'],
          properties: { email: { type: 'string' }, password: { type: 'string' } },
        },
      },
      responses: {
        '200': { description: 'Signed in', schema: ref('SignedIn'), headers: cookie },
        '400': 'InvalidRequest: email or password missing',
        '401': 'Unauthorized: the email or the password is not right',
        '429': {
          description: 'TooManyRequests: too many failures for this email',
          headers: { 'retry-after': 'Seconds to wait.' },
        },
      },
    },
    {
      operationId: 'getSession',
      method: 'get',
      path: '/api/v1/session',
      summary: 'Who is signed in (by the session cookie), with the CSRF token',
      tag: 'web',
      access: 'none',
      responses: {
        '200': { description: 'Signed in', schema: ref('SignedIn'), headers: cookie },
        '401': 'Unauthorized: no live session',
      },
    },
    {
      operationId: 'signOut',
      method: 'delete',
      path: '/api/v1/session',
      summary: 'Sign out: the session ends and the cookie is cleared',
      tag: 'web',
      access: 'none',
      responses: {
        '204': 'Signed out (also when no session was there)',
        '403': 'Forbidden: x-csrf-token missing or wrong',
      },
    },
    {
      operationId: 'getSetup',
      method: 'get',
      path: '/api/v1/setup',
      summary: 'Whether the first admin is still to be created with the one-time setup token',
      tag: 'web',
      access: 'none',
      responses: {
        '200': {
          description: 'Setup state',
          schema: { type: 'object', required: ['required'], properties: { required: { type: 'boolean' } } },
        },
      },
    },
    {
      operationId: 'completeSetup',
      method: 'post',
      path: '/api/v1/setup',
      summary: 'Create the first admin with the setup token that flowbridge start printed, and sign in',
      tag: 'web',
      access: 'none',
      body: {
        schema: {
          type: 'object',
          required: ['setupToken', 'email', 'password'],
          properties: {
            setupToken: { type: 'string' },
            email: { type: 'string', format: 'email' },
            displayName: { type: 'string' },
            password: { type: 'string', minLength: 8, maxLength: 256 },
          },
        },
      },
      responses: {
        '201': { description: 'The admin exists and is signed in', schema: ref('SignedIn'), headers: cookie },
        '400': 'InvalidRequest: a field is missing or not valid',
        '403': 'Forbidden: the setup token is not valid (or was used)',
        '409': 'Conflict: a user with this email exists',
      },
    },
    {
      operationId: 'setUserPassword',
      method: 'put',
      path: '/api/v1/users/{id}/password',
      summary: "Set a user's password (admins), or change one's own by giving the old one",
      tag: 'web',
      pathParams: { id: 'The user id.' },
      body: {
        schema: {
          type: 'object',
          required: ['password'],
          properties: {
            password: { type: 'string', minLength: 8, maxLength: 256 },
            oldPassword: { type: 'string', description: 'Needed unless the caller is an admin.' },
          },
        },
      },
      responses: {
        '204': "Set; the user's other sessions end",
        '400': 'InvalidRequest: the password is too short or too long',
        '403': 'Forbidden: not an admin, not this user, or the old password is not right',
        '404': 'NotFound: no such user',
      },
    },
  ],
};
