/**
 * Timestamp formats of the tools in a training log, all read from the pretend
 * wall clock (a Date whose UTC fields hold local time).
 *
 * @module
 */

import { MONTHS, pad, WEEKDAYS } from "../../core/format.ts";

/** `2024-05-01 12:00:03` */
export function isoSeconds(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${hms(d)}`;
}

/** `12:00:03` */
export function hms(d: Date): string {
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** `2024-05-01 12:00:03,512` (Python logging's asctime). */
export function asctime(d: Date): string {
  return `${isoSeconds(d)},${pad(d.getUTCMilliseconds(), 3)}`;
}

/** `05/01/2024 12:00:03` (the example scripts' `datefmt`). */
export function usDate(d: Date): string {
  return `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} ${hms(d)}`;
}

/** glog prefix of torch ≥ 2.4: `W0314 09:27:01.123000 29101 torch/distributed/run.py:793] `. */
export function glog(level: "I" | "W" | "E", d: Date, pid: number, where: string): string {
  const md = `${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  return `${level}${md} ${hms(d)}.${pad(d.getUTCMilliseconds(), 3)}000 ${pid} ${where}] `;
}

/** c10d prefix: `[rank3]:[E314 09:27:01.123456789 ProcessGroupNCCL.cpp:1375] `. */
export function c10d(level: "W" | "E", d: Date, rank: number, file: string, nanos: string): string {
  const md = `${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  return `[rank${rank}]:[${level}${md} ${hms(d)}.${
    pad(d.getUTCMilliseconds(), 3)
  }${nanos} ${file}] `;
}

/** nvidia-smi's header date: `Fri Aug  7 11:22:46 2026`. */
export function ctime(d: Date): string {
  const day = String(d.getUTCDate()).padStart(2, " ");
  return `${WEEKDAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${day} ${
    hms(d)
  } ${d.getUTCFullYear()}`;
}

/** `20240501_120433` (wandb run folders). */
export function compactStamp(d: Date): string {
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}_${
    pad(d.getUTCHours())
  }${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}
