package dev.tokenauthority.server.storage;

/**
 * How hard a commit tries to reach the disk (SQLite's {@code synchronous} in WAL mode).
 *
 * <p>Both survive a killed process; only {@link #FULL} also survives power loss or an OS crash, at
 * several times the cost per commit. FULL is the default: a token write is rare and must not be
 * lost.
 */
public enum Durability {
  /** fsync on every commit: survives process kill and power loss. */
  FULL,
  /** fsync at checkpoints only: survives process kill; may lose the last commits on power loss. */
  NORMAL
}
