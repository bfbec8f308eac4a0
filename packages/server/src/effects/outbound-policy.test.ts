import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkAddresses,
  checkHost,
  createOutboundPolicy,
  parseAddress,
  type OutboundPolicy,
} from './outbound-policy.js';

function policy(deny?: string, allow?: string): OutboundPolicy {
  const created = createOutboundPolicy({ ...(deny ? { deny } : {}), ...(allow ? { allow } : {}) });
  if ('error' in created) throw new Error(created.error.message);
  return created.policy;
}

/** [deny, allow, host, resolved addresses, expected: 'ok' or the rule that refuses]. */
const cases: Array<[string, string, string, string[], string]> = [
  // Built-in deny list: metadata endpoints and link-local, by literal, by name and after DNS.
  ['', '', '169.254.169.254', [], '169.254.169.254'],
  ['', '', 'evil.example', ['169.254.169.254'], '169.254.169.254'],
  ['', '', 'evil.example', ['93.184.216.34', '169.254.169.254'], '169.254.169.254'],
  ['', '', '169.254.10.1', [], '169.254.0.0/16'],
  ['', '', '100.100.100.200', [], '100.100.100.200'],
  ['', '', 'metadata.google.internal', [], 'metadata.google.internal'],
  ['', '', 'METADATA.Google.Internal.', [], 'metadata.google.internal'],
  ['', '', '[fd00:ec2::254]', [], 'fd00:ec2::254'],
  ['', '', 'fd00:ec2:0:0:0:0:0:254', [], 'fd00:ec2::254'],
  ['', '', 'host6.example', ['fe80::1%eth0'], 'fe80::/10'],
  ['', '', 'febf::1', [], 'fe80::/10'],
  ['', '', 'fec0::1', [], 'ok'],
  // IPv4-mapped IPv6 reaches the IPv4 host, so IPv4 rules apply to it.
  ['', '', '::ffff:169.254.169.254', [], '169.254.169.254'],
  ['', '', '[::ffff:a9fe:a9fe]', [], '169.254.169.254'],
  ['', '', 'mapped.example', ['::ffff:169.254.1.1'], '169.254.0.0/16'],
  // Private networks and loopback are allowed by default.
  ['', '', '127.0.0.1', [], 'ok'],
  ['', '', 'localhost', ['127.0.0.1', '::1'], 'ok'],
  ['', '', 'db.internal', ['10.1.2.3'], 'ok'],
  ['', '', '192.168.1.1', [], 'ok'],
  ['', '', '169.255.0.1', [], 'ok'],
  // Configured deny: CIDRs (IPv4, IPv6, mapped), IPs, host patterns.
  ['10.0.0.0/8', '', 'db.internal', ['10.1.2.3'], '10.0.0.0/8'],
  ['10.0.0.0/8', '', 'web.internal', ['11.0.0.1'], 'ok'],
  ['10.128.0.0/9', '', '10.127.255.255', [], 'ok'],
  ['10.128.0.0/9', '', '10.128.0.0', [], '10.128.0.0/9'],
  ['172.16.0.0/12', '', '172.31.255.1', [], '172.16.0.0/12'],
  ['172.16.0.0/12', '', '172.32.0.1', [], 'ok'],
  ['::ffff:10.0.0.0/104', '', '10.9.9.9', [], '::ffff:10.0.0.0/104'],
  ['fc00::/7', '', 'v6.internal', ['fd12:3456::1'], 'fc00::/7'],
  ['fc00::/7', '', 'v6.example', ['2001:db8::1'], 'ok'],
  ['::1', '', 'localhost', ['127.0.0.1', '::1'], '::1'],
  ['127.0.0.1', '', '127.0.0.1', [], '127.0.0.1'],
  ['0.0.0.0/0', '', '8.8.8.8', [], '0.0.0.0/0'],
  ['0.0.0.0/0', '', '2001:db8::1', [], 'ok'],
  ['*.corp.example', '', 'a.corp.example', ['8.8.8.8'], '*.corp.example'],
  ['*.corp.example', '', 'x.y.corp.example', [], '*.corp.example'],
  ['*.corp.example', '', 'corp.example', ['8.8.8.8'], 'ok'],
  ['*.corp.example', '', 'notcorp.example', ['8.8.8.8'], 'ok'],
  ['corp.example', '', 'Corp.Example', [], 'corp.example'],
  // Allow list: a whitelist of hosts and addresses; deny still wins.
  ['', '*.partner.example', 'api.partner.example', ['203.0.113.5'], 'ok'],
  ['', '*.partner.example', 'api.other.example', ['203.0.113.5'], 'allow list'],
  ['', '203.0.113.0/24', 'api.other.example', ['203.0.113.5'], 'ok'],
  ['', '203.0.113.0/24', 'split.example', ['203.0.113.5', '198.51.100.1'], 'allow list'],
  ['', '203.0.113.0/24', '198.51.100.1', [], 'allow list'],
  ['', '*.partner.example', '169.254.169.254', [], '169.254.169.254'],
  ['', '*.partner.example', 'meta.partner.example', ['169.254.169.254'], '169.254.169.254'],
  ['', '10.0.0.0/8,*', 'anything.example', ['1.2.3.4'], 'ok'],
  ['10.0.0.5', '10.0.0.0/8', '10.0.0.5', [], '10.0.0.5'],
  ['10.0.0.5', '10.0.0.0/8', '10.0.0.6', [], 'ok'],
  ['*.partner.example', '*.partner.example', 'api.partner.example', ['203.0.113.5'], '*.partner.example'],
];

