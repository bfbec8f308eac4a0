// The flow templates aggregate (issue #17): a definition with the connection references it needs
// (reference name → connector name), default parameter values and tags, per environment. A host
// application lists them and instantiates one into a flow (http/templates.ts).
import type { Json } from './json.js';

/** A connection reference of a template: the connector its connection must be of. */
export interface TemplateReference {
  connectorName: string;
}

export interface TemplateRecord {
  id: string;
  environmentId: string;
  /** Unique in its environment. */
  name: string;
  description: string;
  definition: Json;
  connectionReferences: Record<string, TemplateReference>;
  /** Default values of the definition's parameters (never secure ones). */
  parameters: Record<string, Json>;
  tags: string[];
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
}

export type TemplateInput = Pick<
  TemplateRecord,
  'environmentId' | 'name' | 'description' | 'definition' | 'connectionReferences' | 'parameters' | 'tags'
> & { createdBy?: string | null };

export interface TemplateStore {
  /** Conflict when the name is taken in the environment. */
  createTemplate(input: TemplateInput): Promise<TemplateRecord>;
  getTemplate(id: string): Promise<TemplateRecord | undefined>;
  /** By environment and name. */
  listTemplates(filter?: { environmentId?: string }): Promise<TemplateRecord[]>;
  /** Replaces a template's values (its environment stays); NotFound or Conflict (name taken). */
  updateTemplate(id: string, input: Omit<TemplateInput, 'environmentId' | 'createdBy'>): Promise<TemplateRecord>;
  deleteTemplate(id: string): Promise<boolean>;
}
