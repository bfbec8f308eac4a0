// Compiles each workspace package to its dist/ folder, in dependency order, so that the
// `flowbridge` bin runs plain JavaScript and starts fast. Tests and typecheck read the sources.
// Then bundles the server's CLI for the bin (packages/server/dist/bundle/, see bundleCli below),
// and builds the web app (packages/web/dist/, served by `flowbridge start` at /) with Vite.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

const require = createRequire(import.meta.url);
const order = ['expression', 'engine', 'sdk', 'server'];
const tsc = require.resolve('typescript/bin/tsc');
for (const name of order) {
  if (name === 'sdk') generateClientTypes();
  const project = `packages/${name}/tsconfig.build.json`;
  if (!existsSync(project)) continue;
  // tsc never deletes: a file dropped from the build (or excluded, see testOnly in eslint.config.js)
  // would stay in dist from an earlier build.
  rmSync(`packages/${name}/dist`, { recursive: true, force: true });
  const result = spawnSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`build failed in packages/${name}`);
    process.exit(result.status ?? 1);
  }
}
await bundleCli();
await buildWeb();

/**
 * The SDK's typed client types from the server's OpenAPI document (scripts/gen-sdk-client.ts), so
 * the sdk is compiled against the API as it is. Without the dev tools (tsx, openapi-typescript)
 * the committed file is compiled as it is.
 */
function generateClientTypes() {
  for (const tool of ['tsx', 'openapi-typescript']) {
    try {
      require.resolve(tool);
    } catch {
      console.warn(`${tool} not found: packages/sdk/src/client/api-types.ts is not regenerated.`);
      return;
    }
  }
  const args = ['--conditions=source', '--import', 'tsx', 'scripts/gen-sdk-client.ts'];
  const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('generating the SDK client types failed');
    process.exit(result.status ?? 1);
  }
}

/** The web app: static files the server serves. Without Vite (not installed) the server runs API only. */
async function buildWeb() {
  let vite;
  try {
    vite = await import('vite');
  } catch {
    console.warn('vite not found: packages/web is not built; flowbridge start serves the API only.');
    return;
  }
  try {
    await vite.build({ root: 'packages/web', configFile: 'packages/web/vite.config.ts', logLevel: 'warn' });
  } catch (error) {
    console.error('building packages/web failed:', error);
    process.exit(1);
  }
}

/**
 * The bin's start-up is mostly module loading: `flowbridge start` from packages/server/dist loads
 * about 900 files (ours, fastify's, pino's, ...), and resolving, reading and compiling them one by
 * one costs more than the work they do. esbuild joins them into a few ESM files: the CLI entry, one
 * chunk per command, and chunks for what is imported lazily (mail, Markdown, the OpenAPI document),
 * so those still load only when used. Left outside: native and WASM packages (better-sqlite3,
 * quickjs-emscripten), which find their binaries next to their own files, and fastify's schema
 * compilers (about 1 MiB of source with ajv), which http/app.ts loads from disk only if a route
 * ever declares a schema.
 *
 * Synchronous lazy loads in the expression and engine packages are written
 * `createRequire(import.meta.url)('id')` and left outside too, so they still cost nothing until
 * used. In the bundle, import.meta.url is the bundle's file, and 'id' resolved from there can be
 * another version than the one the package depends on (engine's ajv 8 is nested under
 * packages/engine, the root has ajv 6): so the plugin below makes them resolve from the package's
 * own entry point, wherever it is installed.
 *
 * The bin falls back to packages/server/dist when the bundle is absent (esbuild missing).
 */
async function bundleCli() {
  const outdir = 'packages/server/dist/bundle';
  rmSync(outdir, { recursive: true, force: true });
  let esbuild;
  try {
    esbuild = require('esbuild');
  } catch {
    console.warn('esbuild not found: the flowbridge bin runs packages/server/dist unbundled (slower start).');
    return;
  }
  const lazyRequire = {
    name: 'lazy-require-from-package',
    setup(build) {
      build.onLoad({ filter: /[\\/]packages[\\/](expression|engine)[\\/]dist[\\/].*\.js$/ }, async (args) => {
        const pkg = /[\\/]packages[\\/](expression|engine)[\\/]/.exec(args.path)[1];
        const source = await readFile(args.path, 'utf8');
        return {
          contents: source.replaceAll(
            'createRequire(import.meta.url)(',
            `createRequire(require.resolve('@flowbridge/${pkg}'))(`,
          ),
          loader: 'js',
          resolveDir: dirname(args.path),
        };
      });
    },
  };
  try {
    await esbuild.build({
      entryPoints: { cli: 'packages/server/dist/cli/main.js' },
      outdir,
      chunkNames: 'chunks/[name]-[hash]',
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      external: [
        'zstd-napi',
        'better-sqlite3',
        'quickjs-emscripten',
        '@fastify/ajv-compiler',
        '@fastify/fast-json-stringify-compiler',
      ],
      plugins: [lazyRequire],
      // jsonc-parser's UMD main requires its parts through a dynamic require the bundle cannot
      // follow; its ES module build bundles cleanly.
      alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
      sourcemap: 'linked',
      // The CommonJS packages inside call require() for Node built-ins and for what stays outside.
      banner: {
        js: "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);",
      },
      logLevel: 'warning',
    });
  } catch {
    rmSync(outdir, { recursive: true, force: true });
    console.error('bundling the flowbridge bin failed');
    process.exit(1);
  }
}
