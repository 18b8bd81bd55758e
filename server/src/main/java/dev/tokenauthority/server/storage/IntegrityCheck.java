package dev.tokenauthority.server.storage;

/** How thoroughly the database file is checked at start. */
public enum IntegrityCheck {
  /** SQLite's quick_check: every page read, structure checked (the default). */
  QUICK,
  /** SQLite's integrity_check: also every index against its table; slower. */
  FULL,
  /** No check: start at once (for inspecting a damaged file). */
  OFF
}
