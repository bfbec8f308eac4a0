// Contract cases of the flow templates aggregate: create, unique names per environment, list,
// replace, delete.
import assert from 'node:assert/strict';
import type { TemplateInput } from '../../template-types.js';
import type { Case } from './support.js';
import { rejectsWith } from './support.js';

const template = (name: string, extra: Partial<TemplateInput> = {}): TemplateInput => ({
  environmentId: 'default',
  name,
  description: 'd',
  definition: { triggers: { t: { type: 'Request', kind: 'Http' } }, actions: {} },
  connectionReferences: { shared_x: { connectorName: 'shared_x' } },
  parameters: { greeting: 'hi' },
  tags: ['crm', 'lead'],
  ...extra,
});

export const templateCases: Case[] = [
  [
    'templates: create, Conflict on a name taken in the environment, get, list by environment',
    async ({ store }, clock) => {
      const made = await store.createTemplate(template('one', { createdBy: 'u1' }));
      assert.equal(made.name, 'one');
      assert.deepEqual(made.connectionReferences, { shared_x: { connectorName: 'shared_x' } });
      assert.deepEqual(made.parameters, { greeting: 'hi' });
      assert.deepEqual(made.tags, ['crm', 'lead']);
      assert.equal(made.createdBy, 'u1');
      assert.equal(made.createdAt, clock.now());
      assert.deepEqual(await store.getTemplate(made.id), made);
      await rejectsWith(store.createTemplate(template('one')), 'Conflict');
      await store.createEnvironment({ id: 'other', name: 'Other' });
      await store.createTemplate(template('one', { environmentId: 'other' }));
      await store.createTemplate(template('a-two'));
      assert.deepEqual(
        (await store.listTemplates({ environmentId: 'default' })).map((t) => t.name),
        ['a-two', 'one'],
      );
      assert.equal((await store.listTemplates()).length, 3);
      assert.equal(await store.getTemplate('nope'), undefined);
    },
  ],
  [
    'templates: update replaces the values, NotFound and Conflict; delete',
    async ({ store }, clock) => {
      const made = await store.createTemplate(template('one'));
      await store.createTemplate(template('two'));
      clock.advance(1000);
      const updated = await store.updateTemplate(made.id, {
        ...template('renamed', { tags: [], parameters: {}, connectionReferences: {} }),
      });
      assert.equal(updated.name, 'renamed');
      assert.deepEqual([updated.tags, updated.parameters, updated.connectionReferences], [[], {}, {}]);
      assert.equal(updated.createdAt, made.createdAt);
      assert.equal(updated.updatedAt, made.createdAt + 1000);
      await rejectsWith(store.updateTemplate(made.id, template('two')), 'Conflict');
      await rejectsWith(store.updateTemplate('nope', template('x')), 'NotFound');
      assert.equal(await store.deleteTemplate(made.id), true);
      assert.equal(await store.getTemplate(made.id), undefined);
      assert.equal(await store.deleteTemplate(made.id), false);
    },
  ],
];
