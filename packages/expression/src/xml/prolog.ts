/**
 * The prolog's declarations (parse.ts parses the comments and PIs around them): the XML
 * declaration, and the DOCTYPE, whose internal subset is kept raw and read only for its
 * plain-text entities.
 */
import type { XmlDeclaration, XmlDocumentType } from './dom.js';
import { normalizeNewlines, type XmlScanner } from './scanner.js';

/** `<?xml version="1.0" encoding=".." standalone=".."?>`: exactly this order, version 1.0 only. */
export function declaration(s: XmlScanner): XmlDeclaration {
  s.expect('<?xml');
  const order = ['version', 'encoding', 'standalone'];
  const seen: Record<string, string> = {};
  let next = 0;
  for (;;) {
    const space = s.skipSpace();
    if (s.at('?>')) break;
    if (!space) s.fail('whitespace expected in the XML declaration');
    const name = s.name();
    const index = order.indexOf(name, next);
    if (index < 0 || (next === 0 && index !== 0)) s.fail(`unexpected '${name}' in the XML declaration`);
    next = index + 1;
    s.skipSpace();
    s.expect('=');
    s.skipSpace();
    seen[name] = s.quoted();
  }
  s.expect('?>');
  const { version, encoding, standalone } = seen;
  if (version !== '1.0') s.fail('the XML declaration must have version="1.0"');
  if (encoding !== undefined && !/^[A-Za-z][A-Za-z0-9._-]*$/.test(encoding)) s.fail('invalid encoding name');
  if (standalone !== undefined && standalone !== 'yes' && standalone !== 'no') s.fail('invalid standalone value');
  const decl: XmlDeclaration = { type: 'declaration', version };
  if (encoding !== undefined) decl.encoding = encoding;
  if (standalone !== undefined) decl.standalone = standalone;
  return decl;
}

/** The DOCTYPE; the internal subset's entities go into `entities` (name → replacement text). */
export function doctype(s: XmlScanner, entities: Map<string, string>): XmlDocumentType {
  s.expect('<!DOCTYPE');
  if (!s.skipSpace()) s.fail('whitespace expected after DOCTYPE');
  const node: XmlDocumentType = { type: 'doctype', name: s.name(), internalSubset: '' };
  let space = s.skipSpace();
  if (s.at('SYSTEM') || s.at('PUBLIC')) {
    if (!space) s.fail('whitespace expected in DOCTYPE');
    const isPublic = s.at('PUBLIC');
    s.pos += 6;
    if (!s.skipSpace()) s.fail('whitespace expected in DOCTYPE');
    if (isPublic) {
      node.publicId = s.quoted();
      if (!s.skipSpace()) s.fail('whitespace expected in DOCTYPE');
    }
    node.systemId = s.quoted();
    space = s.skipSpace();
  }
  if (s.at('[')) {
    s.pos++;
    const start = s.pos;
    skipInternalSubset(s);
    const raw = s.src.slice(start, s.pos);
    s.pos++; // ']'
    // .NET reports the subset with CRLF kept but a lone CR turned into LF.
    node.internalSubset = raw.replace(/\r(?!\n)/g, '\n');
    collectEntities(raw, entities);
    s.skipSpace();
  }
  s.expect('>');
  return node;
}

/** Advances to the `]` that closes the internal subset, skipping quoted text, comments and PIs. */
function skipInternalSubset(s: XmlScanner): void {
  let inDeclaration = false;
  while (s.pos < s.src.length) {
    const c = s.src[s.pos];
    if (s.at('<!--')) {
      s.pos += 4;
      s.until('-->', 'comment');
    } else if (s.at('<?')) {
      s.pos += 2;
      s.until('?>', 'processing instruction');
    } else if (inDeclaration && (c === '"' || c === "'")) {
      s.quoted();
    } else {
      if (c === ']' && !inDeclaration) return;
      if (c === '<') inDeclaration = true;
      else if (c === '>') inDeclaration = false;
      s.pos++;
    }
  }
  s.fail('unterminated DOCTYPE internal subset');
}

/** Internal general entities with plain-text values, so `&name;` in the document resolves. */
function collectEntities(subset: string, entities: Map<string, string>): void {
  const decl = /<!ENTITY[ \t\r\n]+([^\s%"'<>]+)[ \t\r\n]+(?:"([^"]*)"|'([^']*)')[ \t\r\n]*>/g;
  for (const m of subset.matchAll(decl)) {
    const name = m[1] as string;
    const literal = m[2] ?? m[3] ?? '';
    const value = literal.replace(/&#(x[0-9A-Fa-f]+|[0-9]+);/g, (_, ref: string) =>
      String.fromCodePoint(ref.startsWith('x') ? parseInt(ref.slice(1), 16) : parseInt(ref, 10)),
    );
    // Markup or nested references in a replacement text are beyond this parser: leave the
    // entity undeclared so a use of it fails loudly instead of producing wrong text.
    if (!/[<&]/.test(value) && !entities.has(name)) entities.set(name, normalizeNewlines(value));
  }
}
