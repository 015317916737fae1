// Seeded random schema definitions for the differential test: the same seed builds the same
// definition with either builder (ours or the real one), mixing valid and invalid features.

/** mulberry32: small deterministic PRNG. */
export function rng(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const r = {
    next,
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    subset: (arr, p = 0.3) => arr.filter(() => next() < p),
  };
  return r;
}

const SCALARS = ['id', 'string', 'integer', 'float', 'boolean', 'date', 'time', 'datetime', 'timestamp', 'email', 'json', 'phone', 'url', 'ipAddress'];
const OPS = ['create', 'update', 'delete', 'read', 'get', 'list', 'sync', 'listen', 'search'];
const DISABLE = ['queries', 'mutations', 'subscriptions', 'list', 'get', 'create', 'update', 'delete', 'onCreate', 'onUpdate', 'onDelete'];

function modelRule(allow, r, fieldNames) {
  const withTo = (rule) => (r.chance(0.3) && rule.to ? rule.to(r.subset(OPS, 0.3)) : rule);
  switch (r.int(12)) {
    case 0: return withTo(allow.publicApiKey());
    case 1: return withTo(allow.guest());
    case 2: return withTo(allow.authenticated(r.pick([undefined, 'userPools', 'oidc', 'identityPool'])));
    case 3: {
      const rule = allow.owner(r.pick([undefined, 'userPools', 'oidc']));
      return r.chance(0.3) ? rule.identityClaim('sub') : withTo(rule);
    }
    case 4: return withTo(allow.ownerDefinedIn(r.chance(0.2) ? r.pick(fieldNames) : 'author', r.pick([undefined, 'oidc'])));
    case 5: return withTo(allow.ownersDefinedIn(r.chance(0.2) ? r.pick(fieldNames) : 'editors'));
    case 6: return withTo(allow.group(r.pick(['Admins', 'Ops'])));
    case 7: {
      const rule = allow.groups(['A', 'B'], r.pick([undefined, 'oidc']));
      return r.chance(0.3) ? rule.withClaimIn('custom:g') : withTo(rule);
    }
    case 8: return withTo(allow.groupDefinedIn(r.chance(0.2) ? r.pick(fieldNames) : 'grp'));
    case 9: return withTo(allow.groupsDefinedIn(r.chance(0.2) ? r.pick(fieldNames) : 'grps'));
    case 10: return withTo(allow.custom());
    default: return allow.authenticated();
  }
}

function opRule(allow, r) {
  switch (r.int(7)) {
    case 0: return allow.publicApiKey();
    case 1: return allow.guest();
    case 2: return allow.authenticated(r.pick([undefined, 'userPools', 'oidc', 'identityPool']));
    case 3: return allow.group(r.pick(['Admins', 'Ops']), r.pick([undefined, 'userPools', 'oidc']));
    case 4: return allow.groups(['A', 'B']);
    case 5: return allow.custom();
    default: return allow.authenticated();
  }
}

function scalarField(a, r, { forArgs = false } = {}) {
  const type = r.pick(SCALARS);
  let f = a[type]();
  const mods = r.int(4);
  for (let i = 0; i < mods; i++) {
    switch (r.int(6)) {
      case 0: f = f.required(); break;
      case 1: f = f.array(); break;
      case 2: f = f.default(r.pick(['x', 0, 1.5, true, 'a"b'])); break;
      case 3:
        if (type === 'string') f = f.validate((v) => v.minLength(1).maxLength(r.int(50) + 2));
        else if (type === 'integer' || type === 'float') f = f.validate((v) => v.gte(0).lt(r.int(100) + 1, 'too "big"'));
        break;
      case 4: if (!forArgs) f = f.authorization((allow) => [allow.owner()]); break;
      default: break;
    }
  }
  return f;
}

