/**
 * Bootstrap: puts a cluster under Ferry's management as D2's Makefile/Terraform do (namespace, registry pull
 * secret, cosign public key Secret, CRDs, the agent, the FluxInstance) and waits until it is Ready;
 * `dev.ts` builds a whole local fleet on top (`ferry dev up`/`down`: registry, clusters, published and signed
 * example artifacts, bootstrap, summary).
 * Does not: read the environment or print (the CLI does), run the agent inside the cluster (no container
 * runtime here: `agent: local` runs it as a background process on this machine).
 */
export {
  type AgentProcessState,
  agentRunning,
  ensureAgent,
  readAgentState,
  stopAgent,
} from "./agent-process.ts";
export {
  type Action,
  type BootstrapOptions,
  type BootstrapResult,
  type BootstrapStep,
  bootstrap,
  COSIGN_SECRET,
  dockerConfigJson,
  type PullSecret,
  registryHost,
  waitInstanceReady,
} from "./bootstrap.ts";
export {
  type ClusterSummary,
  DEV_CLUSTERS,
  DEV_KEY_PASSWORD,
  type DevDownResult,
  type DevUpOptions,
  type DevUpResult,
  defaultDevDir,
  devDown,
  devUp,
  waitFleetReady,
} from "./dev.ts";
export { BootstrapError, BootstrapTimeoutError, DevFleetError } from "./errors.ts";
export { type PublishedExamples, publishExamples } from "./publish-examples.ts";
