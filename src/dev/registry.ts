/**
 * Test registry: starts the real CNCF distribution registry (`docker-registry` from Debian) on a free
 * 127.0.0.1 port with a temporary storage folder and a generated config (filesystem storage, deletes
 * enabled, optional htpasswd basic auth with bcrypt hashes from `bcryptjs`, or bearer-token auth against
 * a token service such as token-server.ts), waits until `/v2/` answers,
 * and returns its address and a `stop()` that ends the process and removes the folder. An owner watchdog
 * (see watchdog.ts) does the same should the owning process die first.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import bcrypt from "bcryptjs";
import { FerryError } from "../errors/index.ts";
import { type StartedProcess, stopProcess } from "./processes.ts";
import { toolPath } from "./tools.ts";
import { startWatchdog } from "./watchdog.ts";

export interface RegistryOptions {
  /** Require basic auth with this user (htpasswd). */
  auth?: { username: string; password: string };
  /** Require bearer tokens from this token service (see token-server.ts). Exclusive with `auth`. */
  token?: { realm: string; service: string; issuer: string; certPath: string };
  /** Binary; default toolPath("docker-registry"). */
  binary?: string;
  /** The process whose death stops the registry if stop() was never called (default: this process). */
  ownerPid?: number;
  /** How long to wait for `/v2/` to answer. Default 20 s. */
  startTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface TestRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Storage root (`<root>/docker/registry/v2/...`), for tests that tamper with blobs. */
  storageDir: string;
  stop(): Promise<void>;
}

export class RegistryStartError extends FerryError {
  override name = "RegistryStartError";
  constructor(detail: string, cause?: unknown) {
    super(
      `test registry did not start (${detail}): check that docker-registry is installed (npm run tools)`,
      {
        cause,
      },
    );
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  const binary = opts.binary ?? toolPath("docker-registry");
  const dir = await mkdtemp(join(tmpdir(), "ferry-registry-"));
  const storageDir = join(dir, "storage");
  let child: ChildProcess | undefined;
  let dog: StartedProcess | undefined;
  const cleanup = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child?.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, sleep(5000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    if (dog) await stopProcess(dog.pid, dog.bin, 1000, dog.startTime);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    // Should this process die without stop() (SIGKILL, a crash), the watchdog stops the registry (its
    // command line names the config in the folder) and removes the folder.
    await mkdir(join(dir, "logs"));
    dog = await startWatchdog(dir, opts.ownerPid ?? process.pid);
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const host = `127.0.0.1:${port}`;
      const config = [
        "version: 0.1",
        "log:",
        "  level: error",
        "  accesslog:",
        "    disabled: true",
        "storage:",
        "  filesystem:",
        `    rootdirectory: ${storageDir}`,
        "  delete:",
        "    enabled: true",
        "  maintenance:",
        "    uploadpurging:",
        "      enabled: false",
        "http:",
        `  addr: ${host}`,
        "  secret: ferry-test-registry",
      ];
      if (opts.auth) {
        const hash = bcrypt.hashSync(opts.auth.password, 4);
        await writeFile(join(dir, "htpasswd"), `${opts.auth.username}:${hash}\n`, { mode: 0o600 });
        config.push("auth:", "  htpasswd:", "    realm: ferry-test", `    path: ${join(dir, "htpasswd")}`);
      } else if (opts.token) {
        config.push(
          "auth:",
          "  token:",
          `    realm: ${opts.token.realm}`,
          `    service: ${opts.token.service}`,
          `    issuer: ${opts.token.issuer}`,
          `    rootcertbundle: ${opts.token.certPath}`,
        );
      }
      const configPath = join(dir, "config.yml");
      await writeFile(configPath, `${config.join("\n")}\n`);
      let stderr = "";
      child = spawn(binary, ["serve", configPath], { stdio: ["ignore", "ignore", "pipe"] });
      child.stderr?.on("data", (d) => {
        stderr = (stderr + d).slice(-4000);
      });
      const started = await waitReady(
        `http://${host}/v2/`,
        child,
        opts.startTimeoutMs ?? 20_000,
        opts.signal,
      );
      if (started) {
        const url = `http://${host}`;
        return { host, url, storageDir, stop: cleanup };
      }
      // Another process may have taken the port between probe and bind: try a new one, a few times.
      if (attempt >= 3 || !/address already in use/.test(stderr)) {
        throw new RegistryStartError(stderr.trim().split("\n").slice(-3).join(" ") || "no answer on /v2/");
      }
    }
  } catch (err) {
    await cleanup();
    throw err;
  }
}

async function waitReady(
  url: string,
  child: ChildProcess,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      if (res.status === 200 || res.status === 401) return true;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  return false;
}
