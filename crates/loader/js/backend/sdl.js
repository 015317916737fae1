// A small GraphQL SDL parser and a printer with graphql-js 15 `print` formatting, used to merge
// the parts of `a.combine([...])` exactly like @aws-amplify/graphql-api-construct
// (`schemaByMergingDefinitions`).

const PUNCT = new Set(['!', '$', '&', '(', ')', ':', '=', '@', '[', ']', '{', '|', '}']);

const tokenize = (text) => {
  const tokens = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === ',' || c === '\ufeff') {
      i++;
    } else if (c === '#') {
      while (i < n && text[i] !== '\n' && text[i] !== '\r') i++;
    } else if (c === '.' && text.startsWith('...', i)) {
      tokens.push({ kind: 'punct', value: '...' });
      i += 3;
    } else if (PUNCT.has(c)) {
      tokens.push({ kind: 'punct', value: c });
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(text[j])) j++;
      tokens.push({ kind: 'name', value: text.slice(i, j) });
      i = j;
    } else if (/[-0-9]/.test(c)) {
      let j = i + 1;
      while (j < n && /[0-9.eE+-]/.test(text[j])) j++;
      const raw = text.slice(i, j);
      tokens.push({ kind: /[.eE]/.test(raw) ? 'float' : 'int', value: raw });
      i = j;
    } else if (text.startsWith('"""', i)) {
      const end = text.indexOf('"""', i + 3);
      if (end < 0) throw new Error('Syntax Error: Unterminated string.');
      tokens.push({ kind: 'string', value: blockStringValue(text.slice(i + 3, end).replaceAll('\\"""', '"""')), block: true });
      i = end + 3;
    } else if (c === '"') {
      let j = i + 1;
      let value = '';
      while (j < n && text[j] !== '"') {
        if (text[j] === '\\') {
          const e = text[j + 1];
          const map = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
          if (e === 'u') {
            value += String.fromCharCode(parseInt(text.slice(j + 2, j + 6), 16));
            j += 6;
          } else {
            value += map[e] ?? e;
            j += 2;
          }
        } else {
          value += text[j++];
        }
      }
      if (j >= n) throw new Error('Syntax Error: Unterminated string.');
      tokens.push({ kind: 'string', value, block: false });
      i = j + 1;
    } else {
      throw new Error(`Syntax Error: Unexpected character: "${c}".`);
    }
  }
  return tokens;
};

/** GraphQL's dedentBlockStringValue. */
const blockStringValue = (raw) => {
  const lines = raw.split(/\r\n|[\n\r]/g);
  let common = null;
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k];
    const indent = line.length - line.trimStart().length;
    if (indent < line.length && (common === null || indent < common)) common = indent;
  }
  if (common) for (let k = 1; k < lines.length; k++) lines[k] = lines[k].slice(common);
  while (lines.length > 0 && lines[0].trim() === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  return lines.join('\n');
};

