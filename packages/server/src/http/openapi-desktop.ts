/**
 * OpenAPI section: desktop flows (desktop/): desktop flows with versions, machine groups and
 * machines, sessions, the agent protocol (`flowbridge agent`, authenticated by the machine
 * credential, not a bearer token of the API) and the Dataverse-compatible routes of spec §13,
 * which one wildcard route per method serves.
 */
import { desktopSchemas } from './openapi-desktop-schemas.js';
import type { Section } from './openapi-model.js';
import { anyJson, listOf, ref } from './openapi-model.js';

const id = (what: string): Record<string, string> => ({ id: `The ${what} id.` });
const machineAuth =
  'The agent protocol: `Authorization: Bearer <machine credential>` (fbm_...), not a token of the API. ' +
  'A refused credential (the machine was removed) gets 401 without a Bearer challenge.';
const agentOp = { tag: 'agent', access: 'none' as const, description: machineAuth };
const unknownMachine = 'Unauthorized: the machine credential is not valid (or the machine was removed)';
const dataverse =
  'Dataverse Web API form (spec §13), for clients built for Power Automate: ' +
  '`GET workflows?$filter=category eq 6&$select=name,workflowid`, `GET workflows(<id>)`, ' +
  '`GET workflows(<id>)/inputs/$value` and `/outputs/$value`, ' +
  '`POST workflows(<id>)/Microsoft.Dynamics.CRM.RunDesktopFlow`, `GET flowsessions(<id>)?$select=...`, ' +
  '`GET flowsessions(<id>)/outputs/$value`, `POST flowsessions(<id>)/Microsoft.Dynamics.CRM.CancelDesktopFlowRun` (204). ' +
  "Errors are `{error: {code, message}}` with Dataverse's hexadecimal codes.";

