import { defineConfig, mergeConfig, type UserConfigFnObject } from "vite";
import page from "./vite.config";

/**
 * The page-size benchmark's baseline: the same page built without code splitting (FCL and the
 * bindings in the first load), as a React + FCL page ships when nothing is loaded lazily.
 */
export default defineConfig((env) =>
  mergeConfig((page as UserConfigFnObject)(env), {
    build: { outDir: "dist-baseline", rollupOptions: { output: { inlineDynamicImports: true } } },
  }),
);
