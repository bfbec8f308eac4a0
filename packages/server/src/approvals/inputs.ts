/**
 * Recognises the built-in connector actions in an effect command and normalises their inputs.
 * Two shapes reach us: Power Automate's OpenApiConnection(Webhook) (host.apiId / connectionName /
 * operationId + `parameters` with keys like `WebhookApprovalCreationInput/title`) and the Logic
 * Apps / legacy ApiConnection(Webhook) form (host.connection.name, method, path, body).
 */
import { isRecord, prop, type EffectCommand } from '../effects/types.js';
import { APPROVAL_TYPES, type ApprovalEffectErrorCode, type ApprovalSpec, type ApprovalType } from './types.js';

export interface MailSpec {
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  body: string;
  isHtml: boolean;
  importance: 'low' | 'normal' | 'high';
}

export type ConnectorCall =
  | { connector: 'approvals'; operation: 'startAndWait' | 'create'; spec: ApprovalSpec }
  | { connector: 'approvals'; operation: 'waitFor'; approvalName: string }
  | { connector: 'office365'; operation: 'sendMail'; mail: MailSpec }
  | { invalid: { code: ApprovalEffectErrorCode; message: string } };

/** Prefix of the log rows that are not responses; no response option may start with it. */
export const CONTROL_PREFIX = '$fb.';

const BASIC_OPTIONS = ['Approve', 'Reject'];

/** The connector a command addresses ('approvals', 'office365', ...) or undefined. */
export function connectorOf(inputs: unknown): string | undefined {
  const host = prop(inputs, 'host');
  const connection = prop(host, 'connection');
  const api = prop(host, 'api');
  const candidates = [
    prop(host, 'apiId'),
    prop(host, 'connectionName'),
    prop(connection, 'name'),
    prop(connection, 'referenceName'),
    prop(api, 'runtimeUrl'),
    prop(api, 'id'),
  ];
  for (const c of candidates) {
    if (typeof c !== 'string' || c === '') continue;
    const last = c.replace(/\/+$/, '').split('/').pop() ?? '';
    // 'shared_approvals', 'shared_approvals_1', 'office365-2', '/apim/approvals' → the API's name.
    const name = last
      .toLowerCase()
      .replace(/^shared_/, '')
      .replace(/[-_]\d+$/, '');
    if (name === 'approvals' || name === 'office365') return name;
  }
  return undefined;
}

/** Null when the command is none of ours (the executor then reports ConnectorNotAvailable). */
export function parseConnectorCall(command: EffectCommand): ConnectorCall | null {
  const inputs = command.inputs;
  const connector = connectorOf(inputs);
  if (connector === undefined) return null;
  const operationId = prop(prop(inputs, 'host'), 'operationId');
  const path = typeof prop(inputs, 'path') === 'string' ? String(prop(inputs, 'path')) : undefined;
  const webhook = command.actionType.toLowerCase().endsWith('webhook');

  if (connector === 'office365') {
    const isSend =
      typeof operationId === 'string'
        ? /^SendEmail(V\d+)?$/i.test(operationId)
        : path !== undefined && /^\/(v\d+\/)?Mail\/?$/i.test(path);
    if (!isSend || webhook) return null;
    const source = typeof operationId === 'string' ? prop(inputs, 'parameters') : prop(inputs, 'body');
    return parseMail(source, typeof operationId === 'string' && /^SendEmail$/i.test(operationId));
  }

  // approvals
  if (typeof operationId === 'string') {
    const params = prop(inputs, 'parameters');
    const op = operationId.toLowerCase();
    if (op.startsWith('startandwaitforanapproval') && webhook) return approvalCall('startAndWait', params, undefined);
    if (op.startsWith('createanapproval') && !webhook) return approvalCall('create', params, undefined);
    if (op.startsWith('waitforanapproval') && webhook) return waitCall(field(params, 'approvalName'));
    return null;
  }
  if (path === undefined) return null;
  const segments = path.split('/').filter((s) => s !== '');
  const decoded = segments.map((s) => safeDecode(s));
  const [first, second, third] = decoded;
  // /types/{type}/subscriptions (or /approvalTypes/...) → start and wait; /types/{type} → create.
  if ((first === 'types' || first === 'approvalTypes') && second !== undefined) {
    if (webhook && third === 'subscriptions') return approvalCall('startAndWait', prop(inputs, 'body'), second);
    if (!webhook && third === undefined) return approvalCall('create', prop(inputs, 'body'), second);
    return null;
  }
  if (first === 'approvals' && second !== undefined && third === 'subscriptions' && webhook) return waitCall(second);
  return null;
}

function waitCall(name: unknown): ConnectorCall {
  if (typeof name !== 'string' || name.trim() === '') {
    return {
      invalid: { code: 'InvalidApprovalInputs', message: 'Wait for an approval needs the approval name (id).' },
    };
  }
  return { connector: 'approvals', operation: 'waitFor', approvalName: name.trim() };
}

function approvalCall(
  operation: 'startAndWait' | 'create',
  source: unknown,
  typeFromPath: string | undefined,
): ConnectorCall {
  const parsed = parseApprovalSpec(source, typeFromPath);
  return 'invalid' in parsed ? parsed : { connector: 'approvals', operation, spec: parsed.spec };
}

