package dev.tokenauthority.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.tokenauthority.server.config.AuthorityConfig;
import dev.tokenauthority.server.storage.Durability;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the shell blocks of the README's "Using it with grpcurl" section against a real server on
 * loopback, the way grpcurl does: service descriptors from reflection, JSON requests parsed
 * strictly against them, generic unary calls. Every line must be one of the forms below, so the
 * README cannot drift into examples nobody ran:
 *
 * <ul>
 *   <li>{@code export NAME=$(cat data/bootstrap-token)}
 *   <li>{@code grpcurl -plaintext localhost:50051 list}
 *   <li>{@code [NAME=$(]grpcurl -plaintext [-max-time N] [-H "authorization: Bearer $VAR"] -d @
 *       localhost:50051 SERVICE/METHOD <<EOF}, JSON lines, {@code EOF}, and {@code )} when captured;
 *       a server-streaming method is read until the {@code -max-time} deadline
 *   <li>{@code NAME=$(echo "$VAR" | jq -r .field)} and {@code echo "$VAR"}, optionally followed by
 *       {@code # {json}}: what it prints, which the test checks
 * </ul>
 *
 * <p>Request JSON is read as grpcurl reads it, which is stricter than protobuf's own JSON parser:
 * a {@code google.protobuf.FieldMask} only as {@code {"paths": [...]}}, never as a string.
 */
class ReadmeExamplesTest {
  private static final Pattern EXPORT_BOOTSTRAP = Pattern.compile("export (\\w+)=\\$\\(cat data/bootstrap-token\\)");
  private static final Pattern CALL = Pattern.compile(
      "(?:(\\w+)=\\$\\()?grpcurl -plaintext(?: -max-time (\\d+))?(?: -H \"authorization: Bearer \\$(\\w+)\")? -d @ localhost:50051 ([\\w.]+)/(\\w+) <<EOF");
  private static final Pattern JQ = Pattern.compile("(\\w+)=\\$\\(echo \"\\$(\\w+)\" \\| jq -r \\.(\\w+)\\)");
  private static final Pattern ECHO = Pattern.compile("echo \"\\$(\\w+)\"(?:\\s+# (\\{.*}))?");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{?(\\w+)}?");

  @TempDir Path dataDir;

  @Test
  void everyGrpcurlExampleIsAcceptedByTheServer() throws Exception {
    List<String> lines = grpcurlSection();
    try (TokenAuthority authority = TokenAuthority.open(dataDir, AuthorityConfig.defaults(), Durability.FULL, Clock.systemUTC())) {
      authority.bootstrap();
      TokenAuthorityServer server = new TokenAuthorityServer(
          NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)), authority).start();
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        Set<String> called = run(lines, new ReflectionClient(channel), channel);
        for (String name : List.of("tokenauthority.v1.TokenService", "tokenauthority.v1.ConnectorService",
            "tokenauthority.v1.AuditService")) {
          ServiceDescriptor service = new ReflectionClient(channel).service(name);
          assertThat(called).as("the README shows every %s RPC", name)
              .containsAll(service.getMethods().stream().map(MethodDescriptor::getFullName).toList());
        }
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.stop(Duration.ofSeconds(5));
      }
    }
  }

  private Set<String> run(List<String> lines, ReflectionClient reflection, ManagedChannel channel) throws Exception {
    Map<String, String> vars = new HashMap<>();
    Set<String> called = new HashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      Matcher m;
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      } else if ((m = EXPORT_BOOTSTRAP.matcher(line)).matches()) {
        vars.put(m.group(1), Files.readString(dataDir.resolve("bootstrap-token")).trim());
      } else if (line.equals("grpcurl -plaintext localhost:50051 list")) {
        assertThat(reflection.listServices()).contains("tokenauthority.v1.TokenService", "grpc.health.v1.Health");
      } else if ((m = CALL.matcher(line)).matches()) {
        StringBuilder json = new StringBuilder();
        while (!lines.get(++i).trim().equals("EOF")) {
          json.append(lines.get(i)).append('\n');
        }
        if (m.group(1) != null) {
          assertThat(lines.get(++i).trim()).as("a captured call closes with )").isEqualTo(")");
        }
        MethodDescriptor method = reflection.service(m.group(4)).findMethodByName(m.group(5));
        assertThat(method).as("method %s/%s", m.group(4), m.group(5)).isNotNull();
        String bearer = m.group(3) == null ? null : vars.get(m.group(3));
        String answer = method.isServerStreaming()
            ? stream(channel, method, bearer, substitute(json.toString(), vars), m.group(2))
            : call(channel, method, bearer, substitute(json.toString(), vars));
        called.add(method.getFullName());
        if (m.group(1) != null) {
          vars.put(m.group(1), answer);
        }
      } else if ((m = JQ.matcher(line)).matches()) {
        vars.put(m.group(1), field(vars.get(m.group(2)), m.group(3)));
      } else if ((m = ECHO.matcher(line)).matches()) {
        assertThat(vars).containsKey(m.group(1));
        if (m.group(2) != null) {
          assertThat(struct(vars.get(m.group(1)))).as("what the README says %s prints", line)
              .isEqualTo(struct(m.group(2)));
        }
      } else {
        throw new AssertionError("README line the examples test does not understand: " + line);
      }
    }
    return called;
  }

  /** A unary call as grpcurl makes it: JSON in, JSON out. */
  private static String call(ManagedChannel channel, MethodDescriptor method, String bearer, String json) throws Exception {
    DynamicMessage response = ClientCalls.blockingUnaryCall(
        channel, rpc(method), options(bearer, 10), request(method, json));
    return JsonFormat.printer().print(response);
  }

  /** A server-streaming call read until grpcurl's -max-time: the messages, one JSON per line. */
  private static String stream(ManagedChannel channel, MethodDescriptor method, String bearer, String json, String maxTime)
      throws Exception {
    assertThat(maxTime).as("streaming examples bound themselves with -max-time").isNotNull();
    StringBuilder out = new StringBuilder();
    var messages = ClientCalls.blockingServerStreamingCall(
        channel, rpc(method), options(bearer, Integer.parseInt(maxTime)), request(method, json));
    try {
      while (messages.hasNext()) {
        out.append(JsonFormat.printer().omittingInsignificantWhitespace().print(messages.next())).append('\n');
      }
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    }
    assertThat(out).as("the stream sent something before -max-time").isNotEmpty();
    return out.toString();
  }

  private static DynamicMessage request(MethodDescriptor method, String json) throws Exception {
    DynamicMessage.Builder request = DynamicMessage.newBuilder(method.getInputType());
    // strict: unknown fields fail, as in grpcurl; field masks as grpcurl takes them
    JsonFormat.parser().merge(asGrpcurlReadsIt(method.getInputType(), json), request);
    return request.build();
  }

  /**
   * {@code json} with each FieldMask, which grpcurl accepts only as {@code {"paths": [...]}},
   * turned into the string form protobuf's parser wants; a FieldMask given as a string fails.
   */
  private static String asGrpcurlReadsIt(Descriptor type, String json) throws Exception {
    return JsonFormat.printer().print(fieldMasksAsStrings(type, struct(json)));
  }

  private static Struct fieldMasksAsStrings(Descriptor type, Struct object) {
    Struct.Builder out = object.toBuilder();
    object.getFieldsMap().forEach((name, value) -> {
      FieldDescriptor field = type.getFields().stream()
          .filter(f -> f.getName().equals(name) || f.getJsonName().equals(name)).findFirst().orElse(null);
      if (field == null || field.getJavaType() != FieldDescriptor.JavaType.MESSAGE || field.isRepeated()) {
        return;
      }
      if (field.getMessageType().getFullName().equals("google.protobuf.FieldMask")) {
        assertThat(value.hasStructValue()).as("grpcurl takes %s only as {\"paths\": [...]}, not %s", name, value)
            .isTrue();
        String paths = value.getStructValue().getFieldsOrThrow("paths").getListValue().getValuesList().stream()
            .map(Value::getStringValue).collect(Collectors.joining(","));
        out.putFields(name, Value.newBuilder().setStringValue(paths).build());
      } else if (value.hasStructValue() && !field.getMessageType().getFullName().startsWith("google.protobuf.")) {
        out.putFields(name, Value.newBuilder()
            .setStructValue(fieldMasksAsStrings(field.getMessageType(), value.getStructValue())).build());
      }
    });
    return out.build();
  }

  private static Struct struct(String json) throws Exception {
    Struct.Builder object = Struct.newBuilder();
    JsonFormat.parser().merge(json, object);
    return object.build();
  }

  private static CallOptions options(String bearer, int seconds) {
    CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(seconds, TimeUnit.SECONDS);
    return bearer == null ? options : options.withCallCredentials(Bearer.of(bearer));
  }

  private static io.grpc.MethodDescriptor<DynamicMessage, DynamicMessage> rpc(MethodDescriptor method) {
    return io.grpc.MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
        .setType(method.isServerStreaming()
            ? io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING
            : io.grpc.MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(io.grpc.MethodDescriptor.generateFullMethodName(
            method.getService().getFullName(), method.getName()))
        .setRequestMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getInputType())))
        .setResponseMarshaller(ProtoUtils.marshaller(DynamicMessage.getDefaultInstance(method.getOutputType())))
        .build();
  }

  /** {@code jq -r .name} of a JSON answer: the top-level field's value. */
  private static String field(String json, String jsonName) throws Exception {
    // The answers are JSON of known messages; re-read them generically through a Struct.
    com.google.protobuf.Struct.Builder struct = com.google.protobuf.Struct.newBuilder();
    JsonFormat.parser().merge(json, struct);
    assertThat(struct.getFieldsMap()).as("answer has %s", jsonName).containsKey(jsonName);
    return struct.getFieldsOrThrow(jsonName).getStringValue();
  }

  private static String substitute(String text, Map<String, String> vars) {
    Matcher m = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = vars.get(m.group(1));
      assertThat(value).as("variable $%s is set before use", m.group(1)).isNotNull();
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The lines of the sh blocks in the README section "Using it with grpcurl". */
  private static List<String> grpcurlSection() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    int start = readme.indexOf("## Using it with grpcurl");
    int end = readme.indexOf("\n## ", start + 1);
    assertThat(start).as("README has the grpcurl section").isPositive();
    String section = readme.substring(start, end);
    List<String> lines = new java.util.ArrayList<>();
    Matcher block = Pattern.compile("```sh\\n(.*?)```", Pattern.DOTALL).matcher(section);
    while (block.find()) {
      lines.addAll(block.group(1).lines().toList());
    }
    assertThat(lines).as("grpcurl example lines").hasSizeGreaterThan(10);
    return lines;
  }
}
