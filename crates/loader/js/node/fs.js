// Read-only `node:fs` for definition files: files inside the project only.
export const readFileSync = (path, options) => {
  const text = globalThis.__stratusReadFile(String(path instanceof Object && path.href ? path.href.replace(/^file:\/\//, '') : path));
  return text;
};
export const existsSync = (path) => globalThis.__stratusFileExists(String(path), true);
export default { readFileSync, existsSync };
