package dev.tokenauthority.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.util.JsonFormat;
import dev.tokenauthority.api.v1.CreateTokenRequest;
import dev.tokenauthority.api.v1.Token;
import dev.tokenauthority.api.v1.TokenKind;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What grpcurl does with an error: it asks reflection for each detail's type and prints it
 * decoded. Without the types served it prints base64 and "google.rpc.ErrorInfo is not recognized".
 */
class ErrorDetailsReflectionTest extends InProcessAuthorityTest {

  @Test
  void errorDetailTypes_areServedByReflection_soErrorsDecode() throws Exception {
    ReflectionClient reflection = new ReflectionClient(ta.channel());
    assertThat(reflection.message("google.rpc.ErrorInfo").getFields()).extracting("name")
        .contains("reason", "domain", "metadata"); // grpcurl describe google.rpc.ErrorInfo
    assertThat(reflection.message("google.rpc.BadRequest").getFullName()).isEqualTo("google.rpc.BadRequest");

    StatusRuntimeException e = org.assertj.core.api.Assertions.catchThrowableOfType(StatusRuntimeException.class,
        () -> ta.admin().createToken(CreateTokenRequest.newBuilder().setToken(Token.newBuilder()
            .setKind(TokenKind.TOKEN_KIND_ORGANIZATION).setOrganization("acme").setLabel("x")
            .addScopes("no-such:scope")).build()));

    List<String> printed = new ArrayList<>();
    for (Any detail : StatusProto.fromThrowable(e).getDetailsList()) {
      String type = detail.getTypeUrl().substring(detail.getTypeUrl().lastIndexOf('/') + 1);
      printed.add(JsonFormat.printer().print(DynamicMessage.parseFrom(reflection.message(type), detail.getValue())));
    }
    assertThat(String.join("\n", printed)).contains("\"reason\": \"UNKNOWN_SCOPE\"", "\"field\": \"token.scopes\"");
  }
}
