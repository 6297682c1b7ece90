/**
 * @module selectors
 * The `labelSelector` and `fieldSelector` query parameters of list and watch requests, parsed with apimachinery's
 * grammar (`labels.Parse`, `fields.ParseSelector`) and error wording. A label selector is a list of requirements
 * (`key=value`, `key in (a,b)`, `!key`…) that all must hold; a field selector is a list of `field=value` /
 * `field!=value` terms over the object's selectable fields. An empty selector matches everything.
 */

import { matchesRequirement, parseInt64, type Labels, type Requirement } from '../../kube/labels.js';
import { isQualifiedName, isValidLabelValue } from '../../kube/names.js';

/** A selector string that does not parse; the message is apimachinery's. */
export class SelectorError extends Error {
  override readonly name = 'SelectorError';
}

export interface LabelSelectorQuery {
  matches(labels: Readonly<Record<string, string>>): boolean;
  /** True for `""`: the selector matches every object. */
  readonly empty: boolean;
}

export interface FieldSelectorQuery {
  /** `getField` returns an object's value for a field path such as `metadata.name`; `undefined` counts as `""`. */
  matches(getField: (path: string) => string | undefined): boolean;
  /** The field paths the selector mentions, so the server can reject the ones a kind does not support. */
  readonly fields: readonly string[];
  readonly empty: boolean;
}

// ---- label selectors ------------------------------------------------------------------------------------------

type TokenKind = 'identifier' | 'end' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | '>' | '<' | 'in' | 'notin';

interface Token {
  readonly kind: TokenKind;
  readonly literal: string;
}

const SYMBOLS = '=!(),><';
const isSpecial = (ch: string): boolean => SYMBOLS.includes(ch);
const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';

/**
 * apimachinery's selector lexer: a run of symbols yields the longest operator it starts with (`==`, `!=` or one
 * character), anything else up to whitespace or a symbol is a word.
 */
function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  for (;;) {
    while (pos < input.length && isWhitespace(input.charAt(pos))) pos++;
    if (pos >= input.length) {
      tokens.push({ kind: 'end', literal: '' });
      return tokens;
    }
    const ch = input.charAt(pos);
    if (isSpecial(ch)) {
      const pair = input.slice(pos, pos + 2);
      const symbol = pair === '==' || pair === '!=' ? pair : (ch as TokenKind);
      tokens.push({ kind: symbol, literal: symbol });
      pos += symbol.length;
    } else {
      const start = pos;
      while (pos < input.length && !isWhitespace(input.charAt(pos)) && !isSpecial(input.charAt(pos))) pos++;
      const word = input.slice(start, pos);
      tokens.push({ kind: word === 'in' || word === 'notin' ? word : 'identifier', literal: word });
    }
  }
}

/** Selector operators as apimachinery names them (`selection.Operator`), mapped to LabelSelector operators. */
const REQUIREMENT_OPERATORS = {
  in: 'In',
  notin: 'NotIn',
  '=': 'In',
  '==': 'In',
  '!=': 'NotIn',
  gt: 'Gt',
  lt: 'Lt',
} as const;
type BinaryOperator = keyof typeof REQUIREMENT_OPERATORS;
const BINARY_OPERATOR_LIST = 'in, notin, =, ==, !=, gt, lt';

/** Go's `field.Invalid(path, value, detail).Error()`; a parse without a path prints `<nil>`. */
const invalid = (path: string, value: string, details: readonly string[]): string =>
  `${path}: Invalid value: ${JSON.stringify(value)}: ${details.join('; ')}`;

class LabelParser {
  private position = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  /** The next token; in value position the keywords `in`/`notin` are plain words. */
  private peek(): Token {
    const token = this.tokens[this.position] ?? { kind: 'end', literal: '' };
    return token.kind === 'in' || token.kind === 'notin' ? { kind: 'identifier', literal: token.literal } : token;
  }

