/**
 * The CLI's command table. Each command's module is imported only when that command runs,
 * so `flowbridge --version` and `--help` load nothing but this file. The commands take their
 * CliIO from io.ts and never import this table back.
 */
import type { CliIO } from './io.js';

export interface CommandSpec {
  name: string;
  usage: string;
  summary: string;
  load: () => Promise<{ run: (args: string[], io: CliIO) => Promise<number> }>;
}

export const commands: CommandSpec[] = [
  {
    name: 'eval',
    usage: "eval '<expression>' [--context file] | eval -",
    summary: 'evaluate a WDL expression string and print its JSON value (eval - reads NDJSON from stdin)',
    load: () => import('./eval.js'),
  },
  {
    name: 'run',
    usage: 'run <definition.json> [--trigger-body <file|json>] [--parameters <file>] [--mock <file>]',
    summary:
      'run one definition locally without a server and print the run result JSON (exit 0 Succeeded, 1 otherwise, 2 invalid)',
    load: () => import('./run.js'),
  },
  {
    name: 'start',
    usage:
      'start [--port 7780] [--host 127.0.0.1] [--data-dir ./.flowbridge] [--role api|worker|scheduler|all] [--workers n|auto]',
    summary:
      'start the server: HTTP API, trigger URLs and workers (FLOWBRIDGE_DATABASE_URL for PostgreSQL, FLOWBRIDGE_ADMIN_TOKEN)',
    load: () => import('./start.js'),
  },
  {
    name: 'validate',
    usage: 'validate <definition.json...> [--json]',
    summary: 'check definitions and print errors with JSON pointers (exit 2 when any is invalid)',
    load: () => import('./validate.js'),
  },
  {
    name: 'flows',
    usage: 'flows deploy <file> [--name N] | list | enable <id|name> | disable <id|name> [--json]',
    summary: 'manage flows on a running server (FLOWBRIDGE_URL, FLOWBRIDGE_TOKEN)',
    load: () => import('./flows.js'),
  },
  {
    name: 'connectors',
    usage: 'connectors import <folder> [--name N] [--environment E] | list [--json]',
    summary: 'import a custom connector folder (apiDefinition.swagger.json, apiProperties.json) into a running server',
    load: () => import('./connectors.js'),
  },
  {
    name: 'runs',
    usage: 'runs list [--flow F] [--status S] | show <id> | cancel <id> | resubmit <id> [--json]',
    summary: 'list, inspect, cancel and resubmit runs on a running server',
    load: () => import('./runs.js'),
  },
  {
    name: 'agent',
    usage: 'agent --server <url> --registration-key <key> [--name N] [--attended] [--state-dir D]',
    summary: 'run desktop flows on this machine for a server (registers it on first start)',
    load: () => import('./agent.js'),
  },
  {
    name: 'desktop-flows',
    usage: 'desktop-flows list | create <script file> [--name N] [--language L] [--inputs F] [--outputs F] [--json]',
    summary: 'list and create desktop flows on a running server',
    load: async () => ({ run: (await import('./desktop.js')).runDesktopFlows }),
  },
  {
    name: 'machines',
    usage: 'machines list [--json]',
    summary: 'list the machines registered on a running server, with their status',
    load: async () => ({ run: (await import('./desktop.js')).runMachines }),
  },
];
