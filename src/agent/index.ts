/**
 * The agent: Ferry's cluster side, one process running every reconciler (OCIRepository, Kustomization,
 * ResourceSet, ResourceSetInputProvider, FluxInstance and the FluxReport) on a shared manager, API client and
 * artifact store; CRD installation; JSON-lines logs.
 * Does not: read the environment, parse flags or install signal handlers (the CLI does).
 */
export { Agent, type AgentOptions, parseAddr } from "./agent.ts";
export {
  type AgentContext,
  type AgentController,
  type ControllerSetup,
  DEFAULT_CONTROLLERS,
  kustomizationSetup,
  ociRepositorySetup,
} from "./controllers.ts";
export { CRDInstallError } from "./errors.ts";
export { SharedInformers } from "./informers.ts";
export { type InstallCRDsOptions, type InstalledCRD, installCRDs } from "./install.ts";
export { jsonLogger, LOG_LEVELS, type Logger, type LogLevel, silentLogger } from "./log.ts";
export { AgentSettings, type TenancySettings } from "./settings.ts";