  private next(): Token {
    const token = this.peek();
    if (this.position < this.tokens.length - 1) this.position++;
    return token;
  }

  /** Like `next`, but keeps `in`/`notin` as operators. */
  private nextOperator(): Token {
    const token = this.tokens[this.position] ?? { kind: 'end', literal: '' };
    if (this.position < this.tokens.length - 1) this.position++;
    return token;
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    for (;;) {
      const token = this.peek();
      if (token.kind === 'end') return requirements;
      if (token.kind !== 'identifier' && token.kind !== '!') {
        throw new SelectorError(`found '${token.literal}', expected: !, identifier, or 'end of string'`);
      }
      try {
        requirements.push(this.parseRequirement());
      } catch (err) {
        if (err instanceof SelectorError) throw new SelectorError(`unable to parse requirement: ${err.message}`);
        throw err;
      }
      const separator = this.next();
      if (separator.kind === 'end') return requirements;
      if (separator.kind !== ',') {
        throw new SelectorError(`found '${separator.literal}', expected: ',' or 'end of string'`);
      }
      const after = this.peek();
      if (after.kind !== 'identifier' && after.kind !== '!') {
        throw new SelectorError(`found '${after.literal}', expected: identifier after ','`);
      }
    }
  }

  private parseRequirement(): Requirement {
    let token = this.next();
    const negated = token.kind === '!';
    if (negated) token = this.next();
    if (token.kind !== 'identifier') throw new SelectorError(`found '${token.literal}', expected: identifier`);
    const key = token.literal;
    const keyErrors = isQualifiedName(key);
    if (keyErrors.length > 0) throw new SelectorError(invalid('<nil>', key, keyErrors));
    const lookahead = this.peek().kind;
    if (negated) return { key, operator: 'DoesNotExist', values: [] };
    if (lookahead === 'end' || lookahead === ',') return { key, operator: 'Exists', values: [] };

    const op = this.parseOperator();
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, op, values);
  }

  private parseOperator(): BinaryOperator {
    const token = this.nextOperator();
    switch (token.kind) {
      case 'in':
      case 'notin':
      case '=':
      case '==':
      case '!=':
        return token.kind;
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      default:
        throw new SelectorError(`found '${token.literal}', expected: ${BINARY_OPERATOR_LIST}`);
    }
  }

  private parseValues(): string[] {
    const open = this.next();
    if (open.kind !== '(') throw new SelectorError(`found '${open.literal}' expected: '('`);
    const first = this.peek();
    if (first.kind === ')') {
      this.next();
      return [''];
    }
    if (first.kind !== 'identifier' && first.kind !== ',') {
      throw new SelectorError(`found '${first.literal}', expected: ',', ')' or identifier`);
    }
    const values = this.parseIdentifierList();
    if (this.next().kind !== ')') throw new SelectorError(`found '${first.literal}', expected: ')'`);
    return values;
  }

  /** `a,b`, with empty strings for the gaps in `(,a)`, `(a,)` and `(a,,b)`, as apimachinery reads them. */
  private parseIdentifierList(): string[] {
    const values = new Set<string>();
    for (;;) {
      const token = this.next();
      if (token.kind === 'identifier') {
        values.add(token.literal);
        const after = this.peek();
        if (after.kind === ',') continue;
        if (after.kind === ')') return [...values];
        throw new SelectorError(`found '${after.literal}', expected: ',' or ')'`);
      }
      if (token.kind !== ',') throw new SelectorError(`found '${token.literal}', expected: ',', or identifier`);
      if (values.size === 0) values.add('');
      const after = this.peek();
      if (after.kind === ')') {
        values.add('');
        return [...values];
      }
      if (after.kind === ',') {
        this.next();
        values.add('');
      }
    }
  }

  private parseExactValue(): string[] {
    const lookahead = this.peek();
    if (lookahead.kind === 'end' || lookahead.kind === ',') return [''];
    const token = this.next();
    if (token.kind === 'identifier') return [token.literal];
    throw new SelectorError(`found '${token.literal}', expected: identifier`);
  }
}

