package dev.tokenauthority.server.error;

import java.util.List;
import java.util.stream.Collectors;

/** The request itself is wrong; each {@link FieldViolation} names a field and what is wrong. */
public final class InvalidArgumentException extends TokenAuthorityException {
  private final List<FieldViolation> violations;

  public InvalidArgumentException(List<FieldViolation> violations) {
    super(
        violations.get(0).reason(),
        violations.stream().map(FieldViolation::description).collect(Collectors.joining("; ")));
    this.violations = List.copyOf(violations);
  }

  /** A single bad field. */
  public static InvalidArgumentException of(String field, String reason, String description) {
    return new InvalidArgumentException(List.of(new FieldViolation(field, reason, description)));
  }

  public List<FieldViolation> violations() {
    return violations;
  }

  /** One bad field: its path in the request (e.g. {@code token.label}), a reason and a sentence. */
  public record FieldViolation(String field, String reason, String description) {}

  @Override
  public Outcome outcome() {
    return Outcome.INVALID_ARGUMENT;
  }
}
