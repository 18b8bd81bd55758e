package dev.tokenauthority.cli.output;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.io.PrintWriter;
import java.util.List;

/**
 * {@code --json}: protobuf's JSON mapping with the proto's own field names ({@code expire_time}),
 * as grpcurl prints them; fields at their default value are left out, as grpcurl does. One
 * document per command: an object, or for lists one array of every page.
 */
public final class Json {
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames();

  private Json() {}

  public static void print(PrintWriter out, MessageOrBuilder message) {
    out.println(text(message));
    out.flush();
  }

  /** One message on one line (JSON Lines), for streams such as {@code audit tail --json}. */
  public static void printLine(PrintWriter out, MessageOrBuilder message) {
    try {
      out.println(PRINTER.omittingInsignificantWhitespace().print(message));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
    out.flush();
  }

  public static void printArray(PrintWriter out, List<? extends MessageOrBuilder> messages) {
    if (messages.isEmpty()) {
      out.println("[]");
    } else {
      out.println("[");
      for (int i = 0; i < messages.size(); i++) {
        out.print(text(messages.get(i)).indent(2).stripTrailing());
        out.println(i < messages.size() - 1 ? "," : "");
      }
      out.println("]");
    }
    out.flush();
  }

  private static String text(MessageOrBuilder message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      // Only Any fields with unknown types fail to print; the API has none.
      throw new IllegalStateException(e);
    }
  }
}