class Parser {
  constructor(text) {
    this.tokens = tokenize(text);
    this.pos = 0;
  }
  peek(value) {
    const t = this.tokens[this.pos];
    return t !== undefined && (value === undefined || t.value === value);
  }
  peekKind(kind) {
    return this.tokens[this.pos]?.kind === kind;
  }
  next() {
    const t = this.tokens[this.pos++];
    if (!t) throw new Error('Syntax Error: Unexpected <EOF>.');
    return t;
  }
  expect(value) {
    const t = this.next();
    if (t.value !== value) throw new Error(`Syntax Error: Expected "${value}", found "${t.value}".`);
    return t;
  }
  name() {
    const t = this.next();
    if (t.kind !== 'name') throw new Error(`Syntax Error: Expected Name, found "${t.value}".`);
    return t.value;
  }
  optional(value) {
    if (this.peek(value)) {
      this.pos++;
      return true;
    }
    return false;
  }
  document() {
    const definitions = [];
    while (this.pos < this.tokens.length) definitions.push(this.definition());
    return definitions;
  }
  description() {
    return this.peekKind('string') ? this.next() : undefined;
  }
  definition() {
    const description = this.description();
    const extend = this.optional('extend');
    const keyword = this.name();
    const def = { keyword, extend, description };
    switch (keyword) {
      case 'schema':
        def.directives = this.directives();
        def.operations = this.block(() => {
          const operation = this.name();
          this.expect(':');
          return { operation, type: this.name() };
        });
        return def;
      case 'scalar':
        def.name = this.name();
        def.directives = this.directives();
        return def;
      case 'type':
      case 'interface':
        def.name = this.name();
        def.interfaces = [];
        if (this.optional('implements')) {
          this.optional('&');
          do def.interfaces.push(this.name());
          while (this.optional('&'));
        }
        def.directives = this.directives();
        def.fields = this.peek('{') ? this.block(() => this.field()) : [];
        return def;
      case 'union':
        def.name = this.name();
        def.directives = this.directives();
        def.types = [];
        if (this.optional('=')) {
          this.optional('|');
          do def.types.push(this.name());
          while (this.optional('|'));
        }
        return def;
      case 'enum':
        def.name = this.name();
        def.directives = this.directives();
        def.values = this.peek('{')
          ? this.block(() => ({ description: this.description(), name: this.name(), directives: this.directives() }))
          : [];
        return def;
      case 'input':
        def.name = this.name();
        def.directives = this.directives();
        def.fields = this.peek('{') ? this.block(() => this.inputValue()) : [];
        return def;
      case 'directive': {
        this.expect('@');
        def.name = this.name();
        def.args = this.peek('(') ? this.list('(', ')', () => this.inputValue()) : [];
        def.repeatable = this.optional('repeatable');
        this.expect('on');
        this.optional('|');
        def.locations = [];
        do def.locations.push(this.name());
        while (this.optional('|'));
        return def;
      }
      default:
        throw new Error(`Syntax Error: Unexpected Name "${keyword}".`);
    }
  }
  block(item) {
    return this.list('{', '}', item);
  }
  list(open, close, item) {
    this.expect(open);
    const items = [];
    while (!this.optional(close)) items.push(item());
    return items;
  }
  field() {
    const description = this.description();
    const name = this.name();
    const args = this.peek('(') ? this.list('(', ')', () => this.inputValue()) : [];
    this.expect(':');
    return { description, name, args, type: this.type(), directives: this.directives() };
  }
  inputValue() {
    const description = this.description();
    const name = this.name();
    this.expect(':');
    const type = this.type();
    const defaultValue = this.optional('=') ? this.value() : undefined;
    return { description, name, type, defaultValue, directives: this.directives() };
  }
  type() {
    let type;
    if (this.optional('[')) {
      type = `[${this.type()}]`;
      this.expect(']');
    } else {
      type = this.name();
    }
    return this.optional('!') ? `${type}!` : type;
  }
  directives() {
    const directives = [];
    while (this.optional('@')) {
      const name = this.name();
      const args = this.peek('(') ? this.list('(', ')', () => this.argument()) : [];
      directives.push({ name, args });
    }
    return directives;
  }
  argument() {
    const name = this.name();
    this.expect(':');
    return { name, value: this.value() };
  }
  value() {
    const t = this.next();
    if (t.kind === 'string') return t.block ? printBlockString(t.value, '  ') : JSON.stringify(t.value);
    if (t.kind === 'int' || t.kind === 'float' || t.kind === 'name') return t.value;
    if (t.value === '$') return `$${this.name()}`;
    if (t.value === '[') {
      const values = [];
      while (!this.optional(']')) values.push(this.value());
      return `[${values.join(', ')}]`;
    }
    if (t.value === '{') {
      const fields = [];
      while (!this.optional('}')) {
        const name = this.name();
        this.expect(':');
        fields.push(`${name}: ${this.value()}`);
      }
      return `{${fields.join(', ')}}`;
    }
    throw new Error(`Syntax Error: Unexpected "${t.value}".`);
  }
}

// --- printer (graphql-js 15 `print`) ---

const wrap = (start, middle, end = '') => (middle ? start + middle + end : '');
const join = (parts, sep = '') => parts.filter((x) => x).join(sep);
const indent = (str) => wrap('  ', str.replace(/\n/g, '\n  '));
const printBlock = (items) => wrap('{\n', indent(join(items, '\n')), '\n}');

