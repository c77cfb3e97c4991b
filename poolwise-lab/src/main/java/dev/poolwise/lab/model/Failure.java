package dev.poolwise.lab.model;

/** Why a simulated borrow (and so its request) failed, in the lab's own classes. */
enum Failure {
  /** No connection within the acquire timeout, and the pool's last attempt to open one did not fail with 53300. */
  TIMEOUT,
  /** The server refused a connection (53300), or the pool timed out while its last attempt had been refused. */
  TOO_MANY_CLIENTS,
  /** Poolwise's pool-locking guard failed a nested borrow at once. */
  OTHER
}
