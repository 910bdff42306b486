// Source text of the modules the plugin generates: the start module, scopes and gates (all linked by the bundler).

import type { ResolvedOptions, OutputFormat } from '../options.js';
import type { RuntimePolicy } from '../policy/types.js';

export const RUNTIME_ID = 'runtime';
export const START_ID = 'start';
/** How the start module asks for ses; the context resolves it to ses's self-contained CommonJS build. */
export const SES_SPECIFIER = 'sandbox-bundle:ses';

/** A gate stands between an importer package and what it imports; decided at build time from the policy. */
export type Gate =
  | { type: 'builtin'; from: string; name: string }
  | { type: 'package'; from: string; target: string; file: string }
  | { type: 'esm-package'; from: string; target: string; file: string; hasDefault: boolean }
  | { type: 'native'; from: string; relativePath: string }
  | { type: 'denied'; from: string; kind: 'builtin' | 'package' | 'native' | 'file'; permission: string; style: 'cjs' | 'esm'; names: readonly string[] }
  | { type: 'missing'; from: string; specifier: string };

const q = JSON.stringify;

/** The specifiers a generated module uses for the other generated modules and ses. */
export interface GeneratedLinks {
  runtime: string;
  ses: string;
  /** How a gate names its target file (default: by its path). */
  target?: (file: string) => string;
}

/** Reserved specifiers, resolved by the adapter's resolve hook; an adapter writing generated files links them by path. */
export const RESERVED_LINKS: GeneratedLinks = { runtime: `sandbox-bundle:${RUNTIME_ID}`, ses: SES_SPECIFIER };

const sandboxOf = (links: GeneratedLinks) => `require(${q(links.runtime)}).getSandbox()`;

export function generateScopeModule(packageName: string, links: GeneratedLinks = RESERVED_LINKS): string {
  return `module.exports = ${sandboxOf(links)}.scope(${q(packageName)});\n`;
}

/** Does this gate's module use ESM syntax (so it needs a .mjs name when written as a file)? */
export function isEsmGate(gate: Gate): boolean {
  return gate.type === 'esm-package' || (gate.type === 'denied' && gate.style === 'esm');
}

export function generateGateModule(gate: Gate, links: GeneratedLinks = RESERVED_LINKS): string {
  const sandbox = sandboxOf(links);
  const linked = (file: string) => q(links.target ? links.target(file) : file);
  switch (gate.type) {
    case 'builtin':
      return `module.exports = ${sandbox}.builtin(${q(gate.from)}, ${q(gate.name)});\n`;
    case 'package':
      return `module.exports = ${sandbox}.packageExports(${q(gate.from)}, ${q(gate.target)}, require(${linked(gate.file)}));\n`;
    case 'esm-package':
      // An ESM package imported from ESM keeps ESM semantics (default export, live bindings): a
      // CommonJS gate would hand a Node-mode importer the namespace as its default. The policy
      // check happened at build time; ESM bindings cannot be reassigned by importers.
      // The runtime still checks (and, in warn/record builds, reports or records) the edge.
      return [
        `import * as runtime from ${q(links.runtime)};`,
        `runtime.getSandbox().packageExports(${q(gate.from)}, ${q(gate.target)}, null);`,
        `export * from ${linked(gate.file)};`,
        ...(gate.hasDefault ? [`export { default } from ${linked(gate.file)};`] : []),
        '',
      ].join('\n');
    case 'native':
      return `module.exports = ${sandbox}.loadNative(${q(gate.from)}, ${q(gate.relativePath)});\n`;
    case 'missing':
      // Thrown at every require, like Node's MODULE_NOT_FOUND, so optional-dependency checks work.
      return `Object.defineProperty(module, "exports", { get() { const e = new Error(${q(`Cannot find module '${gate.specifier}' (package "${gate.from}"; it was not found at build time)`)}); e.code = "MODULE_NOT_FOUND"; throw e; } });\n`;
    case 'denied':
      if (gate.style === 'cjs') {
        return `${sandbox}.denyOnRequire(module, ${q(gate.from)}, ${q(gate.kind)}, ${q(gate.permission)});\n`;
      }
      // A static import must not stop the app from loading: every imported name is a stand-in that throws on first use.
      return [
        `import * as runtime from ${q(links.runtime)};`,
        `const denied = runtime.getSandbox().deniedBinding(${q(gate.from)}, ${q(gate.kind)}, ${q(gate.permission)});`,
        `export default denied;`,
        ...[...new Set(gate.names)].filter((n) => n !== 'default' && n !== '*').sort().map((n) => `export { denied as ${q(n)} };`),
        '',
      ].join('\n');
  }
}

/**
 * The first module of every bundle: loads the trusted polyfills, then ses, then locks down and
 * starts the runtime with the policy, before any dependency code runs. Host powers go in as
 * arguments; the policy goes in as data.
 */
export function generateStartModule(options: ResolvedOptions, policy: RuntimePolicy, format: OutputFormat, links: GeneratedLinks = RESERVED_LINKS): string {
  const config = q({ policy, lockdownOptions: options.lockdown, mode: options.mode, ...(options.monitorFile ? { monitorFile: options.monitorFile } : {}), ...(options.sealNodePrototypes ? {} : { sealNodePrototypes: false }) });
  const polyfills = options.beforeLockdown.map((specifier) => (format === 'esm' ? `import ${q(specifier)};` : `require(${q(specifier)});`));
  if (format === 'esm') {
    return [
      ...polyfills,
      `import ${q(links.ses)};`,
      `import { createRequire, builtinModules } from "node:module";`,
      `import { fileURLToPath } from "node:url";`,
      `import * as runtime from ${q(links.runtime)};`,
      `const hostRequire = createRequire(import.meta.url);`,
      `runtime.startSandbox({ realGlobal: globalThis, loadBuiltin: (name) => hostRequire(name), builtinModules, bundleDir: fileURLToPath(new URL(".", import.meta.url)), lockdown: (options) => (lockdown(options), { Compartment, harden }) }, ${config});`,
      '',
    ].join('\n');
  }
  return [
    `"use strict";`,
    ...polyfills,
    `require(${q(links.ses)});`,
    `const { builtinModules } = require("node:module");`,
    `const hostRequire = require;`,
    `require(${q(links.runtime)}).startSandbox({ realGlobal: globalThis, loadBuiltin: (name) => hostRequire(name), builtinModules, bundleDir: __dirname, lockdown: (options) => (lockdown(options), { Compartment, harden }) }, ${config});`,
    '',
  ].join('\n');
}
