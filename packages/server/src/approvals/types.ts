/**
 * The contract between the approvals module and the host. The approvals module handles the
 * Power Automate approvals connector actions (shared_approvals) and the Office 365 send-mail
 * actions as effects, keeps approvals in the store, notifies people, and, when an approval
 * completes, hands the outcome back to the waiting run through the host's CallbackSink.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Auth } from '../auth/types.js';
import type { ConnectorHandler } from '../effects/index.js';
import type { ApprovalStore, FlowStore, PeopleStore } from '../store/types.js';

/** Implemented by the host: delivers a webhook/approval callback to the run waiting on `key` (exactly once). */
export interface CallbackSink {
  deliverCallback(key: string, payload: unknown): Promise<boolean>;
}
export type { FastifyPluginAsync };

/** spec §12.2 */
export type ApprovalType = 'Basic' | 'BasicAwaitAll' | 'CustomResponse' | 'CustomResponseAwaitAll';
export const APPROVAL_TYPES: readonly ApprovalType[] = [
  'Basic',
  'BasicAwaitAll',
  'CustomResponse',
  'CustomResponseAwaitAll',
];

/** What an approval asks (spec §12.3), normalised from either connector shape. */
export interface ApprovalSpec {
  approvalType: ApprovalType;
  title: string;
  /** Assignee emails as given (case kept for display); matched case-insensitively. */
  assignedTo: string[];
  details: string;
  itemLink: string;
  itemLinkDescription: string;
  requestor: string;
  enableNotifications: boolean;
  enableReassignment: boolean;
  /** The options a responder may choose: Approve/Reject for the Basic types. */
  responseOptions: string[];
  /** A host application's request this approval is linked to (called back on completion). */
  linkedRequest?: { callbackUrl: string };
}

export interface Responder {
  id: string;
  displayName: string;
  email: string;
  tenantId: string;
  userPrincipalName: string;
}

export interface ApprovalResponseOutput {
  responder: Responder;
  requestDate: string;
  responseDate: string;
  approverResponse: string;
  comments: string;
}

/** The `body` of the action (spec §12.4). */
export interface ApprovalOutputs {
  name: string;
  title: string;
  details: string;
  itemLink: string;
  itemLinkDescription: string;
  requestDate: string;
  completionDate: string;
  outcome: string;
  responseSummary: string;
  responses: ApprovalResponseOutput[];
}

/** What `approvals.details` holds in the store. Everything that changes later is a log row instead. */
export interface StoredApprovalDetails {
  spec: ApprovalSpec;
  requestDate: string;
  /** The run's callback key for start-and-wait; null for create. */
  callbackKey: string | null;
  workflow?: { id: string; name: string };
  /** Set when the approval ends (completion, cancellation, expiry). */
  outputs?: ApprovalOutputs;
  endedBy?: string;
}

/** Result codes of the connector actions (EffectResult.error.code). */
export type ApprovalEffectErrorCode =
  'InvalidApprovalInputs' | 'ApprovalNotFound' | 'InvalidMailInputs' | 'MailNotConfigured' | 'MailSendFailed';

export interface ApprovalsLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** The store roles approvals use: approvals, people (responders, audit) and flows (names in lists). */
export type ApprovalsStore = ApprovalStore & PeopleStore & FlowStore;

export interface ApprovalsOptions {
  store: ApprovalsStore;
  callbacks: CallbackSink;
  /** Authenticates the Bearer token of the REST API (unless the host put `request.principal`). */
  auth?: Pick<Auth, 'authenticate'>;
  mailer?: { smtpUrl: string; from: string };
  chatWebhookUrl?: string;
  /** Where people reach this server, for the links in mails (e.g. https://flows.example.com); a
   * function when it is known only once the server listens. */
  publicBaseUrl: string | (() => string);
  /** HMAC key for response links (and for linked-host callbacks when hostSigningSecret is not given). */
  linkSecret: string;
  /**
   * HMAC key of the linked-host callbacks' signature, shared with those hosts so they can verify it
   * (FLOWBRIDGE_HOST_SIGNING_SECRET); kept apart from linkSecret, which must never leave the server.
   */
  hostSigningSecret?: string;
  /** How long a response link stays valid (default 30 days). */
  linkTtlMs?: number;
  /** The responder's tenantId in outputs (default 'default'). */
  tenantId?: string;
  now?: () => number;
  log?: ApprovalsLogger;
  /** For linked-host callbacks and chat webhooks (tests inject; default global fetch). */
  fetch?: typeof fetch;
  /** Waits between attempts to post an outcome to a linked host (default 1 s, 5 s, 30 s, 2 min, 10 min). */
  hostRetryDelaysMs?: number[];
}

export type { ConnectorHandler };

export interface Approvals {
  /** The effect for an approvals / Office 365 mail action; null for any other command. */
  handleEffect: ConnectorHandler;
  /** REST API and the one-click response pages; the host registers it at the root. */
  routes: FastifyPluginAsync;
  /** Ends the pending approvals of a cancelled run (no callback: the run is gone). */
  cancelApprovalsForRun(runId: string): Promise<number>;
  /** Delivers a completed approval's outcome again to whoever waits (safe: delivery is exactly-once). */
  redeliver(approvalId: string): Promise<void>;
  /**
   * At start: delivers the outcomes of approvals that ended in the last `withinMs` (default 7 days)
   * to runs still waiting and to linked hosts that did not acknowledge them.
   */
  resume(withinMs?: number): Promise<number>;
  /** Waits for background deliveries (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}
