/**
 * `node --cpu-prof` on the ingest hot path: the Node server of ingest-http.ts (in-memory
 * adapters, logging at INFO) under autocannon, POST /v1/messages with a small email. Figures:
 * the request rate while profiled, and the functions that take the most self time, and the
 * same grouped by where they live (Herald's own code by file, libraries by package). The
 * in-memory store stands in for DynamoDB and is not on the AWS path.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { stopChild } from "@herald/testing";
import { load, startServer } from "./ingest-http";
import { join } from "node:path";
import { BENCH_ROOT } from "./lib/util";

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number };
type Profile = { nodes: Node[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] };

export type Frame = { frame: string; selfPercent: number };
export type ProfileResult = { perSecond: number; microsecondsPerRequest: number; top: Frame[]; byPlace: Frame[] };

function where(url: string): string {
  if (!url) return "(native/V8)";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "node_modules/".length).split("/");
    return rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith("node:")) return url;
  const m = /\/wt-[^/]+\/(.*)$/.exec(url) ?? /\/(packages\/.*|services\/.*|bench\/.*)$/.exec(url);
  return m?.[1] ?? url;
}

export async function measureProfile(seconds = Number(process.env.BENCH_PROFILE_SECONDS ?? 8)): Promise<ProfileResult> {
  const dir = join(BENCH_ROOT, ".build", "profile");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const server = await startServer("ingest-memory.ts", ["--cpu-prof", `--cpu-prof-dir=${dir}`]);
  let rps: number;
  try {
    const headers: Record<string, string> = server.key ? { "x-api-key": server.key } : {};
    await load(server.url, headers, 2, 16); // warm-up
    rps = (await load(server.url, headers, seconds, 16)).rps;
  } finally {
    await stopChild(server.child);
  }
  const result = { perSecond: rps, microsecondsPerRequest: 1e6 / rps };
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error("no .cpuprofile written");
  const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const place = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)" || functionName === "(program)") return;
    const key = `${functionName || "(anonymous)"} ${where(url)}${url ? `:${lineNumber + 1}` : ""}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    place.set(where(url), (place.get(where(url)) ?? 0) + dt);
    total += dt;
  });
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([frame, t]) => ({ frame, selfPercent: Math.round((t / total) * 1000) / 10 }));
  return { ...result, top: top(self, 15), byPlace: top(place, 12) };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await measureProfile(), null, 2));
