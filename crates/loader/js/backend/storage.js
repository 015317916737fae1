// defineStorage: the access builder, path validation and per-path uniqueness checks of
// @aws-amplify/backend-storage. Access rules are handed to Rust as data.

import {
  FACTORY,
  callSite,
  fail,
  functionRef,
  isFactory,
  plainError,
  serialize,
  state,
  unsupportedGetInstance,
  validateResourceName,
} from './state.js';

const ENTITY_TOKEN = '{entity_id}';

const rule = (principal, actions, extra, uniqueIds) => ({ principal, ...extra, actions: [...actions], uniqueIds });

const uniqueId = (id, message, resolution) => ({ id, message, resolution });

/** The `allow` passed to defineStorage({ access }). */
const storageAccessBuilder = (location) => ({
  authenticated: {
    to: (actions) =>
      rule('authenticated', actions, {}, [
        uniqueId(
          'authenticated',
          'Entity access definition for authenticated users specified multiple times.',
          'Combine all access definitions for authenticated users on a single path into one access rule.',
        ),
      ]),
  },
  guest: {
    to: (actions) =>
      rule('guest', actions, {}, [
        uniqueId(
          'guest',
          'Entity access definition for guest users specified multiple times.',
          'Combine all access definitions for guest users on a single path into one access rule.',
        ),
      ]),
  },
  groups: (groupNames) => ({
    to: (actions) =>
      rule(
        'groups',
        actions,
        { groups: [...groupNames] },
        groupNames.map((g) =>
          uniqueId(
            `groups${g}`,
            `Group access definition for ${g} specified multiple times.`,
            `Combine all access definitions for ${g} on a single path into one access rule.`,
          ),
        ),
      ),
  }),
  entity: (entityId) => ({
    to: (actions) =>
      rule('entity', actions, { entity: entityId }, [
        uniqueId(
          `entity${entityId}`,
          `Entity access definition for ${entityId} specified multiple times.`,
          `Combine all access definitions for ${entityId} on a single path into one access rule.`,
        ),
      ]),
  }),
  resource: (other) => ({
    to: (actions) => {
      if (!isFactory(other, 'function')) {
        throw plainError('allow.resource() expects a function created with defineFunction', location);
      }
      return rule('resource', actions, { resource: functionRef(other) }, []);
    },
  }),
});

const invalidPath = (message, resolution, location) =>
  fail('InvalidStorageAccessPathError', { message, resolution }, location);

const prefixesOf = (path, paths) => paths.filter((p) => path !== p && path.startsWith(p.replaceAll('*', '')));

/** validate_storage_access_paths.js of backend-storage. */
const validatePaths = (paths, location) => {
  const formatResolution = 'Update all paths to match the format requirements.';
  for (const path of paths) {
    if (path.startsWith('/')) invalidPath(`Storage access paths must not start with "/". Found [${path}].`, formatResolution, location);
    if (!path.endsWith('/*')) invalidPath(`Storage access paths must end with "/*". Found [${path}].`, formatResolution, location);
    if (path.includes('//')) invalidPath(`Path cannot contain "//". Found [${path}].`, formatResolution, location);
    if (path.indexOf('*') < path.length - 1) {
      invalidPath(
        `Wildcards are only allowed as the final part of a path. Found [${path}].`,
        'Remove all wildcards that are not the final part of the path.',
        location,
      );
    }
    const others = prefixesOf(path, paths);
    if (others.length > 1) {
      invalidPath(
        `For any given path, only one other path can be a prefix of it. Found [${path}] which has prefixes [${others.join(', ')}].`,
        'Update the storage access paths such that any given path has at most one other path that is a prefix.',
        location,
      );
    }
    if (!path.includes(ENTITY_TOKEN)) continue;
    if (others.length > 0) {
      invalidPath(
        `A path cannot be a prefix of another path that contains the ${ENTITY_TOKEN} token. Found [${path}] which has prefixes [${others.join(', ')}].`,
        'Update the storage access paths such that any given path has at most one other path that is a prefix.',
        location,
      );
    }
    const split = path.split(ENTITY_TOKEN);
    if (split.length > 2) {
      invalidPath(
        `The ${ENTITY_TOKEN} token can only appear once in a path. Found [${path}]`,
        `Remove all but one occurrence of the ${ENTITY_TOKEN} token`,
        location,
      );
    }
    const [before, after] = split;
    if (after !== '/*') {
      invalidPath(
        `The ${ENTITY_TOKEN} token must be the path part right before the ending wildcard. Found [${path}].`,
        `Update the path such that the owner token is the last path part before the ending wildcard. For example: "foo/bar/${ENTITY_TOKEN}/*.`,
        location,
      );
    }
    if (before === '') {
      invalidPath(
        `The ${ENTITY_TOKEN} token must not be the first path part. Found [${path}].`,
        `Add an additional prefix to the path. For example: "foo/${ENTITY_TOKEN}/*.`,
        location,
      );
    }
    if (!before.endsWith('/')) {
      invalidPath(
        `A path part that includes the ${ENTITY_TOKEN} token cannot include any other characters. Found [${path}].`,
        `Remove all other characters from the path part with the ${ENTITY_TOKEN} token. For example: "foo/${ENTITY_TOKEN}/*"`,
        location,
      );
    }
  }
};

const translateAccess = (access, location) => {
  if (access === undefined) return null;
  if (typeof access !== 'function') throw plainError('access must be a function: (allow) => ({ ... })', location);
  const definition = access(storageAccessBuilder(location));
  if (definition === null || typeof definition !== 'object') {
    throw plainError('access must return an object mapping paths to access rules', location);
  }
  validatePaths(Object.keys(definition), location);
  const out = {};
  for (const [path, rules] of Object.entries(definition)) {
    const seen = new Set();
    out[path] = (Array.isArray(rules) ? rules : [rules]).map((r) => {
      if (!r || !Array.isArray(r.uniqueIds)) {
        throw plainError(`access rule for "${path}" must be built with allow.*.to([...])`, location);
      }
      for (const { id, message, resolution } of r.uniqueIds) {
        if (seen.has(id)) fail('InvalidStorageAccessDefinitionError', { message, resolution }, location);
        seen.add(id);
      }
      const { uniqueIds: _ids, ...data } = r;
      return data;
    });
  }
  return out;
};

const translateTriggers = (triggers, location) => {
  const out = {};
  for (const [event, handler] of Object.entries(triggers ?? {})) {
    if (!isFactory(handler, 'function')) {
      throw plainError(`triggers.${event} must be a function created with defineFunction`, location);
    }
    out[event] = functionRef(handler);
  }
  return out;
};

export function defineStorage(props) {
  const location = callSite();
  if (!props || typeof props !== 'object' || typeof props.name !== 'string') {
    throw plainError('defineStorage requires a name', location);
  }
  validateResourceName(props.name, location);
  const raw = serialize({ ...props, access: undefined, triggers: undefined });
  raw.name = props.name;
  raw.isDefault = props.isDefault === true;
  raw.versioned = props.versioned === true;
  raw.triggers = translateTriggers(props.triggers, location);
  raw.access = translateAccess(props.access, location);
  raw.$location = location;
  const factory = { [FACTORY]: 'storage', getInstance: unsupportedGetInstance, name: props.name, raw, location };
  state.storage.push(factory);
  return factory;
}
