// The run form of an instant flow, from its trigger's input schema: one field per property
// (Power Automate's manual trigger gives each a title and an x-ms-content-hint), typed inputs
// turned back into the JSON body the trigger expects.

export type FieldKind = 'text' | 'email' | 'date' | 'number' | 'integer' | 'boolean' | 'choice' | 'json';

export interface Field {
  name: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  description?: string;
  options?: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function fieldsOf(schema: unknown): Field[] {
  if (!isObj(schema) || !isObj(schema.properties)) return [];
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  return Object.entries(schema.properties).map(([name, p]) => {
    const s = isObj(p) ? p : {};
    const type = Array.isArray(s.type)
      ? String(s.type.find((t) => t !== 'null') ?? 'string')
      : String(s.type ?? 'string');
    const format = String(s.format ?? '').toLowerCase();
    let kind: FieldKind = 'json';
    if (Array.isArray(s.enum)) kind = 'choice';
    else if (type === 'string') kind = format === 'email' ? 'email' : format === 'date' ? 'date' : 'text';
    else if (type === 'number' || type === 'integer' || type === 'boolean') kind = type;
    return {
      name,
      label: typeof s.title === 'string' && s.title.trim() ? s.title : name,
      kind,
      required: required.has(name),
      ...(typeof s.description === 'string' && s.description ? { description: s.description } : {}),
      ...(Array.isArray(s.enum) ? { options: s.enum.map(String) } : {}),
    };
  });
}

export type RawValues = Record<string, string | boolean>;

/** The body to send, or the fields that need fixing (by name). */
export function bodyOf(fields: Field[], raw: RawValues): { body: Obj } | { errors: Record<string, string> } {
  const body: Obj = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const v = raw[f.name];
    if (f.kind === 'boolean') {
      body[f.name] = v === true;
      continue;
    }
    const text = typeof v === 'string' ? v : '';
    if (text.trim() === '') {
      if (f.required) errors[f.name] = `${f.label} is required.`;
      continue;
    }
    if (f.kind === 'number' || f.kind === 'integer') {
      const n = Number(text);
      if (!Number.isFinite(n) || (f.kind === 'integer' && !Number.isInteger(n)))
        errors[f.name] = `${f.label} must be ${f.kind === 'integer' ? 'a whole number' : 'a number'}.`;
      else body[f.name] = n;
    } else if (f.kind === 'json') {
      try {
        body[f.name] = JSON.parse(text);
      } catch {
        errors[f.name] = `${f.label} must be JSON.`;
      }
    } else {
      body[f.name] = text;
    }
  }
  return Object.keys(errors).length ? { errors } : { body };
}
