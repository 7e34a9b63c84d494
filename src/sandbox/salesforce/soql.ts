/**
 * The small part of SOQL the sandbox org understands — enough for what the adapter sends:
 *
 *   SELECT f1, f2 FROM Object [WHERE cond [AND cond]...] [ORDER BY f [ASC|DESC]] [LIMIT n]
 *   cond := field = value | field != value | field IN (value, ...)
 *   value := 'string with \' escapes' | true | false | null | number
 *
 * Like Salesforce: keywords, object and field names are case-insensitive, and so is
 * comparing text (`WHERE Name = 'abc'` matches "ABC"). Ids compare on their first 15 chars.
 */

export type SoqlValue = string | number | boolean | null;

export interface SoqlCondition {
  field: string;
  op: '=' | '!=' | 'IN';
  values: SoqlValue[];
}

export interface SoqlQuery {
  fields: string[];
  object: string;
  where: SoqlCondition[];
  orderBy: { field: string; descending: boolean } | null;
  limit: number | null;
}

export class SoqlError extends Error {
  override readonly name = 'SoqlError';
}

type Token = { kind: 'word' | 'string' | 'number' | 'symbol'; text: string; value?: string };

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < soql.length) {
    const ch = soql.charAt(i);
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === "'") {
      let value = '';
      i += 1;
      for (;;) {
        if (i >= soql.length) throw new SoqlError('unterminated string literal');
        const c = soql.charAt(i);
        if (c === '\\') {
          const next = soql.charAt(i + 1);
          value += ({ n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' } as Record<string, string>)[next] ?? next;
          i += 2;
        } else if (c === "'") {
          i += 1;
          break;
        } else {
          value += c;
          i += 1;
        }
      }
      tokens.push({ kind: 'string', text: `'${value}'`, value });
    } else if (ch === '!' && soql.charAt(i + 1) === '=') {
      tokens.push({ kind: 'symbol', text: '!=' });
      i += 2;
    } else if ('=(),'.includes(ch)) {
      tokens.push({ kind: 'symbol', text: ch });
      i += 1;
    } else {
      const match = /^[A-Za-z0-9_.\-:+]+/.exec(soql.slice(i));
      if (!match) throw new SoqlError(`unexpected character '${ch}'`);
      tokens.push({ kind: /^-?\d+(\.\d+)?$/.test(match[0]) ? 'number' : 'word', text: match[0] });
      i += match[0].length;
    }
  }
  return tokens;
}

export function parseSoql(soql: string): SoqlQuery {
  const tokens = tokenize(soql);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = (): Token => {
    const token = tokens[pos];
    if (!token) throw new SoqlError('unexpected end of query');
    pos += 1;
    return token;
  };
  const keyword = (word: string) => {
    const token = peek();
    if (token?.kind === 'word' && token.text.toUpperCase() === word) {
      pos += 1;
      return true;
    }
    return false;
  };
  const expectKeyword = (word: string) => {
    if (!keyword(word)) throw new SoqlError(`expected ${word} near '${peek()?.text ?? 'end'}'`);
  };
  const identifier = (): string => {
    const token = next();
    if (token.kind !== 'word') throw new SoqlError(`expected a name, found '${token.text}'`);
    return token.text;
  };
  const value = (): SoqlValue => {
    const token = next();
    if (token.kind === 'string') return token.value ?? '';
    if (token.kind === 'number') return Number(token.text);
    const word = token.text.toLowerCase();
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    throw new SoqlError(`expected a value, found '${token.text}'`);
  };

  expectKeyword('SELECT');
  const fields = [identifier()];
  while (peek()?.text === ',') {
    pos += 1;
    fields.push(identifier());
  }
  expectKeyword('FROM');
  const object = identifier();
  const where: SoqlCondition[] = [];
  if (keyword('WHERE')) {
    do {
      const field = identifier();
      const op = next();
      if (op.text === '=' || op.text === '!=') {
        where.push({ field, op: op.text, values: [value()] });
      } else if (op.kind === 'word' && op.text.toUpperCase() === 'IN') {
        if (next().text !== '(') throw new SoqlError('expected ( after IN');
        const values = [value()];
        while (peek()?.text === ',') {
          pos += 1;
          values.push(value());
        }
        if (next().text !== ')') throw new SoqlError('expected ) to close IN');
        where.push({ field, op: 'IN', values });
      } else {
        throw new SoqlError(`unsupported operator '${op.text}' (the sandbox knows =, != and IN)`);
      }
    } while (keyword('AND'));
  }
  let orderBy: SoqlQuery['orderBy'] = null;
  if (keyword('ORDER')) {
    expectKeyword('BY');
    const field = identifier();
    const descending = keyword('DESC');
    if (!descending) keyword('ASC');
    orderBy = { field, descending };
  }
  let limit: number | null = null;
  if (keyword('LIMIT')) {
    const token = next();
    if (token.kind !== 'number') throw new SoqlError('LIMIT needs a number');
    limit = Number(token.text);
  }
  if (pos < tokens.length) throw new SoqlError(`unexpected '${peek()?.text ?? ''}' (the sandbox understands a small subset of SOQL)`);
  return { fields, object, where, orderBy, limit };
}

function looksLikeId(value: string): boolean {
  return /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/.test(value);
}

export function soqlEquals(actual: SoqlValue | undefined, wanted: SoqlValue): boolean {
  if (actual === undefined || actual === null || wanted === null) return (actual ?? null) === wanted;
  if (typeof actual === 'string' && typeof wanted === 'string') {
    if (looksLikeId(actual) && looksLikeId(wanted)) return actual.slice(0, 15) === wanted.slice(0, 15);
    return actual.toLowerCase() === wanted.toLowerCase();
  }
  return actual === wanted;
}

export function matches(row: Record<string, SoqlValue>, condition: SoqlCondition, fieldName: string): boolean {
  const actual = row[fieldName];
  const hit = condition.values.some((v) => soqlEquals(actual, v));
  return condition.op === '!=' ? !hit : hit;
}
