import type { Deadline } from './deadline.js';
import type { Endpoint, PeerTrust } from './peer.js';

/** Everything one operation needs to talk to one system. */
export interface Link {
  origin: string;
  endpoint: Endpoint;
  trust: PeerTrust;
  deadline: Deadline;
}

export interface SignInRequest {
  username: string;
  password: string;
  askOtp?: () => Promise<string | null>;
  keyName: string;
  /** Awaited just before `api_key.create` is sent (to record the pending key). */
  onCreating?: (keyName: string) => Promise<void>;
}
