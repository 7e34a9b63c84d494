/**
 * Compiles the small part of Apex the sandbox org runs (anonymous-apex.ts): tokens, then
 * statements, then a type check — so, as in Salesforce, a block that does not compile runs
 * nothing, and the formatting of the code does not matter. Like Apex: whitespace and line
 * breaks are free, `//` and `/* *\/` are comments, keywords and names are case-insensitive,
 * strings are single-quoted only (`"` does not compile).
 *
 *   block     := (class X extends Exception { } | Type name = expr ; | throw expr ; | expr ;)*
 *   expr      := postfix (+ postfix)*
 *   postfix   := primary (. name [( args )])*
 *   primary   := 'text' | 123 | name | new Type ( args ) | new Map<String, Object>{ 'k' => expr, ... }
 *
 * Known types and methods (what certrot's proofs use): Blob.valueOf, Crypto.signWithCertificate,
 * EncodingUtil.base64Encode, JSON.serialize, HttpRequest.set{Endpoint,Method,ClientCertificateName,Timeout},
 * Http.send, HttpResponse.get{StatusCode,Body}, and exception classes declared in the block.
 */

export class ApexCompileError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

interface Token {
  kind: 'name' | 'string' | 'number' | 'symbol';
  text: string;
  line: number;
  column: number;
}

export type Expr =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'var'; name: string; line: number }
  | { kind: 'concat'; parts: Expr[] }
  | { kind: 'call'; receiver: Expr; method: string; args: Expr[]; line: number }
  | { kind: 'new'; type: string; args: Expr[]; line: number }
  | { kind: 'map'; entries: [Expr, Expr][] };

export type Statement =
  | { kind: 'exception-class'; name: string; line: number }
  | { kind: 'declare'; type: string; name: string; init: Expr; line: number }
  | { kind: 'throw'; expr: Expr; line: number }
  | { kind: 'expr'; expr: Expr; line: number };

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const fail = (message: string): never => {
    throw new ApexCompileError(message, line, i - lineStart + 1);
  };
  while (i < source.length) {
    const ch = source.charAt(i);
    const column = i - lineStart + 1;
    if (ch === '\n') {
      i += 1;
      line += 1;
      lineStart = i;
    } else if (/\s/.test(ch)) {
      i += 1;
    } else if (source.startsWith('//', i)) {
      while (i < source.length && source.charAt(i) !== '\n') i += 1;
    } else if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) fail('Unexpected end of file: unterminated comment');
      for (; i < end + 2; i += 1) {
        if (source.charAt(i) === '\n') {
          line += 1;
          lineStart = i + 1;
        }
      }
    } else if (ch === "'") {
      let value = '';
      i += 1;
      for (;;) {
        const c = source.charAt(i);
        if (i >= source.length || c === '\n') fail('Unterminated string literal');
        if (c === "'") break;
        if (c === '\\') {
          const next = source.charAt(i + 1);
          value += ESCAPES[next] ?? next;
          i += 2;
        } else {
          value += c;
          i += 1;
        }
      }
      i += 1;
      tokens.push({ kind: 'string', text: value, line, column });
    } else if (/[A-Za-z_]/.test(ch)) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i, i + 256))?.[0] ?? ch;
      tokens.push({ kind: 'name', text: word, line, column });
      i += word.length;
    } else if (/[0-9]/.test(ch)) {
      const digits = /^[0-9]+/.exec(source.slice(i, i + 32))?.[0] ?? ch;
      tokens.push({ kind: 'number', text: digits, line, column });
      i += digits.length;
    } else if (source.startsWith('=>', i)) {
      tokens.push({ kind: 'symbol', text: '=>', line, column });
      i += 2;
    } else if ('(){},;.+=<>'.includes(ch)) {
      tokens.push({ kind: 'symbol', text: ch, line, column });
      i += 1;
    } else {
      fail(`Unexpected token '${ch}'.`);
    }
  }
  return tokens;
}

