/**
 * The query editor: CodeMirror 6 with the query language's highlighting and completion, the hub's syntax
 * error shown as an underlined range (a lint diagnostic), and Ctrl/Cmd+Enter to run. The text lives in the
 * editor; the parent hears every change and may replace the whole text (loading a saved query).
 *
 * @module
 */
import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
} from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { bracketMatching, syntaxHighlighting } from '@codemirror/language';
import { type Diagnostic, setDiagnostics } from '@codemirror/lint';
import { Compartment, EditorState, Prec } from '@codemirror/state';
import { EditorView, keymap, placeholder } from '@codemirror/view';
import { type Ref, useEffect, useImperativeHandle, useRef } from 'react';
import type { QuerySyntaxDetails } from '../../../../src/hub/query/schema.ts';
import { type CompletionWords, queryCompletions, queryHighlight, queryLanguage } from './language.ts';

export interface QueryEditorHandle {
  /** Replaces the whole text (and puts the cursor at its end). */
  setText(text: string): void;
  focus(): void;
}

export interface QueryEditorProps {
  initialText: string;
  onChange: (text: string) => void;
  onRun: () => void;
  /** The hub's syntax error for the current text, or null. */
  error: (QuerySyntaxDetails & { message: string }) | null;
  /** Id of the element that shows the error text (aria-describedby). */
  errorId: string;
  words: CompletionWords;
  label: string;
  ref?: Ref<QueryEditorHandle>;
}

/** The span to underline: the offending token, or the last character when the input simply ended. */
export function errorRange(
  text: string,
  error: { offset: number; length: number },
): { from: number; to: number } {
  const from = Math.min(error.offset, text.length);
  if (error.length > 0) return { from, to: Math.min(text.length, from + error.length) };
  return text.length === 0 ? { from: 0, to: 0 } : { from: text.length - 1, to: text.length };
}

export function QueryEditor({
  initialText,
  onChange,
  onRun,
  error,
  errorId,
  words,
  label,
  ref,
}: QueryEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const attributes = useRef(new Compartment());
  // Handlers and completion words change with every render; the editor reads the latest through refs.
  const latest = useRef({ onChange, onRun, words });
  useEffect(() => {
    latest.current = { onChange, onRun, words };
  });

  useEffect(() => {
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: initialText,
        extensions: [
          history(),
          closeBrackets(),
          bracketMatching(),
          queryLanguage,
          syntaxHighlighting(queryHighlight),
          autocompletion({ override: [queryCompletions(() => latest.current.words)], icons: false }),
          placeholder('SELECT * FROM orders WHERE amount > 100 SINCE 5m LIMIT 50'),
          Prec.highest(
            keymap.of([
              {
                key: 'Mod-Enter',
                run: () => {
                  latest.current.onRun();
                  return true;
                },
              },
            ]),
          ),
          keymap.of([...closeBracketsKeymap, ...completionKeymap, ...historyKeymap, ...defaultKeymap]),
          EditorView.lineWrapping,
          attributes.current.of(EditorView.contentAttributes.of({ 'aria-label': label })),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) latest.current.onChange(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // The editor is created once; later text comes through setText.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useImperativeHandle(ref, () => ({
    setText(text) {
      const editor = view.current;
      if (!editor) return;
      editor.dispatch({
        changes: { from: 0, to: editor.state.doc.length, insert: text },
        selection: { anchor: text.length },
      });
    },
    focus() {
      view.current?.focus();
    },
  }));

  // The underline and the accessible state follow the error.
  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    const diagnostics: Diagnostic[] = [];
    if (error) {
      const { from, to } = errorRange(editor.state.doc.toString(), error);
      diagnostics.push({ from, to, severity: 'error', message: error.message, source: 'query' });
    }
    editor.dispatch(setDiagnostics(editor.state, diagnostics));
    editor.dispatch({
      effects: attributes.current.reconfigure(
        EditorView.contentAttributes.of({
          'aria-label': label,
          'aria-invalid': error ? 'true' : 'false',
          ...(error ? { 'aria-describedby': errorId } : {}),
        }),
      ),
    });
  }, [error, errorId, label]);

  return <div className="qc-editor" ref={host} />;
}
