/**
 * The standard credential order for commands: `--creds user:password`, then FERRY_REGISTRY_USER /
 * FERRY_REGISTRY_PASSWORD, then the Docker config file (credHelpers, credsStore, auths), then anonymous.
 * The CLI reads the flags and the environment and passes the values in; nothing here reads `process.env`.
 */
import { join } from "node:path";
import {
  type CredentialProvider,
  chainCredentials,
  envCredentials,
  staticCredentials,
} from "./credentials.ts";
import { dockerConfigCredentials } from "./docker-config.ts";

export interface StandardCredentialsOptions {
  /** `--creds user:password`. */
  creds?: string | undefined;
  /** FERRY_REGISTRY_USER / FERRY_REGISTRY_PASSWORD as read by the CLI. */
  envUser?: string | undefined;
  envPassword?: string | undefined;
  /** Path of the Docker config.json (see dockerConfigPath); omitted = not consulted. */
  dockerConfig?: string | undefined;
  /** PATH for docker-credential-* helpers; default the process PATH. */
  helperPath?: string | undefined;
}

export function standardCredentials(opts: StandardCredentialsOptions): CredentialProvider {
  return chainCredentials(
    opts.creds ? staticCredentials(opts.creds) : undefined,
    envCredentials({ username: opts.envUser, password: opts.envPassword }),
    opts.dockerConfig
      ? dockerConfigCredentials({
          path: opts.dockerConfig,
          ...(opts.helperPath === undefined ? {} : { helperPath: opts.helperPath }),
        })
      : undefined,
  );
}

/** `$DOCKER_CONFIG/config.json`, else `<home>/.docker/config.json` (values passed in by the CLI). */
export function dockerConfigPath(env: { DOCKER_CONFIG?: string | undefined }, home: string): string {
  return env.DOCKER_CONFIG ? join(env.DOCKER_CONFIG, "config.json") : join(home, ".docker", "config.json");
}
