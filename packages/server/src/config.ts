/**
 * The server's configuration from `flowbridge start` flags and FLOWBRIDGE_* environment variables
 * (flags win). Errors are data: `{code: 'InvalidConfig', message, target}`.
 */
import { availableParallelism } from 'node:os';
import { createOutboundPolicy, type OutboundPolicy } from './effects/outbound-policy.js';
import { processAppSettings } from './store/app-settings.js';

export type Role = 'api' | 'worker' | 'scheduler' | 'all';

export interface ServerConfig {
  /**
   * Where to serve HTTP (--port, FLOWBRIDGE_PORT). With the api role it defaults to 7780; a process
   * without it serves no HTTP unless a port is given, and then only /healthz, /readyz and /metrics.
   */
  port?: number;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  role: Role;
  /**
   * Processes behind the one listening port (--workers, FLOWBRIDGE_WORKERS; a number or `auto`,
   * one per core; default 1): above 1 a primary process forks that many (cli/start-workers.ts).
   */
  workers?: number;
  adminToken?: string;
  publicUrl?: string;
  logLevel: string;
  /** Lease on claimed work and on runs held by a worker (FLOWBRIDGE_LEASE_MS; default 30000). */
  leaseMs?: number;
  /** How often the process writes its heartbeat for GET /api/v1/cluster (FLOWBRIDGE_HEARTBEAT_MS; default 5000). */
  heartbeatMs?: number;
  /** SMTP server for approval mails and the send-mail action (FLOWBRIDGE_SMTP_URL, e.g. smtp://127.0.0.1:25). */
  smtpUrl?: string;
  /** Days finished runs are kept (FLOWBRIDGE_RETENTION_DAYS, default 30). */
  retentionDays?: number;
  /** Calls per minute each flow's trigger URLs accept before 429 (FLOWBRIDGE_TRIGGER_RATE_LIMIT; 0 = no limit). */
  triggerRateLimit?: number;
  /** Sender address of those mails (FLOWBRIDGE_MAIL_FROM). */
  mailFrom: string;
  /** Incoming-webhook URL (Teams- or Slack-compatible) for approval notifications (FLOWBRIDGE_CHAT_WEBHOOK_URL). */
  chatWebhookUrl?: string;
  /** The secret linked hosts verify approval callbacks with (FLOWBRIDGE_HOST_SIGNING_SECRET, 16+ characters). */
  hostSigningSecret?: string;
  /**
   * Where flows may send requests (FLOWBRIDGE_OUTBOUND_DENY, FLOWBRIDGE_OUTBOUND_ALLOW: CIDRs, IPs
   * and host patterns); the built-in deny list (cloud metadata, link-local) always applies.
   */
  outboundPolicy?: OutboundPolicy;
  /** FLOWBRIDGE_TRIGGER_SCHEMA_VALIDATION: `trigger` (default: only with EnableSchemaValidation) or `always`. */
  triggerSchemaValidation?: 'always' | 'trigger';
  /** FLOWBRIDGE_APPSETTING_<name>: app settings every environment starts from (`@appsetting('<name>')`). */
  appSettings?: Record<string, string>;
}

export interface ConfigError {
  code: 'InvalidConfig';
  message: string;
  target: string;
}

const ROLES: readonly Role[] = ['api', 'worker', 'scheduler', 'all'];
/** More processes than this on one box is a typo, not a plan. */
const MAX_WORKERS = 64;

