import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SIGNATURE_VERSION, newAccessKey, signTrigger, triggerPermission, verifyTrigger } from './signing.js';

test('verifyTrigger accepts the signature of the trigger (or of every trigger) and nothing near it', () => {
  const key = newAccessKey();
  const other = newAccessKey();
  const sv = SIGNATURE_VERSION;
  const signed = (sp: string, k = key, flow = 'f1', trigger = 'manual') => ({
    sp,
    sv,
    sig: signTrigger(k, flow, trigger, sp, sv),
  });
  const sp = triggerPermission('manual');
  for (let i = 0; i < 2; i++) {
    // Twice: the second time from the cache of expected signatures.
    assert.equal(verifyTrigger(key, 'f1', 'manual', signed(sp)), true);
    assert.equal(verifyTrigger(key, 'f1', 'manual', signed('/triggers/*/run')), true);
    assert.equal(verifyTrigger(key, 'f2', 'manual', signed(sp)), false, 'another flow');
    assert.equal(verifyTrigger(other, 'f1', 'manual', signed(sp)), false, 'another key');
    assert.equal(verifyTrigger(key, 'f1', 'other', signed(sp)), false, 'sp of another trigger');
    assert.equal(verifyTrigger(key, 'f1', 'manual', signed('/triggers/manual/run/')), false);
    assert.equal(verifyTrigger(key, 'f1', 'manua', signed('/triggers/manual/run', key, 'f1', 'manua')), false);
    assert.equal(verifyTrigger(key, 'f1', 'manual', { ...signed(sp), sv: '2.0' }), false);
    const { sig } = signed(sp);
    assert.equal(verifyTrigger(key, 'f1', 'manual', { sp, sv, sig: sig.slice(0, -1) }), false, 'shorter');
    assert.equal(verifyTrigger(key, 'f1', 'manual', { sp, sv, sig: `${sig.slice(0, -1)}é` }), false, 'non-ASCII');
    assert.equal(verifyTrigger(key, 'f1', 'manual', { sp, sv, sig: `${sig.slice(0, -1)}\ud800` }), false);
    assert.equal(verifyTrigger(key, 'f1', 'manual', { sp, sv }), false, 'no sig');
    assert.equal(verifyTrigger(key, 'f1', 'manual', { sp: [sp], sv, sig }), false, 'a repeated sp');
  }
  // More made-up trigger names than a key keeps: the real one is still checked right.
  for (let i = 0; i < 40; i++)
    verifyTrigger(key, 'f1', `t${i}`, signed(triggerPermission(`t${i}`), key, 'f1', `t${i}`));
  assert.equal(verifyTrigger(key, 'f1', 'manual', signed(sp)), true);
  assert.equal(verifyTrigger(key, 'f1', 'manual', signed(sp, other)), false);
});
