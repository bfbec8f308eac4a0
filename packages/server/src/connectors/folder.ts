/**
 * A connector folder as Microsoft's `paconn` tool and the PowerPlatformConnectors repository lay
 * it out: `apiDefinition.swagger.json` (some folders spell it differently: any `*.swagger.json`
 * is taken when that name is absent), `apiProperties.json`, and maybe custom code (`script.csx`).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Result } from './errors.js';
import { importConnectorFiles } from './import.js';
import type { Connector } from './model.js';

export interface FolderFiles {
  apiDefinition?: string;
  apiProperties?: string;
  customCode: boolean;
}

export async function findConnectorFiles(dir: string): Promise<FolderFiles> {
  const entries = await readdir(dir);
  const lower = new Map(entries.map((e) => [e.toLowerCase(), e]));
  const swagger = lower.get('apidefinition.swagger.json') ?? entries.find((e) => /\.swagger\.json$/i.test(e));
  const properties = lower.get('apiproperties.json');
  return {
    ...(swagger ? { apiDefinition: join(dir, swagger) } : {}),
    ...(properties ? { apiProperties: join(dir, properties) } : {}),
    customCode: entries.some((e) => /\.csx$/i.test(e) || e.toLowerCase() === 'script.cs'),
  };
}

export async function importConnectorFolder(
  dir: string,
  options: { name?: string; customCode?: boolean } = {},
): Promise<Result<Connector>> {
  const files = await findConnectorFiles(dir);
  if (!files.apiDefinition)
    return {
      ok: false,
      error: {
        code: 'InvalidDocument',
        message: 'The folder has no apiDefinition.swagger.json.',
        document: 'apiDefinition',
      },
    };
  const apiDefinition = await readFile(files.apiDefinition);
  const apiProperties = files.apiProperties ? await readFile(files.apiProperties) : undefined;
  return importConnectorFiles({
    apiDefinition,
    ...(apiProperties ? { apiProperties } : {}),
    ...(options.name !== undefined ? { name: options.name } : {}),
    customCode: options.customCode ?? files.customCode,
  });
}
