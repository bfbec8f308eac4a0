// The run form of an instant flow: a field per property of its trigger's input schema.
import { useMemo, useState, type FormEvent } from 'react';
import { ErrorNote } from '../components/ui.js';
import { bodyOf, fieldsOf, type RawValues } from './schema.js';

export function SchemaForm({
  schema,
  onSubmit,
  busy,
  error,
  submitLabel,
}: {
  schema: unknown;
  onSubmit: (body: Record<string, unknown>) => void;
  busy: boolean;
  error: unknown;
  submitLabel: string;
}) {
  const fields = useMemo(() => fieldsOf(schema), [schema]);
  const [values, setValues] = useState<RawValues>({});
  const [problems, setProblems] = useState<Record<string, string>>({});
  const set = (name: string, v: string | boolean): void => setValues((old) => ({ ...old, [name]: v }));
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const result = bodyOf(fields, values);
    if ('errors' in result) setProblems(result.errors);
    else {
      setProblems({});
      onSubmit(result.body);
    }
  };
  return (
    <form onSubmit={submit} className="panel" aria-label="Run flow">
      {fields.length === 0 ? <p className="muted">This flow takes no inputs.</p> : null}
      {fields.map((f) => {
        const id = `field-${f.name}`;
        const problem = problems[f.name];
        const common = {
          id,
          name: f.name,
          required: f.required,
          'aria-invalid': problem ? true : undefined,
          'aria-describedby': problem ? `${id}-problem` : undefined,
        };
        return (
          <div key={f.name} className="field">
            {f.kind === 'boolean' ? (
              <label className="check">
                <input
                  {...common}
                  type="checkbox"
                  checked={values[f.name] === true}
                  onChange={(e) => set(f.name, e.target.checked)}
                />
                {f.label}
              </label>
            ) : (
              <label htmlFor={id}>
                {f.label}
                {f.required ? ' (required)' : ''}
              </label>
            )}
            {f.kind === 'choice' ? (
              <select {...common} value={String(values[f.name] ?? '')} onChange={(e) => set(f.name, e.target.value)}>
                <option value="">Choose…</option>
                {f.options!.map((o) => (
                  <option key={o}>{o}</option>
                ))}
              </select>
            ) : f.kind === 'json' ? (
              <textarea
                {...common}
                rows={4}
                className="code"
                value={String(values[f.name] ?? '')}
                onChange={(e) => set(f.name, e.target.value)}
              />
            ) : f.kind !== 'boolean' ? (
              <input
                {...common}
                type={f.kind === 'email' ? 'email' : f.kind === 'date' ? 'date' : f.kind === 'text' ? 'text' : 'number'}
                step={f.kind === 'number' ? 'any' : undefined}
                value={String(values[f.name] ?? '')}
                onChange={(e) => set(f.name, e.target.value)}
              />
            ) : null}
            {f.description ? <small className="muted">{f.description}</small> : null}
            {problem ? (
              <small id={`${id}-problem`} className="error">
                {problem}
              </small>
            ) : null}
          </div>
        );
      })}
      <ErrorNote error={error} />
      <button type="submit" className="primary" disabled={busy}>
        {submitLabel}
      </button>
    </form>
  );
}
