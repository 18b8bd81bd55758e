package dev.tokenauthority.bench;

import com.google.protobuf.Empty;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;

/** An empty unary RPC: the floor of any gRPC call on the same server, executor and transport. */
final class Echo {
  static final MethodDescriptor<Empty, Empty> METHOD = MethodDescriptor.<Empty, Empty>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName("bench.Echo", "Echo"))
      .setRequestMarshaller(ProtoUtils.marshaller(Empty.getDefaultInstance()))
      .setResponseMarshaller(ProtoUtils.marshaller(Empty.getDefaultInstance()))
      .build();

  private Echo() {}

  static ServerServiceDefinition service() {
    return ServerServiceDefinition.builder("bench.Echo")
        .addMethod(METHOD, ServerCalls.asyncUnaryCall((request, out) -> {
          out.onNext(Empty.getDefaultInstance());
          out.onCompleted();
        }))
        .build();
  }
}
