package dev.tokenauthority.cli.audit;

import dev.tokenauthority.api.v1.AuditAction;
import dev.tokenauthority.api.v1.AuditEvent;
import dev.tokenauthority.api.v1.ListAuditEventsRequest;
import dev.tokenauthority.api.v1.ListAuditEventsResponse;
import dev.tokenauthority.cli.Api;
import dev.tokenauthority.cli.ApiCommand;
import dev.tokenauthority.cli.CliException;
import dev.tokenauthority.cli.Durations;
import dev.tokenauthority.cli.ExitCode;
import dev.tokenauthority.cli.Group;
import dev.tokenauthority.cli.Pages;
import dev.tokenauthority.cli.Terminal;
import dev.tokenauthority.cli.orgs.OrgOption;
import dev.tokenauthority.cli.output.Json;
import dev.tokenauthority.cli.output.Table;
import dev.tokenauthority.cli.output.Times;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code ta audit}: read and follow the audit log. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Read and follow the audit log.",
    subcommands = {AuditCommand.ListEvents.class, AuditCommand.Tail.class})
public final class AuditCommand extends Group {

  /** The filters both subcommands take. */
  static final class Filters {
    @Option(names = "--action", paramLabel = "ACTION", converter = ActionConverter.class, completionCandidates = Actions.class,
        description = "Only this action, e.g. token_revoked (see --help's list).")
    AuditAction action;

    @Option(names = "--actor", paramLabel = "ID", description = "Only events of this actor (a token id, anonymous, system).")
    String actor;

    @Option(names = "--target", paramLabel = "ID", description = "Only events about this token or connector id.")
    String target;

    @Mixin
    OrgOption org;

    ListAuditEventsRequest.Builder request(Terminal t, Api api) throws java.io.IOException {
      ListAuditEventsRequest.Builder r = ListAuditEventsRequest.newBuilder().setOrganization(org.orEmpty(t, api)).setPageSize(500);
      if (action != null) {
        r.setAction(action);
      }
      if (actor != null) {
        r.setActor(actor);
      }
      if (target != null) {
        r.setTarget(target);
      }
      return r;
    }
  }

