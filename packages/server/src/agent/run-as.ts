/**
 * Whom a session runs as. Attended sessions run in the agent's own (signed-in) user session.
 * Unattended ones run as the connection's OS user: when the agent runs as root it switches to that
 * user; otherwise it can only run as itself, so the names must match, or the session fails with a
 * coded error. Names compare without a domain (DOMAIN\user, user@domain) and without case.
 */
import { execFileSync } from 'node:child_process';

export type RunAsErrorCode = 'RunAsUserMismatch' | 'RunAsUserNotFound';

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export type RunAsDecision = { ok: true; switchTo?: OsUser } | { ok: false; code: RunAsErrorCode; message: string };

export function bareName(name: string): string {
  return name.replace(/^.*\\/, '').replace(/@.*$/, '').trim().toLowerCase();
}

export function decideRunAs(input: {
  username: string | undefined;
  runMode: 'attended' | 'unattended';
  agentUser: string;
  isRoot: boolean;
  lookup: (name: string) => OsUser | undefined;
}): RunAsDecision {
  const { username, agentUser } = input;
  if (!username || bareName(username) === bareName(agentUser)) return { ok: true };
  if (input.runMode === 'unattended' && input.isRoot) {
    const user = input.lookup(bareName(username));
    if (!user)
      return { ok: false, code: 'RunAsUserNotFound', message: `There is no OS user '${username}' on this machine.` };
    return { ok: true, switchTo: user };
  }
  return {
    ok: false,
    code: 'RunAsUserMismatch',
    message:
      input.runMode === 'attended'
        ? `This attended session is for '${username}', but the agent runs in the session of '${agentUser}'.`
        : `The session must run as '${username}', but the agent runs as '${agentUser}' and is not root, so it cannot switch users.`,
  };
}

/** The OS user of that name (POSIX, from the passwd database through getent). */
export function lookupOsUser(name: string): OsUser | undefined {
  if (!/^[a-z_][a-z0-9_.-]*\$?$/i.test(name)) return undefined;
  try {
    const line = execFileSync('getent', ['passwd', name], { encoding: 'utf8', timeout: 5_000 }).trim();
    const [user, , uid, gid, , home] = line.split(':');
    if (!user || uid === undefined || gid === undefined) return undefined;
    return { name: user, uid: Number(uid), gid: Number(gid), home: home || '/' };
  } catch {
    return undefined;
  }
}
