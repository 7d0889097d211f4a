/**
 * Text extraction for document screening: the text a model could read from a document, per format. It errs on the
 * side of MORE text: HTML comments, hidden elements, `<script>`/`<style>` bodies and every attribute value (alt,
 * title, aria-label, href, …) are kept, because the knowledge base's parser or the model may read them even though
 * a browser would not show them.
 *
 * Formats, by file extension (the uploader's Content-Type is not trusted):
 * - plain text (`.txt`) and Markdown (`.md`, `.markdown`): the text itself (Markdown link targets, code and inline
 *   HTML comments included);
 * - HTML (`.html`, `.htm`): text, comments, CDATA, processing instructions and attribute values (htmlparser2);
 * - CSV (`.csv`): every cell (RFC 4180 quoting), one row per line;
 * - JSON (`.json`): every key and string value, decoded (`\u0049gnore` is read as `Ignore`).
 *
 * To add a format, add its extensions to {@link FORMATS} and a function `(text: string) => string` (or one that
 * throws {@link MalformedDocumentError}); anything else is `unsupported` and the caller quarantines it.
 *
 * Every function is linear in its input and reports its work ({@link countWork}), so tests can prove it by counting.
 *
 * @module
 */
import { Parser } from 'htmlparser2';
import { countWork } from '../shared/screening/work';

/** The document is not valid in its format (invalid UTF-8, unparseable JSON): what a parser reads is unknowable. */
export class MalformedDocumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedDocumentError';
  }
}

/** The supported formats. */
export type DocumentFormat = 'text' | 'markdown' | 'html' | 'csv' | 'json';

/** File extension (lowercase, with the dot) → format. */
export const FORMATS: Readonly<Record<string, DocumentFormat>> = {
  '.txt': 'text',
  '.text': 'text',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.html': 'html',
  '.htm': 'html',
  '.csv': 'csv',
  '.json': 'json',
};

/** The format of a key by its extension, or undefined when it is not supported. */
export function formatOf(key: string): DocumentFormat | undefined {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return FORMATS[name.slice(dot).toLowerCase()];
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes UTF-8 strictly; throws {@link MalformedDocumentError} on invalid bytes. */
export function decodeUtf8(bytes: Uint8Array): string {
  countWork(bytes.length);
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new MalformedDocumentError('not valid UTF-8');
  }
}

/** The text of a document of `format`. Throws only {@link MalformedDocumentError}. */
export function extractText(format: DocumentFormat, text: string): string {
  switch (format) {
    case 'text':
    case 'markdown':
      countWork(1);
      return text;
    case 'html':
      return htmlText(text);
    case 'csv':
      return csvText(text);
    case 'json':
      return jsonText(text);
  }
}

/**
 * Block-level elements: their boundaries are line breaks in the extracted text, as in any HTML-to-text conversion,
 * so a block's text starts a sentence of its own. Inline elements (`b`, `a`, `span`, …) are a space: a sentence
 * running through them stays one sentence.
 */
const BLOCK_ELEMENTS: ReadonlySet<string> = new Set(
  ('address article aside blockquote body br dd details dialog div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 ' +
    'head header hr html li main nav ol p pre script section style summary table tbody td tfoot th thead title tr ul').split(' '),
);

/**
 * Everything in an HTML document a model could read: text (of every element, hidden or not, `<script>` and `<style>`
 * included), comments, CDATA, processing instructions, doctype and attribute values. Never throws: htmlparser2
 * accepts any string as HTML.
 *
 * Block elements are line breaks (inline ones a space), as in any HTML-to-text conversion, so a block's text starts a
 * sentence of its own. Attribute values are not part of the running text: each goes on a line of its own at the next
 * block boundary, so a `style="display:none"` never joins the hidden text that follows it into one sentence, and an
 * `href` inside a sentence does not split it.
 */
export function htmlText(html: string): string {
  const parts: string[] = [];
  let attributes: string[] = [];
  const blockBoundary = (): void => {
    for (const value of attributes) parts.push('\n', value, '\n');
    attributes = [];
    parts.push('\n');
  };
  const parser = new Parser(
    {
      ontext: (t) => parts.push(t),
      oncomment: (t) => parts.push(' ', t, ' '),
      onattribute: (_name, value) => {
        if (value.length > 0) attributes.push(value);
      },
      onprocessinginstruction: (_name, data) => parts.push(' ', data, ' '),
      // Boundaries are never nothing, so words of adjacent elements do not merge.
      onopentag: (name) => (BLOCK_ELEMENTS.has(name) ? blockBoundary() : parts.push(' ')),
      onclosetag: (name) => (BLOCK_ELEMENTS.has(name) ? blockBoundary() : parts.push(' ')),
    },
    { decodeEntities: true, recognizeCDATA: true, lowerCaseTags: true },
  );
  parser.end(html);
  blockBoundary();
  countWork(html.length + parts.length);
  return parts.join('');
}

/**
 * Every cell of a CSV document (RFC 4180: quoted cells, `""` escapes, CRLF or LF), cells separated by tabs and rows by
 * newlines. Lenient like the knowledge base's parser: an unterminated quote runs to the end. Never throws.
 */
export function csvText(csv: string): string {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  const n = csv.length;
  while (i < n) {
    const c = csv[i]!;
    if (quoted) {
      if (c === '"') {
        if (csv[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"' && cell.length === 0) {
      quoted = true;
    } else if (c === ',') {
      out.push(cell, '\t');
      cell = '';
    } else if (c === '\n' || c === '\r') {
      out.push(cell, '\n');
      cell = '';
      if (c === '\r' && csv[i + 1] === '\n') i++;
    } else {
      cell += c;
    }
    i++;
  }
  out.push(cell);
  countWork(n + out.length);
  return out.join('');
}

/**
 * Every key and string value of a JSON document, decoded, one per line (numbers, booleans and null carry no
 * instructions). Throws {@link MalformedDocumentError} when the text is not JSON. Iterative: deep nesting cannot
 * overflow the stack.
 */
export function jsonText(json: string): string {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new MalformedDocumentError('not valid JSON');
  }
  countWork(json.length);
  const out: string[] = [];
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    countWork(1);
    if (typeof v === 'string') {
      out.push(v);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) stack.push(entries[i]![1], entries[i]![0]);
    }
  }
  return out.join('\n');
}
