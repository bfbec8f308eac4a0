/**
 * `flowbridge validate <file...> [--json] [--arm-parameters <file>]`: save-time errors with JSON
 * pointers; exit 2 when any file is invalid. ARM deployment templates have their "[...]"
 * expressions evaluated first, with the values of an ARM parameters file if one is given.
 */
import { validateDefinition } from '@flowbridge/engine';
import type { CliIO } from './io.js';
import { parseArgs, readJsonFile } from './read-json.js';

interface FileReport {
  file: string;
  valid: boolean;
  errors: Array<{ pointer: string; code: string; message: string }>;
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const parsed = parseArgs(args, ['--arm-parameters'], ['--json']);
  if (parsed.error || parsed.positional.length === 0) {
    io.stderr(
      `flowbridge validate: ${parsed.error ?? 'name at least one definition file'}\nUsage: flowbridge validate <file...> [--json] [--arm-parameters <file>]\n`,
    );
    return 2;
  }
  let armParameters: unknown;
  const armPath = parsed.values.get('--arm-parameters');
  if (armPath !== undefined) {
    const read = await readJsonFile(armPath);
    if (!read.ok) {
      io.stderr(`flowbridge validate: ${read.message}\n`);
      return 2;
    }
    armParameters = read.value;
  }
  const reports: FileReport[] = [];
  for (const file of parsed.positional) {
    const read = await readJsonFile(file);
    if (!read.ok) {
      reports.push({ file, valid: false, errors: [{ pointer: '', code: read.code, message: read.message }] });
      continue;
    }
    const errors = validateDefinition(read.value, armParameters !== undefined ? { armParameters } : undefined).map(
      ({ pointer, code, message }) => ({ pointer, code, message }),
    );
    reports.push({ file, valid: errors.length === 0, errors });
  }
  if (parsed.flags.has('--json')) {
    io.stdout(`${JSON.stringify(reports, null, 2)}\n`);
  } else {
    for (const report of reports) {
      if (report.valid) {
        io.stdout(`${report.file}: valid\n`);
        continue;
      }
      const n = report.errors.length;
      io.stdout(`${report.file}: ${n} error${n === 1 ? '' : 's'}\n`);
      for (const e of report.errors) io.stdout(`  ${e.pointer || '/'}  ${e.code}: ${e.message}\n`);
    }
  }
  return reports.every((r) => r.valid) ? 0 : 2;
}
