// Node implementation of the host hook `globalThis.__stratusCallSite()` (the Rust loader provides
// its own): the first stack frame outside the builder's modules and this harness, as
// `{ file, line, column }` with `file` relative to `globalThis.__stratusTestProjectRoot`.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATA_DIR, LIB_DIR } from './env.mjs';

const FRAME = /\(?((?:file:\/\/)?\/[^():]*):(\d+):(\d+)\)?\s*$/;

/** Absolute file, line and column of each stack frame of `stack`. */
export function stackFrames(stack) {
  const frames = [];
  for (const raw of String(stack ?? '').split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('at ')) continue;
    const m = line.match(FRAME);
    if (!m) continue;
    const file = m[1].startsWith('file://') ? fileURLToPath(m[1]) : m[1];
    frames.push({ file, line: Number(m[2]), column: Number(m[3]) });
  }
  return frames;
}

const inside = (file, dir) => file === dir || file.startsWith(dir + path.sep);

/** The first frame that is user code (not the builder, not this harness, not node internals). */
export function userFrame(extraSkip = []) {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 100;
  const stack = new Error().stack;
  Error.stackTraceLimit = limit;
  return stackFrames(stack).find(
    (f) => !inside(f.file, DATA_DIR) && !inside(f.file, LIB_DIR) && !extraSkip.some((d) => inside(f.file, d)),
  );
}

export function installCallSiteHook() {
  globalThis.__stratusCallSite = () => {
    const frame = userFrame();
    if (!frame) return undefined;
    const root = globalThis.__stratusTestProjectRoot ?? process.cwd();
    return { file: path.relative(root, frame.file), line: frame.line, column: frame.column };
  };
}
