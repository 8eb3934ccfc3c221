/**
 * The agent: Ferry's cluster side, one process running every reconciler (OCIRepository now; Kustomization,
 * ResourceSet, ResourceSetInputProvider and FluxInstance next) on a shared manager, API client and artifact
 * store; CRD installation; JSON-lines logs.
 * Does not: read the environment, parse flags or install signal handlers (the CLI does).
 */
export { Agent, type AgentOptions, parseAddr } from "./agent.ts";
export { CRDInstallError } from "./errors.ts";
export { type InstallCRDsOptions, type InstalledCRD, installCRDs } from "./install.ts";
export { jsonLogger, LOG_LEVELS, type Logger, type LogLevel, silentLogger } from "./log.ts";
