/**
 * The registry: how to load every module, by its CLI name. Adding a module is
 * one file in this folder plus one line here.
 *
 * Modules load on first use, so `denact -m cargo` reads cargo's code and data
 * and nothing else: start-up stays close to a hello-world's.
 *
 * @module
 */

import type { Context, Module } from "../core/types.ts";

const LOADERS: Readonly<Record<string, () => Promise<Module>>> = {
  agent: async () => (await import("./agent/mod.ts")).agent,
  ansible: async () => (await import("./ansible.ts")).ansible,
  apt: async () => (await import("./apt.ts")).apt,
  bootlog: async () => (await import("./bootlog/mod.ts")).bootlog,
  botnet: async () => (await import("./botnet.ts")).botnet,
  bruteforce: async () => (await import("./bruteforce.ts")).bruteforce,
  cargo: async () => (await import("./cargo.ts")).cargo,
  cc: async () => (await import("./cc.ts")).cc,
  composer: async () => (await import("./composer.ts")).composer,
  cryptomining: async () => (await import("./cryptomining.ts")).cryptomining,
  docker_build: async () => (await import("./docker_build.ts")).docker_build,
  docker_image_rm: async () => (await import("./docker_image_rm.ts")).docker_image_rm,
  download: async () => (await import("./download.ts")).download,
  ffmpeg: async () => (await import("./ffmpeg.ts")).ffmpeg,
  git_clone: async () => (await import("./git_clone.ts")).git_clone,
  go_test: async () => (await import("./go_test.ts")).go_test,
  gradle: async () => (await import("./gradle.ts")).gradle,
  julia: async () => (await import("./julia.ts")).julia,
  kernel_compile: async () => (await import("./kernel_compile.ts")).kernel_compile,
  kubectl: async () => (await import("./kubectl.ts")).kubectl,
  llm_serve: async () => (await import("./llm_serve.ts")).llm_serve,
  llm_training: async () => (await import("./llm_training/mod.ts")).llm_training,
  memdump: async () => (await import("./memdump.ts")).memdump,
  mkinitcpio: async () => (await import("./mkinitcpio.ts")).mkinitcpio,
  npm: async () => (await import("./npm.ts")).npm,
  pytest: async () => (await import("./pytest.ts")).pytest,
  rkhunter: async () => (await import("./rkhunter.ts")).rkhunter,
  rsync: async () => (await import("./rsync.ts")).rsync,
  simcity: async () => (await import("./simcity.ts")).simcity,
  terraform: async () => (await import("./terraform.ts")).terraform,
  uv: async () => (await import("./uv.ts")).uv,
  vite: async () => (await import("./vite.ts")).vite,
  vitest: async () => (await import("./vitest.ts")).vitest,
  weblog: async () => (await import("./weblog.ts")).weblog,
  wpt: async () => (await import("./wpt.ts")).wpt,
};

/** Every module name, sorted. */
export const MODULE_NAMES: readonly string[] = Object.keys(LOADERS).sort();

/** Loads one module by name; rejects with a `RangeError` for an unknown name. */
export function loadModule(name: string): Promise<Module> {
  const load = Object.hasOwn(LOADERS, name) ? LOADERS[name] : undefined;
  if (!load) return Promise.reject(new RangeError(`Cannot load module '${name}': no such module`));
  return load();
}

/** Loads several modules (all by default), in the order given. */
export function loadModules(names: readonly string[] = MODULE_NAMES): Promise<Module[]> {
  return Promise.all(names.map(loadModule));
}

/**
 * A stand-in that loads the module the first time it runs. It carries only the
 * name (enough for the rotation); load the module itself for its signature.
 */
export function lazyModule(name: string): Module {
  let loaded: Promise<Module> | undefined;
  let module: Module | undefined;
  return {
    name,
    signature: name,
    about: name,
    /** The loaded module's, read when a run stops (it has loaded by then). */
    get liveOnStop() {
      return module?.liveOnStop;
    },
    async run(ctx: Context) {
      loaded ??= loadModule(name);
      module = await loaded;
      await module.run(ctx);
    },
  };
}
