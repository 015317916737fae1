// Minimal `node:path` (POSIX) for definition files.
import * as p from '../backend/path.js';

export const sep = '/';
export const delimiter = ':';
export const normalize = p.normalize;
export const isAbsolute = p.isAbsolute;
export const dirname = p.dirname;
export const join = (...parts) => p.join(...parts);
export const extname = (path) => {
  const base = p.basename(path);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot) : '';
};
export const basename = (path, ext) => {
  const base = p.basename(path);
  return ext && base.endsWith(ext) && base !== ext ? base.slice(0, -ext.length) : base;
};
export const resolve = (...parts) => {
  let out = '';
  for (let i = parts.length - 1; i >= 0 && !out.startsWith('/'); i--) {
    out = out ? `${parts[i]}/${out}` : parts[i];
  }
  if (!out.startsWith('/')) out = `${globalThis.process.cwd()}/${out}`;
  return p.normalize(out);
};
export const relative = (from, to) => {
  const a = resolve(from).split('/').filter(Boolean);
  const b = resolve(to).split('/').filter(Boolean);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/');
};
export const parse = (path) => {
  const base = p.basename(path);
  const ext = extname(path);
  return {
    root: path.startsWith('/') ? '/' : '',
    dir: p.dirname(path),
    base,
    ext,
    name: ext ? base.slice(0, -ext.length) : base,
  };
};
export const format = ({ dir, root, base, name, ext }) =>
  `${dir ? `${dir}/` : root ?? ''}${base ?? `${name ?? ''}${ext ?? ''}`}`;
export const posix = { sep, delimiter, normalize, isAbsolute, dirname, join, extname, basename, resolve, relative, parse, format };
export default posix;