export function parseConfig(
  args: string[],
  env: Record<string, string | undefined>,
): { config: ServerConfig } | { error: ConfigError } {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const m = /^--([\w-]+)(?:=(.*))?$/.exec(arg);
    if (!m) return { error: { code: 'InvalidConfig', message: `Unexpected argument '${arg}'.`, target: arg } };
    const name = m[1]!;
    const value = m[2] ?? args[++i];
    if (value === undefined)
      return { error: { code: 'InvalidConfig', message: `--${name} needs a value.`, target: name } };
    flags.set(name, value);
  }
  const known = new Set(['port', 'host', 'data-dir', 'role', 'database-url', 'public-url', 'log-level', 'workers']);
  for (const name of flags.keys())
    if (!known.has(name))
      return { error: { code: 'InvalidConfig', message: `Unknown option --${name}.`, target: name } };

  const role = (flags.get('role') ?? env.FLOWBRIDGE_ROLE ?? 'all') as Role;
  if (!ROLES.includes(role))
    return { error: { code: 'InvalidConfig', message: `--role must be one of ${ROLES.join(', ')}.`, target: 'role' } };
  // Only the api role listens by default: two workers on one host must not compete for a port.
  const portText = flags.get('port') ?? env.FLOWBRIDGE_PORT ?? (role === 'api' || role === 'all' ? '7780' : undefined);
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
    return { error: { code: 'InvalidConfig', message: `--port must be 0-65535 (got '${portText}').`, target: 'port' } };
  const databaseUrl = flags.get('database-url') ?? env.FLOWBRIDGE_DATABASE_URL;
  const leaseMs = env.FLOWBRIDGE_LEASE_MS === undefined ? undefined : Number(env.FLOWBRIDGE_LEASE_MS);
  if (leaseMs !== undefined && (!Number.isInteger(leaseMs) || leaseMs < 300))
    return {
      error: { code: 'InvalidConfig', message: 'FLOWBRIDGE_LEASE_MS must be an integer >= 300.', target: 'leaseMs' },
    };
  const heartbeatMs = env.FLOWBRIDGE_HEARTBEAT_MS === undefined ? undefined : Number(env.FLOWBRIDGE_HEARTBEAT_MS);
  if (heartbeatMs !== undefined && (!Number.isInteger(heartbeatMs) || heartbeatMs < 100))
    return {
      error: {
        code: 'InvalidConfig',
        message: 'FLOWBRIDGE_HEARTBEAT_MS must be an integer >= 100.',
        target: 'heartbeatMs',
      },
    };
  const rateText = env.FLOWBRIDGE_TRIGGER_RATE_LIMIT;
  const triggerRateLimit = rateText === undefined || rateText === '' ? undefined : Number(rateText);
  if (triggerRateLimit !== undefined && (!Number.isInteger(triggerRateLimit) || triggerRateLimit < 0))
    return {
      error: {
        code: 'InvalidConfig',
        message: 'FLOWBRIDGE_TRIGGER_RATE_LIMIT must be a whole number of calls per minute (0 = no limit).',
        target: 'triggerRateLimit',
      },
    };
  const validation = (env.FLOWBRIDGE_TRIGGER_SCHEMA_VALIDATION ?? '').trim().toLowerCase();
  if (validation && validation !== 'always' && validation !== 'trigger')
    return {
      error: {
        code: 'InvalidConfig',
        message: "FLOWBRIDGE_TRIGGER_SCHEMA_VALIDATION must be 'always' or 'trigger'.",
        target: 'triggerSchemaValidation',
      },
    };
  const workersText = (flags.get('workers') ?? env.FLOWBRIDGE_WORKERS ?? '1').trim().toLowerCase();
  const workers = workersText === 'auto' ? availableParallelism() : Number(workersText);
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS)
    return {
      error: {
        code: 'InvalidConfig',
        message: `--workers must be 1-${MAX_WORKERS} or 'auto' (got '${workersText}').`,
        target: 'workers',
      },
    };
  const outbound = outboundPolicyFrom(env);
  if ('error' in outbound) return outbound;
  const hostSigningSecret = env.FLOWBRIDGE_HOST_SIGNING_SECRET;
  if (hostSigningSecret !== undefined && hostSigningSecret !== '' && hostSigningSecret.length < 16)
    return {
      error: {
        code: 'InvalidConfig',
        message: 'FLOWBRIDGE_HOST_SIGNING_SECRET must be at least 16 characters.',
        target: 'hostSigningSecret',
      },
    };
  const adminToken = env.FLOWBRIDGE_ADMIN_TOKEN;
  const appSettings = processAppSettings(env);
  const publicUrl = flags.get('public-url') ?? env.FLOWBRIDGE_PUBLIC_URL;
  return {
    config: {
      ...(port !== undefined ? { port } : {}),
      host: flags.get('host') ?? env.FLOWBRIDGE_HOST ?? '127.0.0.1',
      dataDir: flags.get('data-dir') ?? env.FLOWBRIDGE_DATA_DIR ?? './.flowbridge',
      role,
      workers,
      logLevel: flags.get('log-level') ?? env.FLOWBRIDGE_LOG_LEVEL ?? 'info',
      mailFrom: env.FLOWBRIDGE_MAIL_FROM ?? 'Flowbridge <flowbridge@localhost>',
      outboundPolicy: outbound.policy,
      ...(env.FLOWBRIDGE_SMTP_URL ? { smtpUrl: env.FLOWBRIDGE_SMTP_URL } : {}),
      ...(Number(env.FLOWBRIDGE_RETENTION_DAYS) > 0 ? { retentionDays: Number(env.FLOWBRIDGE_RETENTION_DAYS) } : {}),
      ...(env.FLOWBRIDGE_CHAT_WEBHOOK_URL ? { chatWebhookUrl: env.FLOWBRIDGE_CHAT_WEBHOOK_URL } : {}),
      ...(hostSigningSecret ? { hostSigningSecret } : {}),
      ...(databaseUrl ? { databaseUrl } : {}),
      ...(leaseMs !== undefined ? { leaseMs } : {}),
      ...(heartbeatMs !== undefined ? { heartbeatMs } : {}),
      ...(triggerRateLimit !== undefined ? { triggerRateLimit } : {}),
      ...(adminToken ? { adminToken } : {}),
      ...(Object.keys(appSettings).length > 0 ? { appSettings } : {}),
      ...(validation === 'always' || validation === 'trigger' ? { triggerSchemaValidation: validation } : {}),
      ...(publicUrl ? { publicUrl } : {}),
    },
  };
}

/** The outbound policy from FLOWBRIDGE_OUTBOUND_DENY / _ALLOW (also read by `flowbridge run`). */
export function outboundPolicyFrom(
  env: Record<string, string | undefined>,
): { policy: OutboundPolicy } | { error: ConfigError } {
  const created = createOutboundPolicy({
    ...(env.FLOWBRIDGE_OUTBOUND_DENY ? { deny: env.FLOWBRIDGE_OUTBOUND_DENY } : {}),
    ...(env.FLOWBRIDGE_OUTBOUND_ALLOW ? { allow: env.FLOWBRIDGE_OUTBOUND_ALLOW } : {}),
  });
  return 'error' in created ? { error: created.error } : created;
}
