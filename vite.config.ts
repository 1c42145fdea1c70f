import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// Cross-origin isolation lets the WASM backend use SharedArrayBuffer threads.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const THREADED_FACTORY = /[\\/]@tensorflow[\\/]tfjs-backend-wasm[\\/]wasm-out[\\/]tfjs-backend-wasm-threaded-simd\.js$/;

/**
 * Keeps TF.js's threaded wasm factory self-contained through bundling.
 *
 * tfjs-backend-wasm starts each pthread worker from the source text of its
 * Emscripten factory: it hands the worker `'var WasmBackendModuleThreadedSimd
 * = ' + factory.toString()` to evaluate on its own. Once the minifier renames
 * or hoists what that function refers to, the text points at names the worker
 * does not have, and every pthread dies ("e is not defined") while TF.js's
 * init waits for them. So the module becomes its published text held in a
 * string literal, evaluated once at load: the minifier cannot touch a string,
 * and `toString()` returns exactly what Emscripten emitted (which guards every
 * outside name with `typeof`). Vite does not pass `plugins` to worker bundles,
 * so it goes in `worker.plugins` too; the dev server's dependency pre-bundle
 * does not minify, but gets it as well so dev runs the same code as the build.
 */
function wasmThreadsFactory(): Plugin {
  return {
    name: 'latent-lab:tfjs-wasm-threaded-factory',
    enforce: 'pre',
    load(id) {
      const file = id.split('?')[0];
      if (!THREADED_FACTORY.test(file)) return null;
      const source = `${readFileSync(file, 'utf8')}\nreturn WasmBackendModuleThreadedSimd;`;
      // `new Function` evaluates in global scope, as the pthread's importScripts does.
      return `module.exports = new Function(${JSON.stringify(source)})();\n`;
    },
  };
}

export default defineConfig({
  plugins: [react(), wasmThreadsFactory()],
  server: { headers: isolationHeaders, host: '127.0.0.1' },
  preview: { headers: isolationHeaders, host: '127.0.0.1' },
  worker: { format: 'es', plugins: () => [wasmThreadsFactory()] },
  optimizeDeps: { rolldownOptions: { plugins: [wasmThreadsFactory()] } },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
});
