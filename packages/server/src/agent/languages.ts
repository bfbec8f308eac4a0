/**
 * How each desktop-flow language runs: the script file's name and the command that runs it.
 * Adding a language is one entry (and one in desktop/flows.ts LANGUAGES).
 */
import type { DesktopLanguage } from '../store/index.js';

export interface LanguageSpec {
  file: string;
  command: (scriptPath: string) => [string, ...string[]];
}

export const LANGUAGE_TABLE: Readonly<Record<DesktopLanguage, LanguageSpec>> = {
  bash: { file: 'script.sh', command: (f) => ['bash', f] },
  sh: { file: 'script.sh', command: (f) => ['sh', f] },
  powershell: { file: 'script.ps1', command: (f) => ['pwsh', '-NoProfile', '-NonInteractive', '-File', f] },
  python: { file: 'script.py', command: (f) => ['python3', f] },
  // An ES module, so top-level await works; Node resolves packages (Playwright) from the folders
  // above the script, the agent's state folder included.
  node: { file: 'script.mjs', command: (f) => [process.execPath, f] },
};

export function languageSpec(language: string): LanguageSpec | undefined {
  return Object.hasOwn(LANGUAGE_TABLE, language) ? LANGUAGE_TABLE[language as DesktopLanguage] : undefined;
}