const printBlockString = (value, indentation = '') => {
  const escaped = value.replace(/"""/g, '\\"""');
  const isSingleLine = !value.includes('\n');
  const hasLeadingSpace = value[0] === ' ' || value[0] === '\t';
  const hasTrailingQuote = value[value.length - 1] === '"';
  const hasTrailingSlash = value[value.length - 1] === '\\';
  const printAsMultipleLines = !isSingleLine || hasTrailingQuote || hasTrailingSlash;
  let result = '';
  if (printAsMultipleLines && !(isSingleLine && hasLeadingSpace)) result += `\n${indentation}`;
  result += indentation ? escaped.replace(/\n/g, `\n${indentation}`) : escaped;
  if (printAsMultipleLines) result += '\n';
  return `"""${result.replace(/"""/g, '\\"""')}"""`;
};

const printDescription = (d) => (d ? `${d.block ? printBlockString(d.value, '') : JSON.stringify(d.value)}\n` : '');
const printDirectives = (ds) => join(ds.map((d) => `@${d.name}${wrap('(', join(d.args.map((a) => `${a.name}: ${a.value}`), ', '), ')')}`), ' ');
const printInputValue = (v) =>
  printDescription(v.description) + join([`${v.name}: ${v.type}`, wrap('= ', v.defaultValue), printDirectives(v.directives)], ' ');
const printArgs = (args) => {
  const printed = args.map(printInputValue);
  return printed.some((p) => p.includes('\n')) ? wrap('(\n', indent(join(printed, '\n')), '\n)') : wrap('(', join(printed, ', '), ')');
};
const printField = (f) =>
  printDescription(f.description) + f.name + printArgs(f.args) + ': ' + f.type + wrap(' ', printDirectives(f.directives));

const printDefinition = (def) => {
  const prefix = def.extend ? 'extend ' : '';
  const body = (() => {
    switch (def.keyword) {
      case 'schema':
        return join(['schema', printDirectives(def.directives), printBlock(def.operations.map((o) => `${o.operation}: ${o.type}`))], ' ');
      case 'scalar':
        return join(['scalar', def.name, printDirectives(def.directives)], ' ');
      case 'type':
      case 'interface':
        return join(
          [def.keyword, def.name, wrap('implements ', join(def.interfaces, ' & ')), printDirectives(def.directives), printBlock(def.fields.map(printField))],
          ' ',
        );
      case 'union':
        return join([
          'union',
          def.name,
          printDirectives(def.directives),
          def.types.length !== 0 ? `= ${join(def.types, ' | ')}` : '',
        ], ' ');
      case 'enum':
        return join(
          ['enum', def.name, printDirectives(def.directives), printBlock(def.values.map((v) => printDescription(v.description) + join([v.name, printDirectives(v.directives)], ' ')))],
          ' ',
        );
      case 'input':
        return join(['input', def.name, printDirectives(def.directives), printBlock(def.fields.map(printInputValue))], ' ');
      case 'directive':
        return `directive @${def.name}${printArgs(def.args)}${def.repeatable ? ' repeatable' : ''} on ${join(def.locations, ' | ')}`;
      default:
        return '';
    }
  })();
  return (def.extend ? '' : printDescription(def.description)) + prefix + body;
};

const BUILT_IN = new Set(['Query', 'Mutation', 'Subscription']);
const isBuiltIn = (def) => (def.keyword === 'type' || def.keyword === 'interface') && BUILT_IN.has(def.name);

/**
 * schemaByMergingDefinitions of @aws-amplify/graphql-api-construct: join the parts, merge the
 * Query/Mutation/Subscription types (a field may appear in one part only), move them to the
 * end in name order, and print.
 */
export const mergeSchemas = (parts) => {
  const definitions = new Parser(parts.join('\n')).document();
  const merged = new Map();
  for (const def of definitions.filter(isBuiltIn)) {
    const existing = merged.get(def.name);
    if (!existing) {
      merged.set(def.name, { ...def, fields: [...def.fields] });
      continue;
    }
    for (const field of def.fields) {
      if (existing.fields.some((f) => f.name === field.name)) {
        throw new Error(
          `The custom ${def.name} field '${field.name}' was found in multiple definitions, but a field name cannot be shared between definitions.`,
        );
      }
    }
    existing.fields.push(...def.fields);
  }
  const combined = [...merged.values()].sort((a, b) => a.name.localeCompare(b.name));
  const all = [...definitions.filter((d) => !isBuiltIn(d)), ...combined];
  return `${join(all.map(printDefinition), '\n\n')}\n`;
};
