/**
 * `nvidia-smi`'s default table, in the driver ≥ 545 layout (91 columns, a
 * 24-wide middle column) and the older 535 layout (89 columns, 22 wide), plus
 * the `--query-gpu … --format=csv` header.
 *
 * @module
 */

import type { GpuSpec } from "./data.ts";

/** One GPU row. */
export interface SmiGpu {
  index: number;
  busId: string;
  tempC: number;
  powerW: number;
  memUsedMiB: number;
  util: number;
  fan: number | null;
  perf: string;
}

/** One process row. */
export interface SmiProcess {
  gpu: number;
  pid: number;
  name: string;
  memMiB: number;
}

function row(cells: string[], widths: number[]): string {
  return `|${cells.map((c, i) => c.padEnd(widths[i] as number).slice(0, widths[i])).join("|")}|`;
}

/** The full `nvidia-smi` table for one node. */
export function nvidiaSmi(
  gpu: GpuSpec,
  date: string,
  rows: readonly SmiGpu[],
  procs: readonly SmiProcess[],
): string[] {
  const modern = Number(gpu.driver.split(".")[0]) >= 545;
  const mid = modern ? 24 : 22;
  const widths = [41, mid, 22];
  const total = 41 + mid + 22 + 2;
  const dash = (w: number) => "-".repeat(w);
  const sep = `+${widths.map(dash).join("+")}+`;
  const out: string[] = [date];
  out.push(`+${dash(total)}+`);
  const ver = gpu.driver;
  out.push(
    `| NVIDIA-SMI ${ver.padEnd(23)}Driver Version: ${ver.padEnd(modern ? 15 : 13)}CUDA Version: ${
      gpu.cuda.padEnd(9)
    }|`,
  );
  out.push(modern ? sep : `|${widths.map(dash).join("+")}+`);
  out.push(
    row([
      " GPU  Name                 Persistence-M ",
      modern ? " Bus-Id          Disp.A " : " Bus-Id        Disp.A ",
      " Volatile Uncorr. ECC ",
    ], widths),
  );
  out.push(
    row([
      " Fan  Temp   Perf          Pwr:Usage/Cap ",
      modern ? "           Memory-Usage " : "         Memory-Usage ",
      " GPU-Util  Compute M. ",
    ], widths),
  );
  out.push(row(["", "", "               MIG M. "], widths));
  out.push(`|${widths.map((w) => "=".repeat(w)).join("+")}|`);
  const name = gpu.name.length > 28 ? `${gpu.name.slice(0, 25)}...` : gpu.name;
  const mig = hasMig(gpu) ? "Disabled " : "N/A ";
  const ecc = gpu.name.includes("GeForce") ? "Off " : "0 ";
  for (const r of rows) {
    const left = `${String(r.index).padStart(4)}  ${name}`;
    out.push(
      `|${left}${"On  ".padStart(41 - left.length)}|${`${busLabel(r.busId)} Off `.padStart(mid)}|${
        ecc.padStart(22)
      }|`,
    );
    const fan = r.fan === null ? "N/A" : `${r.fan}%`.padStart(3);
    const head = ` ${fan}   ${String(Math.round(r.tempC)).padStart(2)}C    ${r.perf}`;
    const power = modern
      ? `${Math.round(r.powerW)}W / ${String(gpu.powerCapW).padStart(4)}W `
      : `${Math.round(r.powerW)}W / ${gpu.powerCapW}W `;
    const mem = `${Math.round(r.memUsedMiB)}MiB / ${gpu.memoryMiB}MiB `;
    const util = `${`${Math.round(r.util)}%`.padStart(8)}${"Default".padStart(13)} `;
    out.push(`|${head}${power.padStart(41 - head.length)}|${mem.padStart(mid)}|${util}|`);
    out.push(`|${" ".repeat(41)}|${" ".repeat(mid)}|${mig.padStart(22)}|`);
    out.push(sep);
  }
  out.push("");
  const inner = total;
  out.push(`+${dash(inner)}+`);
  out.push(`|${" Processes:".padEnd(inner)}|`);
  out.push(
    `|${
      "  GPU   GI   CI              PID   Type   Process name                        GPU Memory "
        .padStart(inner)
    }|`,
  );
  out.push(
    `|${
      "        ID   ID                                                               Usage      "
        .padStart(inner)
    }|`,
  );
  out.push(`|${"=".repeat(inner)}|`);
  if (procs.length === 0) out.push(`|${"  No running processes found".padEnd(inner)}|`);
  for (const p of procs) {
    const left = `${String(p.gpu).padStart(5)}   N/A  N/A ${
      String(p.pid).padStart(15)
    }      C   ${p.name}`;
    const mem = `${p.memMiB}MiB `;
    out.push(`|${left}${mem.padStart(inner - left.length)}|`);
  }
  out.push(`+${dash(inner)}+`);
  return out;
}

/** Whether the part supports MIG (nvidia-smi shows `Disabled`; other parts show `N/A`). */
export function hasMig(gpu: GpuSpec): boolean {
  return /A100|A800|A30|H100|H800|H200|H20|GH200|B200|GB200/.test(gpu.name);
}

/** `00000000:3A:00.0` from NCCL's `3a000`. */
export function busLabel(busId: string): string {
  const n = busId.padStart(5, "0").toUpperCase();
  return `00000000:${n.slice(0, 2)}:${n.slice(2, 4)}.${n.slice(4)}`;
}

/** The `srun … nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | sort | uniq -c` line. */
export function uniqCountLine(gpu: GpuSpec, count: number): string {
  return `${String(count).padStart(7)} ${gpu.name}, ${gpu.memoryMiB} MiB, ${gpu.driver}`;
}
