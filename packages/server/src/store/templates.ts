// The flow templates aggregate over the driver (template-types.ts).
import type { StoreContext } from './context.js';
import type { Row } from './driver.js';
import { StoreError } from './errors.js';
import { sortableId } from './ids.js';
import { fromJson, toJson } from './json.js';
import { n, sOrNull } from './rows.js';
import type { TemplateRecord, TemplateReference, TemplateStore } from './template-types.js';

function toTemplate(r: Row): TemplateRecord {
  return {
    id: String(r.id),
    environmentId: String(r.environment_id),
    name: String(r.name),
    description: String(r.description),
    definition: fromJson(r.definition),
    connectionReferences: (fromJson(r.connection_references) ?? {}) as Record<string, TemplateReference>,
    parameters: (fromJson(r.parameters) ?? {}) as Record<string, unknown>,
    tags: (fromJson(r.tags) ?? []) as string[],
    createdBy: sOrNull(r.created_by),
    createdAt: n(r.created_at),
    updatedAt: n(r.updated_at),
  };
}

/** A unique-name violation said in the template's words. */
async function named<T>(name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof StoreError && e.code === 'Conflict')
      throw new StoreError('Conflict', `a template named ${name} exists`, { target: 'name', cause: e });
    throw e;
  }
}

export function templateStore({ driver, now, check }: StoreContext): TemplateStore {
  const getTemplate: TemplateStore['getTemplate'] = async (id) => {
    check();
    const [r] = await driver.all('SELECT * FROM flow_templates WHERE id = ?', [id]);
    return r ? toTemplate(r) : undefined;
  };
  const mustGet = async (id: string): Promise<TemplateRecord> => {
    const found = await getTemplate(id);
    if (!found) throw new StoreError('NotFound', `template ${id} does not exist`, { target: id });
    return found;
  };
  return {
    getTemplate,
    async createTemplate(input) {
      check();
      const at = now();
      const id = sortableId(at);
      await named(input.name, () =>
        driver.run(
          `INSERT INTO flow_templates (id, environment_id, name, description, definition, connection_references,
             parameters, tags, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            id,
            input.environmentId,
            input.name,
            input.description,
            toJson(input.definition, 'definition'),
            toJson(input.connectionReferences, 'connectionReferences'),
            toJson(input.parameters, 'parameters'),
            toJson(input.tags, 'tags'),
            input.createdBy ?? null,
            at,
            at,
          ],
        ),
      );
      return mustGet(id);
    },
    async listTemplates(filter = {}) {
      check();
      const rows = await driver.all(
        `SELECT * FROM flow_templates ${filter.environmentId !== undefined ? 'WHERE environment_id = ?' : ''}
         ORDER BY environment_id, name`,
        filter.environmentId !== undefined ? [filter.environmentId] : [],
      );
      return rows.map(toTemplate);
    },
    async updateTemplate(id, input) {
      check();
      const changed = await named(input.name, () =>
        driver.run(
          `UPDATE flow_templates SET name = ?, description = ?, definition = ?, connection_references = ?,
             parameters = ?, tags = ?, updated_at = ? WHERE id = ?`,
          [
            input.name,
            input.description,
            toJson(input.definition, 'definition'),
            toJson(input.connectionReferences, 'connectionReferences'),
            toJson(input.parameters, 'parameters'),
            toJson(input.tags, 'tags'),
            now(),
            id,
          ],
        ),
      );
      if (changed === 0) throw new StoreError('NotFound', `template ${id} does not exist`, { target: id });
      return mustGet(id);
    },
    async deleteTemplate(id) {
      check();
      return (await driver.run('DELETE FROM flow_templates WHERE id = ?', [id])) > 0;
    },
  };
}
