// Authorization rule builders: `allow` for models and fields, the restricted variants for custom
// operations and conversation routes, and `allow.resource(fn)` for schema-level function access.
import { builderError } from './util.js';

const RULE = Symbol('data');

export const PrivateProviders = ['userPools', 'oidc', 'identityPool'];
export const OwnerProviders = ['userPools', 'oidc'];

/** The rule data (`strategy`, `provider`, `operations`, `groupOrOwnerField`, ...) of a rule. */
export function accessData(rule) {
  return rule[RULE];
}

function omit(original, key) {
  const copy = { ...original };
  delete copy[key];
  return copy;
}

function to(operations) {
  this[RULE].operations = operations;
  return omit(this, 'to');
}

function identityClaim(property) {
  this[RULE].identityClaim = property;
  return omit(this, 'identityClaim');
}

function withClaimIn(property) {
  this[RULE].groupClaim = property;
  return omit(this, 'withClaimIn');
}

function validateProvider(needle, haystack) {
  if (needle && !haystack.includes(needle)) {
    throw builderError(`Invalid provider (${needle}) given!`);
  }
}

function rule(defaults, methods) {
  return {
    [RULE]: {
      strategy: 'public',
      provider: undefined,
      operations: undefined,
      groupOrOwnerField: undefined,
      multiOwner: false,
      identityClaim: undefined,
      groups: undefined,
      ...defaults,
    },
    ...methods,
  };
}

function resourceTo(operations) {
  this[RULE].operations = operations;
  return omit(this, 'to');
}

export const allow = {
  publicApiKey() {
    return rule({ strategy: 'public', provider: 'apiKey' }, { to });
  },
  guest() {
    return rule({ strategy: 'public', provider: 'identityPool' }, { to });
  },
  authenticated(provider) {
    validateProvider(provider, PrivateProviders);
    return rule({ strategy: 'private', provider }, { to });
  },
  owner(provider) {
    validateProvider(provider, OwnerProviders);
    return rule(
      { strategy: 'owner', provider, groupOrOwnerField: 'owner' },
      { to, identityClaim },
    );
  },
  ownerDefinedIn(ownerField, provider) {
    validateProvider(provider, OwnerProviders);
    return rule(
      { strategy: 'owner', provider, groupOrOwnerField: ownerField },
      { to, identityClaim },
    );
  },
  ownersDefinedIn(ownersField, provider) {
    validateProvider(provider, OwnerProviders);
    return rule(
      { strategy: 'owner', provider, groupOrOwnerField: ownersField, multiOwner: true },
      { to, identityClaim },
    );
  },
  group(group, provider) {
    return rule({ strategy: 'groups', provider, groups: [group] }, { to, withClaimIn });
  },
  groups(groups, provider) {
    return rule({ strategy: 'groups', provider, groups }, { to, withClaimIn });
  },
  groupDefinedIn(groupsField, provider) {
    return rule(
      { strategy: 'groups', provider, groupOrOwnerField: groupsField },
      { to, withClaimIn },
    );
  },
  groupsDefinedIn(groupsField, provider) {
    return rule(
      { strategy: 'groups', provider, groupOrOwnerField: groupsField, multiOwner: true },
      { to, withClaimIn },
    );
  },
  custom(provider) {
    return rule({ strategy: 'custom', provider }, { to });
  },
  resource(fn) {
    return { [RULE]: { strategy: 'resource', resource: fn }, to: resourceTo };
  },
};

/** `allow` without `resource` (model- and field-level rules). */
export function allowWithoutResource() {
  const { resource: _resource, ...rest } = allow;
  return rest;
}

export const allowForCustomOperations = {
  publicApiKey() {
    return rule({ strategy: 'public', provider: 'apiKey' }, {});
  },
  guest() {
    return rule({ strategy: 'public', provider: 'identityPool' }, {});
  },
  authenticated(provider) {
    validateProvider(provider, PrivateProviders);
    return rule({ strategy: 'private', provider }, {});
  },
  group(group, provider) {
    return rule({ strategy: 'groups', provider, groups: [group] }, {});
  },
  groups(groups, provider) {
    return rule({ strategy: 'groups', provider, groups }, {});
  },
  custom(provider) {
    return rule({ strategy: 'custom', provider }, {});
  },
};

export const allowForConversations = {
  owner() {
    return rule({ strategy: 'owner', provider: 'userPools' }, { to, identityClaim });
  },
};
