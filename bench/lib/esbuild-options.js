// The esbuild options src/build.ts (buildWithEsbuild) passes, minus the plugin: every plain esbuild build the bench times uses them.

export const PLAIN_ESBUILD_OPTIONS = Object.freeze({
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  write: false,
  logLevel: 'silent',
});