/** Parses a block into statements (no type check yet). */
export function parseApex(source: string): Statement[] {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = (ahead = 0) => tokens[pos + ahead];
  const last = tokens[tokens.length - 1];
  const fail = (message: string, at = peek()): never => {
    throw new ApexCompileError(message, at?.line ?? last?.line ?? 1, at?.column ?? 1);
  };
  const next = (): Token => tokens[pos++] ?? fail('Unexpected end of input: missing ;');
  const isName = (word: string, t = peek()) => t?.kind === 'name' && t.text.toLowerCase() === word;
  const isSymbol = (s: string, t = peek()) => t?.kind === 'symbol' && t.text === s;
  const expectSymbol = (s: string) => {
    if (!isSymbol(s)) fail(`Missing '${s}' at '${peek()?.text ?? 'end of input'}'`);
    pos += 1;
  };
  const name = (): string => {
    const t = next();
    if (t.kind !== 'name') fail(`Unexpected token '${t.text}'.`, t);
    return t.text;
  };
  const typeName = (): string => {
    let type = name();
    while (isSymbol('.')) {
      pos += 1;
      type += `.${name()}`;
    }
    if (isSymbol('<')) {
      pos += 1;
      const params = [typeName()];
      while (isSymbol(',')) {
        pos += 1;
        params.push(typeName());
      }
      expectSymbol('>');
      type += `<${params.join(',')}>`;
    }
    return type;
  };
  const args = (): Expr[] => {
    expectSymbol('(');
    const list: Expr[] = [];
    if (!isSymbol(')')) {
      list.push(expr());
      while (isSymbol(',')) {
        pos += 1;
        list.push(expr());
      }
    }
    expectSymbol(')');
    return list;
  };
  const primary = (): Expr => {
    const t = next();
    if (t.kind === 'string') return { kind: 'string', value: t.text };
    if (t.kind === 'number') return { kind: 'number', value: Number(t.text) };
    if (t.kind === 'name' && t.text.toLowerCase() === 'new') {
      const type = typeName();
      if (isSymbol('{')) {
        pos += 1;
        const entries: [Expr, Expr][] = [];
        while (!isSymbol('}')) {
          const key = expr();
          expectSymbol('=>');
          entries.push([key, expr()]);
          if (!isSymbol(',')) break;
          pos += 1;
        }
        expectSymbol('}');
        if (!/^map<string,object>$/i.test(type)) fail(`The sandbox org knows only Map<String, Object> initialisers, not ${type}`, t);
        return { kind: 'map', entries };
      }
      return { kind: 'new', type, args: args(), line: t.line };
    }
    if (t.kind === 'name') return { kind: 'var', name: t.text, line: t.line };
    return fail(`Unexpected token '${t.text}'.`, t);
  };
  const postfix = (): Expr => {
    let target = primary();
    while (isSymbol('.')) {
      pos += 1;
      const at = peek();
      const method = name();
      if (!isSymbol('(')) fail(`The sandbox org does not support field access (.${method})`, at);
      target = { kind: 'call', receiver: target, method, args: args(), line: at?.line ?? 1 };
    }
    return target;
  };
  function expr(): Expr {
    const parts = [postfix()];
    while (isSymbol('+')) {
      pos += 1;
      parts.push(postfix());
    }
    return parts.length === 1 ? (parts[0] as Expr) : { kind: 'concat', parts };
  }

  const statements: Statement[] = [];
  while (pos < tokens.length) {
    const line = peek()?.line ?? 1;
    if (isName('class')) {
      pos += 1;
      const className = name();
      if (!isName('extends')) fail(`The sandbox org supports only exception classes (class ${className} extends Exception {})`);
      pos += 1;
      if (!isName('exception')) fail(`The sandbox org supports only exception classes (class ${className} extends Exception {})`);
      pos += 1;
      expectSymbol('{');
      expectSymbol('}');
      statements.push({ kind: 'exception-class', name: className, line });
    } else if (isName('throw')) {
      pos += 1;
      const thrown = expr();
      expectSymbol(';');
      statements.push({ kind: 'throw', expr: thrown, line });
    } else if (peek()?.kind === 'name' && peek(1)?.kind === 'name' && isSymbol('=', peek(2))) {
      const type = name();
      const variable = name();
      pos += 1;
      const init = expr();
      expectSymbol(';');
      statements.push({ kind: 'declare', type, name: variable, init, line });
    } else {
      const value = expr();
      expectSymbol(';');
      statements.push({ kind: 'expr', expr: value, line });
    }
  }
  return statements;
}
