// Scalar fields, modifiers, defaults, validation, field-level auth, inline enums / custom types.
const pub = (allow) => [allow.publicApiKey()];

export default [
  {
    name: 'all-scalars',
    build: (a) =>
      a
        .schema({
          T: a.model({
            i: a.id(),
            s: a.string(),
            n: a.integer(),
            f: a.float(),
            b: a.boolean(),
            d: a.date(),
            t: a.time(),
            dt: a.datetime(),
            ts: a.timestamp(),
            e: a.email(),
            j: a.json(),
            p: a.phone(),
            u: a.url(),
            ip: a.ipAddress(),
          }),
        })
        .authorization(pub),
  },
  {
    name: 'required-array-combinations',
    build: (a) =>
      a
        .schema({
          T: a.model({
            r: a.string().required(),
            arr: a.string().array(),
            rArr: a.string().required().array(),
            arrR: a.string().array().required(),
            rArrR: a.string().required().array().required(),
            arrDefR: a.string().array().default('x').required(),
            arrValR: a.integer().array().validate((v) => v.gt(1)).required(),
            arrAuthR: a.string().array().authorization((allow) => allow.owner()).required(),
          }),
        })
        .authorization(pub),
  },
  {
    name: 'defaults',
    build: (a) =>
      a
        .schema({
          T: a.model({
            s: a.string().default('hello "world"'),
            n: a.integer().default(0),
            f: a.float().default(1.5),
            b: a.boolean().default(true),
            bf: a.boolean().default(false),
            z: a.string().default(null),
            j: a.json().default('{"a":1}'),
            arr: a.string().array().default(['a', 'b']),
            req: a.string().required().default('r'),
          }),
        })
        .authorization(pub),
  },
  {
    name: 'validators',
    build: (a) =>
      a
        .schema({
          T: a.model({
            s1: a.string().validate((v) => v.minLength(2).maxLength(10)),
            s2: a.string().validate((v) => v.startsWith('ab').endsWith('yz', 'must end with "yz"')),
            s3: a.string().validate((v) => v.matches('^[a-z]+\\d$', 'bad\nformat')),
            n1: a.integer().validate((v) => v.gt(0).lt(100, 'too big')),
            n2: a.float().validate((v) => v.gte(-1.5).lte(2.25)),
            n3: a.integer().validate((v) => v.positive('must be positive')),
            n4: a.float().validate((v) => v.negative()),
            r: a.string().required().validate((v) => v.minLength(1)).default('x'),
          }),
        })
        .authorization(pub),
  },
  {
    name: 'field-level-auth-and-implied-fields',
    build: (a) =>
      a
        .schema({
          T: a
            .model({
              secret: a.string().authorization((allow) => [allow.owner(), allow.groups(['Admins'])]),
              note: a.string().authorization((allow) => allow.ownerDefinedIn('author').to(['read'])),
              editors: a.string().array(),
              multi: a.string().authorization((allow) => [allow.ownersDefinedIn('editors')]),
              one: a.string().authorization((allow) => [allow.authenticated('identityPool').to(['read', 'update'])]),
            })
            .authorization((allow) => [allow.owner(), allow.publicApiKey().to(['read'])]),
        }),
  },
  {
    name: 'implied-owner-id-compatible',
    build: (a) =>
      a.schema({
        T: a
          .model({ owner: a.id(), tags: a.string().array() })
          .authorization((allow) => [allow.owner(), allow.groupsDefinedIn('tags')]),
      }),
  },
  {
    name: 'implicit-field-conflict',
    build: (a) =>
      a.schema({
        T: a
          .model({ owner: a.integer() }) // blame:implicit-field-conflict
          .authorization((allow) => [allow.owner()]),
      }),
  },
  {
    name: 'implicit-array-conflict',
    build: (a) =>
      a.schema({
        T: a
          .model({ editors: a.string() }) // blame:implicit-array-conflict
          .authorization((allow) => [allow.ownersDefinedIn('editors')]),
      }),
  },
  {
    name: 'auth-field-defined-twice',
    build: (a) =>
      a.schema({
        T: a
          .model({ name: a.string() })
          .authorization((allow) => [allow.ownerDefinedIn('x'), allow.ownersDefinedIn('x')]), // blame:auth-field-defined-twice
      }),
  },
  {
    name: 'field-auth-conflicts-with-model-auth',
    build: (a) =>
      a.schema({
        T: a
          .model({
            name: a.string().authorization((allow) => [allow.ownersDefinedIn('x')]), // blame:field-auth-conflicts-with-model-auth
          })
          .authorization((allow) => [allow.ownerDefinedIn('x')]),
      }),
  },
  {
    name: 'inline-enums-and-custom-types',
    build: (a) =>
      a
        .schema({
          Shape: a.model({
            kind: a.enum(['circle', 'square']),
            dims: a.customType({
              w: a.float(),
              h: a.float(),
              unit: a.enum(['cm', 'in']),
              origin: a.customType({ x: a.integer(), y: a.integer() }),
            }),
            color: a.ref('Color'),
            colors: a.ref('Color').array().required(),
            reqColor: a.ref('Color').required(),
            reqArr: a.ref('Color').required().array(),
            loc: a.ref('Location'),
          }),
          Color: a.enum(['RED', 'GREEN']),
          Location: a.customType({
            lat: a.float().required(),
            lng: a.float().required(),
            tag: a.enum(['home', 'work']),
            color: a.ref('Color'),
          }),
        })
        .authorization(pub),
  },
  {
    name: 'enum-with-whitespace',
    build: (a) =>
      a
        .schema({
          Bad: a.enum(['OK', 'NOT OK']), // blame:enum-with-whitespace
          T: a.model({ b: a.ref('Bad') }),
        })
        .authorization(pub),
  },
  {
    name: 'inline-enum-with-whitespace',
    build: (a) =>
      a
        .schema({
          T: a.model({ b: a.enum(['a b']) }), // blame:inline-enum-with-whitespace
        })
        .authorization(pub),
  },
  {
    name: 'db-generated-on-dynamodb',
    build: (a) =>
      a
        .schema({
          T: a.model({
            n: a.integer().default(), // blame:db-generated-on-dynamodb
          }),
        })
        .authorization(pub),
  },
  {
    name: 'ref-to-model-from-model',
    build: (a) =>
      a
        .schema({
          A: a.model({ b: a.ref('B') }), // blame:ref-to-model-from-model
          B: a.model({ name: a.string() }),
        })
        .authorization(pub),
  },
  {
    name: 'ref-to-model-from-custom-type',
    build: (a) =>
      a
        .schema({
          C: a.customType({ b: a.ref('B') }), // blame:ref-to-model-from-custom-type
          B: a.model({ name: a.string() }),
        })
        .authorization(pub),
  },
  {
    name: 'ref-undefined',
    build: (a) =>
      a
        .schema({
          A: a.model({ b: a.ref('Nope') }), // blame:ref-undefined
        })
        .authorization(pub),
  },
  {
    name: 'custom-type-with-relationship-field',
    build: (a) =>
      a
        .schema({
          C: a.customType({ name: a.string(), tags: a.string().array().required() }),
          U: a.customType({ c: a.ref('C').array(), inner: a.customType({ deep: a.ref('C') }) }),
          T: a.model({ u: a.ref('U') }),
        })
        .authorization(pub),
  },
  {
    name: 'ref-and-relationship-field-auth',
    build: (a) =>
      a
        .schema({
          Color: a.enum(['R', 'G']),
          Addr: a.customType({ street: a.string() }),
          Parent: a.model({
            color: a.ref('Color').authorization((allow) => [allow.owner(), allow.groups(['Admins'])]),
            addr: a.ref('Addr').required().authorization((allow) => allow.authenticated()),
            kids: a.hasMany('Kid', 'parentId').authorization((allow) => [allow.ownerDefinedIn('creator')]),
          }),
          Kid: a.model({
            parentId: a.id(),
            parent: a.belongsTo('Parent', 'parentId').authorization((allow) => allow.guest().to(['read'])),
            kind: a.enum(['a']),
          }),
        })
        .authorization((allow) => allow.publicApiKey()),
  },
  {
    name: 'field-auth-callback-throws',
    build: (a) =>
      a
        .schema({
          T: a.model({
            f: a.string().authorization((allow) => allow.resource('x')), // blame:field-auth-callback-throws
          }),
        })
        .authorization((allow) => allow.publicApiKey()),
  },
  {
    name: 'validate-numeric-rule-on-string',
    build: (a) =>
      a
        .schema({
          T: a.model({
            f: a.string().validate((v) => v.gt(1)),
          }),
        })
        .authorization((allow) => allow.publicApiKey()),
  },
];