/** A schema definition built with `a` (and `t.fn(name)` for function stand-ins). */
export function randomSchema(a, t, seed) {
  const r = rng(seed);
  const enums = Array.from({ length: r.int(3) }, (_, i) => `E${i}`);
  const customTypes = Array.from({ length: r.int(3) }, (_, i) => `C${i}`);
  const models = Array.from({ length: 1 + r.int(3) }, (_, i) => `M${i}`);
  const types = {};

  for (const e of enums) types[e] = a.enum(r.chance(0.02) ? ['A B'] : ['A', 'B', 'C'].slice(0, 1 + r.int(3)));
  for (const c of customTypes) {
    const fields = { s: scalarField(a, r, { forArgs: true }) };
    if (enums.length && r.chance(0.5)) fields.e = a.ref(r.pick(enums));
    if (r.chance(0.3)) fields.inline = a.customType({ x: a.integer(), k: a.enum(['p', 'q']) });
    if (r.chance(0.2) && c !== 'C0' && customTypes.includes('C0')) fields.c0 = a.ref('C0');
    if (r.chance(0.05)) fields.bad = a.ref(r.pick(models));
    types[c] = a.customType(fields);
  }

  const relations = [];
  for (const m of models) {
    const fields = {};
    const n = 1 + r.int(5);
    for (let i = 0; i < n; i++) fields[`f${i}`] = scalarField(a, r);
    if (enums.length && r.chance(0.5)) fields.status = a.ref(r.pick(enums)).required();
    if (customTypes.length && r.chance(0.4)) fields.ct = a.ref(r.pick(customTypes));
    if (r.chance(0.3)) fields.kind = a.enum(['k1', 'k2']);
    if (r.chance(0.2)) fields.nested = a.customType({ n1: a.string(), n2: a.enum(['z']) });
    if (r.chance(0.15)) fields.owner = r.chance(0.7) ? a.string() : r.pick([a.integer(), a.string().array()]);
    relations.push({ m, fields });
    let model = a.model(fields);
    if (r.chance(0.25)) {
      const names = Object.keys(fields).filter((k) => k.startsWith('f'));
      if (r.chance(0.8)) for (const k of names.slice(0, 2)) fields[k] = a.string().required();
      model = model.identifier(r.chance(0.5) ? [names[0]] : names.slice(0, 2));
    }
    if (r.chance(0.4)) {
      const keys = Object.keys(fields);
      model = model.secondaryIndexes((index) =>
        Array.from({ length: 1 + r.int(2) }, () => {
          const scalarKeys = keys.filter((k) => k.startsWith('f') || k === 'status' || k === 'kind');
          let idx = index(r.pick(r.chance(0.9) ? scalarKeys : keys));
          if (r.chance(0.4)) idx = idx.sortKeys([r.pick(scalarKeys)]);
          if (r.chance(0.3)) idx = idx.name(`by${r.int(100)}`);
          if (r.chance(0.3)) idx = idx.queryField(r.pick([null, 'customQ']));
          if (r.chance(0.3)) idx = r.chance(0.5) ? idx.projection('KEYS_ONLY') : idx.projection('INCLUDE', [keys[0]]);
          return idx;
        }),
      );
    }
    if (r.chance(0.3)) model = model.disableOperations(r.subset(DISABLE, 0.25));
    if (r.chance(0.85)) {
      const names = Object.keys(fields);
      model = model.authorization((allow) => Array.from({ length: 1 + r.int(3) }, () => modelRule(allow, r, names)));
    }
    types[m] = model;
  }
  // relationships between pairs of models (sometimes one-sided or inconsistent)
  if (models.length > 1 && r.chance(0.6)) {
    const [parent, child] = [models[0], models[1]];
    const pf = relations[0].fields;
    const cf = relations[1].fields;
    const kind = r.pick(['hasMany', 'hasOne']);
    pf.children = a[kind](child, 'parentId');
    cf.parentId = r.chance(0.9) ? r.pick([a.id(), a.string()]) : a.integer();
    if (r.chance(0.85)) cf.parent = a.belongsTo(parent, r.chance(0.9) ? 'parentId' : 'otherId');
  }

  const fnA = t.fn('fnA');
  const opNames = [];
  for (let i = 0; i < r.int(5); i++) {
    const name = `op${i}`;
    const kind = r.pick(['query', 'mutation', 'mutation', 'subscription', 'generation']);
    let op =
      kind === 'generation'
        ? a.generation({ aiModel: a.ai.model('Claude 3 Haiku'), systemPrompt: 'p\nq', inferenceConfiguration: r.chance(0.5) ? { temperature: 0.5 } : undefined })
        : a[kind]();
    if (r.chance(0.6)) {
      const args = { s: scalarField(a, r, { forArgs: true }) };
      if (customTypes.length && r.chance(0.4)) args.ct = a.ref(r.pick(customTypes));
      if (enums.length && r.chance(0.3)) args.en = a.ref(r.pick(enums));
      if (r.chance(0.3)) args.inl = a.customType({ q: a.string(), d: a.enum(['u', 'v']) });
      if (r.chance(0.2)) args.ie = a.enum(['m', 'n']);
      op = op.arguments(args);
    }
    if (kind === 'subscription') {
      const mutations = opNames.filter((o) => types[o]?.data?.typeName === 'Mutation');
      if (r.chance(0.5) && mutations.length) op = op.for(a.ref(r.pick(mutations)));
      else if (r.chance(0.8)) op = op.for(a.ref(r.pick(models)).mutations(r.subset(['create', 'update', 'delete'], 0.5)));
    } else if (r.chance(0.9)) {
      const choice = r.int(5);
      if (choice === 0 && customTypes.length) op = op.returns(a.ref(r.pick(customTypes)));
      else if (choice === 1) op = op.returns(a.customType({ ok: a.boolean(), sub: a.customType({ z: a.string() }) }));
      else if (choice === 2 && enums.length) op = op.returns(a.ref(r.pick(enums)).array());
      else if (choice === 3) op = op.returns(a.enum(['r1', 'r2']));
      else op = op.returns(scalarField(a, r, { forArgs: true }));
    }
    if (kind !== 'generation' && r.chance(0.92)) {
      const h = r.int(5);
      if (h === 0) op = op.handler(a.handler.function(fnA));
      else if (h === 1) op = op.handler([a.handler.function(fnA), a.handler.function(t.fn('fnB')).async()]);
      else if (h === 2) op = op.handler(a.handler.function('named'));
      else op = op.handler(a.handler.custom({ entry: './h.js', dataSource: r.chance(0.3) ? a.ref(r.pick(models)) : undefined }));
    }
    if (r.chance(0.9)) op = op.authorization((allow) => Array.from({ length: 1 + r.int(2) }, () => opRule(allow, r)));
    types[name] = op;
    opNames.push(name);
  }

  let schema = a.schema(types);
  if (r.chance(0.7)) {
    schema = schema.authorization((allow) => {
      const rules = [modelRule(allow, r, [])];
      if (r.chance(0.5)) rules.push(allow.resource(fnA).to(r.subset(['query', 'mutate', 'listen'], 0.6)));
      return rules;
    });
  }
  return schema;
}
