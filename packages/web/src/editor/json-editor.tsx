// The definition in CodeMirror 6: JSON highlighting and parse errors as you type, and the server's
// validation errors underlined where their JSON pointers point. Tab is left to move focus on (the
// editor does not trap the keyboard); indentation comes with Enter.
//
// The editor lives in a shadow root: CodeMirror styles itself with a <style> element in a document
// (which the server's CSP, style-src 'self', refuses), but with a constructed stylesheet in a
// shadow root, which needs no exception to the policy. The page's colours reach it as CSS variables.
import { useEffect, useRef } from 'react';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { json, jsonParseLinter } from '@codemirror/lang-json';
import { bracketMatching, defaultHighlightStyle, foldGutter, syntaxHighlighting } from '@codemirror/language';
import { linter, lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';
import { locatePointer } from './pointer.js';

const theme = EditorView.theme({
  '&': { height: '520px', backgroundColor: 'var(--surface)', color: 'var(--text)', fontSize: '13px' },
  '.cm-scroller': { overflow: 'auto', fontFamily: "ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace" },
  '.cm-gutters': { backgroundColor: 'var(--bg)', color: 'var(--muted)', borderRight: '1px solid var(--border)' },
  '.cm-activeLine, .cm-activeLineGutter': { backgroundColor: 'color-mix(in srgb, var(--accent) 8%, transparent)' },
  '.cm-content': { caretColor: 'var(--text)' },
  '&.cm-focused': { outline: '3px solid var(--focus)' },
  '.cm-tooltip': { backgroundColor: 'var(--surface)', color: 'var(--text)', border: '1px solid var(--border)' },
});

export interface PointedError {
  pointer: string;
  message: string;
}

export function JsonEditor({
  value,
  onChange,
  errors,
  label,
}: {
  value: string;
  onChange: (text: string) => void;
  errors: PointedError[];
  label: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const changed = useRef(onChange);
  changed.current = onChange;

  useEffect(() => {
    const shadow = host.current!.shadowRoot ?? host.current!.attachShadow({ mode: 'open' });
    const parent = document.createElement('div');
    parent.className = 'editor-root';
    shadow.replaceChildren(parent);
    const v = new EditorView({
      parent,
      root: shadow,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          foldGutter(),
          highlightActiveLine(),
          history(),
          bracketMatching(),
          json(),
          syntaxHighlighting(defaultHighlightStyle),
          linter(jsonParseLinter()),
          lintGutter(),
          keymap.of([...defaultKeymap, ...historyKeymap]),
          EditorView.contentAttributes.of({ 'aria-label': label }),
          theme,
          EditorView.updateListener.of((u) => {
            if (u.docChanged) changed.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // The editor is made once; later `value`s come in through the effect below.
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value)
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const text = v.state.doc.toString();
    const diagnostics: Diagnostic[] = errors.map((e) => {
      const span = locatePointer(text, e.pointer) ?? { from: 0, to: Math.min(1, text.length) };
      return {
        from: span.from,
        to: span.to,
        severity: 'error',
        message: `${e.pointer || '/'}: ${e.message}`,
        source: 'validation',
      };
    });
    v.dispatch(setDiagnostics(v.state, diagnostics));
    const first = diagnostics[0];
    if (first) v.dispatch({ effects: EditorView.scrollIntoView(first.from, { y: 'center' }) });
  }, [errors]);

  return <div className="editor" ref={host} />;
}