describe('outbound policy', () => {
  for (const [deny, allow, host, addresses, expected] of cases) {
    test(`deny='${deny}' allow='${allow}': ${host} ${addresses.join(' ')} -> ${expected}`, () => {
      const p = policy(deny, allow);
      const refusal = checkHost(p, host) ?? (addresses.length ? checkAddresses(p, host, addresses) : undefined);
      assert.equal(refusal?.rule ?? 'ok', expected, refusal?.message);
      if (refusal) {
        assert.equal(refusal.code, 'OutboundDenied');
        assert.match(refusal.message, new RegExp(host.replace(/[[\].*]/g, '.').slice(0, 6), 'i'));
      }
    });
  }

  test('a refusal names the host, the address and the rule with its origin', () => {
    const refusal = checkAddresses(policy(), 'evil.example', ['169.254.169.254']);
    assert.deepEqual(
      { host: refusal?.host, address: refusal?.address, rule: refusal?.rule, source: refusal?.source },
      { host: 'evil.example', address: '169.254.169.254', rule: '169.254.169.254', source: 'built-in' },
    );
    assert.match(refusal?.message ?? '', /evil\.example.*169\.254\.169\.254.*cloud metadata/);
  });

  const malformed: Array<[string, string]> = [
    ['deny', '10.0.0.0/33'],
    ['deny', '10.0.0/8'],
    ['allow', 'fe80::/129'],
    ['allow', '*corp.example'],
    ['deny', 'exa mple.com'],
    ['deny', 'a.*.example'],
    ['allow', 'http://x.example'],
  ];
  for (const [list, entry] of malformed) {
    test(`rejects ${list} entry '${entry}' as InvalidConfig`, () => {
      const created = createOutboundPolicy({ [list]: `127.0.0.1, ${entry}` });
      assert.ok('error' in created);
      assert.equal(created.error.code, 'InvalidConfig');
      assert.equal(created.error.target, list === 'deny' ? 'FLOWBRIDGE_OUTBOUND_DENY' : 'FLOWBRIDGE_OUTBOUND_ALLOW');
    });
  }

  test('parses addresses the way the network reads them', () => {
    assert.deepEqual([...(parseAddress('::ffff:1.2.3.4') ?? [])], [1, 2, 3, 4]);
    assert.deepEqual([...(parseAddress('1::')?.slice(0, 2) ?? [])], [0, 1]);
    assert.equal(parseAddress('example.com'), undefined);
    assert.equal(parseAddress('1.2.3'), undefined);
  });
});
