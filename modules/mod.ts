/**
 * The registry: every module, in alphabetical order. Adding a module is one
 * file in this folder plus one line here.
 *
 * @module
 */

import type { Module } from "../core/types.ts";
import { ansible } from "./ansible.ts";
import { bootlog } from "./bootlog/mod.ts";
import { botnet } from "./botnet.ts";
import { bruteforce } from "./bruteforce.ts";
import { cargo } from "./cargo.ts";
import { cc } from "./cc.ts";
import { composer } from "./composer.ts";
import { cryptomining } from "./cryptomining.ts";
import { docker_build } from "./docker_build.ts";
import { docker_image_rm } from "./docker_image_rm.ts";
import { download } from "./download.ts";
import { julia } from "./julia.ts";
import { kernel_compile } from "./kernel_compile.ts";
import { llmTraining } from "./llm_training/mod.ts";
import { memdump } from "./memdump.ts";
import { mkinitcpio } from "./mkinitcpio.ts";
import { rkhunter } from "./rkhunter.ts";
import { simcity } from "./simcity.ts";
import { terraform } from "./terraform.ts";
import { weblog } from "./weblog.ts";
import { uv } from "./uv.ts";
import { wpt } from "./wpt.ts";

const ALL: Module[] = [
  ansible,
  bootlog,
  botnet,
  bruteforce,
  cargo,
  cc,
  composer,
  cryptomining,
  docker_build,
  docker_image_rm,
  download,
  julia,
  kernel_compile,
  llmTraining,
  memdump,
  mkinitcpio,
  rkhunter,
  simcity,
  terraform,
  uv,
  weblog,
  wpt,
];

/** Every module, sorted by name. */
export const MODULES: readonly Module[] = ALL.sort((a, b) => a.name.localeCompare(b.name));

/** Looks a module up by its CLI name. */
export function findModule(name: string): Module | undefined {
  return MODULES.find((m) => m.name === name);
}