/** apimachinery's `NewRequirement` checks that the parser can reach: integers for gt/lt, label value syntax. */
function newRequirement(key: string, op: BinaryOperator, values: readonly string[]): Requirement {
  const errors: string[] = [];
  if (op === 'gt' || op === 'lt') {
    values.forEach((value, i) => {
      if (parseInt64(value) === undefined) {
        errors.push(invalid(`values[${i}]`, value, ["for 'Gt', 'Lt' operators, the value must be an integer"]));
      }
    });
  }
  values.forEach((value, i) => {
    const valueErrors = isValidLabelValue(value);
    if (valueErrors.length > 0) errors.push(invalid(`values[${i}][${key}]`, value, valueErrors));
  });
  if (errors.length === 1) throw new SelectorError(errors[0]);
  if (errors.length > 1) throw new SelectorError(`[${errors.join(', ')}]`);
  return { key, operator: REQUIREMENT_OPERATORS[op], values };
}

/** Parses a `labelSelector` query; throws `SelectorError` with apimachinery's message when it does not parse. */
export function parseLabelSelector(query: string): LabelSelectorQuery {
  const requirements = new LabelParser(lex(query)).parse();
  return {
    empty: requirements.length === 0,
    matches: (labels: Labels) => requirements.every((req) => matchesRequirement(req, labels)),
  };
}

// ---- field selectors ------------------------------------------------------------------------------------------

interface FieldTerm {
  readonly field: string;
  readonly value: string;
  readonly negated: boolean;
}

/** Splits on commas that are not escaped with a backslash (the backslash stays for `unescapeValue`). */
function splitTerms(selector: string): string[] {
  if (selector === '') return [];
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < selector.length; i++) {
    const ch = selector.charAt(i);
    if (escaped) escaped = false;
    else if (ch === '\\') escaped = true;
    else if (ch === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** `\\`, `\,` and `\=` are the only escapes; bare `,` or `=` in a value are errors. */
function unescapeValue(value: string): string {
  let out = '';
  let escaped = false;
  for (const ch of value) {
    if (escaped) {
      if (ch !== '\\' && ch !== ',' && ch !== '=') {
        throw new SelectorError(`invalid field selector: invalid escape sequence: \\${ch}`);
      }
      out += ch;
      escaped = false;
    } else if (ch === '\\') escaped = true;
    else if (ch === ',' || ch === '=') throw new SelectorError(`invalid field selector: unescaped character in value: ${ch}`);
    else out += ch;
  }
  if (escaped) throw new SelectorError('invalid field selector: invalid escape sequence: \\');
  return out;
}

// `==` before `=` so that `a==b` does not leave `=b` as the value.
const TERM_OPERATORS = ['!=', '==', '='] as const;

function parseTerm(selector: string, term: string): FieldTerm {
  for (let i = 0; i < term.length; i++) {
    const op = TERM_OPERATORS.find((candidate) => term.startsWith(candidate, i));
    if (op !== undefined) {
      return { field: term.slice(0, i), value: unescapeValue(term.slice(i + op.length)), negated: op === '!=' };
    }
  }
  throw new SelectorError(`invalid selector: '${selector}'; can't understand '${term}'`);
}

/** Parses a `fieldSelector` query; throws `SelectorError` with apimachinery's message when it does not parse. */
export function parseFieldSelector(query: string): FieldSelectorQuery {
  const terms = splitTerms(query)
    .filter((part) => part !== '')
    .map((part) => parseTerm(query, part));
  return {
    empty: terms.length === 0,
    fields: [...new Set(terms.map((t) => t.field))],
    matches: (getField) => terms.every((t) => ((getField(t.field) ?? '') === t.value) !== t.negated),
  };
}
