// The shared corpus of real definitions: every one validates except the few that are truly
// malformed (listed with the reason), and every one that uses only built-in actions with a
// Request/Recurrence/manual trigger runs to a terminal status against a fake host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateDefinition } from './index.js';
import { armPackaged, asArrived } from './test-support/arm-corpus.js';
import { runDefinition } from './test-support/harness.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const shared = process.env.FLOWBRIDGE_SHARED ?? join(repoRoot, '..', 'shared');
const root = join(shared, 'corpus', 'workflows');

/**
 * Definitions that are not valid as they arrive, and why. ARM-packaged ones are imported as ARM
 * templates (test-support/arm-corpus.ts), so their "[...]" expressions are evaluated; only those an
 * import cannot evaluate, or that an ARM deployment would reject too, are listed.
 */
const MALFORMED: Record<string, string> = {
  'Azure__LogicAppsTemplates/analyze-documents-ai-docintelligence.json':
    "unterminated string literal in @parameters('...'",
  'Azure__LogicAppsUX/mocks____MultipleRunAftersBig.json':
    'designer mock: IncrementVariable actions without a variable name',
  'Azure__LogicAppsUX/mocks____RunAfter.json': 'designer mock: Compose without inputs, a variable initialised twice',
  'Azure__Microsoft-Defender-for-Cloud/Configure-MDE__Source.json':
    'ARM listKeys(...) in a parameter default: needs a live Azure deployment (ArmUnsupportedFunction)',
  'Azure__Microsoft-Defender-for-Cloud/Open-DevOpsTaskRecommendation.json': 'a trigger without a type',
  'Azure__Microsoft-Defender-for-Cloud/Remediation_scripts__Enable_auditing_for_the_SQL_server__Logic_App.json':
    "ARM expression with unescaped quotes: [parameters('workspaces_@{variables('WorkspaceName')}_externalid')]",
  'jeffhollan__LogicAppTemplateCreator/LogicAppTemplate.Test__WorkflowTest.json':
    "runAfter names 'Get_blob_content', which does not exist",
  'jeffhollan__LogicAppTemplateCreator/LogicAppTemplate.Test__WorkflowTestOtherResourcegroup.json':
    "runAfter names 'Get_blob_content', which does not exist",
  'jeffhollan__LogicAppTemplateCreator/LogicAppTemplate.Test__paramGeneratorLogicAppTemplate.json':
    "runAfter names 'Get_blob_content', which does not exist",
  'jeffhollan__LogicAppTemplateCreator/LogicAppTemplate__starterTemplateCreated.json':
    "ARM expression missing its ')' in $connections: [concat('...', resourceGroup().location, '/managedApis/salesforce']",
};

function corpusFiles(): string[] {
  const out: string[] = [];
  for (const d of readdirSync(root)) {
    const dir = join(root, d);
    if (!existsSync(dir) || d.endsWith('.json')) continue;
    for (const f of readdirSync(dir)) if (f.endsWith('.json')) out.push(`${d}/${f}`);
  }
  return out.sort();
}

const RUNNABLE_ACTIONS = new Set(
  [
    'Compose',
    'InitializeVariable',
    'SetVariable',
    'IncrementVariable',
    'DecrementVariable',
    'AppendToArrayVariable',
    'AppendToStringVariable',
    'ParseJson',
    'Query',
    'Select',
    'Join',
    'Table',
    'Terminate',
    'Response',
    'Expression',
    'If',
    'Switch',
    'Foreach',
    'Until',
    'Scope',
    'Wait',
    'Http',
    'Workflow',
    'JavaScriptCode',
  ].map((t) => t.toLowerCase()),
);
const RUNNABLE_TRIGGERS = new Set(['request', 'recurrence', 'manual']);

function onlyBuiltins(actions: unknown): boolean {
  if (!actions || typeof actions !== 'object') return true;
  for (const a of Object.values(actions as Record<string, Record<string, unknown>>)) {
    if (!RUNNABLE_ACTIONS.has(String(a.type).toLowerCase())) return false;
    const nested = [
      a.actions,
      (a.else as Record<string, unknown> | undefined)?.actions,
      (a.default as Record<string, unknown> | undefined)?.actions,
    ];
    for (const c of Object.values((a.cases as Record<string, Record<string, unknown>> | undefined) ?? {}))
      nested.push(c.actions);
    if (!nested.every(onlyBuiltins)) return false;
  }
  return true;
}

const available = existsSync(root);

test(
  'corpus: every definition validates except the listed malformed ones',
  { skip: !available && 'corpus not found' },
  () => {
    const files = corpusFiles();
    assert.ok(files.length > 400, `only ${files.length} corpus files`);
    const arm = armPackaged(root);
    assert.ok(arm.size > 100, `only ${arm.size} ARM-packaged corpus files`);
    const unexpected: string[] = [];
    for (const f of files) {
      const errors = validateDefinition(asArrived(f, JSON.parse(readFileSync(join(root, f), 'utf8')), arm));
      for (const e of errors) assert.match(e.pointer, /^(\/|$)/);
      if (MALFORMED[f] !== undefined) {
        if (errors.length === 0) unexpected.push(`${f}: listed as malformed but valid`);
      } else if (errors.length > 0) unexpected.push(`${f}: ${JSON.stringify(errors.slice(0, 2))}`);
    }
    assert.deepEqual(unexpected, []);
  },
);

test('corpus: built-in-only definitions run to a terminal status', { skip: !available && 'corpus not found' }, () => {
  let ran = 0;
  const failures: string[] = [];
  const arm = armPackaged(root);
  for (const f of corpusFiles()) {
    if (MALFORMED[f] !== undefined) continue;
    const def = JSON.parse(readFileSync(join(root, f), 'utf8')) as Record<string, unknown>;
    const triggers = Object.values((def.triggers as Record<string, Record<string, unknown>> | undefined) ?? {});
    if (
      triggers.length !== 1 ||
      !RUNNABLE_TRIGGERS.has(String(triggers[0]?.type).toLowerCase()) ||
      !onlyBuiltins(def.actions)
    )
      continue;
    ran++;
    try {
      const r = runDefinition(asArrived(f, def, arm), { triggerBody: {}, maxEvents: 5000 });
      if (!['Succeeded', 'Failed', 'Cancelled'].includes(r.result.status))
        failures.push(`${f}: ended ${r.result.status}`);
    } catch (e) {
      failures.push(`${f}: threw ${(e as Error).stack}`);
    }
  }
  assert.ok(ran >= 40, `only ${ran} runnable definitions`);
  assert.deepEqual(failures, []);
});
