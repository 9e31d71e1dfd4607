import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * One self-contained IIFE, `dist/widget.js`, that the server serves at `/widget.js`. No CSS file and no
 * chunks: the styles live in the script (they go into the widget's shadow root), so a page needs the one
 * `<script>` tag and nothing else. `root` is pinned so `npx vite build -c packages/widget/vite.config.ts`
 * from the repository root builds the same thing as `npm run build` here.
 */
export default defineConfig({
  root: here,
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    minify: true,
    sourcemap: false,
    lib: {
      entry: 'src/main.ts',
      formats: ['iife'],
      name: 'HotlineWidget',
      fileName: () => 'widget.js',
    },
  },
});