/** Reads one input whichever way it was written: prefixed PA key, nested object, or plain. */
function field(source: unknown, name: string): unknown {
  for (const prefix of ['WebhookApprovalCreationInput', 'ApprovalCreationInput']) {
    const flat = prop(source, `${prefix}/${name}`);
    if (flat !== undefined) return flat;
    const nested = prop(prop(source, prefix), name);
    if (nested !== undefined) return nested;
  }
  return prop(source, name);
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function flag(value: unknown, fallback: boolean): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  return fallback;
}

/** 'a@x.com; b@y.com;' → ['a@x.com', 'b@y.com'] (duplicates, ignoring case, dropped). */
export function splitAddresses(value: unknown): string[] {
  const parts = Array.isArray(value) ? value.map(text) : text(value).split(/[;,]/);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of parts) {
    const address = raw.trim();
    if (address === '' || seen.has(address.toLowerCase())) continue;
    seen.add(address.toLowerCase());
    out.push(address);
  }
  return out;
}

function options(value: unknown): string[] {
  let list: unknown[] = [];
  if (Array.isArray(value)) list = value;
  else if (typeof value === 'string' && value.trim() !== '') {
    try {
      const parsed: unknown = JSON.parse(value);
      list = Array.isArray(parsed) ? parsed : [value];
    } catch {
      list = [value];
    }
  }
  const out: string[] = [];
  for (const item of list) {
    const option = text(item).trim();
    if (option !== '' && !out.includes(option)) out.push(option);
  }
  return out;
}

function invalid(message: string): { invalid: { code: 'InvalidApprovalInputs'; message: string } } {
  return { invalid: { code: 'InvalidApprovalInputs', message } };
}

export function parseApprovalSpec(
  source: unknown,
  typeFromPath?: string,
): { spec: ApprovalSpec } | { invalid: { code: ApprovalEffectErrorCode; message: string } } {
  if (source !== undefined && source !== null && !isRecord(source))
    return invalid('The approval inputs must be an object.');
  const typeText = text(prop(source, 'approvalType') ?? field(source, 'approvalType') ?? typeFromPath).trim();
  const approvalType = APPROVAL_TYPES.find((t) => t.toLowerCase() === typeText.toLowerCase());
  if (approvalType === undefined) {
    return invalid(`Unknown approval type '${typeText}'; expected one of ${APPROVAL_TYPES.join(', ')}.`);
  }
  const title = text(field(source, 'title')).trim();
  if (title === '') return invalid('An approval needs a title.');
  const assignedTo = splitAddresses(field(source, 'assignedTo'));
  if (assignedTo.length === 0) return invalid('An approval needs at least one assignee (assignedTo).');
  const custom = (approvalType as ApprovalType).startsWith('Custom');
  const responseOptions = custom ? options(field(source, 'responseOptions')) : BASIC_OPTIONS;
  if (responseOptions.length === 0) return invalid(`A ${approvalType} approval needs responseOptions.`);
  if (responseOptions.some((o) => o.startsWith(CONTROL_PREFIX))) {
    return invalid(`Response options may not start with '${CONTROL_PREFIX}'.`);
  }
  const spec: ApprovalSpec = {
    approvalType,
    title,
    assignedTo,
    details: text(field(source, 'details')),
    itemLink: text(field(source, 'itemLink')),
    itemLinkDescription: text(field(source, 'itemLinkDescription')),
    requestor: splitAddresses(field(source, 'requestor'))[0] ?? '',
    enableNotifications: flag(field(source, 'enableNotifications'), true),
    enableReassignment: flag(field(source, 'enableReassignment'), false),
    responseOptions,
  };
  const linked = field(source, 'linkedRequest');
  const callbackUrl = prop(linked, 'callbackUrl');
  if (linked !== undefined && linked !== null) {
    if (typeof callbackUrl !== 'string' || !isHttpUrl(callbackUrl)) {
      return invalid('linkedRequest.callbackUrl must be an http(s) URL.');
    }
    spec.linkedRequest = { callbackUrl };
  }
  return { spec };
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function mailField(source: unknown, name: string): unknown {
  return prop(source, `emailMessage/${name}`) ?? prop(prop(source, 'emailMessage'), name) ?? prop(source, name);
}

function parseMail(source: unknown, v1: boolean): ConnectorCall {
  const to = splitAddresses(mailField(source, 'To'));
  const subject = text(mailField(source, 'Subject'));
  if (to.length === 0) return { invalid: { code: 'InvalidMailInputs', message: 'Send an email needs To.' } };
  if (subject === '') return { invalid: { code: 'InvalidMailInputs', message: 'Send an email needs a Subject.' } };
  const importance = text(mailField(source, 'Importance')).toLowerCase();
  return {
    connector: 'office365',
    operation: 'sendMail',
    mail: {
      to,
      cc: splitAddresses(mailField(source, 'Cc')),
      bcc: splitAddresses(mailField(source, 'Bcc')),
      replyTo: splitAddresses(mailField(source, 'ReplyTo')),
      subject,
      body: text(mailField(source, 'Body')),
      // SendEmail (V1) has IsHtml (default true in exports); V2 bodies are always HTML.
      isHtml: v1 ? flag(mailField(source, 'IsHtml'), true) : true,
      importance: importance === 'low' || importance === 'high' ? importance : 'normal',
    },
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
