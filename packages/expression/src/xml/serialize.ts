import { ExpressionError } from '../errors.js';
import type { XmlAttribute, XmlElement, XmlNode } from './dom.js';
import { XML_NAMESPACE, XMLNS_NAMESPACE } from './dom.js';

/**
 * Writes XML the way .NET's XmlDocument.OuterXml does (spec §9.9): no indentation, `<e />` for
 * empty elements (with the space), double-quoted attributes, `&lt; &gt; &amp;` in text plus
 * `&quot;` and `&#xA;`/`&#xD;` in attributes, comments/CDATA/PIs verbatim, the declaration rebuilt
 * from its pseudo-attributes. A subtree written on its own (an xpath() result) declares the
 * namespaces it uses but inherits from its ancestors, as .NET's writer does.
 */
export function serializeXml(node: XmlNode): string {
  const out: string[] = [];
  write(node, out, new Map([['xml', XML_NAMESPACE]]));
  return out.join('');
}

export function escapeText(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

export function escapeAttribute(s: string): string {
  return s.replace(/[&<>"\n\r]/g, (c) =>
    c === '&'
      ? '&amp;'
      : c === '<'
        ? '&lt;'
        : c === '>'
          ? '&gt;'
          : c === '"'
            ? '&quot;'
            : c === '\n'
              ? '&#xA;'
              : '&#xD;',
  );
}

function write(node: XmlNode, out: string[], scope: Map<string, string>): void {
  switch (node.type) {
    case 'document':
      for (const child of node.children) write(child, out, scope);
      return;
    case 'declaration':
      out.push(`<?xml version="${node.version}"`);
      if (node.encoding !== undefined) out.push(` encoding="${node.encoding}"`);
      if (node.standalone !== undefined) out.push(` standalone="${node.standalone}"`);
      out.push('?>');
      return;
    case 'doctype':
      out.push(`<!DOCTYPE ${node.name}`);
      if (node.publicId !== undefined) out.push(` PUBLIC "${node.publicId}" "${node.systemId ?? ''}"`);
      else if (node.systemId !== undefined) out.push(` SYSTEM "${node.systemId}"`);
      out.push(`[${node.internalSubset}]>`);
      return;
    case 'element':
      writeElement(node, out, scope);
      return;
    case 'text':
      out.push(node.significantWhitespace ? node.value : escapeText(node.value));
      return;
    case 'cdata':
      // .NET refuses to write a CDATA section that would end early.
      if (node.value.includes(']]>'))
        throw new ExpressionError('InvalidArgument', "Cannot write XML: a CDATA section cannot contain ']]>'.");
      out.push(`<![CDATA[${node.value}]]>`);
      return;
    case 'comment':
      if (node.value.includes('--') || node.value.endsWith('-'))
        throw new ExpressionError('InvalidArgument', "Cannot write XML: a comment cannot contain '--'.");
      out.push(`<!--${node.value}-->`);
      return;
    case 'pi':
      out.push(node.data === '' ? `<?${node.target}?>` : `<?${node.target} ${node.data}?>`);
      return;
  }
}

function writeElement(el: XmlElement, out: string[], outer: Map<string, string>): void {
  const scope = new Map(outer);
  for (const a of el.attributes) {
    if (a.namespaceUri !== XMLNS_NAMESPACE) continue;
    scope.set(a.prefix === '' ? '' : a.localName, a.value);
  }
  // Namespaces in use that no written ancestor (or this element) declares.
  const extra: XmlAttribute[] = [];
  const need = (prefix: string, uri: string) => {
    if ((scope.get(prefix) ?? '') === uri) return;
    scope.set(prefix, uri);
    const name = prefix === '' ? 'xmlns' : `xmlns:${prefix}`;
    extra.push({
      name,
      prefix: prefix === '' ? '' : 'xmlns',
      localName: prefix || 'xmlns',
      namespaceUri: XMLNS_NAMESPACE,
      value: uri,
    });
  };
  need(el.prefix, el.namespaceUri);
  for (const a of el.attributes)
    if (a.prefix !== '' && a.namespaceUri !== XMLNS_NAMESPACE) need(a.prefix, a.namespaceUri);
  out.push(`<${el.name}`);
  for (const a of [...el.attributes, ...extra]) out.push(` ${a.name}="${escapeAttribute(a.value)}"`);
  if (el.children.length === 0 && el.isEmpty) {
    out.push(' />');
    return;
  }
  out.push('>');
  for (const child of el.children) write(child, out, scope);
  out.push(`</${el.name}>`);
}
