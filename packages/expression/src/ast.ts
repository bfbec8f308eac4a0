import type { Value } from './values.js';

/**
 * The plain-data AST of one expression. `pos` is the 0-based offset in the definition string
 * (not in the expression alone), so errors point into the text the user wrote.
 */
export type Node = LiteralNode | CallNode | AccessNode;

export interface LiteralNode {
  kind: 'literal';
  value: Value;
  pos: number;
}

export interface CallNode {
  kind: 'call';
  /** As written; lookup is case-insensitive. */
  name: string;
  args: Node[];
  pos: number;
}

/** `.name`, `['name']`, `[0]` and their null-safe `?` forms. */
export interface AccessNode {
  kind: 'access';
  target: Node;
  key: Node;
  nullSafe: boolean;
  pos: number;
}

/** The shape of a whole definition string (spec §1). */
export type Template =
  | { kind: 'text'; text: string }
  | { kind: 'expression'; node: Node }
  | { kind: 'interpolation'; parts: Array<string | Node> };
