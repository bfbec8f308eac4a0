// Markdown (approval details) drawn as React elements from markdown.ts's data: no HTML injected.
import type { ReactNode } from 'react';
import { parseMarkdown, type Inline } from '../markdown.js';

function inline(nodes: Inline[]): ReactNode[] {
  return nodes.map((n, i) => {
    switch (n.t) {
      case 'text':
        return n.v;
      case 'strong':
        return <strong key={i}>{inline(n.c)}</strong>;
      case 'em':
        return <em key={i}>{inline(n.c)}</em>;
      case 'code':
        return <code key={i}>{n.v}</code>;
      case 'link':
        return (
          <a key={i} href={n.href} target="_blank" rel="noopener noreferrer">
            {inline(n.c)}
          </a>
        );
      case 'br':
        return <br key={i} />;
    }
  });
}

export function Markdown({ source }: { source: string }) {
  return (
    <div className="markdown">
      {parseMarkdown(source).map((b, i) => {
        switch (b.t) {
          case 'p':
            return <p key={i}>{inline(b.c)}</p>;
          case 'h': {
            const H = (['h3', 'h4', 'h5', 'h6'] as const)[b.level - 1]!;
            return <H key={i}>{inline(b.c)}</H>;
          }
          case 'ul':
            return (
              <ul key={i}>
                {b.items.map((item, j) => (
                  <li key={j}>{inline(item)}</li>
                ))}
              </ul>
            );
          case 'ol':
            return (
              <ol key={i}>
                {b.items.map((item, j) => (
                  <li key={j}>{inline(item)}</li>
                ))}
              </ol>
            );
          case 'pre':
            return <pre key={i}>{b.v}</pre>;
        }
      })}
    </div>
  );
}
