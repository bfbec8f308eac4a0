// Where a JSON pointer's value sits in JSON text, so a validation error ("/actions/Get/inputs/uri")
// can be underlined in the editor. A small parser that records positions; on text that is not
// valid JSON it gives up (the editor's own JSON lint reports that).

export interface Span {
  from: number;
  to: number;
}

interface Member {
  key: string;
  keySpan: Span;
  value: Node;
}

interface Node {
  span: Span;
  members?: Member[];
  items?: Node[];
}

class Parser {
  i = 0;
  constructor(readonly s: string) {}

  ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  fail(): never {
    throw new Error(`bad JSON at ${this.i}`);
  }

  value(): Node {
    this.ws();
    const from = this.i;
    const c = this.s[this.i];
    if (c === '{') {
      this.i++;
      const members: Member[] = [];
      this.ws();
      if (this.s[this.i] === '}') this.i++;
      else {
        for (;;) {
          this.ws();
          const keyFrom = this.i;
          const key = this.string();
          const keySpan = { from: keyFrom, to: this.i };
          this.ws();
          if (this.s[this.i++] !== ':') this.fail();
          members.push({ key, keySpan, value: this.value() });
          this.ws();
          const next = this.s[this.i++];
          if (next === '}') break;
          if (next !== ',') this.fail();
        }
      }
      return { span: { from, to: this.i }, members };
    }
    if (c === '[') {
      this.i++;
      const items: Node[] = [];
      this.ws();
      if (this.s[this.i] === ']') this.i++;
      else {
        for (;;) {
          items.push(this.value());
          this.ws();
          const next = this.s[this.i++];
          if (next === ']') break;
          if (next !== ',') this.fail();
        }
      }
      return { span: { from, to: this.i }, items };
    }
    if (c === '"') {
      this.string();
      return { span: { from, to: this.i } };
    }
    const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(this.s.slice(this.i, this.i + 400));
    if (!m) this.fail();
    this.i += m[0].length;
    return { span: { from, to: this.i } };
  }

  string(): string {
    if (this.s[this.i] !== '"') this.fail();
    const start = this.i;
    this.i++;
    while (this.i < this.s.length && this.s[this.i] !== '"') this.i += this.s[this.i] === '\\' ? 2 : 1;
    if (this.i >= this.s.length) this.fail();
    this.i++;
    return JSON.parse(this.s.slice(start, this.i)) as string;
  }
}

function parse(text: string): Node | null {
  try {
    const p = new Parser(text);
    const node = p.value();
    p.ws();
    return p.i === text.length ? node : null;
  } catch {
    return null;
  }
}

export function pointerSegments(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .replace(/^\//, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The text to underline for `pointer`: a scalar value itself; an object or array by its key (the
 * whole of it would cover the screen); a pointer past what exists, by the deepest part that does.
 */
export function locatePointer(text: string, pointer: string): Span | null {
  const root = parse(text);
  if (!root) return null;
  let node = root;
  let keySpan: Span | null = null;
  for (const segment of pointerSegments(pointer)) {
    let next: Member | Node | undefined;
    if (node.members) {
      next =
        node.members.find((m) => m.key === segment) ??
        node.members.find((m) => m.key.toLowerCase() === segment.toLowerCase());
    } else if (node.items && /^\d+$/.test(segment)) {
      next = node.items[Number(segment)];
    }
    if (!next) break;
    if ('key' in next) {
      keySpan = next.keySpan;
      node = next.value;
    } else {
      keySpan = null;
      node = next;
    }
  }
  const big = node.members !== undefined || node.items !== undefined;
  if (big) return keySpan ?? { from: node.span.from, to: node.span.from + 1 };
  return node.span;
}
