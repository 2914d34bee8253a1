// What the server adapter knows about a request that a fetch Request cannot carry.
export interface RequestContext {
  /** The client's address: the socket peer, or the last X-Forwarded-For entry (the one our proxy appended) behind a trusted proxy. */
  clientIp: string | null;
}
