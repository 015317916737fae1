// POSIX path helpers for project-relative paths ("amplify/functions/x/resource.ts").

export const normalize = (path) => {
  const absolute = path.startsWith('/');
  const out = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  return absolute ? `/${joined}` : joined || '.';
};

export const join = (...parts) => normalize(parts.filter((p) => p !== '').join('/'));

export const dirname = (path) => {
  const i = path.lastIndexOf('/');
  if (i < 0) return '.';
  if (i === 0) return '/';
  return path.slice(0, i);
};

export const basename = (path) => {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
};

/** `path.parse(p).name`: the base name without its last extension. */
export const stem = (path) => {
  const base = basename(path);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
};

export const isAbsolute = (path) => path.startsWith('/');

/** An absolute path inside the project root → root-relative; anything else unchanged. */
export const toProjectPath = (path) => {
  const root = globalThis.__stratusRoot;
  if (isAbsolute(path) && typeof root === 'string') {
    if (path === root) return '.';
    if (path.startsWith(`${root}/`)) return path.slice(root.length + 1);
  }
  return normalize(path);
};
