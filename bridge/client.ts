/**
 * The bridge's Node client: producers call `publishTrack`, consumers call `subscribe`.
 * (Implemented in client-connection.ts, publish.ts and subscribe.ts.)
 */
export { BridgeError, bridgeAddress, parseSessionUrl, type BridgeAddress, type ConnectOptions } from './client-connection.js';
export { publishTrack, type PublishOptions, type PublishResult } from './publish.js';
export { subscribe, type SubscribeOptions, type Subscription, type SubscriptionStats, type StreamEnd } from './subscribe.js';
