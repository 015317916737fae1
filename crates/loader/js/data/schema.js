// a.schema, configure(...).schema (SQL), a.combine.
import { allow } from './auth.js';
import { processSchema } from './processor/index.js';
import { isSchemaModelType } from './types.js';
import {
  brand,
  builderError,
  CALL_SITE,
  callUser,
  captureCallSite,
  getBrand,
  toArray,
  withCallSite,
} from './util.js';

function filterSchemaModelTypes(contents) {
  const models = {};
  if (contents) {
    for (const [key, content] of Object.entries(contents)) {
      if (isSchemaModelType(content)) models[key] = content;
    }
  }
  return models;
}

/** `{ ...self }` without `key`, keeping the schema's call site. */
function without(self, key) {
  const { [key]: _removed, ...rest } = self;
  return withCallSite(rest, self[CALL_SITE]);
}

function setSchemaAuthorization(self, callback) {
  self.data.authorization = toArray(callUser(callback, allow, captureCallSite()));
  return without(self, 'authorization');
}

function ddbSchema(types, configuration) {
  const data = { types, authorization: [], configuration };
  return withCallSite({
    data,
    transform() {
      return processSchema({ schema: { data, context: this.context } });
    },
    authorization(callback) {
      return setSchemaAuthorization(this, callback);
    },
    models: filterSchemaModelTypes(data.types),
    ...brand('DDBSchema'),
  });
}

function validateAddToSchema(types) {
  for (const [name, type] of Object.entries(types)) {
    if (getBrand(type) === 'modelType') {
      throw builderError(
        `Invalid value specified for ${name} in addToSchema(). Models cannot be manually added to a SQL schema.`,
      );
    }
  }
}

function rdsSchema(types, configuration) {
  const data = { types, authorization: [], configuration };
  const models = filterSchemaModelTypes(data.types);
  return withCallSite({
    data,
    models,
    transform() {
      return processSchema({ schema: { data, context: this.context } });
    },
    authorization(callback) {
      return setSchemaAuthorization(this, callback);
    },
    addToSchema(added) {
      validateAddToSchema(added);
      this.data.types = { ...this.data.types, ...added };
      return without(this, 'addToSchema');
    },
    addQueries(added) {
      this.data.types = { ...this.data.types, ...added };
      return without(this, 'addQueries');
    },
    addMutations(added) {
      this.data.types = { ...this.data.types, ...added };
      return without(this, 'addMutations');
    },
    addSubscriptions(added) {
      this.data.types = { ...this.data.types, ...added };
      return without(this, 'addSubscriptions');
    },
    setAuthorization(callback) {
      callUser(callback, models, captureCallSite(), this);
      return without(this, 'setAuthorization');
    },
    setRelationships(callback) {
      const rest = without(this, 'setRelationships');
      callUser(callback, models, captureCallSite());
      return rest;
    },
    renameModels(callback) {
      const rest = without(this, 'renameModels');
      const changeLog = callUser(callback, undefined, captureCallSite());
      changeLog.forEach(([curName, newName]) => {
        const currentType = data.types[curName];
        if (currentType === undefined) {
          throw builderError(`Invalid renameModels call. ${curName} is not defined in the schema`);
        }
        if (typeof newName !== 'string' || newName.length < 1) {
          throw builderError(
            `Invalid renameModels call. New name must be a non-empty string. Received: "${newName}"`,
          );
        }
        models[newName] = currentType;
        data.types[newName] = currentType;
        models[newName].data.originalName = curName;
        delete models[curName];
        delete data.types[curName];
      });
      return rest;
    },
    ...brand('RDSSchema'),
  });
}

function bindConfigToSchema(configuration) {
  return (types) =>
    configuration.database.engine === 'dynamodb'
      ? ddbSchema(types, configuration)
      : rdsSchema(types, configuration);
}

/** `a.schema({...})`: a DynamoDB-backed schema. */
export const schema = bindConfigToSchema({ database: { engine: 'dynamodb' } });

/** `configure({ database: { engine, connectionUri, ... } }).schema({...})` (SQL schemas). */
export function configure(configuration) {
  return { schema: bindConfigToSchema(configuration) };
}

/** `a.combine([s1, s2, ...])`. Each part keeps `transform()`; `schemas` lists them. */
export function combine(schemas) {
  const all = schemas.flatMap((s) => Object.keys(s.data.types));
  const seen = new Set();
  const duplicates = new Set();
  for (const key of all) {
    if (seen.has(key)) duplicates.add(key);
    else seen.add(key);
  }
  if (duplicates.size > 0) {
    throw builderError(
      `The schemas you are attempting to combine have a name collision. Please remove or rename ${Array.from(duplicates).join(', ')}.`,
    );
  }
  const combined = withCallSite({ ...brand('CombinedSchema'), schemas });
  for (const part of combined.schemas) {
    part.context = combined;
  }
  return combined;
}
