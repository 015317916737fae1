//! Embedded JavaScript (`crates/loader/js/**`) and generated stand-in modules.

use std::collections::BTreeSet;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/builtin_js.rs"));
}

/// Source of an embedded file, by its path under `js/` (e.g. `backend/index.js`).
pub fn file(rel: &str) -> Option<&'static str> {
    embedded::FILES
        .iter()
        .find(|(name, _)| *name == rel)
        .map(|(_, src)| *src)
}

/// The global prelude evaluated before any module: `__stratusCallSite`, `console`, timers.
pub const PRELUDE: &str = r#"
Error.stackTraceLimit = 64;
globalThis.__stratusCallSite = function __stratusCallSite() {
  return __stratusLocate(new Error().stack);
};
(() => {
  const format = (args) => args.map((a) => {
    if (typeof a === 'string') return a;
    try { return JSON.stringify(a); } catch { return String(a); }
  }).join(' ');
  const log = (level) => (...args) => __stratusConsole(level, format(args));
  globalThis.console = {
    log: log('info'), info: log('info'), debug: log('debug'), trace: log('debug'),
    warn: log('warn'), error: log('error'),
  };
  globalThis.setTimeout = (fn, _ms, ...args) => { Promise.resolve().then(() => fn(...args)); return 0; };
  globalThis.clearTimeout = () => {};
  globalThis.setImmediate = (fn, ...args) => { Promise.resolve().then(() => fn(...args)); return 0; };
  globalThis.queueMicrotask = (fn) => { Promise.resolve().then(fn); };
  if (typeof globalThis.URL !== 'function') {
    const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;
    globalThis.URL = class URL {
      constructor(input, base) {
        let href = String(input);
        if (!SCHEME.test(href)) {
          if (base === undefined) throw new TypeError(`Invalid URL: ${href}`);
          const b = String(typeof base === 'string' ? base : base.href);
          const m = b.match(/^([a-zA-Z][a-zA-Z0-9+.-]*:(?:\/\/[^/]*)?)([^?#]*)/);
          const origin = m ? m[1] : '';
          const basePath = m && m[2] ? m[2] : '/';
          const joined = href.startsWith('/') ? href : basePath.slice(0, basePath.lastIndexOf('/') + 1) + href;
          const parts = [];
          for (const part of joined.split('/')) {
            if (part === '..') { if (parts.length > 1) parts.pop(); }
            else if (part !== '.') parts.push(part);
          }
          href = origin + parts.join('/');
        }
        const m = href.match(/^([a-zA-Z][a-zA-Z0-9+.-]*:)(?:\/\/([^/?#]*))?([^?#]*)(\?[^#]*)?(#.*)?$/);
        this.href = href;
        this.protocol = m ? m[1] : '';
        this.host = m && m[2] ? m[2] : '';
        this.hostname = this.host.split(':')[0];
        this.pathname = m && m[3] ? m[3] : '';
        this.search = m && m[4] ? m[4] : '';
        this.hash = m && m[5] ? m[5] : '';
        this.origin = this.protocol === 'file:' ? 'null' : `${this.protocol}//${this.host}`;
      }
      toString() { return this.href; }
      toJSON() { return this.href; }
    };
  }
})();
"#;

/// Module standing in for the `a` builder while `js/data/index.js` does not exist.
pub const MISSING_BUILDER: &str = r#"
const unavailable = () => {
  throw new Error("the `a` schema builder is not available in this build of stratus (crates/loader/js/data/index.js is missing)");
};
export const a = new Proxy({}, { get: () => unavailable });
export default { a };
"#;

/// `$amplify/env/<name>`: at definition time, like Node, the variables of the current process.
pub fn env_module() -> String {
    "const env = globalThis.process.env;\nexport { env };\nexport default env;\n".to_string()
}

/// A CDK-ish package: the default export and every named export the importer reads are
/// recording proxies.
pub fn cdk_module(specifier: &str, names: &BTreeSet<String>) -> String {
    let spec = js_string(specifier);
    let mut src = format!(
        "import {{ __cdkModule }} from \"stratus:backend/cdk.js\";\nconst m = __cdkModule({spec});\nexport default m.root;\n"
    );
    for (i, name) in names.iter().filter(|n| n.as_str() != "default").enumerate() {
        let quoted = js_string(name);
        src.push_str(&format!(
            "const e{i} = m.get({quoted});\nexport {{ e{i} as {quoted} }};\n"
        ));
    }
    src
}

/// A JSON file imported as a module.
pub fn json_module(json: &str) -> String {
    format!("export default {json};\n")
}

fn js_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_module_is_embedded() {
        assert!(file("backend/index.js").is_some_and(|s| s.contains("defineBackend")));
        assert!(file("backend/nope.js").is_none());
    }

    #[test]
    fn cdk_module_exports_requested_names() {
        let names: BTreeSet<String> = ["Stack".to_string(), "default".to_string()].into();
        let src = cdk_module("aws-cdk-lib", &names);
        assert!(src.contains("export { e0 as \"Stack\" };"));
        assert!(src.contains("export default m.root;"));
        assert!(!src.contains("as \"default\""));
    }
}
