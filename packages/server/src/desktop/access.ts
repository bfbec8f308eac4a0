/**
 * Who is calling and what they may see. Desktop flows, machine groups and sessions belong to an
 * environment: a caller without any role there does not see them at all (404, as if they did not
 * exist), one with a role that lacks the permission gets 403. Starting, reading and cancelling
 * sessions needs `runs.operate` (operator or above).
 */
import type { FastifyRequest } from 'fastify';
import type { Auth, Permission, Principal } from '../auth/types.js';
import { DesktopError } from './errors.js';

export class Access {
  constructor(private readonly auth: Pick<Auth, 'authenticate' | 'authorize'>) {}

  async principal(request: FastifyRequest): Promise<Principal> {
    const principal = await this.auth.authenticate(request.headers.authorization);
    if (!principal) {
      throw new DesktopError(
        'Unauthorized',
        request.headers.authorization ? 'The bearer token is not valid.' : 'A valid bearer token is required.',
      );
    }
    return principal;
  }

  visible(principal: Principal, environmentId: string): boolean {
    return principal.isAdmin || principal.roles[environmentId] !== undefined;
  }

  /** NotFound when the environment is not the caller's, Forbidden when the role lacks the permission. */
  require(principal: Principal, permission: Permission, environmentId: string, what: string): void {
    if (!this.visible(principal, environmentId)) throw new DesktopError('NotFound', `${what} does not exist.`);
    if (!this.auth.authorize(principal, permission, environmentId)) {
      throw new DesktopError('Forbidden', `The caller lacks '${permission}' in environment '${environmentId}'.`);
    }
  }

  /** The environments where the caller holds the permission; undefined = all (organisation admins). */
  environments(principal: Principal, permission: Permission): string[] | undefined {
    if (principal.isAdmin) return undefined;
    return Object.keys(principal.roles).filter((env) => this.auth.authorize(principal, permission, env));
  }
}

/** 'user:<id>', 'client:<id>', 'admin-token:admin': who created a thing. */
export function actor(principal: Principal): string {
  return `${principal.kind}:${principal.id}`;
}
