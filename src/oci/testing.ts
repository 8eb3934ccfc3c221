/**
 * Test helpers for the OCI client's own tests and its users' tests: the shared registries from the global
 * setup (or private ones when a test file runs alone), unique repository names, and a tiny in-process
 * HTTP server for the few branches a real registry cannot produce (bearer tokens, 503s, referrers API).
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { startRegistry, type TestRegistry } from "../dev/registry.ts";

export interface SharedRegistries {
  open: string;
  auth: string;
  user: string;
  password: string;
  stop(): Promise<void>;
}

/**
 * The registries from test/global-setup.ts (FERRY_TEST_REGISTRY*), or two started here when the file
 * runs on its own; `stop` only stops what it started.
 */
export async function sharedRegistries(env: NodeJS.ProcessEnv = process.env): Promise<SharedRegistries> {
  if (env.FERRY_TEST_REGISTRY && env.FERRY_TEST_REGISTRY_AUTH && env.FERRY_TEST_REGISTRY_USER) {
    return {
      open: env.FERRY_TEST_REGISTRY,
      auth: env.FERRY_TEST_REGISTRY_AUTH,
      user: env.FERRY_TEST_REGISTRY_USER,
      password: env.FERRY_TEST_REGISTRY_PASSWORD ?? "",
      stop: async () => {},
    };
  }
  const password = randomBytes(8).toString("hex");
  const started: TestRegistry[] = [];
  try {
    started.push(await startRegistry());
    started.push(await startRegistry({ auth: { username: "ferry", password } }));
  } catch (err) {
    for (const r of started) await r.stop();
    throw err;
  }
  return {
    open: started[0]!.host,
    auth: started[1]!.host,
    user: "ferry",
    password,
    stop: async () => {
      for (const r of started) await r.stop();
    },
  };
}

/** A repository name no other test uses: `ferry-test/<prefix>-<random>`. */
export function uniqueRepo(prefix: string): string {
  return `ferry-test/${prefix}-${randomBytes(4).toString("hex")}`;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>;

export interface FakeServer {
  /** `127.0.0.1:PORT` */
  host: string;
  url: string;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 for unit tests of one branch; the handler sees the whole request body. */
export async function fakeServer(handler: Handler): Promise<FakeServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      Promise.resolve(handler(req, res, Buffer.concat(chunks))).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