export const desktopSection: Section = {
  tags: [
    { name: 'desktop-flows', description: 'Desktop flows (scripts run on registered machines) and their sessions.' },
    { name: 'machines', description: 'Machine groups, their registration keys, and the machines registered in them.' },
    { name: 'agent', description: 'The protocol `flowbridge agent` speaks (machine credential).' },
    { name: 'dataverse', description: 'The Dataverse-compatible desktop-flow API of spec §13.' },
  ],
  schemas: desktopSchemas,
  operations: [
    {
      operationId: 'createDesktopFlow',
      method: 'post',
      path: '/api/v1/desktop-flows',
      summary: 'Create a desktop flow (version 1)',
      tag: 'desktop-flows',
      body: { schema: ref('DesktopFlowCreate') },
      responses: {
        '201': { description: 'The desktop flow', schema: ref('DesktopFlow') },
        '400': 'InvalidRequest',
        '403': 'Forbidden: needs flows.write (maker)',
        '404': 'NotFound: the environment is not the caller’s',
      },
    },
    {
      operationId: 'listDesktopFlows',
      method: 'get',
      path: '/api/v1/desktop-flows',
      summary: 'Desktop flows of the environments the caller may read',
      tag: 'desktop-flows',
      responses: { '200': { description: 'The desktop flows', schema: listOf(ref('DesktopFlow')) } },
    },
    {
      operationId: 'getDesktopFlowCallbackSigningKey',
      method: 'get',
      path: '/api/v1/desktop-flows/callback-signing-key',
      summary: 'The key that signs completion callbacks (x-flowbridge-signature)',
      tag: 'desktop-flows',
      responses: {
        '200': {
          description: 'The key and how the signature is made',
          schema: {
            type: 'object',
            required: ['key'],
            properties: { key: { type: 'string' }, header: { type: 'string' }, scheme: { type: 'string' } },
          },
        },
        '403': 'Forbidden: admins only',
      },
    },
    {
      operationId: 'getDesktopFlow',
      method: 'get',
      path: '/api/v1/desktop-flows/{id}',
      summary: 'A desktop flow with its current script and schemas',
      tag: 'desktop-flows',
      pathParams: id('desktop flow'),
      responses: {
        '200': { description: 'The desktop flow', schema: ref('DesktopFlow') },
        '403': 'Forbidden',
        '404': 'NotFound',
      },
    },
    {
      operationId: 'saveDesktopFlow',
      method: 'put',
      path: '/api/v1/desktop-flows/{id}',
      summary: 'Save a new version (queued sessions keep theirs)',
      tag: 'desktop-flows',
      pathParams: id('desktop flow'),
      body: { schema: ref('DesktopFlowUpdate') },
      responses: {
        '200': { description: 'The desktop flow', schema: ref('DesktopFlow') },
        '400': 'InvalidRequest',
        '403': 'Forbidden',
        '404': 'NotFound',
        '409': 'Conflict: expectedVersion is not the current version',
      },
    },
    {
      operationId: 'deleteDesktopFlow',
      method: 'delete',
      path: '/api/v1/desktop-flows/{id}',
      summary: 'Delete a desktop flow (its sessions stay)',
      tag: 'desktop-flows',
      pathParams: id('desktop flow'),
      responses: { '204': 'Deleted', '403': 'Forbidden', '404': 'NotFound' },
    },
    {
      operationId: 'listDesktopFlowVersions',
      method: 'get',
      path: '/api/v1/desktop-flows/{id}/versions',
      summary: 'Every version of a desktop flow',
      tag: 'desktop-flows',
      pathParams: id('desktop flow'),
      responses: {
        '200': { description: 'The versions', schema: listOf(ref('DesktopFlowVersion')) },
        '403': 'Forbidden',
        '404': 'NotFound',
      },
    },
    {
      operationId: 'runDesktopFlow',
      method: 'post',
      path: '/api/v1/desktop-flows/{id}/run',
      summary: 'Queue a session on a machine group (or one machine)',
      tag: 'desktop-flows',
      pathParams: id('desktop flow'),
      body: { schema: ref('DesktopFlowRun'), required: false },
      responses: {
        '202': {
          description: 'Queued (Waiting); Location names the session',
          schema: ref('DesktopFlowSession'),
          headers: { Location: 'The session URL.' },
        },
        '400': 'InvalidRequest, InvalidInputs (the inputs fail the input schema; nothing is queued) or NoMachineGroup',
        '403': 'Forbidden: needs runs.operate (operator)',
        '404': 'NotFound',
        '429': 'TooManyRequests: more than 70 runs per minute for one connection',
      },
    },
    {
      operationId: 'listDesktopFlowSessions',
      method: 'get',
      path: '/api/v1/desktop-flow-sessions',
      summary: 'Sessions, newest first',
      tag: 'desktop-flows',
      query: [
        { name: 'flowId', description: 'Of one desktop flow.', schema: { type: 'string' } },
        {
          name: 'limit',
          description: '1 to 1000 (default 100).',
          schema: { type: 'integer', minimum: 1, maximum: 1000 },
        },
      ],
      responses: {
        '200': { description: 'The sessions', schema: listOf(ref('DesktopFlowSession')) },
        '400': 'InvalidRequest: a bad limit',
      },
    },
    {
      operationId: 'getDesktopFlowSession',
      method: 'get',
      path: '/api/v1/desktop-flow-sessions/{id}',
      summary: 'A session: status, machine, times, outputs or error',
      tag: 'desktop-flows',
      pathParams: id('session'),
      responses: {
        '200': { description: 'The session', schema: ref('DesktopFlowSession') },
        '403': 'Forbidden',
        '404': 'NotFound',
      },
    },
    {
      operationId: 'getDesktopFlowSessionLog',
      method: 'get',
      path: '/api/v1/desktop-flow-sessions/{id}/log',
      summary: "The script's output (stdout and stderr) as its agent streamed it",
      tag: 'desktop-flows',
      pathParams: id('session'),
      responses: { '200': { description: 'The log', media: 'text' }, '403': 'Forbidden', '404': 'NotFound' },
    },
    {
      operationId: 'cancelDesktopFlowSession',
      method: 'post',
      path: '/api/v1/desktop-flow-sessions/{id}/cancel',
      summary: 'Cancel: a waiting session ends Cancelled at once; a running one when its machine has killed it',
      tag: 'desktop-flows',
      pathParams: id('session'),
      responses: {
        '200': { description: 'The session', schema: ref('DesktopFlowSession') },
        '403': 'Forbidden',
        '404': 'NotFound',
      },
    },
    {
      operationId: 'createMachineGroup',
      method: 'post',
      path: '/api/v1/machine-groups',
      summary: 'Create a machine group; the answer carries its registration key',
      tag: 'machines',
      body: {
        schema: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', maxLength: 200 }, environmentId: { type: 'string' } },
        },
      },
      responses: {
        '201': { description: 'The group with its registrationKey', schema: ref('MachineGroup') },
        '400': 'InvalidRequest',
        '403': 'Forbidden: needs flows.write',
        '404': 'NotFound: the environment is not the caller’s',
        '409': 'Conflict: the name is taken in the environment',
      },
    },
    {
      operationId: 'listMachineGroups',
      method: 'get',
      path: '/api/v1/machine-groups',
      summary: 'Machine groups (without keys)',
      tag: 'machines',
      responses: { '200': { description: 'The groups', schema: listOf(ref('MachineGroup')) } },
    },
    {
      operationId: 'rotateMachineGroupKey',
      method: 'post',
      path: '/api/v1/machine-groups/{id}/rotateKey',
      summary: 'A new registration key (registered machines keep working)',
      tag: 'machines',
      pathParams: id('machine group'),
      responses: {
        '200': { description: 'The group with its new registrationKey', schema: ref('MachineGroup') },
        '403': 'Forbidden',
        '404': 'NotFound',
      },
    },
    {
      operationId: 'listMachines',
      method: 'get',
      path: '/api/v1/machines',
      summary: 'Registered machines with their status (online, offline, busy)',
      tag: 'machines',
      query: [{ name: 'machineGroupId', description: 'Of one group.', schema: { type: 'string' } }],
      responses: { '200': { description: 'The machines', schema: listOf(ref('Machine')) } },
    },
    {
      operationId: 'getMachine',
      method: 'get',
      path: '/api/v1/machines/{id}',
      summary: 'A machine',
      tag: 'machines',
      pathParams: id('machine'),
      responses: {
        '200': { description: 'The machine', schema: ref('Machine') },
        '403': 'Forbidden',
        '404': 'NotFound',
      },
    },
    {
      operationId: 'removeMachine',
      method: 'delete',
      path: '/api/v1/machines/{id}',
      summary: 'Remove a machine: its credential stops working at once, a session it runs ends Faulted',
      tag: 'machines',
      pathParams: id('machine'),
      responses: { '204': 'Removed', '403': 'Forbidden', '404': 'NotFound' },
    },
    {
      ...agentOp,
      operationId: 'registerAgent',
      method: 'post',
      path: '/api/agent/v1/register',
      summary: "Register a machine with its group's registration key",
      description: 'The registration key in the body is the credential. A machine of the same name registers again.',
      body: {
        schema: {
          type: 'object',
          required: ['registrationKey', 'name'],
          properties: {
            registrationKey: { type: 'string' },
            name: { type: 'string' },
            attended: { type: 'boolean' },
            agent: { type: 'object', description: 'version, osUser, isRoot, platform' },
          },
        },
      },
      responses: {
        '201': { description: 'The machine and its credential', schema: ref('AgentRegistration') },
        '400': 'InvalidRequest',
        '401': 'Unauthorized: the registration key is not valid',
      },
    },
    {
      ...agentOp,
      operationId: 'pollAgent',
      method: 'post',
      path: '/api/agent/v1/poll',
      summary: 'Long poll and heartbeat: what to kill, what to start',
      body: {
        schema: {
          type: 'object',
          properties: {
            running: {
              type: 'array',
              items: { type: 'string' },
              description: 'Sessions held (running or unreported).',
            },
            attended: { type: 'boolean' },
            agent: { type: 'object' },
          },
        },
        required: false,
      },
      responses: {
        '200': { description: 'Held until there is something, or pollMs passed', schema: ref('AgentPollAnswer') },
        '400': 'InvalidRequest',
        '401': unknownMachine,
      },
    },
    {
      ...agentOp,
      operationId: 'startAgentSession',
      method: 'post',
      path: '/api/agent/v1/sessions/{id}/start',
      summary: 'Start an offered session (it is Running from now)',
      pathParams: id('session'),
      responses: {
        '200': { description: 'What to run', schema: ref('AgentSession') },
        '401': unknownMachine,
        '409': 'Conflict: cancelled or taken back meanwhile',
      },
    },
    {
      ...agentOp,
      operationId: 'appendAgentSessionLog',
      method: 'post',
      path: '/api/agent/v1/sessions/{id}/log',
      summary: "Append to a session's log",
      pathParams: id('session'),
      body: { schema: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } } },
      responses: {
        '204': 'Appended',
        '400': 'InvalidRequest',
        '401': unknownMachine,
        '404': "NotFound: not this machine's",
      },
    },
    {
      ...agentOp,
      operationId: 'reportAgentSessionResult',
      method: 'post',
      path: '/api/agent/v1/sessions/{id}/result',
      summary: 'Report how a session ended',
      pathParams: id('session'),
      body: {
        schema: {
          type: 'object',
          required: ['status'],
          properties: {
            status: { enum: ['Succeeded', 'Failed', 'Cancelled', 'TimedOut'] },
            outputs: { type: 'object' },
            errorCode: { type: 'string' },
            errorMessage: { type: 'string' },
            endedAgoMs: {
              type: 'number',
              description: 'How long ago it ended (a result held while the server was away).',
            },
          },
        },
      },
      responses: {
        '200': {
          description: 'accepted false: it had already ended otherwise (Faulted, TimedOut, Cancelled)',
          schema: {
            type: 'object',
            required: ['accepted', 'statuscode'],
            properties: { accepted: { type: 'boolean' }, statuscode: { type: 'integer' } },
          },
        },
        '400': 'InvalidRequest',
        '401': unknownMachine,
        '404': "NotFound: not this machine's",
      },
    },
    {
      operationId: 'dataverseGet',
      method: 'get',
      path: '/api/data/v9.2/{relativePath}',
      summary: 'Dataverse-compatible reads: workflows (desktop flows), their schemas, flow sessions',
      description: dataverse,
      tag: 'dataverse',
      pathParams: { relativePath: 'The OData path, e.g. flowsessions(<id>).' },
      query: [
        { name: '$select', description: 'Columns to return.', schema: { type: 'string' } },
        { name: '$filter', description: '`<column> eq <value>` clauses joined by `and`.', schema: { type: 'string' } },
        { name: '$orderby', description: '`<column> [asc|desc]`.', schema: { type: 'string' } },
      ],
      responses: {
        '200': { description: 'The OData answer', schema: anyJson },
        '400': 'Bad $select, $filter or $orderby (code 0x80040203)',
        '403': 'The caller lacks the role (code 0x80040220)',
        '404': 'No such row, or not the caller’s environment (code 0x80040217)',
      },
    },
    {
      operationId: 'dataversePost',
      method: 'post',
      path: '/api/data/v9.2/{relativePath}',
      summary: 'Dataverse-compatible actions: RunDesktopFlow, CancelDesktopFlowRun',
      description: dataverse,
      tag: 'dataverse',
      pathParams: { relativePath: 'The OData path, e.g. workflows(<id>)/Microsoft.Dynamics.CRM.RunDesktopFlow.' },
      body: {
        schema: anyJson,
        required: false,
        description: 'RunDesktopFlow: spec §13.2 (runMode, connectionName, ...).',
      },
      responses: {
        '200': { description: 'RunDesktopFlow: @odata.context, flowsessionId, licenseCheck', schema: anyJson },
        '204': 'CancelDesktopFlowRun',
        '400': 'InvalidArgument (code 0x80040203): a bad body, or inputs that fail the input schema',
        '403': 'PrivilegeDenied (code 0x80040220): needs the operator role',
        '404': 'No such row, or not the caller’s environment (code 0x80040217)',
        '429': 'More than 70 runs per minute for one connection',
      },
    },
  ],
};
