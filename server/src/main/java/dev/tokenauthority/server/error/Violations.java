package dev.tokenauthority.server.error;

import dev.tokenauthority.server.error.InvalidArgumentException.FieldViolation;
import java.util.ArrayList;
import java.util.List;

/** Collects every bad field of a request so the caller learns all of them in one answer. */
public final class Violations {
  private final List<FieldViolation> found = new ArrayList<>();

  /** Records that {@code field} is wrong. */
  public Violations add(String field, String reason, String description) {
    found.add(new FieldViolation(field, reason, description));
    return this;
  }

  /** Whether nothing was found wrong so far. */
  public boolean isEmpty() {
    return found.isEmpty();
  }

  /** Throws {@link InvalidArgumentException} if anything was found wrong. */
  public void throwIfAny() {
    if (!found.isEmpty()) {
      throw new InvalidArgumentException(found);
    }
  }
}
