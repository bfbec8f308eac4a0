/**
 * The component schemas of the desktop-flow section of the OpenAPI document (openapi-desktop.ts).
 */
import type { Schema } from './openapi-model.js';
import { dateTime, nullableDateTime, nullableStr } from './openapi-model.js';

const LANGUAGES = ['bash', 'sh', 'powershell', 'python', 'node'];
const jsonSchema: Schema = { type: 'object', description: "A JSON Schema of type 'object'." };
const priority: Schema = {
  description: "'normal' (default, 50), 'high' (100), or a whole number 0–1000: higher runs first.",
  oneOf: [
    { enum: ['normal', 'high'] },
    { type: 'integer', minimum: 0, maximum: 1000 },
    { type: 'string' },
    { type: 'null' },
  ],
};

export const desktopSchemas: Record<string, Schema> = {
  DesktopFlow: {
    type: 'object',
    required: ['id', 'name', 'environmentId', 'version', 'createdAt', 'updatedAt'],
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      environmentId: { type: 'string' },
      ownerId: nullableStr(),
      version: { type: 'integer', description: 'The current version.' },
      createdAt: dateTime,
      updatedAt: dateTime,
      language: { enum: LANGUAGES, description: 'With the script and schemas when one flow is read.' },
      script: { type: 'string' },
      inputs: jsonSchema,
      outputs: jsonSchema,
    },
  },
  DesktopFlowCreate: {
    type: 'object',
    required: ['name', 'language', 'script'],
    properties: {
      name: { type: 'string', maxLength: 200 },
      language: { enum: LANGUAGES },
      script: {
        type: 'string',
        description:
          'Reads its inputs from the JSON file named by FLOWBRIDGE_INPUTS (and FLOWBRIDGE_INPUT_<NAME>), writes ' +
          'its outputs as a JSON object to the file named by FLOWBRIDGE_OUTPUTS; exit 0 = Succeeded.',
      },
      inputs: jsonSchema,
      outputs: jsonSchema,
      environmentId: { type: 'string', description: "An existing environment (default 'default')." },
    },
  },
  DesktopFlowUpdate: {
    type: 'object',
    description: 'A new version; fields left out keep their value.',
    properties: {
      name: { type: 'string', maxLength: 200 },
      language: { enum: LANGUAGES },
      script: { type: 'string' },
      inputs: jsonSchema,
      outputs: jsonSchema,
      expectedVersion: { type: 'integer', description: 'Conflict (409) unless this is the current version.' },
    },
  },
  DesktopFlowVersion: {
    type: 'object',
    required: ['version', 'createdAt', 'language', 'script', 'inputs', 'outputs'],
    properties: {
      version: { type: 'integer' },
      createdAt: dateTime,
      createdBy: nullableStr(),
      language: { enum: LANGUAGES },
      script: { type: 'string' },
      inputs: jsonSchema,
      outputs: jsonSchema,
    },
  },
  DesktopFlowRun: {
    type: 'object',
    properties: {
      runMode: { enum: ['attended', 'unattended'], description: "Default 'unattended'." },
      runPriority: priority,
      machineGroupId: { type: 'string' },
      machineId: { type: 'string', description: 'Run on this machine only.' },
      connectionName: { type: 'string', description: 'A shared_uiflow connection naming the group and the user.' },
      timeout: { type: ['integer', 'string', 'null'], description: 'Seconds, default 7200, at most 86400.' },
      inputs: { type: ['object', 'string', 'null'], description: 'An object, or JSON in a string; ≤ 2 MB.' },
      callbackUrl: {
        type: ['string', 'null'],
        format: 'uri',
        description: 'Called when the session ends (spec §13.4).',
      },
    },
  },
  DesktopFlowSession: {
    type: 'object',
    required: ['id', 'flowId', 'status', 'statuscode', 'runMode', 'priority', 'machineGroupId', 'createdAt'],
    properties: {
      id: { type: 'string' },
      flowId: { type: 'string' },
      flowVersion: { type: 'integer' },
      environmentId: { type: 'string' },
      status: {
        type: 'string',
        description: 'Waiting, Running, Succeeded, Failed, Cancelled, TimedOut or Faulted (the machine was lost).',
      },
      statuscode: { type: 'integer', description: 'Dataverse flowsession statuscode: 3, 2, 4, 8, 7, 10, 9.' },
      runMode: { enum: ['attended', 'unattended'] },
      priority: { type: 'integer' },
      machineGroupId: { type: 'string' },
      machineId: nullableStr('The machine that ran it.'),
      targetMachineId: nullableStr(),
      connectionName: nullableStr(),
      inputs: { type: 'object' },
      outputs: { type: ['object', 'null'] },
      errorCode: nullableStr(),
      errorMessage: nullableStr(),
      timeout: { type: 'integer' },
      cancelRequested: { type: 'boolean' },
      callbackUrl: nullableStr(),
      runId: nullableStr('The cloud-flow run waiting for it (RunUIFlow_V2).'),
      createdBy: nullableStr(),
      createdAt: dateTime,
      startedAt: nullableDateTime,
      completedAt: nullableDateTime,
    },
  },
  MachineGroup: {
    type: 'object',
    required: ['id', 'name', 'environmentId', 'createdAt'],
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      environmentId: { type: 'string' },
      createdAt: dateTime,
      keyRotatedAt: dateTime,
      registrationKey: {
        type: 'string',
        description: 'Shown when the group is created and when its key is rotated, never again.',
      },
    },
  },
  Machine: {
    type: 'object',
    required: ['id', 'name', 'machineGroupId', 'status', 'attended', 'lastSeenAt'],
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      machineGroupId: { type: 'string' },
      machineGroupName: nullableStr(),
      environmentId: nullableStr(),
      status: { enum: ['online', 'offline', 'busy'] },
      attended: { type: 'boolean', description: 'Its agent runs with --attended.' },
      currentSessionId: nullableStr(),
      lastSeenAt: dateTime,
      registeredAt: dateTime,
      agentVersion: nullableStr(),
      osUser: nullableStr(),
      platform: nullableStr(),
    },
  },
  AgentRegistration: {
    type: 'object',
    required: ['machineId', 'machineGroupId', 'name', 'credential', 'pollMs'],
    properties: {
      machineId: { type: 'string' },
      machineGroupId: { type: 'string' },
      name: { type: 'string' },
      credential: { type: 'string', description: 'The machine credential (fbm_...), shown this once.' },
      pollMs: { type: 'integer' },
    },
  },
  AgentPollAnswer: {
    type: 'object',
    required: ['cancel', 'offer', 'pollMs'],
    properties: {
      cancel: { type: 'array', items: { type: 'string' }, description: 'Sessions to kill now.' },
      offer: { type: ['object', 'null'], properties: { sessionId: { type: 'string' } } },
      pollMs: { type: 'integer' },
    },
  },
  AgentSession: {
    type: 'object',
    required: ['id', 'language', 'script', 'inputs', 'runMode', 'remainingMs'],
    properties: {
      id: { type: 'string' },
      flowId: { type: 'string' },
      flowVersion: { type: 'integer' },
      language: { enum: LANGUAGES },
      script: { type: 'string' },
      inputs: { type: 'object' },
      runMode: { enum: ['attended', 'unattended'] },
      remainingMs: { type: 'integer' },
      runAs: {
        type: ['object', 'null'],
        description: 'The connection user; its password only for unattended sessions.',
        properties: { username: { type: 'string' }, password: { type: 'string' } },
      },
    },
  },
};
