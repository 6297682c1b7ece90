/**
 * A JSON parser that keeps where things are. It accepts exactly what Go's encoding/json accepts (RFC 8259, no BOM,
 * no comments, no trailing commas) and fails with Go's wording (`invalid character 'w' looking for beginning of
 * value`) plus the line and column and, for the usual slips, what to change. Numbers stay as written, so the binder
 * can apply Go's integer rules to the literal.
 */

export type JsonNode =
  | { kind: 'object'; members: JsonMember[] }
  | { kind: 'array'; items: JsonNode[] }
  | { kind: 'string'; value: string }
  | { kind: 'number'; raw: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' };

export interface JsonMember {
  key: string;
  /** 1-based line of the key, for messages about duplicate keys. */
  line: number;
  value: JsonNode;
}

export interface JsonSyntaxError {
  /** Go's message, e.g. `invalid character '}' looking for beginning of object key string`. */
  message: string;
  line: number;
  column: number;
  /** What probably went wrong, when the character makes it clear. */
  hint: string | undefined;
}

export type JsonParseResult = { ok: true; value: JsonNode } | { ok: false; error: JsonSyntaxError };

/**
 * Nesting limit. Go's decoder allows 10,000 levels, more than this recursive parser's stack holds; a node-agent config
 * nests 6 levels deep, so anything near the limit is a mistake either way.
 */
const MAX_DEPTH = 1_000;

type Context =
  | 'beginning of value'
  | 'beginning of object key string'
  | 'after object key'
  | 'after object key:value pair'
  | 'after array element'
  | 'after top-level value';

/** Thrown inside the parser only; `parseJson` turns it into a result. */
class Failure extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Go's `quoteChar`: the character in single quotes, escaped the way Go's strconv.Quote does. */
function quoteChar(c: string): string {
  if (c === "'") return String.raw`'\''`;
  if (c === '"') return `'"'`;
  const escapes: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\uFEFF': '\\ufeff' };
  const code = c.charCodeAt(0);
  const shown = escapes[c] ?? (code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : c);
  return `'${shown}'`;
}

function hintFor(c: string, context: Context): string | undefined {
  if (c === '\uFEFF') return 'the file starts with a byte order mark; save it as UTF-8 without BOM';
  if (c === '/' || c === '#') return 'JSON has no comments';
  if (c === "'" && (context === 'beginning of value' || context === 'beginning of object key string')) return 'JSON strings take double quotes';
  if ((c === '}' && context === 'beginning of object key string') || (c === ']' && context === 'beginning of value')) {
    return 'remove the trailing comma';
  }
  if (context === 'beginning of object key string' && /[A-Za-z_$]/.test(c)) return 'object keys must be in double quotes';
  if (context === 'after object key:value pair' && c === '"') return 'a comma is missing between two members';
  if (context === 'after object key:value pair' && c === ']') return "an object is not closed: a '}' is missing before this";
  if (context === 'after array element' && c === '}') return "a list is not closed: a ']' is missing before this";
  if (context === 'after array element' && /["{[\d-]/.test(c)) return 'a comma is missing between two elements';
  if (context === 'after top-level value') return 'the document holds more than one value';
  return undefined;
}

class Parser {
  private pos = 0;
  private line = 1;

  constructor(private readonly text: string) {}

  /** 1-based line and column of an offset; lines end at \n as in an editor. */
  position(offset: number): { line: number; column: number } {
    let line = 1;
    let lineStart = 0;
    for (let i = this.text.indexOf('\n'); i !== -1 && i < offset; i = this.text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    return { line, column: offset - lineStart + 1 };
  }

  document(): JsonNode {
    const value = this.value(0);
    this.skipSpace();
    if (this.pos < this.text.length) throw this.unexpected('after top-level value');
    return value;
  }

  private unexpected(context: Context): Failure {
    const c = this.text.charAt(this.pos);
    if (c === '') return new Failure('unexpected end of JSON input', this.pos);
    const where = context.startsWith('after') ? context : `looking for ${context}`;
    return new Failure(`invalid character ${quoteChar(c)} ${where}`, this.pos, hintFor(c, context));
  }

  private skipSpace(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x0a) this.line++;
      else if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return;
      this.pos++;
    }
  }

  private value(depth: number): JsonNode {
    if (depth > MAX_DEPTH) throw new Failure('exceeded max depth', this.pos);
    this.skipSpace();
    const c = this.text.charAt(this.pos);
    switch (c) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
        return { kind: 'string', value: this.string() };
      case 't':
        return this.literal('true', { kind: 'boolean', value: true });
      case 'f':
        return this.literal('false', { kind: 'boolean', value: false });
      case 'n':
        return this.literal('null', { kind: 'null' });
      default:
        if (c === '-' || (c >= '0' && c <= '9')) return { kind: 'number', raw: this.number() };
        throw this.unexpected('beginning of value');
    }
  }

  private object(depth: number): JsonNode {
    return { kind: 'object', members: this.elements('}', 'after object key:value pair', () => this.member(depth)) };
  }

  private member(depth: number): JsonMember {
    this.skipSpace();
    if (this.text.charAt(this.pos) !== '"') throw this.unexpected('beginning of object key string');
    const line = this.line;
    const key = this.string();
    this.skipSpace();
    if (this.text.charAt(this.pos) !== ':') throw this.unexpected('after object key');
    this.pos++;
    return { key, line, value: this.value(depth + 1) };
  }

  private array(depth: number): JsonNode {
    return { kind: 'array', items: this.elements(']', 'after array element', () => this.value(depth + 1)) };
  }

  /** The comma-separated elements from the opening bracket at `pos` to `close`. */
  private elements<T>(close: string, after: Context, element: () => T): T[] {
    this.pos++;
    const out: T[] = [];
    this.skipSpace();
    if (this.text.charAt(this.pos) === close) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(element());
      this.skipSpace();
      const next = this.text.charAt(this.pos);
      if (next !== close && next !== ',') throw this.unexpected(after);
      this.pos++;
      if (next === close) return out;
    }
  }

  private literal<T extends JsonNode>(word: string, node: T): T {
    for (let i = 1; i < word.length; i++) {
      const c = this.text.charAt(this.pos + i);
      if (c !== word[i]) {
        this.pos += i;
        if (c === '') throw new Failure('unexpected end of JSON input', this.pos);
        throw new Failure(`invalid character ${quoteChar(c)} in literal ${word} (expecting ${quoteChar(word.charAt(i))})`, this.pos);
      }
    }
    this.pos += word.length;
    return node;
  }

  private number(): string {
    const start = this.pos;
    const t = this.text;
    const digit = (): boolean => t.charCodeAt(this.pos) >= 0x30 && t.charCodeAt(this.pos) <= 0x39;
    const fail = (where: string): Failure =>
      this.pos >= t.length ? new Failure('unexpected end of JSON input', this.pos) : new Failure(`invalid character ${quoteChar(t.charAt(this.pos))} ${where}`, this.pos);
    if (t.charAt(this.pos) === '-') {
      this.pos++;
      if (!digit()) throw fail('in numeric literal');
    }
    if (t.charAt(this.pos) === '0') this.pos++;
    else while (digit()) this.pos++;
    if (t.charAt(this.pos) === '.') {
      this.pos++;
      if (!digit()) throw fail('after decimal point in numeric literal');
      while (digit()) this.pos++;
    }
    if (t.charAt(this.pos) === 'e' || t.charAt(this.pos) === 'E') {
      this.pos++;
      if (t.charAt(this.pos) === '+' || t.charAt(this.pos) === '-') this.pos++;
      if (!digit()) throw fail('in exponent of numeric literal');
      while (digit()) this.pos++;
    }
    return t.slice(start, this.pos);
  }

  private string(): string {
    const t = this.text;
    this.pos++;
    let out = '';
    let chunk = this.pos;
    for (;;) {
      const code = t.charCodeAt(this.pos);
      if (code === 0x22) {
        out += t.slice(chunk, this.pos);
        this.pos++;
        return out;
      }
      if (Number.isNaN(code)) throw new Failure('unexpected end of JSON input', this.pos);
      if (code < 0x20) throw new Failure(`invalid character ${quoteChar(t.charAt(this.pos))} in string literal`, this.pos);
      if (code !== 0x5c) {
        this.pos++;
        continue;
      }
      out += t.slice(chunk, this.pos);
      out += this.escape();
      chunk = this.pos;
    }
  }

  /** One escape sequence at `pos` (the backslash); lone surrogates become U+FFFD as in Go. */
  private escape(): string {
    const t = this.text;
    const c = t.charAt(this.pos + 1);
    const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
    if (c === '') throw new Failure('unexpected end of JSON input', this.pos + 1);
    const plain = simple[c];
    if (plain !== undefined) {
      this.pos += 2;
      return plain;
    }
    if (c !== 'u') throw new Failure(`invalid character ${quoteChar(c)} in string escape code`, this.pos + 1);
    const unit = this.hex4(this.pos + 2);
    this.pos += 6;
    if (unit >= 0xd800 && unit < 0xdc00 && t.startsWith('\\u', this.pos)) {
      const low = this.hex4(this.pos + 2);
      if (low >= 0xdc00 && low < 0xe000) {
        this.pos += 6;
        return String.fromCharCode(unit, low);
      }
    }
    return unit >= 0xd800 && unit < 0xe000 ? '\uFFFD' : String.fromCharCode(unit);
  }

  private hex4(at: number): number {
    for (let i = at; i < at + 4; i++) {
      const c = this.text.charAt(i);
      if (c === '') throw new Failure('unexpected end of JSON input', i);
      if (!/[0-9A-Fa-f]/.test(c)) throw new Failure(`invalid character ${quoteChar(c)} in \\u hexadecimal character escape`, i);
    }
    return parseInt(this.text.slice(at, at + 4), 16);
  }
}

export function parseJson(text: string): JsonParseResult {
  const parser = new Parser(text);
  try {
    return { ok: true, value: parser.document() };
  } catch (err) {
    if (!(err instanceof Failure)) throw err;
    return { ok: false, error: { message: err.message, hint: err.hint, ...parser.position(err.offset) } };
  }
}

/** `invalid character 'w' looking for beginning of value at line 1, column 1`, plus the hint in parentheses. */
export function describeSyntaxError({ message, line, column, hint }: JsonSyntaxError): string {
  return `${message} at line ${line}, column ${column}${hint === undefined ? '' : ` (${hint})`}`;
}
