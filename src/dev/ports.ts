/** Free TCP ports on 127.0.0.1, for the components of a local cluster. */
import { createServer, type Server } from "node:net";

/**
 * Returns `count` distinct ports that were free a moment ago. All listeners are held open until every port is
 * picked, so the same call never returns a port twice; another process may still take one before the caller
 * binds it, which the caller sees as a component failing to start.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      const port = await new Promise<number>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
          const addr = server.address();
          if (addr && typeof addr === "object") resolve(addr.port);
          else reject(new Error("listener has no port"));
        });
      });
      ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}