  @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, sortOptions = false,
      description = "List audit events, newest first.",
      footer = {"", "Examples:",
          "  ta audit list --since 24h",
          "  ta audit list --action token_revoked --since 7d --json | jq length"})
  static final class ListEvents extends ApiCommand {
    @Mixin
    Filters filters;

    @Option(names = "--since", paramLabel = "DURATION", converter = Durations.Converter.class,
        description = "Only events of this recent span, e.g. 24h.")
    Duration since;

    @Option(names = "--limit", paramLabel = "N", description = "At most this many events (default: all that match).")
    Integer limit;

    @Option(names = "--json", description = "Print one JSON array of the events (proto field names).")
    boolean json;

    ListEvents(Terminal t) {
      super(t);
    }

    @Override
    protected int run(Api api) throws Exception {
      if (limit != null && limit < 1) {
        throw new CliException(ExitCode.USAGE, "--limit must be at least 1");
      }
      ListAuditEventsRequest.Builder request = filters.request(t, api);
      if (since != null) {
        request.setStartTime(Times.timestamp(t.clock().instant().minus(since)));
      }
      List<AuditEvent> events = Pages.upTo(limit == null ? Integer.MAX_VALUE : limit, page -> {
        ListAuditEventsResponse r = api.audit().listAuditEvents(request.setPageToken(page).build());
        return new Pages.Page<>(r.getEventsList(), r.getNextPageToken());
      });
      if (json) {
        Json.printArray(t.out(), events);
      } else if (events.isEmpty()) {
        t.err().println("No audit events match" + (since == null ? "" : " in the last " + Durations.format(since))
            + ": widen --since or drop a filter (events of other organisations need admin).");
      } else {
        table(events).print(t.out());
      }
      return ExitCode.OK;
    }
  }

  @Command(name = "tail", mixinStandardHelpOptions = true, sortOptions = false,
      description = "Print the latest events, then follow new ones as they happen (Ctrl-C stops).",
      footer = {"", "Example:", "  ta audit tail --action authentication_failed"})
  static final class Tail extends ApiCommand {
    /** Events may commit up to this long after their time (group commit): look back this far. */
    private static final Duration SETTLE = Duration.ofSeconds(30);

    @Mixin
    Filters filters;

    @Option(names = {"-n", "--lines"}, paramLabel = "N", description = "How many past events to print first. Default: 10.")
    int lines = 10;

    @Option(names = "--interval", paramLabel = "DURATION", converter = Durations.Converter.class,
        description = "How often to look for new events. Default: 2s.")
    Duration interval = Duration.ofSeconds(2);

    @Option(names = "--json", description = "One JSON object per line per event (JSON Lines).")
    boolean json;

    Tail(Terminal t) {
      super(t);
    }

    @Override
    protected int run(Api api) throws Exception {
      if (lines < 0) {
        throw new CliException(ExitCode.USAGE, "--lines must not be negative");
      }
      if (interval.compareTo(Duration.ofMillis(100)) < 0) {
        throw new CliException(ExitCode.USAGE, "--interval must be at least 100ms");
      }
      ListAuditEventsRequest.Builder request = filters.request(t, api);
      List<AuditEvent> latest = api.audit().listAuditEvents(request.setPageSize(Math.max(lines, 1)).build()).getEventsList();
      long lastId = latest.isEmpty() ? 0 : latest.get(0).getId();
      // The server's time of the newest event, not this machine's clock, which may be off.
      Instant lastTime = latest.isEmpty() ? null : Times.instant(true, latest.get(0).getTime());
      print(reversed(latest.subList(0, Math.min(lines, latest.size()))), true);
      while (true) {
        Thread.sleep(interval.toMillis());
        if (lastTime != null) {
          request.setStartTime(Times.timestamp(lastTime.minus(SETTLE)));
        }
        request.setPageSize(500);
        long seen = lastId;
        List<AuditEvent> fresh = new ArrayList<>(Pages.all(page -> {
          ListAuditEventsResponse r = api.audit().listAuditEvents(request.setPageToken(page).build());
          return new Pages.Page<>(r.getEventsList(), r.getNextPageToken());
        }).stream().filter(e -> e.getId() > seen).toList());
        fresh.sort((a, b) -> Long.compare(a.getId(), b.getId()));
        if (!fresh.isEmpty()) {
          AuditEvent newest = fresh.get(fresh.size() - 1);
          lastId = newest.getId();
          lastTime = Times.instant(true, newest.getTime());
          print(fresh, false);
        }
      }
    }

    private boolean headerPrinted;

    private void print(List<AuditEvent> events, boolean first) {
      if (json) {
        for (AuditEvent e : events) {
          Json.printLine(t.out(), e);
        }
        t.out().flush();
        return;
      }
      for (AuditEvent e : events) {
        if (!headerPrinted) {
          t.out().println(String.join("  ", "ID", "TIME", "ACTION", "OUTCOME", "ACTOR", "TARGET", "DETAILS"));
          headerPrinted = true;
        }
        t.out().println(String.join("  ", row(e)).stripTrailing());
      }
      t.out().flush();
    }

    private static List<AuditEvent> reversed(List<AuditEvent> newestFirst) {
      List<AuditEvent> copy = new ArrayList<>(newestFirst);
      java.util.Collections.reverse(copy);
      return copy;
    }
  }

  static Table table(List<AuditEvent> events) {
    Table table = new Table("ID", "TIME", "ACTION", "OUTCOME", "ACTOR", "TARGET", "DETAILS");
    events.forEach(e -> table.row(row(e)));
    return table;
  }

  private static String[] row(AuditEvent e) {
    String details = new java.util.TreeMap<>(e.getDetailsMap()).entrySet().stream()
        .map(d -> d.getKey() + "=" + d.getValue()).collect(Collectors.joining(" "));
    return new String[] {Long.toString(e.getId()), Times.dateTime(Times.instant(true, e.getTime())),
        action(e.getAction()), e.getOutcome().name().replace("AUDIT_OUTCOME_", "").toLowerCase(),
        e.getActor(), e.getTarget().isEmpty() ? "-" : e.getTarget(), details};
  }

  static String action(AuditAction a) {
    return a.name().replace("AUDIT_ACTION_", "").toLowerCase();
  }

  /** Accepts token_revoked, TOKEN_REVOKED, token-revoked or AUDIT_ACTION_TOKEN_REVOKED. */
  static final class ActionConverter implements ITypeConverter<AuditAction> {
    @Override
    public AuditAction convert(String value) {
      String name = value.strip().toUpperCase().replace('-', '_');
      name = name.startsWith("AUDIT_ACTION_") ? name : "AUDIT_ACTION_" + name;
      try {
        AuditAction a = AuditAction.valueOf(name);
        if (a != AuditAction.AUDIT_ACTION_UNSPECIFIED) {
          return a;
        }
      } catch (IllegalArgumentException unknown) {
        // Fall through to the list of what is accepted.
      }
      throw new TypeConversionException("'" + value + "' is not an audit action; one of: "
          + String.join(", ", new Actions()));
    }
  }

  /** The action names for completion and for the error that lists them. */
  static final class Actions implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return Arrays.stream(AuditAction.values())
          .filter(a -> a != AuditAction.AUDIT_ACTION_UNSPECIFIED && a != AuditAction.UNRECOGNIZED)
          .map(AuditCommand::action).iterator();
    }
  }
}
