package dev.tokenauthority.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Channel;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** What grpcurl does first: asks the server's reflection service for services and descriptors. */
final class ReflectionClient {
  private final Channel channel;

  ReflectionClient(Channel channel) {
    this.channel = channel;
  }

  /** The fully qualified names of the services the server lists. */
  List<String> listServices() throws Exception {
    ServerReflectionResponse r = ask(ServerReflectionRequest.newBuilder().setListServices("").build());
    return r.getListServicesResponse().getServiceList().stream().map(ServiceResponse::getName).toList();
  }

  /** The descriptor of {@code serviceName}, built only from what reflection sent. */
  ServiceDescriptor service(String serviceName) throws Exception {
    ServerReflectionResponse r = ask(ServerReflectionRequest.newBuilder().setFileContainingSymbol(serviceName).build());
    Map<String, FileDescriptorProto> protos = protos(r);
    Map<String, FileDescriptor> built = new HashMap<>();
    for (FileDescriptorProto p : protos.values()) {
      ServiceDescriptor found = build(p, protos, built).findServiceByName(
          serviceName.substring(serviceName.lastIndexOf('.') + 1));
      if (found != null && found.getFullName().equals(serviceName)) {
        return found;
      }
    }
    throw new AssertionError("reflection did not describe " + serviceName);
  }

  /** The descriptor of message {@code fullName}, as {@code grpcurl describe} finds it. */
  com.google.protobuf.Descriptors.Descriptor message(String fullName) throws Exception {
    ServerReflectionResponse r = ask(ServerReflectionRequest.newBuilder().setFileContainingSymbol(fullName).build());
    if (!r.hasFileDescriptorResponse()) {
      throw new AssertionError("reflection does not know " + fullName + ": " + r.getErrorResponse());
    }
    Map<String, FileDescriptorProto> protos = protos(r);
    Map<String, FileDescriptor> built = new HashMap<>();
    for (FileDescriptorProto p : protos.values()) {
      FileDescriptor fd = build(p, protos, built);
      if (fullName.startsWith(fd.getPackage() + ".")) {
        var found = fd.findMessageTypeByName(fullName.substring(fd.getPackage().length() + 1));
        if (found != null) {
          return found;
        }
      }
    }
    throw new AssertionError("reflection did not describe " + fullName);
  }

  /** The file descriptors a reflection answer carries, by file name. */
  private static Map<String, FileDescriptorProto> protos(ServerReflectionResponse r) throws Exception {
    Map<String, FileDescriptorProto> protos = new HashMap<>();
    for (ByteString bytes : r.getFileDescriptorResponse().getFileDescriptorProtoList()) {
      FileDescriptorProto p = FileDescriptorProto.parseFrom(bytes);
      protos.put(p.getName(), p);
    }
    return protos;
  }

  private static FileDescriptor build(FileDescriptorProto p, Map<String, FileDescriptorProto> protos,
      Map<String, FileDescriptor> built) throws DescriptorValidationException {
    FileDescriptor done = built.get(p.getName());
    if (done != null) {
      return done;
    }
    List<FileDescriptor> deps = new ArrayList<>();
    for (String dep : p.getDependencyList()) {
      FileDescriptorProto depProto = protos.get(dep);
      if (depProto == null) {
        throw new AssertionError("reflection left out dependency " + dep);
      }
      deps.add(build(depProto, protos, built));
    }
    FileDescriptor fd = FileDescriptor.buildFrom(p, deps.toArray(new FileDescriptor[0]));
    built.put(p.getName(), fd);
    return fd;
  }

  private ServerReflectionResponse ask(ServerReflectionRequest request) throws Exception {
    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .serverReflectionInfo(new StreamObserver<>() {
          @Override
          public void onNext(ServerReflectionResponse value) {
            answer.complete(value);
          }

          @Override
          public void onError(Throwable t) {
            answer.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            answer.completeExceptionally(new IllegalStateException("no answer"));
          }
        });
    requests.onNext(request);
    requests.onCompleted();
    ServerReflectionResponse r = answer.get(10, TimeUnit.SECONDS);
    if (r.hasErrorResponse()) {
      throw new InvalidProtocolBufferException("reflection error: " + r.getErrorResponse());
    }
    return r;
  }
}
