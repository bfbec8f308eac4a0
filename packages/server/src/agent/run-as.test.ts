import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bareName, decideRunAs, lookupOsUser, type OsUser } from './run-as.js';

const ann: OsUser = { name: 'ann', uid: 1001, gid: 1001, home: '/home/ann' };
const lookup = (name: string): OsUser | undefined => (name === 'ann' ? ann : undefined);

describe('decideRunAs: whom a session runs as', () => {
  const cases: Array<[string, Parameters<typeof decideRunAs>[0], ReturnType<typeof decideRunAs>]> = [
    [
      'no user named: the agent user',
      { username: undefined, runMode: 'unattended', agentUser: 'bot', isRoot: false, lookup },
      { ok: true },
    ],
    [
      'the same name, any domain and case',
      { username: 'CORP\\Bot', runMode: 'unattended', agentUser: 'bot', isRoot: false, lookup },
      { ok: true },
    ],
    [
      'unattended as root: switches to the user',
      { username: 'ann@corp.example', runMode: 'unattended', agentUser: 'root', isRoot: true, lookup },
      { ok: true, switchTo: ann },
    ],
    [
      'unattended as root, no such user',
      { username: 'zed', runMode: 'unattended', agentUser: 'root', isRoot: true, lookup },
      { ok: false, code: 'RunAsUserNotFound', message: "There is no OS user 'zed' on this machine." },
    ],
  ];
  for (const [name, input, expected] of cases) it(name, () => assert.deepEqual(decideRunAs(input), expected));

  const refused: Array<[string, Parameters<typeof decideRunAs>[0]]> = [
    [
      'unattended, not root, another user',
      { username: 'ann', runMode: 'unattended', agentUser: 'bot', isRoot: false, lookup },
    ],
    [
      "attended: always the agent's own session",
      { username: 'ann', runMode: 'attended', agentUser: 'root', isRoot: true, lookup },
    ],
  ];
  for (const [name, input] of refused) {
    it(name, () => {
      const d = decideRunAs(input);
      assert.equal(d.ok, false);
      assert.equal(!d.ok && d.code, 'RunAsUserMismatch');
    });
  }

  it('bare names', () => {
    assert.equal(bareName('DOMAIN\\Ann'), 'ann');
    assert.equal(bareName('ann@example.com'), 'ann');
  });

  it('looks OS users up, and refuses names that are not user names', () => {
    assert.equal(lookupOsUser('root')?.uid, 0);
    assert.equal(lookupOsUser('no-such-user-here'), undefined);
    assert.equal(lookupOsUser('root; rm -rf /'), undefined);
  });
});
