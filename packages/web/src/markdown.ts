// The Markdown of approval details (what Power Automate's approvals render): headings, paragraphs,
// lists, code, bold, italics and links. Parsed to plain data and drawn as React elements, so no
// HTML from the text ever reaches the page; links keep http(s) and mailto only.

export type Inline =
  | { t: 'text'; v: string }
  | { t: 'strong' | 'em'; c: Inline[] }
  | { t: 'code'; v: string }
  | { t: 'link'; href: string; c: Inline[] }
  | { t: 'br' };

export type Block =
  | { t: 'p'; c: Inline[] }
  | { t: 'h'; level: 1 | 2 | 3 | 4; c: Inline[] }
  | { t: 'ul' | 'ol'; items: Inline[][] }
  | { t: 'pre'; v: string };

const SAFE_URL = /^(https?:|mailto:)/i;

export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let buf = '';
  const flush = (): void => {
    if (buf) out.push({ t: 'text', v: buf });
    buf = '';
  };
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    let m: RegExpExecArray | null;
    if ((m = /^`([^`]+)`/.exec(rest))) {
      flush();
      out.push({ t: 'code', v: m[1]! });
    } else if ((m = /^(\*\*|__)(?=\S)([\s\S]*?\S)\1/.exec(rest))) {
      flush();
      out.push({ t: 'strong', c: parseInline(m[2]!) });
    } else if ((m = /^(\*|_)(?=\S)([\s\S]*?\S)\1/.exec(rest))) {
      flush();
      out.push({ t: 'em', c: parseInline(m[2]!) });
    } else if ((m = /^\[([^\]]+)\]\(([^)\s]+)\)/.exec(rest))) {
      flush();
      if (SAFE_URL.test(m[2]!)) out.push({ t: 'link', href: m[2]!, c: parseInline(m[1]!) });
      else out.push(...parseInline(m[1]!));
    } else if ((m = /^ {2,}\n|^\\\n/.exec(rest))) {
      flush();
      out.push({ t: 'br' });
    } else if ((m = /^https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"]/.exec(rest))) {
      flush();
      out.push({ t: 'link', href: m[0], c: [{ t: 'text', v: m[0] }] });
    } else {
      buf += text[i];
      i++;
      continue;
    }
    i += m[0].length;
  }
  flush();
  return out;
}

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let para: string[] = [];
  const endPara = (): void => {
    if (para.length) blocks.push({ t: 'p', c: parseInline(para.join('\n')) });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let m: RegExpExecArray | null;
    if (/^\s*$/.test(line)) {
      endPara();
    } else if (/^```/.test(line)) {
      endPara();
      const code: string[] = [];
      while (++i < lines.length && !/^```/.test(lines[i]!)) code.push(lines[i]!);
      blocks.push({ t: 'pre', v: code.join('\n') });
    } else if ((m = /^(#{1,6})\s+(.*?)\s*#*$/.exec(line))) {
      endPara();
      blocks.push({ t: 'h', level: Math.min(4, m[1]!.length) as 1 | 2 | 3 | 4, c: parseInline(m[2]!) });
    } else if ((m = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(line))) {
      endPara();
      const ordered = /\d/.test(m[1]!);
      const items: Inline[][] = [parseInline(m[2]!)];
      while (i + 1 < lines.length) {
        const next = (ordered ? /^\s*\d+[.)]\s+(.*)$/ : /^\s*[-*+]\s+(.*)$/).exec(lines[i + 1]!);
        if (!next) break;
        items.push(parseInline(next[1]!));
        i++;
      }
      blocks.push({ t: ordered ? 'ol' : 'ul', items });
    } else {
      para.push(line);
    }
  }
  endPara();
  return blocks;
}
