/**
 * The bridge's public API: the server (`startBridge`), its options (for `noggin serve`),
 * and the Node client (`publishTrack`, `subscribe`).
 */
export { startBridge, sessionNameForFile, BRIDGE_WS_PATH, type BridgeHandle } from './server.js';
export {
  BRIDGE_OPTIONS,
  serveCommandOptions,
  addServeOptions,
  bridgeOptionsFromCli,
  resolveBridgeOptions,
  type BridgeOptions,
  type ResolvedBridgeOptions,
  type ServeCommandOption,
} from './options.js';
export {
  publishTrack,
  subscribe,
  parseSessionUrl,
  bridgeAddress,
  BridgeError,
  type PublishOptions,
  type PublishResult,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionStats,
  type StreamEnd,
} from './client.js';
export { CLOSE, FATAL_CLOSE_CODES } from './close-codes.js';
export { DEFAULT_CSP, TOKEN_ENV } from './security.js';
export type { StaticRoots } from './static-files.js';
export type { SessionInfo, SessionState } from './session.js';
export type { ReplayOptions, ReplayPace, ReplayHandle } from './replay.js';
export type { RecordingResult } from './recorder.js';
